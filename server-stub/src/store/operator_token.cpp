// The operator token lives in the database only as its SHA-256: a dump of the
// database does not reveal it, and a generated token stays valid across
// restarts and across the processes that share the database.
#include "store/operator_token.h"

#include <stdexcept>

#include "domain/clock.h"
#include "support/crypto.h"

namespace slotwise::server {
namespace {

constexpr std::size_t kMinLength = 24;
constexpr std::size_t kMaxLength = 256;
// 20 random bytes: 160 bits, 32 base32 characters.
constexpr std::size_t kGeneratedBytes = 20;

std::optional<std::string> stored_hash(Session& session) {
    const auto rows = session.query("SELECT sha256 FROM operator_token WHERE id = 1");
    if (rows.empty()) return std::nullopt;
    return rows[0].get_optional<std::string>("sha256");
}

}  // namespace

bool OperatorToken::well_formed(std::string_view token) noexcept {
    if (token.size() < kMinLength || token.size() > kMaxLength) return false;
    for (unsigned char c : token)
        if (c < 0x21 || c > 0x7e) return false;
    return true;
}

OperatorToken::Established OperatorToken::establish(Store& store, const std::optional<std::string>& from_environment) {
    auto session = store.session();
    if (from_environment) {
        if (!well_formed(*from_environment))
            throw std::invalid_argument("SLOTWISE_ADMIN_TOKEN must be 24 to 256 visible ASCII characters (no spaces)");
        auto hash = sha256_hex(*from_environment);
        session->exec(
            "INSERT INTO operator_token (id, sha256, updated_at) VALUES (1, $1, $2)"
            " ON CONFLICT (id) DO UPDATE SET sha256 = excluded.sha256, updated_at = excluded.updated_at",
            {hash, epoch_seconds(Clock::system_seconds())});
        return {OperatorToken(std::move(hash)), std::nullopt};
    }
    if (auto hash = stored_hash(*session)) return {OperatorToken(std::move(*hash)), std::nullopt};

    auto token = random_token(kGeneratedBytes);
    auto hash = sha256_hex(token);
    // Two processes starting together may both generate one: the first stored
    // wins, and the other neither uses nor prints its own.
    const auto stored = session->exec(
        "INSERT INTO operator_token (id, sha256, updated_at) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING",
        {hash, epoch_seconds(Clock::system_seconds())});
    if (stored == 1) return {OperatorToken(std::move(hash)), std::move(token)};
    auto winner = stored_hash(*session);
    if (!winner) throw StoreError("the operator token row vanished while it was being stored");
    return {OperatorToken(std::move(*winner)), std::nullopt};
}

bool OperatorToken::matches(std::string_view presented) const {
    if (!well_formed(presented)) return false;
    return constant_time_equal(sha256_hex(presented), hash_);
}

}  // namespace slotwise::server
