#include "adapters/web_push.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

using namespace slotwise::server::adapters;

namespace {

std::string b64(std::string_view text) {
    auto decoded = base64url_decode(text);
    REQUIRE(decoded);
    return *decoded;
}

// An independent check of an ES256 JWS: raw r | s back to DER, verified by
// OpenSSL against a key rebuilt from the public bytes alone.
bool es256_verifies(const std::string& public_raw, const std::string& signing_input, const std::string& raw_signature) {
    if (raw_signature.size() != 64) return false;
    ECDSA_SIG* sig = ECDSA_SIG_new();
    ECDSA_SIG_set0(sig, BN_bin2bn(reinterpret_cast<const unsigned char*>(raw_signature.data()), 32, nullptr),
                   BN_bin2bn(reinterpret_cast<const unsigned char*>(raw_signature.data()) + 32, 32, nullptr));
    unsigned char* der = nullptr;
    const int der_len = i2d_ECDSA_SIG(sig, &der);
    ECDSA_SIG_free(sig);
    // The DER SubjectPublicKeyInfo of a P-256 key is a fixed 26-byte prefix and the point.
    static const unsigned char spki_prefix[] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
                                                0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00};
    std::string spki(reinterpret_cast<const char*>(spki_prefix), sizeof spki_prefix);
    spki += public_raw;
    const unsigned char* cursor = reinterpret_cast<const unsigned char*>(spki.data());
    EVP_PKEY* key = d2i_PUBKEY(nullptr, &cursor, static_cast<long>(spki.size()));
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const bool ok = key && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
                    EVP_DigestVerify(ctx, der, static_cast<std::size_t>(der_len),
                                     reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size()) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    OPENSSL_free(der);
    return ok;
}

}  // namespace

TEST_CASE("RFC 8188 section 3.1: encryption of a single record") {
    const std::string out = aes128gcm_encrypt(b64("yqdlZ-tYemfogSmv7Ws5PQ"), b64("I1BsxtFttlv3u_Oo94xnmw"), "", "I am the walrus", 4096);
    CHECK(base64url_encode(out) == "I1BsxtFttlv3u_Oo94xnmwAAEAAA-NAVub2qFgBEuQKRapoZu-IxkIva3MEB1PD-ly8Thjg");
}

TEST_CASE("RFC 8291 appendix A: the push message's encryption") {
    const P256Key sender = P256Key::from_private(b64("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"));
    CHECK(base64url_encode(sender.public_raw()) ==
          "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8");
    CHECK(base64url_encode(sender.private_raw()) == "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw");
    const std::string ua_public = b64("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4");
    CHECK(base64url_encode(sender.derive(ua_public)) == "kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs");
    // The other side's ECDH agrees.
    const P256Key receiver = P256Key::from_private(b64("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"));
    CHECK(receiver.public_raw() == ua_public);
    CHECK(receiver.derive(sender.public_raw()) == sender.derive(ua_public));

    const std::string message = encrypt_push_message("When I grow up, I want to be a watermelon", ua_public,
                                                     b64("BTBZMqHH6r4Tts7J_aSIgg"), sender, b64("DGv6ra1nlYgDCS1FRnbzlw"));
    CHECK(base64url_encode(message) ==
          "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_y"
          "l95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN");
}

TEST_CASE("a fresh message uses a fresh key and salt, and its header names them") {
    const P256Key receiver = P256Key::generate();
    const std::string auth(16, '\x07');
    const std::string a = encrypt_push_message("hello", receiver.public_raw(), auth);
    const std::string b = encrypt_push_message("hello", receiver.public_raw(), auth);
    CHECK(a != b);
    REQUIRE(a.size() == 16 + 4 + 1 + 65 + 5 + 1 + 16);
    CHECK(a.substr(16, 4) == std::string("\x00\x00\x10\x00", 4));
    CHECK(static_cast<unsigned char>(a[20]) == 65);
    CHECK(is_p256_public_key(a.substr(21, 65)));
}

