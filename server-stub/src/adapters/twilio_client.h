// SMS and WhatsApp through Twilio's Messages API (2010-04-01): one POST per
// message to {api_base}/2010-04-01/Accounts/{AccountSid}/Messages.json, form
// encoded, HTTP Basic auth; WhatsApp addresses are "whatsapp:+E164". Any
// gateway that speaks the same API (tests/server/twilio_test_server.mjs in
// the tests) can stand in through --twilio-api-base.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/http_client.h"

namespace slotwise::server::adapters {

enum class MessagingChannel { sms, whatsapp };
std::string_view to_string(MessagingChannel channel) noexcept;
std::optional<MessagingChannel> messaging_channel_from_name(std::string_view name) noexcept;

// E.164 as Twilio checks it: '+', a country code that does not start with 0,
// at most 15 digits in all, nothing else.
bool is_e164(std::string_view phone) noexcept;
// The E.164 form of a number as a client types it: spaces, hyphens, dots and
// slashes between the digits are dropped, nothing else is guessed (no
// national prefix, no "(0)"), so "+49 30 1234-5678" becomes "+493012345678"
// and "030 1234567" or "+49 (0)30 123" give nullopt.
std::optional<std::string> normalize_phone(std::string_view typed);

// application/x-www-form-urlencoded as browsers and Twilio's libraries write
// it: UTF-8, letters, digits and "*-._" as they are, space as '+', every
// other byte %XX.
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

struct TwilioOptions {
    std::string api_base = "https://api.twilio.com";
    std::string account_sid;  // AC..., in the path
    // Basic auth: the Account SID and its Auth Token, or an API key SID (SK...) and its secret.
    std::string auth_user, auth_secret;
    // SMS sender: an E.164 number, an alphanumeric sender ID, or a Messaging
    // Service SID (MG...), which is sent as MessagingServiceSid instead of From.
    std::string sms_from;
    // WhatsApp sender, E.164 with or without the "whatsapp:" prefix; empty: no WhatsApp.
    std::string whatsapp_from;
    std::chrono::milliseconds timeout{15'000};
    HttpClientOptions http;
};

// Twilio refuses a longer Body (error 21617); counted in Unicode code points.
constexpr std::size_t kMaxBodyCharacters = 1600;

struct OutgoingText {
    MessagingChannel channel = MessagingChannel::sms;
    std::string to;  // E.164, without the whatsapp: prefix
    std::string body;
};

// What became of one create request.
struct TwilioResult {
    enum class Kind {
        accepted,   // 2xx: Twilio took the message (its delivery is Twilio's from here)
        transient,  // 429, 5xx, 408, no answer: the same request may well go through later
        permanent,  // any other 4xx (bad To, opted out, bad credentials, ...): sending again cannot help
    };
    Kind kind = Kind::permanent;
    int http_status = 0;
    std::optional<long> twilio_code;  // Twilio's error code (21211, 21610, 20003, 20429, ...)
    std::string sid, status;          // of the accepted Message resource
    // Stable code first, then Twilio's words: "TWILIO_REJECTED 21211: The 'To'
    // number ... (https://www.twilio.com/docs/errors/21211)". Codes:
    // TWILIO_AUTH_FAILED (401/403), TWILIO_RATE_LIMITED (429),
    // TWILIO_UNAVAILABLE (5xx, 408), TWILIO_UNREACHABLE (no answer),
    // TWILIO_REJECTED (other 4xx), TWILIO_BAD_ANSWER (2xx without a sid),
    // SMS_INVALID (refused before sending: not E.164, empty or long body, no sender).
    std::string error;
};

// The request for `text`: pure, for the tests. Throws std::invalid_argument
// (SMS_INVALID ...) for a text that must not be sent.
HttpRequest twilio_message_request(const TwilioOptions& options, const OutgoingText& text);
// Reads Twilio's answer to a create request.
TwilioResult read_twilio_answer(const HttpResponse& response);

class TwilioClient {
public:
    explicit TwilioClient(TwilioOptions options) : options_(std::move(options)) {}
    // Never throws: a text that must not be sent is a permanent SMS_INVALID result.
    TwilioResult send(const OutgoingText& text) const;
    bool sends(MessagingChannel channel) const;
    // One line for the startup log, without secrets.
    std::string describe() const;
    const TwilioOptions& options() const { return options_; }

private:
    TwilioOptions options_;
};

// The account's credentials from the environment: SLOTWISE_TWILIO_ACCOUNT_SID
// with SLOTWISE_TWILIO_AUTH_TOKEN (or SLOTWISE_TWILIO_API_KEY_SID and
// SLOTWISE_TWILIO_API_KEY_SECRET), SLOTWISE_TWILIO_FROM,
// SLOTWISE_TWILIO_WHATSAPP_FROM. nullopt when there is no account SID and
// secret: SMS and WhatsApp are off. `problem` gets a line for a setting that
// is present but unusable (e.g. a From that is neither E.164 nor a sender ID).
std::optional<TwilioOptions> twilio_options_from_environment(std::string api_base, std::string& problem);

}  // namespace slotwise::server::adapters
