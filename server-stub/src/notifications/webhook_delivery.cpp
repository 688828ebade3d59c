#include "notifications/webhook_delivery.h"

#include <cstdio>

#include "domain/clock.h"
#include "mail/mail_job.h"
#include "notifications/webhook_signing.h"
#include "store/ownership_records.h"
#include "store/webhook_records.h"
#include "support/crypto.h"

namespace slotwise::server::notifications {
namespace {

using jobs::Job;
using jobs::JobOutcome;

std::string describe_failure(const adapters::HttpResponse& response) {
    if (response.status == 0) return response.error.empty() ? "no answer" : response.error;
    return "HTTP " + std::to_string(response.status);
}

std::int64_t micros_now() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

mail::MailMessage disabled_mail(const records::WebhookEndpoint& endpoint, const std::string& to, const std::string& reason,
                                Timestamp now) {
    mail::MailMessage m;
    m.key = "webhook.disabled:" + endpoint.id + ":" + std::to_string(epoch_seconds(now));
    m.to = {{"", to}};
    m.subject = "Slotwise: your webhook endpoint was disabled";
    m.text = "Your webhook endpoint\n\n  " + endpoint.url + "\n\n(" + endpoint.id + ", provider " + endpoint.provider_id +
             ") was disabled on " + format_timestamp(now) + ":\n\n  " + reason +
             "\n\nNo further events are sent to it. Once it answers again, enable it with\n"
             "PATCH /v1/providers/" + endpoint.provider_id + "/webhooks/" + endpoint.id +
             " {\"enabled\": true}\nand redeliver the events it missed from its delivery log\n"
             "(GET /v1/providers/" + endpoint.provider_id + "/webhooks/" + endpoint.id + "/deliveries).\n";
    return m;
}

}  // namespace

std::string utf8_excerpt(const std::string& bytes, std::size_t limit) {
    static const std::string replacement = "\xEF\xBF\xBD";
    std::string out;
    std::size_t i = 0;
    while (i < bytes.size()) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        std::size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        bool valid = length > 0 && i + length <= bytes.size() && c != 0;
        for (std::size_t k = 1; valid && k < length; ++k) valid = (static_cast<unsigned char>(bytes[i + k]) >> 6) == 0x2;
        if (valid && length > 1) {
            // No overlong forms, surrogates or code points past U+10FFFF.
            const auto c1 = static_cast<unsigned char>(bytes[i + 1]);
            valid = !(c == 0xC0 || c == 0xC1 || (c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0) ||
                      (c == 0xF0 && c1 < 0x90) || c > 0xF4 || (c == 0xF4 && c1 >= 0x90));
        }
        const std::size_t adds = valid ? length : replacement.size();
        if (out.size() + adds > limit) break;
        if (valid) out.append(bytes, i, length);
        else out += replacement;
        i += valid ? length : 1;
    }
    return out;
}

