// libFuzzer target over the account routes' parsing (issue 11): the sign-in
// bodies, API key names, the shapes of session tokens and keys, the session
// cookie in a Cookie header and the Origin check. Each input ends in a value
// that keeps the parser's promises or in a DomainError invalid_input (or a
// nlohmann::json::exception, answered 400); anything else is a finding.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "domain/accounts_requests.h"
#include "domain/domain_error.h"

using namespace slotwise::server;
using namespace slotwise::server::domain;

namespace {

void require(bool promise) {
    if (!promise) std::abort();
}

void check_email(std::string_view body) {
    const std::string email = parse_email_code_request(body);
    require(!email.empty() && email.size() <= 254);
    require(email.find('@') != std::string::npos && email.find('@') == email.rfind('@'));
    for (char c : email) require(static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f && !(c >= 'A' && c <= 'Z'));
    require(normalise_email(email) == email);  // normalised once is normalised
}

void check_sign_in(std::string_view body) {
    const SignInRequest r = parse_sign_in_request(body);
    require(is_challenge_id(r.challenge));
    require(r.code.size() == kCodeDigits);
    for (char c : r.code) require(c >= '0' && c <= '9');
}

void check_key_name(std::string_view body) {
    const std::string name = parse_api_key_request(body);
    require(!name.empty());
    for (unsigned char c : name) require(c >= 0x20 && c != 0x7f);
    (void)nlohmann::json(name).dump();  // valid UTF-8: the answer can carry it
}

void check_erasure(std::string_view body) {
    const std::string email = parse_client_erasure_request(body);
    require(!email.empty() && email.size() <= 254 && email.find('@') != std::string::npos);
    for (unsigned char c : email) require(c >= 0x20 && c != 0x7f);
}

void check_plan(std::string_view body) { require(is_plan(parse_plan_request(body))); }

void check_cookie(std::string_view header) {
    if (const auto token = session_cookie(header)) {
        require(is_session_token(*token));
        require(header.find(*token) != std::string_view::npos);
    }
}

// The input split at its first two NULs: Origin, Host, public origin.
void check_origin(std::string_view text) {
    const std::size_t a = text.find('\0');
    const std::string_view origin = text.substr(0, a);
    const std::string_view rest = a == std::string_view::npos ? std::string_view() : text.substr(a + 1);
    const std::size_t b = rest.find('\0');
    const std::string_view host = rest.substr(0, b);
    const std::string_view configured = b == std::string_view::npos ? std::string_view() : rest.substr(b + 1);
    if (same_origin(origin, host, configured)) require(!origin.empty() && origin != "null");
    (void)loopback_host(host);
    require(same_origin("http://" + std::string(host), host, "") == !host.empty());
}

void check_shapes(std::string_view text) {
    if (is_session_token(text)) require(text.size() == 56 && text.substr(0, 4) == kSessionTokenPrefix);
    if (is_api_key(text)) require(text.size() == 56 && text.substr(0, 4) == kApiKeyPrefix);
    require(!(is_session_token(text) && is_api_key(text)));
    if (is_challenge_id(text)) require(text.size() <= 64);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    try {
        switch (data[0] % 8) {
            case 0: check_email(text); break;
            case 1: check_sign_in(text); break;
            case 2: check_key_name(text); break;
            case 3: check_cookie(text); break;
            case 4: check_origin(text); break;
            case 5: check_shapes(text); break;
            case 6: check_erasure(text); break;
            case 7: check_plan(text); break;
        }
    } catch (const DomainError& e) {
        require(e.kind == ErrorKind::invalid_input);
    } catch (const nlohmann::json::exception&) {
    }
    return 0;
}
