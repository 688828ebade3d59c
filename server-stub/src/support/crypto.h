// Secrets: unguessable identifiers and tokens from OpenSSL's CSPRNG, SHA-256
// for stored token hashes and request fingerprints, constant-time comparison.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace slotwise::server {

// `bytes` random bytes as lowercase base32 (RFC 4648 alphabet, no padding).
std::string random_token(std::size_t bytes);
std::string sha256_hex(std::string_view data);
// A uniformly random number in [0, bound), without modulo bias (rejection).
std::uint32_t random_below(std::uint32_t bound);
// Compares two secrets without leaking, through timing, where they differ.
bool constant_time_equal(std::string_view a, std::string_view b);

// Standard base64 with padding (RFC 4648 section 4). Decoding refuses
// anything outside that alphabet, an empty text and a length not a multiple of 4.
std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

// HKDF-SHA256 (RFC 5869): `length` bytes of key material from a secret.
std::string hkdf_sha256(std::string_view secret, std::string_view salt, std::string_view info, std::size_t length);
std::string hmac_sha256_hex(std::string_view key, std::string_view data);
// AES-256-GCM with a random 96-bit nonce; `aad` is authenticated, not
// stored. The result is base64 of nonce | ciphertext | tag.
std::string seal(std::string_view key32, std::string_view plaintext, std::string_view aad);
// The plaintext, or nullopt when the text was not sealed with this key and aad.
std::optional<std::string> open_sealed(std::string_view key32, std::string_view sealed, std::string_view aad);

}  // namespace slotwise::server
