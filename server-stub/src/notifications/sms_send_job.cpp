// The `sms.send` job of sms_channel.h: its statement and its handler.
#include "notifications/sms_send_job.h"

#include "jobs/job_queue.h"

namespace slotwise::server::notifications {

namespace {

// Logs are read by operators, not by everybody who may see the numbers:
// "+49*******78".
std::string masked(const std::string& phone) {
    if (phone.size() <= 5) return phone;
    return phone.substr(0, 3) + std::string(phone.size() - 5, '*') + phone.substr(phone.size() - 2);
}

struct Payload {
    adapters::OutgoingText text;
    std::string key;
    std::optional<Timestamp> not_after;
};

// nullopt for a payload no attempt could ever send.
std::optional<Payload> read_payload(const nlohmann::json& payload, std::string& why) {
    if (!payload.is_object()) {
        why = "not an object";
        return std::nullopt;
    }
    auto text_field = [&](const char* name) -> std::optional<std::string> {
        const auto it = payload.find(name);
        if (it == payload.end() || !it->is_string()) return std::nullopt;
        return it->get<std::string>();
    };
    const auto channel_name = text_field("channel"), to = text_field("to"), body = text_field("body");
    const auto channel = channel_name ? adapters::messaging_channel_from_name(*channel_name) : std::nullopt;
    if (!channel) {
        why = "channel is not \"sms\" or \"whatsapp\"";
        return std::nullopt;
    }
    if (!to || !body) {
        why = "\"to\" and \"body\" must be strings";
        return std::nullopt;
    }
    Payload p{{*channel, *to, *body}, text_field("key").value_or(""), std::nullopt};
    if (const auto it = payload.find("not_after"); it != payload.end() && !it->is_null()) {
        if (!it->is_number_integer()) {
            why = "\"not_after\" must be epoch seconds";
            return std::nullopt;
        }
        p.not_after = timestamp_from_epoch(it->get<std::int64_t>());
    }
    return p;
}

}  // namespace

Statement sms_send_statement(const SmsMessage& message, Timestamp now) {
    jobs::NewJob job;
    job.kind = kSmsSendKind;
    job.key = std::string(kSmsSendKind) + ":" + message.key;
    job.payload = {{"channel", adapters::to_string(message.channel)}, {"to", message.to}, {"body", message.body}, {"key", message.key}};
    if (message.not_after) job.payload["not_after"] = epoch_seconds(*message.not_after);
    job.run_at = now;
    return jobs::enqueue_statement(job, now);
}

jobs::JobHandler sms_send_handler(const adapters::TwilioClient& twilio, jobs::JobClock clock, SmsLog log) {
    return [&twilio, clock = std::move(clock), log = std::move(log)](const jobs::Job& job) {
        auto say = [&](const std::string& line) {
            if (log) log(line);
        };
        std::string why;
        const auto payload = read_payload(job.payload, why);
        if (!payload) return jobs::JobOutcome::fail("SMS_PAYLOAD_INVALID: " + why);
        const std::string channel(adapters::to_string(payload->text.channel));
        const std::string what = channel + " " + job.key + " to " + masked(payload->text.to);
        if (payload->not_after && clock() >= *payload->not_after) {
            say(what + " dropped: the appointment has begun, a late text would only confuse");
            return jobs::JobOutcome::done();
        }
        if (!twilio.sends(payload->text.channel))
            return jobs::JobOutcome::fail("SMS_CHANNEL_OFF: no " + channel + " sender is configured");
        const adapters::TwilioResult result = twilio.send(payload->text);
        const std::string attempt = " attempt " + std::to_string(job.attempt) + "/" + std::to_string(job.max_attempts);
        switch (result.kind) {
        case adapters::TwilioResult::Kind::accepted:
            say(what + ": sent, Twilio " + (result.sid.empty() ? result.error : result.sid + " " + result.status));
            return jobs::JobOutcome::done();
        case adapters::TwilioResult::Kind::transient:
            say(what + attempt + " will be retried: " + result.error);
            return jobs::JobOutcome::retry_later(result.error);
        case adapters::TwilioResult::Kind::permanent:
            break;
        }
        say(what + attempt + " failed for good: " + result.error);
        if (result.http_status == 401 || result.http_status == 403)
            say("sms: Twilio refused the credentials (SLOTWISE_TWILIO_ACCOUNT_SID with SLOTWISE_TWILIO_AUTH_TOKEN, or the API "
                "key): no text goes out until they are fixed");
        return jobs::JobOutcome::fail(result.error);
    };
}

}  // namespace slotwise::server::notifications
