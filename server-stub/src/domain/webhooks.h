// The use cases of a provider's webhooks (api.md "Webhooks (Standard
// Webhooks 1.0)"): endpoints created, listed, re-enabled and deleted, their
// delivery log, and redelivery. Each takes an Actor; an account reaches only
// its own providers (404 UNKNOWN_PROVIDER otherwise, as everywhere). No HTTP.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/actor.h"
#include "domain/clock.h"
#include "jobs/job_queue.h"
#include "store/store.h"
#include "store/webhook_records.h"

namespace slotwise::server::domain {

inline constexpr const char* kWebhookDeliverKind = "webhook.deliver";

// 24 bytes is Standard Webhooks' lower bound; 32 gives a full SHA-256 block of key.
inline constexpr std::size_t kWebhookSecretBytes = 32;
// "whsec_" + base64 of fresh random bytes (notifications/webhook_signing.h reads it back).
std::string new_webhook_secret();

// The event names an endpoint may subscribe to (api.md), in api.md's order.
const std::vector<std::string>& webhook_event_names();

// Standard Webhooks' schedule after the first attempt: 5 s, 5 min, 30 min,
// 2 h, 5 h, 10 h, 10 h (seven more attempts over 27.6 hours).
std::vector<std::chrono::seconds> default_webhook_retry_gaps();

struct WebhookOptions {
    // http:// to loopback and targets on private addresses (tests); otherwise https only.
    bool allow_private_targets = false;
    int max_endpoints_per_provider = 10;
    std::vector<std::chrono::seconds> retry_gaps = default_webhook_retry_gaps();
    // An endpoint whose attempts have all failed for this long is disabled.
    std::chrono::seconds disable_after{5 * 24 * 3600};
};

struct WebhookView {
    std::string id;
    std::string provider_id;
    std::string url;
    std::vector<std::string> events;
    bool enabled = true;
    std::optional<std::string> disabled_reason;
    std::optional<Timestamp> disabled_at;
    Timestamp created_at{};
    std::optional<std::string> secret;  // only in the answer that creates it
};

struct Redelivery {
    std::string webhook_id;   // the message's id, sent again as webhook-id
    std::string delivery_id;  // the attempt it repeats
};

// The job that delivers one message to one endpoint: attempt after attempt
// until one answers 2xx or `max_attempts` are spent.
jobs::NewJob webhook_delivery_job(const records::WebhookMessage& message, const std::string& provider_id, std::string key,
                                  int max_attempts, Timestamp run_at, bool redelivery);

class WebhookService {
public:
    // `sealing_key`: 32 bytes from ServerKeys, sealing the endpoints' secrets at rest.
    WebhookService(Store& store, const Clock& clock, std::string sealing_key, WebhookOptions options);

    // Redeliveries are jobs; the queue, once it runs, is told at once.
    void set_job_queue(jobs::JobQueue* queue) { job_queue_.store(queue); }

    WebhookView create(const Actor& actor, const std::string& provider_id, std::string_view body);
    std::vector<WebhookView> list(const Actor& actor, const std::string& provider_id);
    // PATCH {"enabled": true|false}.
    WebhookView update(const Actor& actor, const std::string& provider_id, const std::string& webhook_id, std::string_view body);
    void remove(const Actor& actor, const std::string& provider_id, const std::string& webhook_id);
    // Newest first; `limit` from the query (1..100, default 20).
    std::vector<records::WebhookAttempt> deliveries(const Actor& actor, const std::string& provider_id,
                                                    const std::string& webhook_id,
                                                    const std::map<std::string, std::string>& query);
    Redelivery redeliver(const Actor& actor, const std::string& provider_id, const std::string& webhook_id,
                         const std::string& delivery_id);

    // The stored secret in clear (for signing); nullopt when it does not open.
    std::optional<std::string> open_secret(const records::WebhookEndpoint& endpoint) const;
    const WebhookOptions& options() const { return options_; }

private:
    records::WebhookEndpoint endpoint_or_throw(Session& s, const std::string& provider_id, const std::string& webhook_id);

    Store& store_;
    const Clock& clock_;
    WebhookOptions options_;
    std::string sealing_key_;
    std::atomic<jobs::JobQueue*> job_queue_{nullptr};
};

}  // namespace slotwise::server::domain
