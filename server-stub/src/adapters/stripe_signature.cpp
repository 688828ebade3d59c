#include "adapters/stripe_signature.h"

#include <charconv>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace slotwise::server::adapters {

namespace {

std::string hex_hmac_sha256(std::string_view key, std::string_view message) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
         message.size(), digest, &length);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(length * 2);
    for (unsigned int i = 0; i < length; ++i) {
        out += kHex[digest[i] >> 4];
        out += kHex[digest[i] & 0x0F];
    }
    return out;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

}  // namespace

std::string_view to_string(StripeSignatureStatus status) noexcept {
    switch (status) {
        case StripeSignatureStatus::valid: return "valid";
        case StripeSignatureStatus::malformed: return "malformed";
        case StripeSignatureStatus::no_v1: return "no_v1";
        case StripeSignatureStatus::outside_tolerance: return "outside_tolerance";
        case StripeSignatureStatus::mismatch: return "mismatch";
    }
    return "malformed";
}

StripeSignatureCheck verify_stripe_signature(std::string_view header, std::string_view body, std::string_view secret,
                                             std::int64_t now_unix, std::int64_t tolerance_seconds) {
    StripeSignatureCheck check;
    std::string_view timestamp_text;
    int timestamps = 0;
    std::vector<std::string_view> v1;
    // A header of hundreds of entries is not Stripe's; stop reading there.
    for (std::size_t start = 0, entries = 0; start <= header.size() && entries < 64; ++entries) {
        const std::size_t comma = header.find(',', start);
        const std::string_view item = trim(header.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
        start = comma == std::string_view::npos ? header.size() + 1 : comma + 1;
        const std::size_t eq = item.find('=');
        if (eq == std::string_view::npos) continue;
        const std::string_view key = item.substr(0, eq), value = item.substr(eq + 1);
        if (key == "t") {
            timestamp_text = value;
            ++timestamps;
        } else if (key == "v1") {
            v1.push_back(value);
        }
    }
    if (timestamps != 1 || timestamp_text.empty()) return check;
    std::int64_t t = 0;
    const auto [end, error] = std::from_chars(timestamp_text.data(), timestamp_text.data() + timestamp_text.size(), t);
    if (error != std::errc() || end != timestamp_text.data() + timestamp_text.size() || t < 0) return check;
    check.timestamp = t;
    if (v1.empty()) {
        check.status = StripeSignatureStatus::no_v1;
        return check;
    }
    std::string signed_text;
    signed_text.reserve(timestamp_text.size() + 1 + body.size());
    signed_text.append(timestamp_text).append(".").append(body);
    const std::string expected = hex_hmac_sha256(secret, signed_text);
    bool match = false;
    for (const std::string_view candidate : v1)
        if (candidate.size() == expected.size() && CRYPTO_memcmp(candidate.data(), expected.data(), expected.size()) == 0) match = true;
    // The signature first, then the time: a forged header learns nothing about our clock.
    if (!match) {
        check.status = StripeSignatureStatus::mismatch;
        return check;
    }
    const std::int64_t age = now_unix - t;
    check.status = (age > tolerance_seconds || age < -tolerance_seconds) ? StripeSignatureStatus::outside_tolerance
                                                                          : StripeSignatureStatus::valid;
    return check;
}

std::string stripe_signature_header(std::string_view secret, std::int64_t timestamp, std::string_view body) {
    const std::string t = std::to_string(timestamp);
    std::string signed_text = t;
    signed_text.append(".").append(body);
    return "t=" + t + ",v1=" + hex_hmac_sha256(secret, signed_text);
}

}  // namespace slotwise::server::adapters
