#include "adapters/web_push.h"

#include "adapters/http_client.h"
#include "support/crypto.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include <cctype>
#include <stdexcept>
#include <vector>

#include <nlohmann/json.hpp>

namespace slotwise::server::adapters {

namespace {

constexpr std::size_t kPrivateBytes = 32, kPublicBytes = 65, kSaltBytes = 16, kAuthBytes = 16, kTagBytes = 16,
                      kKeyBytes = 16, kNonceBytes = 12;

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

[[noreturn]] void fail(const char* what) { throw std::runtime_error(std::string("web push: ") + what); }

template <class T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const { Free(p); }
};
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, Deleter<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>>;
using Bignum = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_clear_free>>;
using Group = std::unique_ptr<EC_GROUP, Deleter<EC_GROUP, EC_GROUP_free>>;
using Point = std::unique_ptr<EC_POINT, Deleter<EC_POINT, EC_POINT_free>>;
using ParamBuild = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using Signature = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;

Group p256_group() {
    Group group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
    if (!group) fail("P-256 unavailable");
    return group;
}

// An EVP_PKEY from parameters: a key pair when `private_key` is set, else a
// public key only (the peer's).
EVP_PKEY* pkey_from(const BIGNUM* private_key, std::string_view public_raw) {
    ParamBuild build(OSSL_PARAM_BLD_new());
    if (!build || OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, SN_X9_62_prime256v1, 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, public_raw.data(), public_raw.size()) != 1 ||
        (private_key && OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_PRIV_KEY, private_key) != 1))
        fail("key parameters");
    Params params(OSSL_PARAM_BLD_to_param(build.get()));
    PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY* key = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &key, private_key ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
        throw std::invalid_argument("not a P-256 key");
    return key;
}

std::string random_bytes(std::size_t n) {
    std::string out(n, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) fail("RAND_bytes failed");
    return out;
}

}  // namespace

std::string base64url_encode(std::string_view in) {
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    out.reserve((in.size() * 4 + 2) / 3);
    std::size_t i = 0;
    for (; i + 3 <= in.size(); i += 3) {
        const std::uint32_t v = (std::uint32_t{static_cast<unsigned char>(in[i])} << 16) |
                                (std::uint32_t{static_cast<unsigned char>(in[i + 1])} << 8) | static_cast<unsigned char>(in[i + 2]);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    const std::size_t rest = in.size() - i;
    if (rest > 0) {
        std::uint32_t v = std::uint32_t{static_cast<unsigned char>(in[i])} << 16;
        if (rest == 2) v |= std::uint32_t{static_cast<unsigned char>(in[i + 1])} << 8;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        if (rest == 2) out += alphabet[(v >> 6) & 63];
    }
    return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
    while (!text.empty() && text.back() == '=') text.remove_suffix(1);
    if (text.size() % 4 == 1) return std::nullopt;
    std::string out;
    out.reserve(text.size() * 3 / 4);
    std::uint32_t buffer = 0;
    int bits = 0;
    for (char c : text) {
        int v;
        if (c >= 'A' && c <= 'Z') v = c - 'A';
        else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
        else if (c >= '0' && c <= '9') v = c - '0' + 52;
        else if (c == '-') v = 62;
        else if (c == '_') v = 63;
        else return std::nullopt;
        buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xff);
        }
    }
    // Leftover bits must be zero, so that every byte string has one spelling.
    if ((buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
    return out;
}

P256Key::P256Key(EVP_PKEY* key) : key_(key, EVP_PKEY_free) {}

P256Key P256Key::generate() {
    EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", SN_X9_62_prime256v1);
    if (!key) fail("P-256 key generation failed");
    return P256Key(key);
}

P256Key P256Key::from_private(std::string_view raw32) {
    if (raw32.size() != kPrivateBytes) throw std::invalid_argument("a P-256 private key is 32 bytes");
    const Group group = p256_group();
    Bignum scalar(BN_bin2bn(bytes(raw32), static_cast<int>(raw32.size()), nullptr));
    if (!scalar) fail("BN_bin2bn failed");
    if (BN_is_zero(scalar.get()) || BN_cmp(scalar.get(), EC_GROUP_get0_order(group.get())) >= 0)
        throw std::invalid_argument("not a P-256 private key");
    // OpenSSL 3 does not derive the public half when a key is imported from
    // its private scalar, so it is computed here.
    Point point(EC_POINT_new(group.get()));
    unsigned char public_raw[kPublicBytes];
    if (!point || EC_POINT_mul(group.get(), point.get(), scalar.get(), nullptr, nullptr, nullptr) != 1 ||
        EC_POINT_point2oct(group.get(), point.get(), POINT_CONVERSION_UNCOMPRESSED, public_raw, sizeof public_raw, nullptr) !=
            kPublicBytes)
        fail("public key computation failed");
    return P256Key(pkey_from(scalar.get(), std::string_view(reinterpret_cast<char*>(public_raw), kPublicBytes)));
}

std::string P256Key::private_raw() const {
    BIGNUM* raw_scalar = nullptr;
    if (EVP_PKEY_get_bn_param(key_.get(), OSSL_PKEY_PARAM_PRIV_KEY, &raw_scalar) != 1) fail("no private key");
    Bignum scalar(raw_scalar);
    std::string out(kPrivateBytes, '\0');
    if (BN_bn2binpad(scalar.get(), reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size())) < 0)
        fail("BN_bn2binpad failed");
    return out;
}

