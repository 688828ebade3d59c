#include "domain/provider_stripe.h"

#include <nlohmann/json.hpp>

#include "adapters/stripe_client.h"
#include "domain/domain_error.h"
#include "domain/providers_access.h"
#include "store/records.h"
#include "store/stripe_account_records.h"
#include "support/crypto.h"

namespace slotwise::server::domain {

namespace {

using json = nlohmann::json;

bool starts_with(std::string_view s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

// A key's mode from its prefix ("sk_test_...": test); nullopt for neither.
std::optional<bool> live_by_prefix(std::string_view key, std::initializer_list<std::string_view> kinds) {
    for (const auto kind : kinds) {
        if (starts_with(key, std::string(kind) + "_live_")) return true;
        if (starts_with(key, std::string(kind) + "_test_")) return false;
    }
    return std::nullopt;
}

// One member as a Stripe key: a string of visible ASCII without spaces, of a
// sane length, with one of the expected prefixes. Detail starts with the
// member's path, so the dashboard shows it at the field.
std::string key_member(const json& request, const char* name, std::initializer_list<std::string_view> kinds,
                       const char* expected) {
    const auto it = request.find(name);
    const std::string path = std::string("/") + name;
    if (it == request.end() || !it->is_string()) throw invalid_input(path + " is required: " + expected);
    const std::string key = it->get<std::string>();
    if (key.size() < 12 || key.size() > 255) throw invalid_input(path + " must be " + expected + " (12..255 characters)");
    for (const unsigned char c : key)
        if (c <= 0x20 || c >= 0x7f) throw invalid_input(path + " must be " + expected + ", without spaces");
    bool known = false;
    for (const auto kind : kinds) known = known || starts_with(key, std::string(kind) + "_");
    if (!known) throw invalid_input(path + " must be " + expected);
    return key;
}

std::string last4(const std::string& key) { return key.size() <= 4 ? key : key.substr(key.size() - 4); }

}  // namespace

ProviderStripe::ProviderStripe(Store& store, const Clock& clock, const StripeAccounts& accounts, std::string sealing_key,
                               std::string webhook_url)
    : store_(store), clock_(clock), accounts_(accounts), sealing_key_(std::move(sealing_key)), webhook_url_(std::move(webhook_url)) {}

ProviderStripeView ProviderStripe::view_of(Session& s, const std::string& provider_id) const {
    ProviderStripeView view;
    view.webhook_url = webhook_url_;
    if (const auto row = records::provider_stripe_account(s, provider_id)) {
        view.source = ProviderStripeView::Source::provider;
        view.publishable_key = row->publishable_key;
        view.secret_key_last4 = row->secret_key_last4;
        view.webhook_secret_set = row->webhook_secret_sealed.has_value();
        view.livemode = row->livemode;
        return view;
    }
    if (const auto account = accounts_.operator_account()) {
        view.source = ProviderStripeView::Source::operator_environment;
        view.publishable_key = account->publishable_key;
        view.webhook_secret_set = !account->webhook_secret.empty();
        view.livemode = live_by_prefix(account->secret_key, {"sk", "rk"});
    }
    return view;
}

ProviderStripeView ProviderStripe::put(const Actor& actor, const std::string& provider_id, std::string_view body) {
    {
        auto s = store_.session();
        reach_provider_or_throw(*s, actor, provider_id);
    }
    const json request = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (!request.is_object())
        throw invalid_input("the body must be a JSON object {\"secret_key\", \"publishable_key\", \"webhook_secret\"?}");
    for (const auto& [name, value] : request.items())
        if (name != "secret_key" && name != "publishable_key" && name != "webhook_secret")
            throw invalid_input("/" + name + " is not a member here; the keys are secret_key, publishable_key, webhook_secret");
    const std::string secret = key_member(request, "secret_key", {"sk", "rk"}, "a secret (sk_...) or restricted (rk_...) key");
    const std::string publishable = key_member(request, "publishable_key", {"pk"}, "a publishable key (pk_...)");
    std::optional<std::string> webhook_secret;
    if (const auto it = request.find("webhook_secret"); it != request.end() && !it->is_null())
        webhook_secret = key_member(request, "webhook_secret", {"whsec"}, "the endpoint's signing secret (whsec_...)");
    const auto secret_live = live_by_prefix(secret, {"sk", "rk"});
    const auto publishable_live = live_by_prefix(publishable, {"pk"});
    if (!secret_live || !publishable_live)
        throw invalid_input(std::string(!secret_live ? "/secret_key" : "/publishable_key") +
                            " must be a test (_test_) or live (_live_) key");
    if (*secret_live != *publishable_live)
        throw DomainError(ErrorKind::refused, "STRIPE_KEYS_MISMATCHED",
                          std::string("the secret key is a ") + (*secret_live ? "live" : "test") + " key and the publishable key a " +
                              (*publishable_live ? "live" : "test") + " key: both must come from the same mode")
            .with_extension("path", json("/publishable_key").dump());

    // One harmless read with the key, before anything is kept: a key Stripe
    // refuses never takes the place of one that works. No transaction is
    // open during the call.
    const adapters::StripeClient client(accounts_.options_with(secret));
    const auto checked = client.list_payment_intents(1);
    if (!checked.ok()) {
        const auto kind = checked.error.kind;
        if (kind == adapters::StripeErrorKind::authentication || kind == adapters::StripeErrorKind::invalid_request)
            throw DomainError(ErrorKind::refused, "STRIPE_KEY_REJECTED",
                              // Stripe's own words quote part of the key: only its status and code are passed on.
                              "Stripe refused this secret key (HTTP " + std::to_string(checked.error.http_status) +
                                  (checked.error.code.empty() ? std::string() : ", " + checked.error.code) +
                                  "): check that it is the account's current secret or restricted key")
                .with_extension("path", json("/secret_key").dump());
        throw DomainError(ErrorKind::unavailable, "STRIPE_UNAVAILABLE",
                          "Stripe could not be asked about this key now (" + std::string(adapters::to_string(kind)) +
                              "); nothing was saved, try again")
            .retry_after_seconds(30);
    }

    records::ProviderStripeAccount row;
    row.provider_id = provider_id;
    row.secret_key_sealed = seal(sealing_key_, secret, records::stripe_account_aad(provider_id, "secret_key"));
    row.secret_key_last4 = last4(secret);
    row.publishable_key = publishable;
    if (webhook_secret)
        row.webhook_secret_sealed = seal(sealing_key_, *webhook_secret, records::stripe_account_aad(provider_id, "webhook_secret"));
    row.livemode = *secret_live;
    row.created_at = row.updated_at = clock_.now();
    auto s = store_.session();
    return in_transaction(*s, provider_id, [&] {
        reach_provider_or_throw(*s, actor, provider_id);
        records::put_provider_stripe_account(*s, row);
        // The audit names what changed, never a secret.
        records::audit(*s, clock_.now(), audit_name(actor), "provider.stripe_keys", "provider", provider_id,
                       {{"mode", row.livemode ? "live" : "test"}, {"secret_key_last4", row.secret_key_last4},
                        {"webhook_secret_set", row.webhook_secret_sealed.has_value()}});
        return view_of(*s, provider_id);
    });
}

ProviderStripeView ProviderStripe::get(const Actor& actor, const std::string& provider_id) {
    auto s = store_.session();
    reach_provider_or_throw(*s, actor, provider_id);
    return view_of(*s, provider_id);
}

void ProviderStripe::remove(const Actor& actor, const std::string& provider_id) {
    auto s = store_.session();
    in_transaction(*s, provider_id, [&] {
        reach_provider_or_throw(*s, actor, provider_id);
        if (records::delete_provider_stripe_account(*s, provider_id))
            records::audit(*s, clock_.now(), audit_name(actor), "provider.stripe_keys_removed", "provider", provider_id, json::object());
    });
}

}  // namespace slotwise::server::domain
