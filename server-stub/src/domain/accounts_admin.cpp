// An account's data rights and the operator's administration of accounts
// (issue 11, items 5 and 7; server-stub/README.md, "Ownership, plans and
// data rights"): the export, the deletion of an account, the erasure of one
// client's personal data, the plan of an account.

#include "domain/booking_json.h"
#include "domain/booking_service.h"
#include "domain/client_address.h"
#include "domain/accounts_requests.h"
#include "domain/providers_access.h"
#include "domain/request_parsing.h"
#include "store/data_rights_records.h"
#include "store/ownership_records.h"
#include "store/push_records.h"
#include "support/crypto.h"

namespace slotwise::server {
namespace {

// The account the actor acts for, or the refusal of one that has none (the
// operator has no account of its own).
std::string account_or_throw(const Actor& actor) {
    if (auto account = domain::acting_account(actor)) return *account;
    throw DomainError(ErrorKind::forbidden, "ACCOUNT_REQUIRED", "this endpoint acts on a provider account: sign in");
}

std::string lower_ascii(std::string text) {
    for (char& c : text)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return text;
}

}  // namespace

AccountExport BookingService::export_account(const Actor& actor) {
    const std::string account_id = account_or_throw(actor);
    auto s = store_.session();
    const Timestamp now = clock_.now();
    // One transaction: the document is one moment's state.
    return in_transaction(*s, std::nullopt, [&] {
        auto account = records::account_document(*s, account_id);
        if (!account) throw DomainError(ErrorKind::unauthenticated, "UNAUTHORIZED", "the account no longer exists").with_challenge("Bearer");
        json providers = json::array(), bookings = json::array(), audit = json::array();
        for (const std::string& provider_id : records::live_owned_providers(*s, account_id)) {
            const auto config = records::load_provider(*s, provider_id);
            if (!config) continue;
            providers.push_back({{"id", provider_id}, {"configuration", domain::provider_put_document(*config)}});
            for (const Booking& b : records::all_bookings(*s, provider_id)) bookings.push_back(booking_json(as_of(b, now)));
            for (auto& entry : records::audit_entries(*s, provider_id)) audit.push_back(std::move(entry));
        }
        return AccountExport{account_id,
                             {{"format", "slotwise-export/1"},
                              {"exported_at", format_timestamp(now)},
                              {"account", std::move(*account)},
                              {"providers", std::move(providers)},
                              {"bookings", std::move(bookings)},
                              {"audit", std::move(audit)},
                              {"sessions", records::session_documents(*s, account_id)},
                              {"api_keys", records::api_key_documents(*s, account_id)},
                              {"push_subscriptions", records::push_subscription_documents(*s, account_id)}}};
    });
}

void BookingService::delete_account(const Actor& actor) {
    // Deleting an account takes a signed-in person, not an integration's key.
    if (!std::holds_alternative<domain::ProviderAccount>(actor)) {
        account_or_throw(actor);
        throw DomainError(ErrorKind::forbidden, "SESSION_REQUIRED", "deleting an account needs a signed-in session, not an API key");
    }
    const std::string account_id = std::get<domain::ProviderAccount>(actor).account_id;
    auto s = store_.session();
    const Timestamp now = clock_.now();
    // Clients learn of a cancelled appointment from the provider's cancel;
    // an account's deletion must not make appointments vanish without a word.
    const auto refuse_open = [&](const std::string& provider_id) {
        if (const std::int64_t open = records::open_future_bookings(*s, provider_id, now); open > 0)
            throw DomainError(ErrorKind::conflict, "OPEN_BOOKINGS_REMAIN",
                              std::to_string(open) + " future booking(s) of " + provider_id +
                                  " still hold time; cancel or decline them first")
                .with_extension("open_bookings", std::to_string(open));
    };
    const auto providers = in_transaction(*s, std::nullopt, [&] {
        auto ids = records::live_owned_providers(*s, account_id);
        for (const auto& provider_id : ids) refuse_open(provider_id);
        return ids;
    });
    // Provider by provider under its write lock, the one the locked insert
    // takes: no booking is being made for it meanwhile, and none after, as
    // it reads as absent from then on. Should a booking have come in since
    // the check, the deletion stops there (409); a retry finishes it.
    for (const auto& provider_id : providers) {
        in_transaction(*s, provider_id, [&] {
            refuse_open(provider_id);
            const std::int64_t anonymised = records::anonymise_provider_bookings(*s, provider_id, now);
            records::delete_provider_no_shows(*s, provider_id);
            records::clear_provider_audit_details(*s, provider_id);
            records::mark_provider_deleted(*s, provider_id, now);
            records::audit(*s, now, audit_name(actor), "provider.delete", "provider", provider_id,
                           {{"bookings_anonymised", anonymised}});
        });
    }
    in_transaction(*s, std::nullopt, [&] {
        if (!records::delete_account(*s, account_id, now))
            throw DomainError(ErrorKind::unauthenticated, "UNAUTHORIZED", "the account no longer exists").with_challenge("Bearer");
        records::audit(*s, now, audit_name(actor), "account.delete", "account", account_id, {{"providers", providers}});
    });
}

ClientErasure BookingService::erase_client(const Actor& actor, std::string_view body) {
    if (!std::holds_alternative<domain::Operator>(actor))
        throw DomainError(ErrorKind::unauthenticated, "UNAUTHORIZED", "erasing a client's data needs the operator token")
            .with_challenge("Bearer");
    const std::string email = domain::parse_client_erasure_request(body);
    const std::string key = client_key(email);
    auto s = store_.session();
    const Timestamp now = clock_.now();
    return in_transaction(*s, std::nullopt, [&] {
        ClientErasure erased{records::anonymise_client_bookings(*s, key, lower_ascii(email), now),
                             records::delete_client_no_shows(*s, key)};
        // The entry names no address: it would keep what was erased.
        records::audit(*s, now, audit_name(actor), "client.erase", "client", sha256_hex(key),
                       {{"bookings", erased.bookings}, {"no_show_records", erased.no_show_records}});
        return erased;
    });
}

AccountPlan BookingService::set_account_plan(const Actor& actor, const std::string& account_id, std::string_view body) {
    if (!std::holds_alternative<domain::Operator>(actor))
        throw DomainError(ErrorKind::unauthenticated, "UNAUTHORIZED", "setting a plan needs the operator token")
            .with_challenge("Bearer");
    const std::string plan = domain::parse_plan_request(body);
    auto s = store_.session();
    const Timestamp now = clock_.now();
    return in_transaction(*s, std::nullopt, [&] {
        if (!records::set_account_plan(*s, account_id, plan))
            throw DomainError(ErrorKind::not_found, "UNKNOWN_ACCOUNT", "no account " + account_id);
        records::audit(*s, now, audit_name(actor), "account.plan", "account", account_id, {{"plan", plan}});
        return AccountPlan{account_id, plan};
    });
}

}  // namespace slotwise::server
