// Web Push (RFC 8030) to a browser's push service: the payload encrypted per
// RFC 8291 (the aes128gcm content coding of RFC 8188, keyed by ECDH on P-256
// with the subscription's p256dh key and its auth secret), the request
// signed per RFC 8292 (VAPID: an ES256 JWT for the push service's origin).
// Everything on OpenSSL 3's EVP interfaces.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <slotwise/time.h>

typedef struct evp_pkey_st EVP_PKEY;

namespace slotwise::server::adapters {

// base64url without padding (RFC 4648 section 5), as Web Push spells keys.
std::string base64url_encode(std::string_view bytes);
// Accepts padding or none; nullopt for any other character or a bad length.
std::optional<std::string> base64url_decode(std::string_view text);

// A P-256 key pair (the VAPID key, or a message's ephemeral key).
class P256Key {
public:
    static P256Key generate();
    // The 32-byte private scalar; std::invalid_argument if it is not one.
    static P256Key from_private(std::string_view raw32);

    std::string private_raw() const;  // 32 bytes
    std::string public_raw() const;   // 65 bytes, uncompressed (0x04 | x | y)
    // The ECDH shared secret (the x coordinate, 32 bytes) with a peer's
    // uncompressed public key; std::invalid_argument if it is not a P-256 point.
    std::string derive(std::string_view peer_public_raw) const;
    // ECDSA over SHA-256, as JWS ES256 wants it: raw r | s, 64 bytes.
    std::string sign_es256(std::string_view data) const;

private:
    explicit P256Key(EVP_PKEY* key);
    std::shared_ptr<EVP_PKEY> key_;
};

// True when the bytes are an uncompressed point on P-256 (a p256dh key).
bool is_p256_public_key(std::string_view raw);

// RFC 8188: one record of the aes128gcm content coding (header: salt, record
// size, key id; the plaintext followed by the 0x02 delimiter of the last
// record). The salt is 16 bytes; the plaintext must fit the record.
std::string aes128gcm_encrypt(std::string_view ikm, std::string_view salt, std::string_view key_id,
                              std::string_view plaintext, std::uint32_t record_size = 4096);

// RFC 8291 section 3: the body of a push message to a subscription with
// public key `ua_public` (65 bytes) and `auth_secret` (16 bytes), from the
// ephemeral key `sender` with `salt` (16 bytes). Both random in real use;
// given here so that the RFC's test vector can be reproduced.
std::string encrypt_push_message(std::string_view plaintext, std::string_view ua_public, std::string_view auth_secret,
                                 const P256Key& sender, std::string_view salt);
// The same with a fresh ephemeral key and salt.
std::string encrypt_push_message(std::string_view plaintext, std::string_view ua_public, std::string_view auth_secret);

// The origin (scheme://host[:port]) of a URL: the VAPID JWT's `aud`;
// nullopt unless the URL is http(s) with a host.
std::optional<std::string> url_origin(std::string_view url);

// RFC 8292 section 2: the JWT (ES256) with aud = `audience`, exp = now +
// `lifetime` (at most 24 h, section 2), sub = `subject` (mailto: or https:).
std::string vapid_jwt(const P256Key& key, std::string_view audience, std::string_view subject, Timestamp now,
                      std::chrono::seconds lifetime = std::chrono::hours(12));
// The Authorization header's value: "vapid t=<jwt>, k=<public key>".
std::string vapid_authorization(const P256Key& key, std::string_view audience, std::string_view subject, Timestamp now);

struct PushSubscriptionTarget {
    std::string endpoint;
    std::string p256dh;  // raw 65 bytes
    std::string auth;    // raw 16 bytes
};

enum class PushUrgency { very_low, low, normal, high };
std::string_view to_string(PushUrgency urgency);

struct PushMessage {
    std::string payload;  // at most ~3990 bytes: one 4096-byte record
    std::chrono::seconds ttl{24 * 3600};
    PushUrgency urgency = PushUrgency::normal;
    std::optional<std::string> topic;  // replaces an undelivered message of the same topic
};

// How the push service answered, sorted into what the caller does next.
struct PushResult {
    enum class Kind {
        delivered,  // 201 (or another 2xx)
        gone,       // 404/410: the subscription is dead; forget it
        retry,      // 429, 5xx or no answer: try again later
        rejected,   // any other answer (400, 401/403 VAPID refused, 413): retrying will not help
    };
    Kind kind = Kind::delivered;
    int status = 0;
    std::string error;
};

struct WebPushOptions {
    bool allow_private = false;  // --allow-private-targets (tests)
    std::chrono::milliseconds timeout{10'000};
};

// Encrypts `message` for `target`, signs with `vapid_key` for the endpoint's
// origin, and POSTs it (adapters::send_http).
PushResult send_push(const PushSubscriptionTarget& target, const PushMessage& message, const P256Key& vapid_key,
                     std::string_view subject, Timestamp now, const WebPushOptions& options);

}  // namespace slotwise::server::adapters
