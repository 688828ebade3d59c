// The SQL of Web Push subscriptions (migration 014), for both backends.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/store.h"

namespace slotwise::server::records {

struct PushSubscriptionRow {
    std::string id;
    std::string account_id;
    std::string endpoint;
    std::string p256dh;  // base64url
    std::string auth;    // base64url
    Timestamp created_at{};
    std::optional<std::string> user_agent;
};

// Inserts the row, or, when the account already has this endpoint, replaces
// its keys; returns the row as stored (its id the first one's).
PushSubscriptionRow upsert_push_subscription(Session& s, const PushSubscriptionRow& row);
std::vector<PushSubscriptionRow> push_subscriptions_of(Session& s, const std::string& account_id);
std::optional<PushSubscriptionRow> push_subscription(Session& s, const std::string& id);
// False when the account has no such subscription.
bool delete_push_subscription(Session& s, const std::string& account_id, const std::string& id);
// After a push service's 404/410: gone for good, whoever owned it. Only the
// row whose endpoint is still `endpoint` (a later re-subscription is kept).
void forget_push_subscription(Session& s, const std::string& id, const std::string& endpoint);
// The account's subscriptions for its data export: {id, endpoint, created_at, user_agent}.
nlohmann::json push_subscription_documents(Session& s, const std::string& account_id);
// The subscriptions of the live account that owns `provider_id`.
std::vector<PushSubscriptionRow> push_subscriptions_of_provider_owner(Session& s, const std::string& provider_id);

}  // namespace slotwise::server::records
