// Web Push subscriptions of provider accounts (README "Web Push") and the
// server's VAPID key (RFC 8292) that signs every push.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/web_push.h"
#include "domain/actor.h"
#include "domain/clock.h"
#include "domain/server_keys.h"
#include "store/store.h"

namespace slotwise::server::domain {

struct PushOptions {
    // SLOTWISE_VAPID_PRIVATE_KEY: base64url of the raw 32-byte P-256 scalar;
    // when unset, a key is generated once and kept (sealed) in the database.
    std::optional<std::string> vapid_private_key;
    // --allow-private-targets: http:// endpoints (tests' local push service).
    bool allow_private_targets = false;
};

struct PushSubscriptionView {
    std::string id;
    std::string endpoint;
    Timestamp created_at{};
};

class PushSubscriptions {
public:
    // Loads (or generates and stores, sealed under a key from `keys`) the
    // VAPID key; std::invalid_argument for an unusable SLOTWISE_VAPID_PRIVATE_KEY.
    PushSubscriptions(Store& store, const Clock& clock, const ServerKeys& keys, PushOptions options);

    const adapters::P256Key& vapid_key() const { return vapid_key_; }
    // base64url of the uncompressed public key: the dashboard's applicationServerKey.
    std::string vapid_public_key() const;

    // POST /v1/me/push-subscriptions: the account's session or API key;
    // {"endpoint", "keys": {"p256dh", "auth"}} (PushSubscription.toJSON()).
    // The same endpoint again replaces its keys and keeps its id.
    PushSubscriptionView subscribe(const Actor& actor, std::string_view body, const std::optional<std::string>& user_agent);
    std::vector<PushSubscriptionView> list(const Actor& actor);
    void unsubscribe(const Actor& actor, const std::string& id);

private:
    Store& store_;
    const Clock& clock_;
    PushOptions options_;
    adapters::P256Key vapid_key_;
};

// The account a subscription belongs to: a session's or an API key's; anyone
// else gets 403 ACCOUNT_REQUIRED.
std::string push_account_of(const Actor& actor);

}  // namespace slotwise::server::domain
