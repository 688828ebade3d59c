#include "store/calendar_oauth_records.h"

namespace slotwise::server::records {

void insert_oauth_state(Session& s, const OAuthStateRow& r) {
    s.exec("INSERT INTO calendar_oauth_states (state_sha256, provider_id, kind, connection_id, verifier_sealed, redirect_uri,"
           " created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
           {r.state_sha256, r.provider_id, r.kind, r.connection_id, r.verifier_sealed, r.redirect_uri,
            epoch_seconds(r.created_at), epoch_seconds(r.expires_at)});
}

std::optional<OAuthStateRow> take_oauth_state(Session& s, const std::string& state_sha256) {
    const auto rows = s.query("SELECT state_sha256, provider_id, kind, connection_id, verifier_sealed, redirect_uri,"
                              " created_at, expires_at FROM calendar_oauth_states WHERE state_sha256 = $1",
                              {state_sha256});
    if (rows.empty()) return std::nullopt;
    // Two callbacks racing for one state: only the one that deletes it goes on.
    if (s.exec("DELETE FROM calendar_oauth_states WHERE state_sha256 = $1", {state_sha256}) != 1) return std::nullopt;
    const auto& r = rows[0];
    return OAuthStateRow{r.get<std::string>("state_sha256"), r.get<std::string>("provider_id"), r.get<std::string>("kind"),
                         r.get<std::string>("connection_id"), r.get<std::string>("verifier_sealed"),
                         r.get<std::string>("redirect_uri"),
                         r.get<Timestamp>("created_at"), r.get<Timestamp>("expires_at")};
}

void sweep_oauth_states(Session& s, Timestamp now) {
    s.exec("DELETE FROM calendar_oauth_states WHERE expires_at < $1", {epoch_seconds(now)});
}

bool update_connection_credentials(Session& s, const std::string& connection_id, const std::string& credentials_sealed) {
    return s.exec("UPDATE calendar_connections SET credentials_sealed = $1 WHERE id = $2", {credentials_sealed, connection_id}) == 1;
}

std::optional<std::string> connection_credentials(Session& s, const std::string& connection_id) {
    const auto rows = s.query("SELECT credentials_sealed FROM calendar_connections WHERE id = $1", {connection_id});
    if (rows.empty()) return std::nullopt;
    return rows[0].get<std::string>("credentials_sealed");
}

}  // namespace slotwise::server::records
