// Secrets: unguessable identifiers and tokens from OpenSSL's CSPRNG, SHA-256
// for stored token hashes and request fingerprints, constant-time comparison.
#pragma once

#include <string>
#include <string_view>

namespace slotwise::server {

// `bytes` random bytes as lowercase base32 (RFC 4648 alphabet, no padding).
std::string random_token(std::size_t bytes);
std::string sha256_hex(std::string_view data);
// Compares two secrets without leaking, through timing, where they differ.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace slotwise::server
