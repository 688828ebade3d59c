#include "adapters/twilio_client.h"

#include <cstdlib>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "support/crypto.h"

namespace slotwise::server::adapters {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

// A Twilio SID: two letters of its kind and 32 hex digits.
bool is_sid(std::string_view text, std::string_view kind) {
    if (text.size() != 34 || !starts_with(text, kind)) return false;
    for (char c : text.substr(2))
        if (!is_hex(c)) return false;
    return true;
}

// An alphanumeric sender ID as Twilio takes it: 1..11 letters, digits and
// spaces, at least one letter.
bool is_alphanumeric_sender(std::string_view text) {
    if (text.empty() || text.size() > 11) return false;
    bool letter = false;
    for (char c : text) {
        if (!is_alnum(c) && c != ' ') return false;
        letter = letter || (!is_digit(c) && c != ' ');
    }
    return letter;
}

constexpr std::string_view kWhatsAppPrefix = "whatsapp:";

std::string without_whatsapp_prefix(std::string_view address) {
    return std::string(starts_with(address, kWhatsAppPrefix) ? address.substr(kWhatsAppPrefix.size()) : address);
}

std::size_t code_points(std::string_view utf8) {
    std::size_t n = 0;
    for (unsigned char c : utf8)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

std::string invalid(const std::string& why) { return "SMS_INVALID: " + why; }

// The sender field for `channel`: {"From", ...} or {"MessagingServiceSid", ...}.
std::pair<std::string, std::string> sender_field(const TwilioOptions& options, MessagingChannel channel) {
    const std::string& configured = channel == MessagingChannel::sms ? options.sms_from : options.whatsapp_from;
    if (configured.empty())
        throw std::invalid_argument(invalid(channel == MessagingChannel::sms ? "no SMS sender (SLOTWISE_TWILIO_FROM)"
                                                                             : "no WhatsApp sender (SLOTWISE_TWILIO_WHATSAPP_FROM)"));
    if (is_sid(configured, "MG")) return {"MessagingServiceSid", configured};
    if (channel == MessagingChannel::whatsapp) return {"From", std::string(kWhatsAppPrefix) + without_whatsapp_prefix(configured)};
    return {"From", configured};
}

// Twilio codes that are worth another try whatever the HTTP status says:
// 20429 too many requests, 21611 the sender's queue is full.
bool transient_code(long code) { return code == 20429 || code == 21611; }

}  // namespace

std::string_view to_string(MessagingChannel channel) noexcept {
    return channel == MessagingChannel::whatsapp ? "whatsapp" : "sms";
}

std::optional<MessagingChannel> messaging_channel_from_name(std::string_view name) noexcept {
    if (name == "sms") return MessagingChannel::sms;
    if (name == "whatsapp") return MessagingChannel::whatsapp;
    return std::nullopt;
}

bool is_e164(std::string_view phone) noexcept {
    if (phone.size() < 3 || phone.size() > 16 || phone[0] != '+' || phone[1] == '0') return false;
    for (char c : phone.substr(1))
        if (!is_digit(c)) return false;
    return true;
}

std::optional<std::string> normalize_phone(std::string_view typed) {
    std::string out;
    for (char c : typed) {
        if (c == ' ' || c == '-' || c == '.' || c == '/') continue;
        out += c;
    }
    if (!is_e164(out)) return std::nullopt;
    return out;
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    auto append = [&](const std::string& text) {
        for (unsigned char c : text) {
            if (is_alnum(static_cast<char>(c)) || c == '*' || c == '-' || c == '.' || c == '_') out += static_cast<char>(c);
            else if (c == ' ') out += '+';
            else {
                out += '%';
                out += kHex[c >> 4];
                out += kHex[c & 0x0F];
            }
        }
    };
    for (const auto& [name, value] : fields) {
        if (!out.empty()) out += '&';
        append(name);
        out += '=';
        append(value);
    }
    return out;
}

HttpRequest twilio_message_request(const TwilioOptions& options, const OutgoingText& text) {
    if (!is_e164(text.to)) throw std::invalid_argument(invalid("the recipient '" + one_line(text.to, 40) + "' is not an E.164 number"));
    if (text.body.empty()) throw std::invalid_argument(invalid("empty body"));
    if (code_points(text.body) > kMaxBodyCharacters)
        throw std::invalid_argument(invalid("the body has more than " + std::to_string(kMaxBodyCharacters) + " characters"));
    for (char c : options.account_sid)
        if (!is_alnum(c)) throw std::invalid_argument(invalid("the account SID is not alphanumeric"));
    if (options.account_sid.empty()) throw std::invalid_argument(invalid("no account SID"));

    const bool whatsapp = text.channel == MessagingChannel::whatsapp;
    std::vector<std::pair<std::string, std::string>> fields;
    fields.emplace_back("To", whatsapp ? std::string(kWhatsAppPrefix) + text.to : text.to);
    fields.push_back(sender_field(options, text.channel));
    fields.emplace_back("Body", text.body);

    std::string base = options.api_base;
    while (!base.empty() && base.back() == '/') base.pop_back();
    HttpRequest request;
    request.method = "POST";
    request.url = base + "/2010-04-01/Accounts/" + options.account_sid + "/Messages.json";
    request.headers = {
        {"Authorization", "Basic " + base64_encode(options.auth_user + ":" + options.auth_secret)},
        {"Content-Type", "application/x-www-form-urlencoded"},
        {"Accept", "application/json"},
    };
    request.body = form_encode(fields);
    request.timeout = options.timeout;
    return request;
}

TwilioResult read_twilio_answer(const HttpResponse& response) {
    TwilioResult result;
    result.http_status = response.status;
    if (response.status == 0) {
        result.kind = TwilioResult::Kind::transient;
        result.error = "TWILIO_UNREACHABLE: " + one_line(response.error.empty() ? "no answer" : response.error);
        return result;
    }
    const nlohmann::json answer = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
    auto text_field = [&](const char* name) {
        const auto it = answer.is_object() ? answer.find(name) : answer.end();
        return it != answer.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (response.status >= 200 && response.status < 300) {
        // Twilio has the message now: even an answer we cannot read must not
        // make us send it a second time.
        result.kind = TwilioResult::Kind::accepted;
        result.sid = text_field("sid");
        result.status = text_field("status");
        if (result.sid.empty())
            result.error = "TWILIO_BAD_ANSWER: HTTP " + std::to_string(response.status) + " without a message sid";
        return result;
    }
    if (answer.is_object()) {
        const auto code = answer.find("code");
        if (code != answer.end() && code->is_number_integer()) result.twilio_code = code->get<long>();
    }
    const std::string message = text_field("message"), more_info = text_field("more_info");
    std::string label;
    if (response.status == 401 || response.status == 403) {
        result.kind = TwilioResult::Kind::permanent;
        label = "TWILIO_AUTH_FAILED";
    } else if (response.status == 429) {
        result.kind = TwilioResult::Kind::transient;
        label = "TWILIO_RATE_LIMITED";
    } else if (response.status == 408 || response.status >= 500) {
        result.kind = TwilioResult::Kind::transient;
        label = "TWILIO_UNAVAILABLE";
    } else if (result.twilio_code && transient_code(*result.twilio_code)) {
        result.kind = TwilioResult::Kind::transient;
        label = "TWILIO_RATE_LIMITED";
    } else {
        result.kind = TwilioResult::Kind::permanent;
        label = "TWILIO_REJECTED";
    }
    result.error = label + " " + (result.twilio_code ? std::to_string(*result.twilio_code) : "HTTP " + std::to_string(response.status)) +
                   ": " + one_line(message.empty() ? response.body : message);
    if (!more_info.empty()) result.error += " (" + one_line(more_info, 120) + ")";
    return result;
}

TwilioResult TwilioClient::send(const OutgoingText& text) const {
    HttpRequest request;
    try {
        request = twilio_message_request(options_, text);
    } catch (const std::invalid_argument& e) {
        TwilioResult refused;
        refused.error = e.what();
        return refused;
    }
    return read_twilio_answer(send_http(request, options_.http));
}

bool TwilioClient::sends(MessagingChannel channel) const {
    return !(channel == MessagingChannel::sms ? options_.sms_from : options_.whatsapp_from).empty();
}

std::string TwilioClient::describe() const {
    std::string line = "Twilio " + options_.api_base + ", account " + options_.account_sid;
    line += sends(MessagingChannel::sms) ? ", SMS from " + options_.sms_from : ", SMS off (no SLOTWISE_TWILIO_FROM)";
    line += sends(MessagingChannel::whatsapp) ? ", WhatsApp from " + options_.whatsapp_from
                                              : ", WhatsApp off (no SLOTWISE_TWILIO_WHATSAPP_FROM)";
    return line;
}

std::optional<TwilioOptions> twilio_options_from_environment(std::string api_base, std::string& problem) {
    auto env = [](const char* name) {
        const char* value = std::getenv(name);
        return std::string(value ? value : "");
    };
    TwilioOptions options;
    options.api_base = std::move(api_base);
    options.account_sid = env("SLOTWISE_TWILIO_ACCOUNT_SID");
    const std::string token = env("SLOTWISE_TWILIO_AUTH_TOKEN"), key_sid = env("SLOTWISE_TWILIO_API_KEY_SID"),
                      key_secret = env("SLOTWISE_TWILIO_API_KEY_SECRET");
    if (options.account_sid.empty()) {
        if (!token.empty() || !key_sid.empty()) problem = "SLOTWISE_TWILIO_ACCOUNT_SID is not set";
        return std::nullopt;
    }
    for (char c : options.account_sid)
        if (!is_alnum(c)) {
            problem = "SLOTWISE_TWILIO_ACCOUNT_SID is not a Twilio account SID";
            return std::nullopt;
        }
    if (!key_sid.empty() && !key_secret.empty()) {
        options.auth_user = key_sid;
        options.auth_secret = key_secret;
    } else if (!token.empty()) {
        options.auth_user = options.account_sid;
        options.auth_secret = token;
    } else {
        problem = "SLOTWISE_TWILIO_ACCOUNT_SID is set without SLOTWISE_TWILIO_AUTH_TOKEN (or SLOTWISE_TWILIO_API_KEY_SID and "
                  "SLOTWISE_TWILIO_API_KEY_SECRET)";
        return std::nullopt;
    }
    const std::string from = env("SLOTWISE_TWILIO_FROM"), whatsapp_from = env("SLOTWISE_TWILIO_WHATSAPP_FROM");
    if (!from.empty()) {
        if (is_e164(from) || is_alphanumeric_sender(from) || is_sid(from, "MG")) options.sms_from = from;
        else problem = "SLOTWISE_TWILIO_FROM '" + one_line(from, 40) +
                       "' is neither an E.164 number, an alphanumeric sender ID nor a Messaging Service SID: SMS off";
    }
    if (!whatsapp_from.empty()) {
        if (is_e164(without_whatsapp_prefix(whatsapp_from)) || is_sid(whatsapp_from, "MG")) options.whatsapp_from = whatsapp_from;
        else problem = "SLOTWISE_TWILIO_WHATSAPP_FROM '" + one_line(whatsapp_from, 40) + "' is not an E.164 number: WhatsApp off";
    }
    if (options.sms_from.empty() && options.whatsapp_from.empty()) {
        if (problem.empty()) problem = "neither SLOTWISE_TWILIO_FROM nor SLOTWISE_TWILIO_WHATSAPP_FROM is set";
        return std::nullopt;
    }
    return options;
}

}  // namespace slotwise::server::adapters
