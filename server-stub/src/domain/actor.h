// Who is asking. Every use case takes an Actor; the HTTP side resolves the
// caller into one (http_api.cpp) and the domain decides what it may do.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace slotwise::server::domain {

// Someone without credentials: the widget's visitor, anyone on the internet.
struct Visitor {
    std::string address;  // the client address the request came from
};

// The client of one booking, by the manage token that booking was created
// with. The token is presented, not yet proven: the use case that loads the
// booking compares it with the stored hash.
struct BookingClient {
    std::string booking_id;
    std::string manage_token;
    std::string address;
};

// A provider account signed in by session: the session is what sign-out ends.
struct ProviderAccount {
    std::string account_id;
    std::string session_id;
};

// An account's API key, for integrations.
struct ApiKey {
    std::string key_id;
    std::string account_id;
};

// The holder of the operator token (SLOTWISE_ADMIN_TOKEN): reaches everything.
struct Operator {};

// The server itself: housekeeping such as the expiry of overdue requests.
struct System {};

// The holder of a confirm or decline link from the provider's "request
// waiting" mail (notifications/action_links.h), its signature checked. It
// reaches one provider, and the transition table lets it confirm or decline
// a request and nothing else.
struct ProviderLink {
    std::string link_id;
    std::string provider_id;
};

using Actor = std::variant<Visitor, BookingClient, ProviderAccount, ApiKey, Operator, System, ProviderLink>;

// The kinds in the order of the variant, for tables indexed by kind.
enum class ActorKind { visitor, booking_client, provider_account, api_key, operator_, system, provider_link };

inline ActorKind kind_of(const Actor& actor) { return static_cast<ActorKind>(actor.index()); }

// Acts for a provider: may do the provider's transitions (which provider an
// account may reach is issue 11's rule, applied when the booking is loaded).
inline bool acts_for_provider(ActorKind kind) {
    return kind == ActorKind::provider_account || kind == ActorKind::api_key || kind == ActorKind::operator_ ||
           kind == ActorKind::provider_link;
}

// Whether the actor may act for a provider owned by `owner_account_id`
// (none: a provider the operator made): its bookings, its list, its
// configuration. The operator reaches every provider; an account and its
// API keys reach the providers the account owns. Anyone else is answered as
// if the provider did not exist (api.md part 2); providers_access.h loads
// the owner and throws that answer.
inline bool reaches_provider(const Actor& actor, const std::optional<std::string>& owner_account_id) {
    if (std::holds_alternative<Operator>(actor)) return true;
    if (!owner_account_id) return false;
    if (const auto* account = std::get_if<ProviderAccount>(&actor)) return account->account_id == *owner_account_id;
    if (const auto* key = std::get_if<ApiKey>(&actor)) return key->account_id == *owner_account_id;
    return false;
}

// The account an actor acts for, if any: a session's or an API key's.
inline std::optional<std::string> acting_account(const Actor& actor) {
    if (const auto* account = std::get_if<ProviderAccount>(&actor)) return account->account_id;
    if (const auto* key = std::get_if<ApiKey>(&actor)) return key->account_id;
    return std::nullopt;
}

// The actor column of the audit log; "client", "admin" and "system" are the
// strings written before actors existed, kept so old and new entries agree.
inline std::string_view audit_name(ActorKind kind) {
    switch (kind) {
        case ActorKind::visitor: return "visitor";
        case ActorKind::booking_client: return "client";
        case ActorKind::provider_account: return "account";
        case ActorKind::api_key: return "api_key";
        case ActorKind::operator_: return "admin";
        case ActorKind::system: return "system";
        case ActorKind::provider_link: return "link";
    }
    return "unknown";
}

// Who did it, as the audit log names them: an account and a key by id
// ("account:<id>", "api_key:<id>"), everyone else by kind.
inline std::string audit_name(const Actor& actor) {
    if (const auto* account = std::get_if<ProviderAccount>(&actor)) return "account:" + account->account_id;
    if (const auto* key = std::get_if<ApiKey>(&actor)) return "api_key:" + key->key_id;
    if (const auto* link = std::get_if<ProviderLink>(&actor)) return "link:" + link->link_id;
    return std::string(audit_name(kind_of(actor)));
}

}  // namespace slotwise::server::domain
