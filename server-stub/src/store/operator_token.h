// The operator token (SLOTWISE_ADMIN_TOKEN): kept in the database only as a
// hash, so that a generated token survives restarts and a database dump does
// not reveal it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/store.h"

namespace slotwise::server {

class OperatorToken {
public:
    struct Established;
    // From the environment's token when given (it replaces any stored hash);
    // otherwise the stored hash; otherwise a new random token whose hash is
    // stored. Throws std::invalid_argument when the environment's token is
    // not 24..256 visible ASCII characters.
    static Established establish(Store& store, const std::optional<std::string>& from_environment);

    // Constant time over the hash; false for any presented value outside 24..256 visible ASCII.
    bool matches(std::string_view presented) const;

    // 24..256 visible ASCII characters: the only shape a token may have.
    static bool well_formed(std::string_view token) noexcept;

private:
    explicit OperatorToken(std::string hash) : hash_(std::move(hash)) {}
    std::string hash_;
};

struct OperatorToken::Established {
    OperatorToken token;
    // The token in clear text, only when it was generated now: print it once, to stderr.
    std::optional<std::string> generated;
};

}  // namespace slotwise::server
