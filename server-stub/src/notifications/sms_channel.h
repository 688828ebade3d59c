// The SMS and WhatsApp channel of booking events (issue 12): short texts to
// the client (when the provider's settings list "sms" or "whatsapp" under
// `client` and the client gave an E.164 phone) and to the provider's
// `provider_phone` (for the events the settings list under provider.sms /
// provider.whatsapp), each an `sms.send` job queued in the fan-out's
// transaction and sent through Twilio's Messages API (adapters/twilio_client.h).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "adapters/twilio_client.h"
#include "domain/model.h"
#include "jobs/job.h"
#include "store/store.h"

namespace slotwise::server::jobs {
class Dispatcher;
}

namespace slotwise::server::notifications {

class EventFanOut;

inline constexpr const char* kSmsSendKind = "sms.send";

using SmsLog = std::function<void(const std::string& line)>;

// The job of one text: kind "sms.send", key "sms.send:" + key, payload
// { "channel": "sms"|"whatsapp", "to": E.164, "body", "key", "not_after"? }.
// A text still unsent at `not_after` (the appointment's start) is dropped,
// not sent late.
struct SmsMessage {
    adapters::MessagingChannel channel = adapters::MessagingChannel::sms;
    std::string to;  // E.164
    std::string body;
    std::string key;  // unique per logical text, e.g. event id + ":client:sms"
    std::optional<Timestamp> not_after;
};
Statement sms_send_statement(const SmsMessage& message, Timestamp now);

// The reminder text to the client `before_minutes` ahead of the booking's
// start, in the client's language and time zone, as an sms.send job keyed
// "sms.send:" + key, due now. A client without an E.164 phone gets no text:
// the statement then changes nothing (it is a SELECT that finds no row), so
// callers may run it unconditionally.
Statement sms_reminder_statement(const Booking& booking, const ProviderConfig& provider, int before_minutes, std::string key,
                                 Timestamp now);

// The Twilio client from --twilio-api-base and the environment
// (adapters::twilio_options_from_environment), or null when SMS and WhatsApp
// are off; logs one line either way. Throws std::invalid_argument for an
// API base that is not an http:// or https:// URL.
std::unique_ptr<adapters::TwilioClient> sms_client_from_environment(const std::string& api_base, const SmsLog& log);

// Registers the channel with the fan-out and the sms.send handler with the
// dispatcher. `twilio` null: SMS and WhatsApp are off (no credentials), and
// neither is registered; texts queued earlier wait for a server that has them
// (and are dropped then if their appointment has begun). `clock` is the
// server's (SLOTWISE_NOW).
void register_sms_channel(EventFanOut& fan_out, jobs::Dispatcher& dispatcher, const adapters::TwilioClient* twilio,
                          jobs::JobClock clock, SmsLog log);

}  // namespace slotwise::server::notifications