std::string P256Key::public_raw() const {
    std::string out(kPublicBytes, '\0');
    std::size_t len = 0;
    if (EVP_PKEY_get_octet_string_param(key_.get(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
                                        reinterpret_cast<unsigned char*>(out.data()), out.size(), &len) != 1 ||
        len != kPublicBytes)
        fail("public key export failed");
    return out;
}

bool is_p256_public_key(std::string_view raw) {
    if (raw.size() != kPublicBytes || raw[0] != 0x04) return false;
    const Group group = p256_group();
    Point point(EC_POINT_new(group.get()));
    // oct2point refuses a point that is not on the curve.
    return point && EC_POINT_oct2point(group.get(), point.get(), bytes(raw), raw.size(), nullptr) == 1 &&
           EC_POINT_is_at_infinity(group.get(), point.get()) == 0;
}

std::string P256Key::derive(std::string_view peer_public_raw) const {
    if (!is_p256_public_key(peer_public_raw)) throw std::invalid_argument("not a P-256 public key");
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> peer(pkey_from(nullptr, peer_public_raw), EVP_PKEY_free);
    PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), nullptr));
    std::size_t len = 0;
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) != 1 ||
        EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1)
        fail("ECDH failed");
    std::string secret(len, '\0');
    if (EVP_PKEY_derive(ctx.get(), reinterpret_cast<unsigned char*>(secret.data()), &len) != 1) fail("ECDH failed");
    secret.resize(len);
    return secret;
}

std::string P256Key::sign_es256(std::string_view data) const {
    MdCtx ctx(EVP_MD_CTX_new());
    std::size_t len = 0;
    if (!ctx || EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key_.get(), nullptr) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &len, bytes(data), data.size()) != 1)
        fail("ES256 signing failed");
    std::vector<unsigned char> der(len);
    if (EVP_DigestSign(ctx.get(), der.data(), &len, bytes(data), data.size()) != 1) fail("ES256 signing failed");
    // OpenSSL signs in DER (SEQUENCE of two INTEGERs); JWS wants the two
    // numbers as fixed 32-byte big-endian fields (RFC 7518 section 3.4).
    const unsigned char* cursor = der.data();
    Signature sig(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(len)));
    if (!sig) fail("ES256 signature not DER");
    std::string out(64, '\0');
    auto* raw = reinterpret_cast<unsigned char*>(out.data());
    if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw, 32) != 32 || BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw + 32, 32) != 32)
        fail("ES256 signature too long");
    return out;
}

std::string aes128gcm_encrypt(std::string_view ikm, std::string_view salt, std::string_view key_id,
                              std::string_view plaintext, std::uint32_t record_size) {
    if (salt.size() != kSaltBytes) throw std::invalid_argument("aes128gcm: the salt is 16 bytes");
    if (key_id.size() > 255) throw std::invalid_argument("aes128gcm: the key id is at most 255 bytes");
    // One record: plaintext, delimiter, tag.
    if (plaintext.size() + 1 + kTagBytes > record_size) throw std::invalid_argument("aes128gcm: the payload exceeds one record");
    const std::string cek = hkdf_sha256(ikm, salt, std::string_view("Content-Encoding: aes128gcm\0", 28), kKeyBytes);
    // The nonce of record 0 is the derived nonce itself (XOR with sequence 0).
    const std::string nonce = hkdf_sha256(ikm, salt, std::string_view("Content-Encoding: nonce\0", 24), kNonceBytes);

    std::string out(salt);
    out += static_cast<char>(record_size >> 24);
    out += static_cast<char>(record_size >> 16);
    out += static_cast<char>(record_size >> 8);
    out += static_cast<char>(record_size);
    out += static_cast<char>(key_id.size());
    out += key_id;

    std::string padded(plaintext);
    padded += '\x02';  // RFC 8188 section 2: the last record's delimiter, no padding after it
    const std::size_t header = out.size();
    out.resize(header + padded.size() + kTagBytes);
    auto* cipher_out = reinterpret_cast<unsigned char*>(out.data()) + header;
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    int len = 0, final_len = 0;
    if (!ctx || EVP_EncryptInit_ex2(ctx.get(), EVP_aes_128_gcm(), bytes(cek), bytes(nonce), nullptr) != 1 ||
        EVP_EncryptUpdate(ctx.get(), cipher_out, &len, bytes(padded), static_cast<int>(padded.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), cipher_out + len, &final_len) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, cipher_out + padded.size()) != 1)
        fail("AES-128-GCM failed");
    return out;
}