jobs::JobHandler webhook_delivery_handler(WebhookDeliveryContext context) {
    return [context = std::move(context)](const Job& job) -> JobOutcome {
        const auto& p = job.payload;
        if (!p.is_object() || !p.contains("endpoint_id") || !p.contains("webhook_id") || !p.contains("provider_id"))
            return JobOutcome::fail("webhook.deliver: malformed payload");
        const std::string provider_id = p["provider_id"].get<std::string>();
        const std::string endpoint_id = p["endpoint_id"].get<std::string>();
        const std::string webhook_id = p["webhook_id"].get<std::string>();
        const bool redelivery = p.value("redelivery", false);

        auto s = context.store.session();
        const auto endpoint = records::webhook_endpoint(*s, provider_id, endpoint_id);
        // Deleted (with its messages), or disabled meanwhile: nothing to send.
        // A disabled endpoint's missed messages stay in its log for redelivery.
        if (!endpoint) return JobOutcome::done();
        if (!endpoint->enabled) return JobOutcome::done();
        const auto ownership = records::provider_ownership(*s, provider_id);
        if (!ownership || ownership->deleted) return JobOutcome::done();
        const auto message = records::webhook_message(*s, endpoint_id, webhook_id);
        if (!message) return JobOutcome::done();
        const auto secret = context.webhooks.open_secret(*endpoint);
        const auto key = secret ? webhook_key(*secret) : std::nullopt;
        if (!key) return JobOutcome::fail("webhook.deliver: the secret of " + endpoint_id + " does not open under this server's key");
        s.reset();

        // The attempt's own time, as Standard Webhooks asks: a receiver
        // checks it against replays with its own clock, so a retry is signed
        // afresh with the machine's real time (never shifted by SLOTWISE_NOW).
        const Timestamp now = context.clock();
        const std::int64_t signed_at = epoch_seconds(Clock::system_seconds());
        adapters::HttpRequest request;
        request.method = "POST";
        request.url = endpoint->url;
        request.body = message->body;
        for (auto& header : webhook_headers(*key, webhook_id, signed_at, message->body))
            request.headers.push_back(std::move(header));
        request.timeout = kWebhookTimeout;
        const auto started = std::chrono::steady_clock::now();
        const std::int64_t seq = micros_now();
        const adapters::HttpResponse response = adapters::send_http(request, context.http);
        const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
        const bool delivered = response.status >= 200 && response.status < 300;

        records::WebhookAttempt attempt;
        attempt.id = "whd_" + random_token(12);
        attempt.endpoint_id = endpoint_id;
        attempt.webhook_id = webhook_id;
        attempt.event_type = message->event_type;
        attempt.attempted_at = now;
        attempt.seq = seq;
        if (response.status != 0) attempt.status = response.status;
        if (!delivered) attempt.error = utf8_excerpt(describe_failure(response), 500);
        attempt.duration_ms = took.count();
        if (response.status != 0) attempt.response = utf8_excerpt(response.body, kWebhookResponseExcerpt);
        attempt.redelivery = redelivery;

        const auto& options = context.webhooks.options();
        bool mailed = false;
        s = context.store.session();
        in_transaction(*s, std::nullopt, [&] {
            // The message may have gone with its endpoint while the request ran.
            if (!records::webhook_message(*s, endpoint_id, webhook_id)) return;
            s->exec(records::insert_webhook_attempt_statement(attempt));
            if (delivered) {
                for (const auto& st : records::webhook_delivered_statements(endpoint_id, webhook_id, now)) s->exec(st);
                return;
            }
            s->exec(records::webhook_failed_statement(endpoint_id, now));
            const std::string reason = "every delivery failed for " + std::to_string(options.disable_after.count()) +
                                       " s; the last: " + *attempt.error;
            if (records::disable_failing_webhook(*s, endpoint_id, now - options.disable_after, now, reason)) {
                std::fprintf(stderr, "slotwise-server: webhooks: endpoint %s of provider %s disabled: %s\n", endpoint_id.c_str(),
                             provider_id.c_str(), reason.c_str());
                if (const auto to = context.provider_email ? context.provider_email(*s, provider_id) : std::nullopt) {
                    s->exec(mail::mail_send_statement(disabled_mail(*endpoint, *to, reason, now), now));
                    mailed = true;
                }
            }
        });
        if (mailed && context.notify_jobs) context.notify_jobs();
        if (delivered) return JobOutcome::done();
        const std::string error = "webhook " + endpoint_id + ": " + *attempt.error;
        if (job.attempt >= job.max_attempts) return JobOutcome::fail(error);
        const auto& gaps = options.retry_gaps;
        const std::size_t index = std::min<std::size_t>(static_cast<std::size_t>(std::max(job.attempt, 1) - 1), gaps.size() - 1);
        // The gap runs from the failure, not from the attempt's start: a
        // receiver that timed out still gets its full pause.
        return JobOutcome::retry_at(context.clock() + gaps[index], error);
    };
}

}  // namespace slotwise::server::notifications
