// The server's one secret and the keys derived from it, one per purpose.
//
// SLOTWISE_SECRET (at least 32 characters) when set; otherwise a random
// secret generated once and kept in the database (server_secrets), so that
// every process on one database derives the same keys. Each use (sign-in
// codes, manage links in mails, action links, webhook secrets, VAPID keys)
// takes its own key through HKDF with its own salt and info: one key never
// serves two purposes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/store.h"

namespace slotwise::server::domain {

class ServerKeys {
public:
    // Throws std::invalid_argument for a secret shorter than 32 characters.
    static ServerKeys resolve(Store& store, const std::optional<std::string>& secret);

    // 32 bytes for `purpose`: HKDF-SHA256(secret, salt, info).
    std::string derive(std::string_view salt, std::string_view info) const;

private:
    explicit ServerKeys(std::string secret) : secret_(std::move(secret)) {}
    std::string secret_;
};

}  // namespace slotwise::server::domain
