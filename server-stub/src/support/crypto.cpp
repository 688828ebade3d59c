#include "support/crypto.h"

#include <cctype>

#include <openssl/crypto.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>
#include <vector>

namespace slotwise::server {

std::string random_token(std::size_t bytes) {
    std::vector<unsigned char> raw(bytes);
    if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) throw std::runtime_error("RAND_bytes failed");
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (unsigned char b : raw) {
        buffer = (buffer << 8) | b;
        bits += 8;
        while (bits >= 5) {
            out += alphabet[(buffer >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0) out += alphabet[(buffer << (5 - bits)) & 31];
    return out;
}

namespace {

std::string hex_of(const unsigned char* data, std::size_t len) {
    static const char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * len);
    for (std::size_t i = 0; i < len; ++i) {
        out += hex[data[i] >> 4];
        out += hex[data[i] & 15];
    }
    return out;
}

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

struct CipherFree {
    void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherFree>;

constexpr std::size_t kNonceBytes = 12, kTagBytes = 16;

// OpenSSL 3 looks an algorithm up in its provider tables on every implicit
// fetch (EVP_aes_256_gcm() in an Init, the name in EVP_KDF_fetch); fetched
// once, each use skips that lookup and its locks. Never freed: they live as
// long as the process.
EVP_CIPHER* aes_256_gcm() {
    static EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    if (!cipher) throw std::runtime_error("AES-256-GCM unavailable");
    return cipher;
}
EVP_KDF* hkdf() {
    static EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
    if (!kdf) throw std::runtime_error("HKDF unavailable");
    return kdf;
}
EVP_MAC* hmac() {
    static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (!mac) throw std::runtime_error("HMAC unavailable");
    return mac;
}

}  // namespace

std::uint32_t random_below(std::uint32_t bound) {
    if (bound == 0) throw std::invalid_argument("random_below needs a positive bound");
    // Draws at or above the largest multiple of bound would favour the low values.
    const std::uint32_t limit = static_cast<std::uint32_t>((std::uint64_t{1} << 32) / bound * bound - 1);
    while (true) {
        std::uint32_t draw = 0;
        if (RAND_bytes(reinterpret_cast<unsigned char*>(&draw), sizeof draw) != 1) throw std::runtime_error("RAND_bytes failed");
        if (draw <= limit) return draw % bound;
    }
}

std::string sha256_hex(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 failed");
    return hex_of(digest, len);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    // Hashing first makes the comparison length-independent as well.
    const std::string ha = sha256_hex(a), hb = sha256_hex(b);
    return CRYPTO_memcmp(ha.data(), hb.data(), ha.size()) == 0;
}

std::string hkdf_sha256(std::string_view secret, std::string_view salt, std::string_view info, std::size_t length) {
    std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)> ctx(EVP_KDF_CTX_new(hkdf()), EVP_KDF_CTX_free);
    if (!ctx) throw std::runtime_error("HKDF context failed");
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char*>(secret.data()), secret.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()), salt.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()), info.size()),
        OSSL_PARAM_construct_end()};
    std::string out(length, '\0');
    if (EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), out.size(), params) != 1)
        throw std::runtime_error("HKDF failed");
    return out;
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
    std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx(EVP_MAC_CTX_new(hmac()), EVP_MAC_CTX_free);
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end()};
    unsigned char mac[EVP_MAX_MD_SIZE];
    std::size_t len = 0;
    if (!ctx || EVP_MAC_init(ctx.get(), bytes(key), key.size(), params) != 1 ||
        EVP_MAC_update(ctx.get(), bytes(data), data.size()) != 1 || EVP_MAC_final(ctx.get(), mac, &len, sizeof mac) != 1)
        throw std::runtime_error("HMAC-SHA256 failed");
    return hex_of(mac, len);
}

std::string base64_encode(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');  // EVP_EncodeBlock writes a terminating NUL
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

std::string seal(std::string_view key32, std::string_view plaintext, std::string_view aad) {
    if (key32.size() != 32) throw std::invalid_argument("seal: AES-256 needs a 32-byte key");
    std::string raw(kNonceBytes + plaintext.size() + kTagBytes, '\0');
    auto* out = reinterpret_cast<unsigned char*>(raw.data());
    if (RAND_bytes(out, kNonceBytes) != 1) throw std::runtime_error("RAND_bytes failed");
    CipherContext ctx(EVP_CIPHER_CTX_new());
    int len = 0;
    if (!ctx || EVP_EncryptInit_ex2(ctx.get(), aes_256_gcm(), bytes(key32), out, nullptr) != 1 ||
        EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) != 1 ||
        EVP_EncryptUpdate(ctx.get(), out + kNonceBytes, &len, bytes(plaintext), static_cast<int>(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), out + kNonceBytes + len, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, out + kNonceBytes + plaintext.size()) != 1)
        throw std::runtime_error("AES-256-GCM encryption failed");
    return base64_encode(raw);
}

std::optional<std::string> open_sealed(std::string_view key32, std::string_view sealed, std::string_view aad) {
    if (key32.size() != 32) return std::nullopt;
    const auto raw = base64_decode(sealed);
    if (!raw || raw->size() < kNonceBytes + kTagBytes) return std::nullopt;
    const std::size_t size = raw->size();
    const auto* in = reinterpret_cast<const unsigned char*>(raw->data());
    const std::size_t text_size = size - kNonceBytes - kTagBytes;
    std::string plaintext(text_size, '\0');
    auto* out = reinterpret_cast<unsigned char*>(plaintext.data());
    CipherContext ctx(EVP_CIPHER_CTX_new());
    int len = 0;
    if (!ctx || EVP_DecryptInit_ex2(ctx.get(), aes_256_gcm(), bytes(key32), in, nullptr) != 1 ||
        EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) != 1 ||
        EVP_DecryptUpdate(ctx.get(), out, &len, in + kNonceBytes, static_cast<int>(text_size)) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes,
                            const_cast<unsigned char*>(in + kNonceBytes + text_size)) != 1 ||
        EVP_DecryptFinal_ex(ctx.get(), out + len, &len) != 1)
        return std::nullopt;
    return plaintext;
}

}  // namespace slotwise::server
