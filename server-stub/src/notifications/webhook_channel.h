// The webhook channel: for every booking event, one `webhook.deliver` job
// per enabled endpoint of the provider that subscribed to the event's name,
// its message (body and webhook-id) fixed now, in the fan-out's transaction.
#pragma once

#include "adapters/http_client.h"
#include "domain/webhooks.h"
#include "jobs/dispatcher.h"
#include "notifications/event_fan_out.h"

namespace slotwise::server::notifications {

// `{"type", "timestamp", "data": {"booking": ...}}`: the event's name, when
// it happened, and the booking as the provider API showed it at the event.
std::string webhook_body(const BookingEvent& event);

// The channel's statements for one event (public for tests).
std::vector<Statement> webhook_statements(Session& s, const EventContext& context, const domain::WebhookOptions& options);

// Adds the channel to the fan-out and the `webhook.deliver` handler to the dispatcher.
void register_webhook_channel(EventFanOut& fan_out, jobs::Dispatcher& dispatcher, jobs::JobQueue& queue,
                              domain::WebhookService& webhooks, const adapters::HttpClientOptions& http);

}  // namespace slotwise::server::notifications
