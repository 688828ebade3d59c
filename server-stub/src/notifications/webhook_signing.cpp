#include "notifications/webhook_signing.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

#include "support/crypto.h"

namespace slotwise::server::notifications {

std::optional<std::string> webhook_key(std::string_view secret) {
    constexpr std::string_view prefix = "whsec_";
    if (secret.substr(0, prefix.size()) != prefix) return std::nullopt;
    auto key = base64_decode(secret.substr(prefix.size()));
    if (!key || key->empty()) return std::nullopt;
    return key;
}

std::string webhook_signature(std::string_view key, std::string_view webhook_id, std::int64_t unix_seconds,
                              std::string_view body) {
    std::string signed_content;
    signed_content.reserve(webhook_id.size() + body.size() + 24);
    signed_content.append(webhook_id).append(".").append(std::to_string(unix_seconds)).append(".").append(body);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char*>(signed_content.data()), signed_content.size(), mac, &length))
        throw std::runtime_error("HMAC-SHA256 failed");
    return "v1," + base64_encode(std::string_view(reinterpret_cast<const char*>(mac), length));
}

std::vector<std::pair<std::string, std::string>> webhook_headers(std::string_view key, std::string_view webhook_id,
                                                                 std::int64_t unix_seconds, std::string_view body) {
    return {{"Content-Type", "application/json"},
            {"webhook-id", std::string(webhook_id)},
            {"webhook-timestamp", std::to_string(unix_seconds)},
            {"webhook-signature", webhook_signature(key, webhook_id, unix_seconds, body)}};
}

}  // namespace slotwise::server::notifications