TEST_CASE("bad keys and oversized payloads are refused") {
    const P256Key receiver = P256Key::generate();
    std::string off_curve = receiver.public_raw();
    off_curve[64] = static_cast<char>(off_curve[64] ^ 1);
    CHECK_FALSE(is_p256_public_key(off_curve));
    CHECK_FALSE(is_p256_public_key(receiver.public_raw().substr(0, 33)));
    CHECK(is_p256_public_key(receiver.public_raw()));
    CHECK_THROWS_AS(P256Key::generate().derive(off_curve), std::invalid_argument);
    CHECK_THROWS_AS(encrypt_push_message("x", receiver.public_raw(), "short"), std::invalid_argument);
    CHECK_THROWS_AS(encrypt_push_message(std::string(4096, 'x'), receiver.public_raw(), std::string(16, 'a')), std::invalid_argument);
    CHECK_THROWS_AS(P256Key::from_private(std::string(32, '\0')), std::invalid_argument);
    CHECK_THROWS_AS(P256Key::from_private(std::string(32, '\xff')), std::invalid_argument);
    CHECK_THROWS_AS(P256Key::from_private("short"), std::invalid_argument);
}

TEST_CASE("base64url") {
    const auto [text, decoded] = GENERATE(table<std::string, std::optional<std::string>>({
        {"", std::string()},
        {"Zg", std::string("f")},
        {"Zg==", std::string("f")},
        {"Zm8", std::string("fo")},
        {"Zm9v", std::string("foo")},
        {"-_8", std::string("\xfb\xff")},
        {"+/8", std::nullopt},   // base64, not base64url
        {"Z", std::nullopt},     // impossible length
        {"Zh", std::nullopt},    // stray bits
        {"Zm 9v", std::nullopt},
    }));
    CAPTURE(text);
    CHECK(base64url_decode(text) == decoded);
    if (decoded) CHECK(base64url_decode(base64url_encode(*decoded)) == decoded);
}

TEST_CASE("the origin a VAPID token names") {
    const auto [url, origin] = GENERATE(table<std::string, std::optional<std::string>>({
        {"https://fcm.googleapis.com/fcm/send/abc", std::string("https://fcm.googleapis.com")},
        {"https://Push.Example:443/x", std::string("https://push.example")},
        {"http://127.0.0.1:4567/push/1?x", std::string("http://127.0.0.1:4567")},
        {"https://updates.push.services.mozilla.com", std::string("https://updates.push.services.mozilla.com")},
        {"ftp://x.example/", std::nullopt},
        {"https://user@x.example/", std::nullopt},
        {"https:///path", std::nullopt},
        {"not a url", std::nullopt},
    }));
    CAPTURE(url);
    CHECK(url_origin(url) == origin);
}

TEST_CASE("VAPID: an ES256 JWT with aud, exp within 24 h and sub, verified by OpenSSL") {
    const P256Key key = P256Key::generate();
    const slotwise::Timestamp now{std::chrono::seconds{1'800'000'000}};
    const auto lifetime = GENERATE(std::chrono::seconds{3600}, std::chrono::seconds{48 * 3600});
    const std::string jwt = vapid_jwt(key, "https://push.example", "mailto:ops@slotwise.example", now, lifetime);
    const auto first = jwt.find('.'), second = jwt.rfind('.');
    REQUIRE(first != second);
    const auto header = nlohmann::json::parse(b64(jwt.substr(0, first)));
    CHECK(header["alg"] == "ES256");
    CHECK(header["typ"] == "JWT");
    const auto claims = nlohmann::json::parse(b64(jwt.substr(first + 1, second - first - 1)));
    CHECK(claims["aud"] == "https://push.example");
    CHECK(claims["sub"] == "mailto:ops@slotwise.example");
    CHECK(claims["exp"].get<std::int64_t>() == 1'800'000'000 + std::min<std::int64_t>(lifetime.count(), 24 * 3600));
    const std::string signature = b64(jwt.substr(second + 1));
    CHECK(es256_verifies(key.public_raw(), jwt.substr(0, second), signature));
    std::string tampered = jwt.substr(0, second);
    tampered[first + 2] = tampered[first + 2] == 'A' ? 'B' : 'A';
    CHECK_FALSE(es256_verifies(key.public_raw(), tampered, signature));
    CHECK_FALSE(es256_verifies(P256Key::generate().public_raw(), jwt.substr(0, second), signature));

    const std::string auth = vapid_authorization(key, "https://push.example", "mailto:a@b.example", now);
    CHECK(auth.rfind("vapid t=", 0) == 0);
    CHECK(auth.substr(auth.find(", k=") + 4) == base64url_encode(key.public_raw()));
}

TEST_CASE("a key survives its raw private bytes") {
    const P256Key key = P256Key::generate();
    const P256Key again = P256Key::from_private(key.private_raw());
    CHECK(again.public_raw() == key.public_raw());
}
