// The SQL of webhooks (migration 012): endpoints, the messages owed to them,
// and the log of delivery attempts. Transactions are the caller's.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/store.h"

namespace slotwise::server::records {

struct WebhookEndpoint {
    std::string id;
    std::string provider_id;
    std::string url;
    std::vector<std::string> events;
    std::string secret_sealed;
    bool enabled = true;
    std::optional<std::string> disabled_reason;
    std::optional<Timestamp> disabled_at, failing_since;
    Timestamp created_at{};
};

void insert_webhook_endpoint(Session& s, const WebhookEndpoint& endpoint);
std::int64_t count_webhook_endpoints(Session& s, const std::string& provider_id);
// Oldest first.
std::vector<WebhookEndpoint> webhook_endpoints(Session& s, const std::string& provider_id);
std::optional<WebhookEndpoint> webhook_endpoint(Session& s, const std::string& provider_id, const std::string& endpoint_id);
// Its messages and their attempts go with it; false when there was none.
bool delete_webhook_endpoint(Session& s, const std::string& provider_id, const std::string& endpoint_id);
// Enabled again: the failure window starts afresh.
bool enable_webhook_endpoint(Session& s, const std::string& provider_id, const std::string& endpoint_id);

struct WebhookMessage {
    std::string endpoint_id;
    std::string webhook_id;  // the event's id: the webhook-id header of every attempt
    std::string event_type;
    std::string body;
    Timestamp created_at{};
    std::optional<Timestamp> delivered_at;
};

// A no-op when the message is already owed (a re-run of the fan-out).
Statement insert_webhook_message_statement(const WebhookMessage& message);
std::optional<WebhookMessage> webhook_message(Session& s, const std::string& endpoint_id, const std::string& webhook_id);

struct WebhookAttempt {
    std::string id;
    std::string endpoint_id;
    std::string webhook_id;
    std::string event_type;
    Timestamp attempted_at{};
    std::int64_t seq = 0;
    std::optional<int> status;  // none when no answer came
    std::optional<std::string> error;
    std::int64_t duration_ms = 0;
    std::optional<std::string> response;  // the answer's first 1 KiB
    bool redelivery = false;
};

Statement insert_webhook_attempt_statement(const WebhookAttempt& attempt);
// Newest first, at most `limit`.
std::vector<WebhookAttempt> webhook_attempts(Session& s, const std::string& endpoint_id, int limit);
std::optional<WebhookAttempt> webhook_attempt(Session& s, const std::string& endpoint_id, const std::string& attempt_id);

// After an attempt: a success ends the endpoint's failing streak and marks
// the message delivered; a failure starts the streak if none is running.
std::vector<Statement> webhook_delivered_statements(const std::string& endpoint_id, const std::string& webhook_id, Timestamp now);
Statement webhook_failed_statement(const std::string& endpoint_id, Timestamp now);
// Disables the endpoint if it is enabled and has failed since `cutoff` or
// earlier; true when this call disabled it.
bool disable_failing_webhook(Session& s, const std::string& endpoint_id, Timestamp cutoff, Timestamp now,
                             const std::string& reason);

// Data rights: a deleted provider's endpoints go with their messages and
// log; an erased client's bookings leave no message body (they hold the
// booking as it was, name and address included) nor its attempts.
void delete_provider_webhooks(Session& s, const std::string& provider_id);
void forget_client_webhook_messages(Session& s, const std::string& client_key, const std::string& email);

}  // namespace slotwise::server::records
