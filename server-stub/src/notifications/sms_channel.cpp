#include "notifications/sms_channel.h"

#include <stdexcept>

#include "jobs/dispatcher.h"
#include "notifications/event_fan_out.h"
#include "notifications/sms_send_job.h"
#include "notifications/sms_texts.h"

namespace slotwise::server::notifications {

namespace {

using adapters::MessagingChannel;

constexpr std::array<MessagingChannel, 2> kChannels{MessagingChannel::sms, MessagingChannel::whatsapp};

// Providers have no language setting yet: their texts are in English.
constexpr SmsLanguage kProviderLanguage = SmsLanguage::en;

const TimeZone* zone_named(const std::optional<std::string>& name) {
    return name ? find_zone(*name) : nullptr;
}

std::optional<SmsTopic> topic_of(const BookingEvent& event) {
    switch (event.type) {
    case BookingEventType::created: {
        const auto status = event.booking.find("status");
        const bool pending = status != event.booking.end() && status->is_string() && status->get<std::string>() == "PENDING";
        return pending ? SmsTopic::created_pending : SmsTopic::created_confirmed;
    }
    case BookingEventType::confirmed: return SmsTopic::confirmed;
    case BookingEventType::declined: return SmsTopic::declined;
    case BookingEventType::cancelled: return SmsTopic::cancelled;
    case BookingEventType::rescheduled: return SmsTopic::rescheduled;
    case BookingEventType::expired: return SmsTopic::expired;
    case BookingEventType::completed:
    case BookingEventType::no_show:
    case BookingEventType::payment_succeeded:
    case BookingEventType::payment_refunded: return std::nullopt;
    }
    return std::nullopt;
}

std::optional<std::string> text_at(const nlohmann::json& object, const char* name) {
    if (!object.is_object()) return std::nullopt;
    const auto it = object.find(name);
    if (it == object.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

// What every text of a booking says, whoever reads it (the zone is the reader's).
SmsFacts facts_of(const Booking& booking, const ProviderConfig& provider) {
    SmsFacts facts;
    facts.provider_name = provider.name;
    const ServiceConfig* service = provider.service(booking.service_id);
    facts.service_name = service ? service->name : booking.service_id;
    facts.client_name = booking.client.name;
    facts.start = booking.start;
    facts.meeting_link = booking.meeting_link;
    if (!service || !service->is_virtual) facts.address = provider.address;
    return facts;
}

const TimeZone* client_zone(const Booking& booking, const ProviderConfig& provider) {
    if (const TimeZone* zone = zone_named(booking.client_time_zone)) return zone;
    return find_zone(provider.time_zone);
}

Timestamp as_timestamp(Instant t) { return Timestamp{std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())}; }

// The texts one event owes, by the settings of its provider.
std::vector<Statement> texts_for(const EventContext& context, const adapters::TwilioClient& twilio, const SmsLog& log) {
    const BookingEvent& event = context.event;
    const auto topic = topic_of(event);
    if (!topic || !context.booking || !context.provider) return {};
    const Booking& booking = *context.booking;
    const ProviderConfig& provider = *context.provider;
    auto say = [&](const std::string& line) {
        if (log) log(line);
    };

    // The event's own booking says what the text is about; the stored one
    // may have moved on since (another reschedule, a cancellation).
    SmsFacts facts = facts_of(booking, provider);
    if (const auto start = text_at(event.booking, "start")) {
        if (const auto instant = parse_instant(*start)) facts.start = *instant;
    }
    if (const auto link = text_at(event.booking, "meeting_link")) facts.meeting_link = link;
    facts.previous_start = event.previous_start;
    facts.cancelled_by = text_at(event.booking, "cancelled_by").value_or(event.actor);
    if (*topic == SmsTopic::cancelled || *topic == SmsTopic::declined) facts.reason = text_at(event.booking, "cancellation_reason");
    // Sent late a text only confuses: none after the appointment began, and
    // the news of a lapsed request (which lapses by its start at the latest) within a day.
    const Timestamp not_after =
        *topic == SmsTopic::expired ? event.occurred_at + std::chrono::hours{24} : as_timestamp(facts.start);

    std::vector<Statement> owed;
    auto queue = [&](MessagingChannel channel, const std::string& to, SmsReader reader, SmsLanguage language, const TimeZone* zone) {
        if (!twilio.sends(channel)) {
            say("sms: booking " + booking.id + ": " + std::string(adapters::to_string(channel)) +
                " is asked for, but this server has no sender for it");
            return;
        }
        SmsFacts read = facts;
        read.zone = zone;
        SmsMessage message{channel, to, sms_text(*topic, reader, language, read),
                           event.id() + (reader == SmsReader::client ? ":client:" : ":provider:") + std::string(adapters::to_string(channel)),
                           not_after};
        owed.push_back(sms_send_statement(message, context.now));
    };

    bool client_wants = false;
    for (MessagingChannel channel : kChannels) client_wants = client_wants || context.settings.tells_client(adapters::to_string(channel));
    if (client_wants && booking.client.phone) {
        if (const auto phone = adapters::normalize_phone(*booking.client.phone)) {
            const SmsLanguage language = sms_language(booking.client_locale);
            for (MessagingChannel channel : kChannels)
                if (context.settings.tells_client(adapters::to_string(channel)))
                    queue(channel, *phone, SmsReader::client, language, client_zone(booking, provider));
        } else {
            // The number itself stays out of the log: it is the client's.
            say("sms: booking " + booking.id + ": the client's phone is not an E.164 number (+country code and digits), no text");
        }
    }

    if (context.settings.provider_phone) {
        const auto phone = adapters::normalize_phone(*context.settings.provider_phone);
        for (MessagingChannel channel : kChannels) {
            if (!context.settings.tells_provider(adapters::to_string(channel), event.type, event.actor)) continue;
            if (!phone) {
                say("sms: provider " + provider.id + ": provider_phone is not an E.164 number, no text");
                break;
            }
            queue(channel, *phone, SmsReader::provider, kProviderLanguage, find_zone(provider.time_zone));
        }
    }
    return owed;
}

// Changes nothing, on both backends: what a caller runs when no text is owed.
Statement nothing_owed() { return {"SELECT 1 WHERE 1 = 0", {}}; }

}  // namespace

Statement sms_reminder_statement(const Booking& booking, const ProviderConfig& provider, int before_minutes, std::string key,
                                 Timestamp now) {
    (void)before_minutes;  // the text names the time itself, which says more than "in 60 minutes"
    if (!booking.client.phone) return nothing_owed();
    const auto phone = adapters::normalize_phone(*booking.client.phone);
    if (!phone) return nothing_owed();
    SmsFacts facts = facts_of(booking, provider);
    facts.zone = client_zone(booking, provider);
    SmsMessage message{MessagingChannel::sms, *phone,
                       sms_text(SmsTopic::reminder, SmsReader::client, sms_language(booking.client_locale), facts), std::move(key),
                       as_timestamp(booking.start)};
    return sms_send_statement(message, now);
}

std::unique_ptr<adapters::TwilioClient> sms_client_from_environment(const std::string& api_base, const SmsLog& log) {
    if (api_base.rfind("http://", 0) != 0 && api_base.rfind("https://", 0) != 0)
        throw std::invalid_argument("--twilio-api-base needs an http:// or https:// URL");
    auto say = [&](const std::string& line) {
        if (log) log(line);
    };
    std::string problem;
    auto options = adapters::twilio_options_from_environment(api_base, problem);
    if (!problem.empty()) say("sms: " + problem);
    if (!options) {
        say("sms: SMS and WhatsApp off (set SLOTWISE_TWILIO_ACCOUNT_SID, SLOTWISE_TWILIO_AUTH_TOKEN and SLOTWISE_TWILIO_FROM "
            "or SLOTWISE_TWILIO_WHATSAPP_FROM to send texts)");
        return nullptr;
    }
    // The operator names this URL, not a provider: the guard against
    // provider-supplied URLs that reach inward does not apply.
    options->http.allow_private = true;
    auto client = std::make_unique<adapters::TwilioClient>(std::move(*options));
    say("sms: " + client->describe());
    return client;
}

void register_sms_channel(EventFanOut& fan_out, jobs::Dispatcher& dispatcher, const adapters::TwilioClient* twilio,
                          jobs::JobClock clock, SmsLog log) {
    if (!twilio) return;
    dispatcher.handle(kSmsSendKind, sms_send_handler(*twilio, std::move(clock), log));
    fan_out.add_channel("sms", [twilio, log](Session&, const EventContext& context) { return texts_for(context, *twilio, log); });
}

}  // namespace slotwise::server::notifications