std::string encrypt_push_message(std::string_view plaintext, std::string_view ua_public, std::string_view auth_secret,
                                 const P256Key& sender, std::string_view salt) {
    if (auth_secret.size() != kAuthBytes) throw std::invalid_argument("web push: the auth secret is 16 bytes");
    const std::string ecdh_secret = sender.derive(ua_public);
    const std::string as_public = sender.public_raw();
    // RFC 8291 section 3.4: IKM = HKDF(auth_secret, ecdh_secret, key_info, 32).
    std::string key_info("WebPush: info\0", 14);
    key_info += ua_public;
    key_info += as_public;
    const std::string ikm = hkdf_sha256(ecdh_secret, auth_secret, key_info, 32);
    return aes128gcm_encrypt(ikm, salt, as_public, plaintext);
}

std::string encrypt_push_message(std::string_view plaintext, std::string_view ua_public, std::string_view auth_secret) {
    return encrypt_push_message(plaintext, ua_public, auth_secret, P256Key::generate(), random_bytes(kSaltBytes));
}

std::optional<std::string> url_origin(std::string_view url) {
    std::string scheme;
    if (url.size() > 8 && (url.substr(0, 8) == "https://" || url.substr(0, 8) == "HTTPS://")) scheme = "https";
    else if (url.size() > 7 && (url.substr(0, 7) == "http://" || url.substr(0, 7) == "HTTP://")) scheme = "http";
    else return std::nullopt;
    std::string_view rest = url.substr(scheme.size() + 3);
    const std::size_t end = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, end);
    if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
    std::string host;
    for (char c : authority) {
        if (static_cast<unsigned char>(c) <= ' ' || c == '\\') return std::nullopt;
        host += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    const std::string default_port = scheme == "https" ? ":443" : ":80";
    if (host.size() > default_port.size() && host.compare(host.size() - default_port.size(), default_port.size(), default_port) == 0)
        host.resize(host.size() - default_port.size());
    return scheme + "://" + host;
}

std::string vapid_jwt(const P256Key& key, std::string_view audience, std::string_view subject, Timestamp now,
                      std::chrono::seconds lifetime) {
    // RFC 8292 section 2: a push service refuses an exp more than 24 h ahead.
    if (lifetime > std::chrono::hours(24)) lifetime = std::chrono::hours(24);
    const nlohmann::json header = {{"typ", "JWT"}, {"alg", "ES256"}};
    const nlohmann::json claims = {{"aud", std::string(audience)},
                                   {"exp", (now + lifetime).time_since_epoch().count()},
                                   {"sub", std::string(subject)}};
    const std::string signing_input = base64url_encode(header.dump()) + "." + base64url_encode(claims.dump());
    return signing_input + "." + base64url_encode(key.sign_es256(signing_input));
}

std::string vapid_authorization(const P256Key& key, std::string_view audience, std::string_view subject, Timestamp now) {
    return "vapid t=" + vapid_jwt(key, audience, subject, now) + ", k=" + base64url_encode(key.public_raw());
}

std::string_view to_string(PushUrgency urgency) {
    switch (urgency) {
        case PushUrgency::very_low: return "very-low";
        case PushUrgency::low: return "low";
        case PushUrgency::normal: return "normal";
        case PushUrgency::high: return "high";
    }
    return "normal";
}

PushResult send_push(const PushSubscriptionTarget& target, const PushMessage& message, const P256Key& vapid_key,
                     std::string_view subject, Timestamp now, const WebPushOptions& options) {
    const auto origin = url_origin(target.endpoint);
    if (!origin) return {PushResult::Kind::rejected, 0, "the endpoint is not an http(s) URL"};
    HttpRequest request;
    request.method = "POST";
    request.url = target.endpoint;
    request.timeout = options.timeout;
    request.headers = {
        {"Authorization", vapid_authorization(vapid_key, *origin, subject, now)},
        {"TTL", std::to_string(message.ttl.count())},
        {"Urgency", std::string(to_string(message.urgency))},
        {"Content-Encoding", "aes128gcm"},
        {"Content-Type", "application/octet-stream"},
    };
    if (message.topic) request.headers.push_back({"Topic", *message.topic});
    request.body = encrypt_push_message(message.payload, target.p256dh, target.auth);
    HttpClientOptions client;
    client.allow_private = options.allow_private;
    const HttpResponse response = send_http(request, client);

    PushResult result;
    result.status = response.status;
    if (response.status >= 200 && response.status < 300) return result;
    result.error = response.status == 0 ? response.error : "push service answered " + std::to_string(response.status);
    if (response.refused_target) result.kind = PushResult::Kind::rejected;  // the SSRF guard: no retry will change it
    else if (response.status == 404 || response.status == 410) result.kind = PushResult::Kind::gone;
    else if (response.status == 0 || response.status == 429 || response.status >= 500) result.kind = PushResult::Kind::retry;
    else result.kind = PushResult::Kind::rejected;
    return result;
}

}  // namespace slotwise::server::adapters
