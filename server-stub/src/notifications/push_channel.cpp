#include "notifications/push_channel.h"

#include <date/date.h>
#include <slotwise/zone.h>

#include "adapters/web_push.h"
#include "domain/clock.h"
#include "domain/push_subscriptions.h"
#include "jobs/dispatcher.h"
#include "jobs/job_queue.h"
#include "notifications/event_fan_out.h"
#include "store/push_records.h"

namespace slotwise::server::notifications {

namespace {

constexpr const char* kJobKind = "push.send";
// An event's push is worth showing for a day; a reminder until the start.
constexpr std::chrono::seconds kEventTtl{24 * 3600};
// With the dispatcher's backoff (10 s doubling to an hour) about 3 hours of
// tries for a push service that is down or throttles: enough for a blip, and
// news that arrives later than that is stale.
constexpr int kPushAttempts = 8;

// "Mon 30 Nov 2026, 14:00 (Europe/Berlin)"
std::string provider_time(Instant t, const ProviderConfig& provider) {
    const TimeZone* zone = find_zone(provider.time_zone);
    if (!zone) return format_instant(t);
    return date::format("%a %d %b %Y, %H:%M", zone->to_local(t)) + " (" + provider.time_zone + ")";
}

std::string service_name(const Booking& booking, const ProviderConfig& provider) {
    const ServiceConfig* service = provider.service(booking.service_id);
    return service && !service->name.empty() ? service->name : booking.service_id;
}

std::string event_title(BookingEventType type, const nlohmann::json& booking_at_event) {
    switch (type) {
        case BookingEventType::created:
            return booking_at_event.value("status", "") == "PENDING" ? "New booking request" : "New booking";
        case BookingEventType::confirmed: return "Booking confirmed";
        case BookingEventType::declined: return "Booking request declined";
        case BookingEventType::cancelled: return "Booking cancelled";
        case BookingEventType::rescheduled: return "Booking moved";
        case BookingEventType::expired: return "Booking request expired";
        case BookingEventType::completed: return "Booking completed";
        case BookingEventType::no_show: return "Client did not show up";
        case BookingEventType::payment_succeeded: return "Payment received";
        case BookingEventType::payment_refunded: return "Refund sent";
    }
    return "Booking update";
}

// The start the event announces: the booking's at the event, which a later
// change may have moved since.
Instant start_at_event(const BookingEvent& event, const Booking& now_stored) {
    if (event.booking.is_object() && event.booking.contains("start") && event.booking["start"].is_string())
        if (const auto start = parse_instant(event.booking["start"].get<std::string>())) return *start;
    return now_stored.start;
}

std::string event_body(const EventContext& context) {
    const Booking& booking = *context.booking;
    const ProviderConfig& provider = *context.provider;
    const Instant start = start_at_event(context.event, booking);
    std::string body = booking.client.name + " · " + service_name(booking, provider) + " · ";
    if (context.event.type == BookingEventType::rescheduled && context.event.previous_start)
        body += provider_time(start, provider) + ", moved from " + provider_time(*context.event.previous_start, provider);
    else
        body += provider_time(start, provider);
    if (context.event.type == BookingEventType::cancelled) {
        body += context.event.actor == "client" ? " · cancelled by the client" : "";
        const auto reason = context.event.booking.value("cancellation_reason", nlohmann::json());
        if (reason.is_string() && !reason.get<std::string>().empty()) body += " · \"" + reason.get<std::string>() + "\"";
    }
    return body;
}

std::vector<Statement> jobs_for(const std::vector<records::PushSubscriptionRow>& subscriptions, const std::string& key,
                                const nlohmann::json& message, adapters::PushUrgency urgency, std::chrono::seconds ttl,
                                Timestamp now) {
    std::vector<Statement> out;
    for (const auto& subscription : subscriptions) {
        jobs::NewJob job;
        job.kind = kJobKind;
        job.key = key + ":" + subscription.id;
        job.payload = {{"subscription_id", subscription.id},
                       {"endpoint", subscription.endpoint},
                       {"message", message},
                       {"urgency", std::string(adapters::to_string(urgency))},
                       {"ttl", ttl.count()}};
        job.run_at = now;
        job.max_attempts = kPushAttempts;
        out.push_back(jobs::enqueue_statement(job, now));
    }
    return out;
}

adapters::PushUrgency urgency_from(const std::string& text) {
    if (text == "very-low") return adapters::PushUrgency::very_low;
    if (text == "low") return adapters::PushUrgency::low;
    if (text == "high") return adapters::PushUrgency::high;
    return adapters::PushUrgency::normal;
}

jobs::JobOutcome send(jobs::JobQueue& queue, const domain::PushSubscriptions& subscriptions,
                      const PushChannelOptions& options, const jobs::Job& job) {
    const std::string id = job.payload.value("subscription_id", "");
    const std::string endpoint = job.payload.value("endpoint", "");
    std::optional<records::PushSubscriptionRow> row;
    {
        auto session = queue.store().session();
        row = records::push_subscription(*session, id);
    }
    // Unsubscribed (or re-subscribed elsewhere) since the job was queued.
    if (!row || row->endpoint != endpoint) return jobs::JobOutcome::done();
    const auto p256dh = adapters::base64url_decode(row->p256dh);
    const auto auth = adapters::base64url_decode(row->auth);
    if (!p256dh || !auth) return jobs::JobOutcome::fail("the stored subscription keys are not base64url");

    adapters::PushMessage message;
    message.payload = job.payload.value("message", nlohmann::json::object()).dump();
    message.urgency = urgency_from(job.payload.value("urgency", "normal"));
    message.ttl = std::chrono::seconds{std::max<std::int64_t>(0, job.payload.value("ttl", std::int64_t{kEventTtl.count()}))};
    // RFC 8030 5.4: a newer message about the same booking replaces an
    // undelivered older one; booking ids fit the Topic's 32 URL-safe characters.
    const std::string booking_id = job.payload.value("message", nlohmann::json::object()).value("booking_id", "");
    if (!booking_id.empty() && booking_id.size() <= 32 &&
        booking_id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos)
        message.topic = booking_id;

    adapters::WebPushOptions web;
    web.allow_private = options.allow_private_targets;
    // The JWT's exp is checked against the push service's real clock, never
    // the server's (SLOTWISE_NOW may have moved it).
    const auto result = adapters::send_push({row->endpoint, *p256dh, *auth}, message, subscriptions.vapid_key(),
                                            options.subject, Clock::system_seconds(), web);
    switch (result.kind) {
        case adapters::PushResult::Kind::delivered: return jobs::JobOutcome::done();
        case adapters::PushResult::Kind::gone: {
            auto session = queue.store().session();
            records::forget_push_subscription(*session, row->id, row->endpoint);
            return jobs::JobOutcome::done();
        }
        case adapters::PushResult::Kind::retry: return jobs::JobOutcome::retry_later(result.error);
        case adapters::PushResult::Kind::rejected: return jobs::JobOutcome::fail(result.error);
    }
    return jobs::JobOutcome::fail("unknown push result");
}

}  // namespace

nlohmann::json push_payload(std::string_view type, const Booking& booking, const std::string& title, const std::string& body) {
    return {{"title", title},
            {"body", body},
            // Relative: the service worker opens it on the dashboard's own origin.
            {"url", "/app/bookings/" + booking.id},
            {"booking_id", booking.id},
            {"type", std::string(type)}};
}

void register_push_channel(EventFanOut& fan_out, jobs::Dispatcher& dispatcher, jobs::JobQueue& queue,
                           const domain::PushSubscriptions& subscriptions, PushChannelOptions options) {
    fan_out.add_channel("push", [](Session& s, const EventContext& context) -> std::vector<Statement> {
        if (!context.booking || !context.provider || !context.provider_account_id) return {};
        if (!context.settings.tells_provider("push", context.event.type, context.event.actor)) return {};
        const auto subscriptions = records::push_subscriptions_of(s, *context.provider_account_id);
        if (subscriptions.empty()) return {};
        const nlohmann::json message = push_payload(domain::event_name(context.event.type), *context.booking,
                                                    event_title(context.event.type, context.event.booking), event_body(context));
        const auto urgency = context.event.type == BookingEventType::created || context.event.type == BookingEventType::cancelled
                                 ? adapters::PushUrgency::high
                                 : adapters::PushUrgency::normal;
        return jobs_for(subscriptions, "push.send:" + context.event.id(), message, urgency, kEventTtl, context.now);
    });
    dispatcher.handle(kJobKind, [&queue, &subscriptions, options = std::move(options)](const jobs::Job& job) {
        return send(queue, subscriptions, options, job);
    });
}

std::vector<Statement> push_reminder_statements(Session& s, const Booking& booking, const ProviderConfig& provider,
                                                int before_minutes, std::string key, Timestamp now) {
    const auto subscriptions = records::push_subscriptions_of_provider_owner(s, provider.id);
    if (subscriptions.empty()) return {};
    const std::string lead = before_minutes % 60 == 0 ? std::to_string(before_minutes / 60) + " h"
                                                      : std::to_string(before_minutes) + " min";
    const nlohmann::json message =
        push_payload("booking.reminder", booking, "Upcoming booking in " + lead,
                     booking.client.name + " · " + service_name(booking, provider) + " · " + provider_time(booking.start, provider));
    // Worth delivering until the appointment starts, not after.
    const auto until_start = std::chrono::duration_cast<std::chrono::seconds>(booking.start - now);
    return jobs_for(subscriptions, key, message, adapters::PushUrgency::high,
                    std::max(std::chrono::seconds{60}, until_start), now);
}

}  // namespace slotwise::server::notifications
