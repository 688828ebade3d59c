// What a stranger's bytes reach first on the account routes: the JSON bodies
// of sign-in, the shapes of credentials, the session cookie and the Origin
// check. Pure functions, free of the database, so the fuzz target
// (tests/server/fuzz/fuzz_account_requests.cpp) links them alone. Every
// refusal is a DomainError invalid_input (400 INVALID_REQUEST).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace slotwise::server::domain {

inline constexpr std::string_view kSessionTokenPrefix = "sws_";
inline constexpr std::string_view kApiKeyPrefix = "swk_";
inline constexpr std::string_view kSessionCookie = "slotwise_session";
inline constexpr std::size_t kCodeDigits = 8;

// {"email"}: the address trimmed and lower-cased; ASCII local@domain, at
// most 254 characters, the local part an RFC 5322 dot-atom of at most 64.
std::string parse_email_code_request(std::string_view body);
std::string normalise_email(std::string_view address);

struct SignInRequest {
    std::string challenge;
    std::string code;
};
// {"challenge", "code"}: a challenge id (ch_ + base32) and 8 ASCII digits.
SignInRequest parse_sign_in_request(std::string_view body);

// {"name"}: 1..100 characters of UTF-8 without control characters.
std::string parse_api_key_request(std::string_view body);

// The operator's {"email"} of a client to erase: 1..254 bytes, an "@", no
// control characters, no other member. Not normalised here: bookings are
// matched through the client key (client_address.h), which folds more than
// case.
std::string parse_client_erasure_request(std::string_view body);

// The plans (api.md part 2, issue 11 item 5): `free` allows one active
// service per provider, `paid` any number.
bool is_plan(std::string_view plan);
// The operator's {"plan"}: "free" or "paid", no other member.
std::string parse_plan_request(std::string_view body);

// Whether `token` has the shape of a session token / an API key (prefix and
// 52 base32 characters); only such values are looked up.
bool is_session_token(std::string_view token);
bool is_api_key(std::string_view token);
bool is_challenge_id(std::string_view id);
bool is_record_id(std::string_view id, std::string_view prefix);

// The value of the session cookie in a Cookie header, when it has the shape
// of a session token.
std::optional<std::string> session_cookie(std::string_view cookie_header);

// Whether an Origin header names this server: the origin `http://` + the
// Host the request was addressed to, or `public_origin` (--public-url,
// behind a TLS proxy). Scheme and host compare without case.
bool same_origin(std::string_view origin, std::string_view host, std::string_view public_origin);

// Whether the Host names the loopback interface (127.0.0.0/8, ::1,
// localhost): a cookie over plain HTTP there may go without Secure.
bool loopback_host(std::string_view host);

}  // namespace slotwise::server::domain
