#include "store/account_records.h"

namespace slotwise::server::records {
namespace {

std::int64_t count_from(const SqlRows& rows) { return rows.empty() ? 0 : rows[0].get<std::int64_t>("n"); }

std::optional<Timestamp> oldest_from(const SqlRows& rows) {
    if (rows.empty()) return std::nullopt;
    return rows[0].get_optional<Timestamp>("oldest");
}

AccountRow account_from(const SqlRow& row) {
    return {row.get<std::string>("id"), row.get<std::string>("email"), row.get<std::string>("plan")};
}

SessionRow session_from(const SqlRow& row) {
    return {row.get<std::string>("id"),
            row.get<std::string>("account_id"),
            row.get<Timestamp>("created_at"),
            row.get<Timestamp>("last_seen_at"),
            row.get<Timestamp>("idle_expires_at"),
            row.get<Timestamp>("absolute_expires_at"),
            row.get_optional<std::string>("user_agent")};
}

ApiKeyRow api_key_from(const SqlRow& row) {
    return {row.get<std::string>("id"), row.get<std::string>("account_id"), row.get<std::string>("name"),
            row.get<Timestamp>("created_at"), row.get_optional<Timestamp>("last_used_at")};
}

constexpr const char* kSessionColumns =
    "s.id, s.account_id, s.created_at, s.last_seen_at, s.idle_expires_at, s.absolute_expires_at, s.user_agent";
constexpr const char* kApiKeyColumns = "k.id, k.account_id, k.name, k.created_at, k.last_used_at";

}  // namespace

std::string server_secret(Session& s, const std::string& name, const std::string& candidate, Timestamp now) {
    // Two processes starting together may both offer one: the first stored wins.
    s.exec("INSERT INTO server_secrets (name, secret, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
           {name, candidate, epoch_seconds(now)});
    const auto rows = s.query("SELECT secret FROM server_secrets WHERE name = $1", {name});
    if (rows.empty()) throw StoreError("the server secret " + name + " vanished while it was being stored");
    return rows[0].get<std::string>("secret");
}

void insert_challenge(Session& s, const EmailChallenge& c) {
    s.exec("INSERT INTO email_challenges (id, email, code_hash, expires_at, tries, created_at, requester_hash)"
           " VALUES ($1, $2, $3, $4, 0, $5, $6)",
           {c.id, c.email, c.code_hash, epoch_seconds(c.expires_at), epoch_seconds(c.created_at), c.requester_hash});
}

std::int64_t challenges_for_email_since(Session& s, const std::string& email, Timestamp since) {
    return count_from(s.query("SELECT COUNT(*) AS n FROM email_challenges WHERE email = $1 AND created_at >= $2",
                              {email, epoch_seconds(since)}));
}

std::int64_t challenges_by_requester_since(Session& s, const std::string& requester_hash, Timestamp since) {
    return count_from(s.query("SELECT COUNT(*) AS n FROM email_challenges WHERE requester_hash = $1 AND created_at >= $2",
                              {requester_hash, epoch_seconds(since)}));
}

std::optional<Timestamp> oldest_challenge_for_email_since(Session& s, const std::string& email, Timestamp since) {
    return oldest_from(s.query("SELECT MIN(created_at) AS oldest FROM email_challenges WHERE email = $1 AND created_at >= $2",
                               {email, epoch_seconds(since)}));
}

std::optional<Timestamp> oldest_challenge_by_requester_since(Session& s, const std::string& requester_hash, Timestamp since) {
    return oldest_from(
        s.query("SELECT MIN(created_at) AS oldest FROM email_challenges WHERE requester_hash = $1 AND created_at >= $2",
                {requester_hash, epoch_seconds(since)}));
}

std::optional<ChallengeTry> take_challenge_try(Session& s, const std::string& id, Timestamp now, int max_tries) {
    // One statement: two guesses sent at once cannot both take the last try.
    const auto rows = s.query(
        "UPDATE email_challenges SET tries = tries + 1"
        " WHERE id = $1 AND used_at IS NULL AND expires_at > $2 AND tries < $3"
        " RETURNING email, code_hash",
        {id, epoch_seconds(now), std::int64_t{max_tries}});
    if (rows.empty()) return std::nullopt;
    return ChallengeTry{rows[0].get<std::string>("email"), rows[0].get<std::string>("code_hash")};
}

bool use_challenge(Session& s, const std::string& id, Timestamp now) {
    return s.exec("UPDATE email_challenges SET used_at = $2 WHERE id = $1 AND used_at IS NULL", {id, epoch_seconds(now)}) == 1;
}

std::int64_t purge_challenges(Session& s, Timestamp older_than) {
    return s.exec("DELETE FROM email_challenges WHERE expires_at < $1", {epoch_seconds(older_than)});
}

std::optional<AccountRow> live_account_by_email(Session& s, const std::string& email) {
    const auto rows = s.query("SELECT id, email, plan FROM accounts WHERE email = $1 AND deleted_at IS NULL", {email});
    if (rows.empty()) return std::nullopt;
    return account_from(rows[0]);
}

std::optional<AccountRow> live_account(Session& s, const std::string& id) {
    const auto rows = s.query("SELECT id, email, plan FROM accounts WHERE id = $1 AND deleted_at IS NULL", {id});
    if (rows.empty()) return std::nullopt;
    return account_from(rows[0]);
}

AccountRow account_for_email(Session& s, const std::string& new_id, const std::string& email, Timestamp now) {
    // The partial unique index on live addresses decides between two first
    // sign-ins of one address at once.
    s.exec("INSERT INTO accounts (id, email, plan, created_at) VALUES ($1, $2, 'free', $3)"
           " ON CONFLICT (email) WHERE deleted_at IS NULL DO NOTHING",
           {new_id, email, epoch_seconds(now)});
    auto account = live_account_by_email(s, email);
    if (!account) throw StoreError("the account of a signed-in address vanished");
    return *account;
}

std::vector<std::string> owned_provider_ids(Session& s, const std::string& account_id) {
    std::vector<std::string> ids;
    for (const auto& row : s.query("SELECT id FROM providers WHERE owner_account_id = $1 ORDER BY id", {account_id}))
        ids.push_back(row.get<std::string>("id"));
    return ids;
}

void insert_session(Session& s, const SessionRow& row, const std::string& token_sha256) {
    SqlValue agent = nullptr;
    if (row.user_agent) agent = *row.user_agent;
    s.exec("INSERT INTO sessions (id, token_sha256, account_id, created_at, last_seen_at, idle_expires_at,"
           " absolute_expires_at, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
           {row.id, token_sha256, row.account_id, epoch_seconds(row.created_at), epoch_seconds(row.last_seen_at),
            epoch_seconds(row.idle_expires_at), epoch_seconds(row.absolute_expires_at), agent});
}

std::optional<SessionRow> live_session_by_token(Session& s, const std::string& token_sha256, Timestamp now) {
    const auto rows = s.query(std::string("SELECT ") + kSessionColumns +
                                  " FROM sessions s JOIN accounts a ON a.id = s.account_id"
                                  " WHERE s.token_sha256 = $1 AND s.ended_at IS NULL AND s.idle_expires_at > $2"
                                  " AND s.absolute_expires_at > $2 AND a.deleted_at IS NULL",
                              {token_sha256, epoch_seconds(now)});
    if (rows.empty()) return std::nullopt;
    return session_from(rows[0]);
}

void touch_session(Session& s, const std::string& id, Timestamp now, Timestamp idle_expires_at) {
    s.exec("UPDATE sessions SET last_seen_at = $2, idle_expires_at = $3 WHERE id = $1 AND ended_at IS NULL",
           {id, epoch_seconds(now), epoch_seconds(idle_expires_at)});
}

bool end_session(Session& s, const std::string& id, Timestamp now) {
    return s.exec("UPDATE sessions SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL", {id, epoch_seconds(now)}) == 1;
}

std::int64_t end_account_sessions(Session& s, const std::string& account_id, Timestamp now) {
    return s.exec("UPDATE sessions SET ended_at = $2 WHERE account_id = $1 AND ended_at IS NULL",
                  {account_id, epoch_seconds(now)});
}

std::vector<SessionRow> live_sessions(Session& s, const std::string& account_id, Timestamp now) {
    std::vector<SessionRow> out;
    for (const auto& row : s.query(std::string("SELECT ") + kSessionColumns +
                                       " FROM sessions s WHERE s.account_id = $1 AND s.ended_at IS NULL"
                                       " AND s.idle_expires_at > $2 AND s.absolute_expires_at > $2"
                                       " ORDER BY s.created_at, s.id",
                                   {account_id, epoch_seconds(now)}))
        out.push_back(session_from(row));
    return out;
}

std::int64_t purge_sessions(Session& s, Timestamp older_than) {
    return s.exec("DELETE FROM sessions WHERE ended_at < $1 OR idle_expires_at < $1 OR absolute_expires_at < $1",
                  {epoch_seconds(older_than)});
}

void insert_api_key(Session& s, const ApiKeyRow& row, const std::string& key_sha256) {
    s.exec("INSERT INTO api_keys (id, account_id, name, key_sha256, created_at) VALUES ($1, $2, $3, $4, $5)",
           {row.id, row.account_id, row.name, key_sha256, epoch_seconds(row.created_at)});
}

std::optional<ApiKeyRow> live_api_key_by_hash(Session& s, const std::string& key_sha256) {
    const auto rows = s.query(std::string("SELECT ") + kApiKeyColumns +
                                  " FROM api_keys k JOIN accounts a ON a.id = k.account_id"
                                  " WHERE k.key_sha256 = $1 AND k.revoked_at IS NULL AND a.deleted_at IS NULL",
                              {key_sha256});
    if (rows.empty()) return std::nullopt;
    return api_key_from(rows[0]);
}

void touch_api_key(Session& s, const std::string& id, Timestamp now) {
    s.exec("UPDATE api_keys SET last_used_at = $2 WHERE id = $1", {id, epoch_seconds(now)});
}

std::vector<ApiKeyRow> live_api_keys(Session& s, const std::string& account_id) {
    std::vector<ApiKeyRow> out;
    for (const auto& row : s.query(std::string("SELECT ") + kApiKeyColumns +
                                       " FROM api_keys k WHERE k.account_id = $1 AND k.revoked_at IS NULL"
                                       " ORDER BY k.created_at, k.id",
                                   {account_id}))
        out.push_back(api_key_from(row));
    return out;
}

bool revoke_api_key(Session& s, const std::string& account_id, const std::string& id, Timestamp now) {
    return s.exec("UPDATE api_keys SET revoked_at = $3 WHERE id = $2 AND account_id = $1 AND revoked_at IS NULL",
                  {account_id, id, epoch_seconds(now)}) == 1;
}

}  // namespace slotwise::server::records
