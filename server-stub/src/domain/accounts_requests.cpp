#include "domain/accounts_requests.h"

#include <algorithm>
#include <initializer_list>

#include <nlohmann/json.hpp>

#include "domain/domain_error.h"

namespace slotwise::server::domain {
namespace {

constexpr std::size_t kMaxEmail = 254;
constexpr std::size_t kMaxLocalPart = 64;
constexpr std::size_t kMaxLabel = 63;
constexpr std::size_t kTokenChars = 52;  // 32 random bytes in base32
constexpr std::size_t kMaxKeyName = 100;

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowered(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = lower(c);
    return out;
}

bool is_base32_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7'); }

bool base32_of_length(std::string_view s, std::size_t length) {
    if (s.size() != length) return false;
    for (char c : s)
        if (!is_base32_char(c)) return false;
    return true;
}

bool is_atext(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool valid_local_part(std::string_view local) {
    if (local.empty() || local.size() > kMaxLocalPart || local.front() == '.' || local.back() == '.') return false;
    for (std::size_t i = 0; i < local.size(); ++i) {
        if (local[i] == '.') {
            if (local[i - 1] == '.') return false;
        } else if (!is_atext(local[i])) {
            return false;
        }
    }
    return true;
}

bool valid_domain(std::string_view domain) {
    if (domain.empty()) return false;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = domain.find('.', start);
        const std::string_view label = domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (label.empty() || label.size() > kMaxLabel || label.front() == '-' || label.back() == '-') return false;
        for (char c : label)
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
        if (dot == std::string_view::npos) return true;
        start = dot + 1;
    }
}

nlohmann::json object_body(std::string_view body) {
    nlohmann::json j = nlohmann::json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) throw invalid_input("the body is not JSON");
    if (!j.is_object()) throw invalid_input("the body must be a JSON object");
    return j;
}

std::string string_member(const nlohmann::json& j, const char* name) {
    const auto it = j.find(name);
    if (it == j.end()) throw invalid_input(std::string("\"") + name + "\" is missing");
    if (!it->is_string()) throw invalid_input(std::string("\"") + name + "\" must be a string");
    return it->get<std::string>();
}

void only_members(const nlohmann::json& j, std::initializer_list<std::string_view> known) {
    for (const auto& item : j.items())
        if (std::find(known.begin(), known.end(), item.key()) == known.end())
            throw invalid_input("unknown field /" + item.key());
}

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

std::string normalise_email(std::string_view address) {
    const std::string email = lowered(trimmed(address));
    const std::size_t at = email.find('@');
    if (email.size() > kMaxEmail || at == std::string::npos || email.find('@', at + 1) != std::string::npos ||
        !valid_local_part(std::string_view(email).substr(0, at)) || !valid_domain(std::string_view(email).substr(at + 1)))
        throw invalid_input("\"email\" must be an address such as name@example.com (ASCII, at most 254 characters)");
    return email;
}

std::string parse_email_code_request(std::string_view body) { return normalise_email(string_member(object_body(body), "email")); }

SignInRequest parse_sign_in_request(std::string_view body) {
    const auto j = object_body(body);
    SignInRequest request{string_member(j, "challenge"), string_member(j, "code")};
    if (!is_challenge_id(request.challenge)) throw invalid_input("\"challenge\" is not a challenge id");
    bool digits = request.code.size() == kCodeDigits;
    for (char c : request.code) digits = digits && c >= '0' && c <= '9';
    if (!digits) throw invalid_input("\"code\" must be the 8 digits of the emailed code");
    return request;
}

std::string parse_api_key_request(std::string_view body) {
    const std::string name(trimmed(string_member(object_body(body), "name")));
    if (name.empty()) throw invalid_input("\"name\" must not be empty");
    std::size_t characters = 0;
    for (unsigned char c : name) {
        if (c < 0x20 || c == 0x7f) throw invalid_input("\"name\" must not hold control characters");
        if ((c & 0xc0) != 0x80) ++characters;
    }
    if (characters > kMaxKeyName) throw invalid_input("\"name\" is longer than 100 characters");
    return name;
}

std::string parse_client_erasure_request(std::string_view body) {
    const auto j = object_body(body);
    only_members(j, {"email"});
    const std::string email = string_member(j, "email");
    if (email.empty() || email.size() > kMaxEmail) throw invalid_input("/email must be 1..254 bytes long");
    if (email.find('@') == std::string::npos) throw invalid_input("/email is not an email address");
    for (unsigned char c : email)
        if (c < 0x20 || c == 0x7f) throw invalid_input("/email must not hold control characters");
    return email;
}

bool is_plan(std::string_view plan) { return plan == "free" || plan == "paid"; }

std::string parse_plan_request(std::string_view body) {
    const auto j = object_body(body);
    only_members(j, {"plan"});
    const std::string plan = string_member(j, "plan");
    if (!is_plan(plan)) throw invalid_input("/plan must be free or paid");
    return plan;
}

bool is_session_token(std::string_view token) {
    return token.substr(0, kSessionTokenPrefix.size()) == kSessionTokenPrefix &&
           base32_of_length(token.substr(kSessionTokenPrefix.size()), kTokenChars);
}

bool is_api_key(std::string_view token) {
    return token.substr(0, kApiKeyPrefix.size()) == kApiKeyPrefix &&
           base32_of_length(token.substr(kApiKeyPrefix.size()), kTokenChars);
}

bool is_record_id(std::string_view id, std::string_view prefix) {
    if (id.size() <= prefix.size() || id.size() > 64 || id.substr(0, prefix.size()) != prefix) return false;
    for (char c : id.substr(prefix.size()))
        if (!is_base32_char(c)) return false;
    return true;
}

bool is_challenge_id(std::string_view id) { return is_record_id(id, "ch_"); }

std::optional<std::string> session_cookie(std::string_view header) {
    // RFC 6265 5.4: pairs separated by ";", each name=value, spaces around.
    while (!header.empty()) {
        const std::size_t semicolon = header.find(';');
        std::string_view pair = trimmed(header.substr(0, semicolon));
        header = semicolon == std::string_view::npos ? std::string_view() : header.substr(semicolon + 1);
        const std::size_t equals = pair.find('=');
        if (equals == std::string_view::npos || trimmed(pair.substr(0, equals)) != kSessionCookie) continue;
        std::string_view value = trimmed(pair.substr(equals + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        if (is_session_token(value)) return std::string(value);
    }
    return std::nullopt;
}

bool same_origin(std::string_view origin, std::string_view host, std::string_view public_origin) {
    if (origin.empty() || origin == "null") return false;
    const std::string presented = lowered(origin);
    if (!host.empty() && presented == "http://" + lowered(host)) return true;
    std::string configured = lowered(public_origin);
    while (!configured.empty() && configured.back() == '/') configured.pop_back();
    return !configured.empty() && presented == configured;
}

bool loopback_host(std::string_view host) {
    std::string name = lowered(host);
    if (!name.empty() && name.front() == '[') {
        const std::size_t close = name.find(']');
        return close != std::string::npos && name.substr(1, close - 1) == "::1";
    }
    if (const std::size_t colon = name.find(':'); colon != std::string::npos) name.resize(colon);
    return name == "localhost" || name.rfind("127.", 0) == 0;
}

}  // namespace slotwise::server::domain
