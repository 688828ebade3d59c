// The SQL of the OAuth connection flow (migration 016), and the one write
// it makes to calendar sync's connections (migration 015): the sealed
// credentials replaced after a token refresh. Transactions are the caller's.
#pragma once

#include <optional>
#include <string>

#include "store/store.h"

namespace slotwise::server::records {

struct OAuthStateRow {
    std::string state_sha256, provider_id, kind, connection_id, verifier_sealed, redirect_uri;
    Timestamp created_at{}, expires_at{};
};

void insert_oauth_state(Session& s, const OAuthStateRow& row);
// Deletes and returns the row: a state is good once.
std::optional<OAuthStateRow> take_oauth_state(Session& s, const std::string& state_sha256);
void sweep_oauth_states(Session& s, Timestamp now);

// A connection's credentials after a refresh; false when the connection is gone.
bool update_connection_credentials(Session& s, const std::string& connection_id, const std::string& credentials_sealed);
// The sealed credentials of a connection, if it exists.
std::optional<std::string> connection_credentials(Session& s, const std::string& connection_id);

}  // namespace slotwise::server::records
