// Everything a stranger's bytes go through before they reach a provider's
// data: JSON limits (size, nesting, UTF-8), exact body shapes (unknown fields
// are rejected), string limits. Throws DomainError only; the fuzz target drives
// these functions directly.
#pragma once

#include <string_view>

#include "domain/model.h"
#include "domain/domain_error.h"

namespace slotwise::server {

constexpr std::size_t kMaxBodyBytes = 64 * 1024;
constexpr int kMaxJsonDepth = 16;
// The code mailed to a client whose service verifies email addresses.
constexpr std::size_t kVerificationCodeDigits = 6;

// Parses a request body that must be one JSON object (an empty body is `{}`
// when `empty_is_object`).
json parse_json_body(std::string_view body, bool empty_is_object = false);

BookingRequest parse_booking_request(const json& body);
RescheduleRequest parse_reschedule_request(const json& body);
std::optional<std::string> parse_cancel_reason(const json& body);
// `{ "code" }`: the digits of the code mailed to the client (spaces allowed
// between them, as people copy them).
VerifyRequest parse_verify_request(const json& body);

// A provider's PUT document. Engine-facing parts are checked by the engine
// itself (a snapshot is built and parsed), the rest here.
ProviderConfig parse_provider_config(const std::string& provider_id, const json& body);

// Identifiers used in URLs: [A-Za-z0-9_-], 1..64.
bool is_valid_id(std::string_view id);
// Idempotency-Key: 1..255 visible ASCII characters.
bool is_valid_idempotency_key(std::string_view key);

}  // namespace slotwise::server
