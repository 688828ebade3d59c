#include "notifications/webhook_channel.h"

#include <algorithm>

#include "notifications/webhook_delivery.h"
#include "store/account_records.h"
#include "store/ownership_records.h"
#include "store/records.h"
#include "store/webhook_records.h"

namespace slotwise::server::notifications {
namespace {

// As the fan-out finds it: the provider's own notification address, else
// its owning account's, else nobody (a provider the operator made).
std::optional<std::string> provider_email(Session& s, const std::string& provider_id) {
    const auto provider = records::load_provider(s, provider_id);
    if (!provider) return std::nullopt;
    if (auto own = domain::notification_settings_of(provider->notifications).provider_email) return own;
    const auto ownership = records::provider_ownership(s, provider_id);
    if (!ownership || ownership->deleted || !ownership->owner_account_id) return std::nullopt;
    if (const auto account = records::live_account(s, *ownership->owner_account_id)) return account->email;
    return std::nullopt;
}

}  // namespace

std::string webhook_body(const BookingEvent& event) {
    return nlohmann::json{{"type", std::string(domain::event_name(event.type))},
                          {"timestamp", format_timestamp(event.occurred_at)},
                          {"data", {{"booking", event.booking}}}}
        .dump();
}

std::vector<Statement> webhook_statements(Session& s, const EventContext& context, const domain::WebhookOptions& options) {
    std::vector<Statement> owed;
    if (!context.booking || !context.provider) return owed;
    const std::string type(domain::event_name(context.event.type));
    const std::string body = webhook_body(context.event);
    const std::string webhook_id = context.event.id();
    const int max_attempts = static_cast<int>(options.retry_gaps.size()) + 1;
    for (const auto& endpoint : records::webhook_endpoints(s, context.booking->provider_id)) {
        if (!endpoint.enabled || std::find(endpoint.events.begin(), endpoint.events.end(), type) == endpoint.events.end())
            continue;
        const records::WebhookMessage message{endpoint.id, webhook_id, type, body, context.now, std::nullopt};
        owed.push_back(records::insert_webhook_message_statement(message));
        owed.push_back(jobs::enqueue_statement(
            domain::webhook_delivery_job(message, endpoint.provider_id, "webhook.deliver:" + webhook_id + ":" + endpoint.id,
                                         max_attempts, context.now, false),
            context.now));
    }
    return owed;
}

void register_webhook_channel(EventFanOut& fan_out, jobs::Dispatcher& dispatcher, jobs::JobQueue& queue,
                              domain::WebhookService& webhooks, const adapters::HttpClientOptions& http) {
    fan_out.add_channel("webhooks", [&webhooks](Session& s, const EventContext& context) {
        return webhook_statements(s, context, webhooks.options());
    });
    dispatcher.handle(domain::kWebhookDeliverKind,
                      webhook_delivery_handler({queue.store(), webhooks, [&queue] { return queue.now(); }, http, provider_email,
                                                [&queue] { queue.notify(); }}));
}

}  // namespace slotwise::server::notifications
