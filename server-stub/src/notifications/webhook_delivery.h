// The `webhook.deliver` job: one attempt to POST one message to one
// endpoint, signed per Standard Webhooks 1.0 with the attempt's time, logged
// in webhook_attempts; retried on the schedule of WebhookOptions::retry_gaps;
// an endpoint failing for WebhookOptions::disable_after is disabled and its
// provider told by mail.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "adapters/http_client.h"
#include "domain/webhooks.h"
#include "jobs/job.h"

namespace slotwise::server::notifications {

inline constexpr std::chrono::seconds kWebhookTimeout{15};
inline constexpr std::size_t kWebhookResponseExcerpt = 1024;

// Where the provider is told that an endpoint was disabled; nullopt: nobody.
using ProviderEmailLookup = std::function<std::optional<std::string>(Session&, const std::string& provider_id)>;

struct WebhookDeliveryContext {
    Store& store;
    domain::WebhookService& webhooks;
    jobs::JobClock clock;
    adapters::HttpClientOptions http;
    ProviderEmailLookup provider_email;
    std::function<void()> notify_jobs;  // after a mail was queued
};

jobs::JobHandler webhook_delivery_handler(WebhookDeliveryContext context);

// At most `limit` bytes of `bytes` as valid UTF-8 without NUL (invalid
// sequences become U+FFFD): a response excerpt both databases and JSON take.
std::string utf8_excerpt(const std::string& bytes, std::size_t limit);

}  // namespace slotwise::server::notifications
