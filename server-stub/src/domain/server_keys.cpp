#include "domain/server_keys.h"

#include <stdexcept>

#include "domain/clock.h"
#include "store/account_records.h"
#include "support/crypto.h"

namespace slotwise::server::domain {

ServerKeys ServerKeys::resolve(Store& store, const std::optional<std::string>& secret) {
    if (secret) {
        if (secret->size() < 32) throw std::invalid_argument("SLOTWISE_SECRET must be at least 32 characters");
        return ServerKeys(*secret);
    }
    // Stored under the name the accounts gave it when they were its only
    // user, so that existing databases keep their sign-in keys.
    auto session = store.session();
    return ServerKeys(records::server_secret(*session, "accounts", random_token(32), Clock::system_seconds()));
}

std::string ServerKeys::derive(std::string_view salt, std::string_view info) const {
    return hkdf_sha256(secret_, salt, info, 32);
}

}  // namespace slotwise::server::domain
