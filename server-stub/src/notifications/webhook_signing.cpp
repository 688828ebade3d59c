#include "notifications/webhook_signing.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cctype>
#include <stdexcept>

namespace slotwise::server::notifications {

std::string base64_encode(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.empty() || text.size() % 4 != 0) return std::nullopt;
    for (char c : text)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=')) return std::nullopt;
    std::string out(3 * text.size() / 4, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
    if (n < 0) return std::nullopt;
    // EVP_DecodeBlock counts the padding as zero bytes.
    std::size_t size = static_cast<std::size_t>(n);
    if (text.back() == '=') --size;
    if (text.size() >= 2 && text[text.size() - 2] == '=') --size;
    out.resize(size);
    return out;
}

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
