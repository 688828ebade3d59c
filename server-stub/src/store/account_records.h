// The SQL of accounts, sign-in challenges, sessions and API keys (migration
// 007), written once for both backends like records.h. Secrets arrive here
// already hashed; nothing in this file sees a code, a token or a key.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/store.h"

namespace slotwise::server::records {

// The secret named `name`, generated (`candidate`) and stored on first use;
// every process on the database reads the same one.
std::string server_secret(Session& s, const std::string& name, const std::string& candidate, Timestamp now);

struct EmailChallenge {
    std::string id;
    std::string email;
    std::string code_hash;
    Timestamp expires_at{};
    std::string requester_hash;
    Timestamp created_at{};
};
void insert_challenge(Session& s, const EmailChallenge& c);
// Challenges created at or after `since` for an address / by a caller.
std::int64_t challenges_for_email_since(Session& s, const std::string& email, Timestamp since);
std::int64_t challenges_by_requester_since(Session& s, const std::string& requester_hash, Timestamp since);
// The oldest challenge created at or after `since` for the address / by the
// caller: when the oldest of the window leaves it, another may be asked for.
std::optional<Timestamp> oldest_challenge_for_email_since(Session& s, const std::string& email, Timestamp since);
std::optional<Timestamp> oldest_challenge_by_requester_since(Session& s, const std::string& requester_hash, Timestamp since);

// Counts one try at a challenge that is unused, unexpired at `now` and has
// had fewer than `max_tries`: the challenge's address and code hash, or
// nullopt when it is not (or no longer) open to a try.
struct ChallengeTry {
    std::string email;
    std::string code_hash;
};
std::optional<ChallengeTry> take_challenge_try(Session& s, const std::string& id, Timestamp now, int max_tries);
// Marks the challenge used; false when another request used it first.
bool use_challenge(Session& s, const std::string& id, Timestamp now);
// Challenges expired before `older_than` (housekeeping).
std::int64_t purge_challenges(Session& s, Timestamp older_than);

struct AccountRow {
    std::string id;
    std::string email;
    std::string plan;
};
std::optional<AccountRow> live_account_by_email(Session& s, const std::string& email);
std::optional<AccountRow> live_account(Session& s, const std::string& id);
// Inserts unless a live account has the address; the live account either way.
AccountRow account_for_email(Session& s, const std::string& new_id, const std::string& email, Timestamp now);
std::vector<std::string> owned_provider_ids(Session& s, const std::string& account_id);

struct SessionRow {
    std::string id;
    std::string account_id;
    Timestamp created_at{};
    Timestamp last_seen_at{};
    Timestamp idle_expires_at{};
    Timestamp absolute_expires_at{};
    std::optional<std::string> user_agent;
};
void insert_session(Session& s, const SessionRow& row, const std::string& token_sha256);
// The session with this token hash that has not ended and whose expiries
// lie after `now`, of a live account.
std::optional<SessionRow> live_session_by_token(Session& s, const std::string& token_sha256, Timestamp now);
// Moves a session's last use and idle expiry (never past its absolute one).
void touch_session(Session& s, const std::string& id, Timestamp now, Timestamp idle_expires_at);
bool end_session(Session& s, const std::string& id, Timestamp now);
std::int64_t end_account_sessions(Session& s, const std::string& account_id, Timestamp now);
std::vector<SessionRow> live_sessions(Session& s, const std::string& account_id, Timestamp now);
// Sessions ended or expired before `older_than` (housekeeping).
std::int64_t purge_sessions(Session& s, Timestamp older_than);

struct ApiKeyRow {
    std::string id;
    std::string account_id;
    std::string name;
    Timestamp created_at{};
    std::optional<Timestamp> last_used_at;
};
void insert_api_key(Session& s, const ApiKeyRow& row, const std::string& key_sha256);
// The unrevoked key with this hash, of a live account.
std::optional<ApiKeyRow> live_api_key_by_hash(Session& s, const std::string& key_sha256);
void touch_api_key(Session& s, const std::string& id, Timestamp now);
std::vector<ApiKeyRow> live_api_keys(Session& s, const std::string& account_id);
// Revokes the account's key; false when it has no such unrevoked key.
bool revoke_api_key(Session& s, const std::string& account_id, const std::string& id, Timestamp now);

}  // namespace slotwise::server::records
