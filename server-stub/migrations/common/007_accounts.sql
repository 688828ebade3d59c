-- Provider accounts (issue 11; api.md part 2, "Accounts, sessions and who
-- may do what"). Instants are BIGINT epoch seconds; every secret is stored
-- only as a hash: a dump of the database signs nobody in.

-- An account per email address (normalised: trimmed, lower-cased). A deleted
-- account keeps its row (deleted_at) so that its audit entries still name it;
-- its address may sign up again.
CREATE TABLE accounts (
    id          TEXT PRIMARY KEY,
    email       TEXT NOT NULL,
    plan        TEXT NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'paid')),
    created_at  BIGINT NOT NULL,
    deleted_at  BIGINT
);
CREATE UNIQUE INDEX accounts_live_email ON accounts (email) WHERE deleted_at IS NULL;

-- One emailed sign-in code. code_hash is HMAC-SHA256 under the server's
-- secret (server_secrets 'sign-in-code'), over the challenge id and the code:
-- 10^8 codes are too few for a plain hash. requester_hash is the SHA-256 of
-- the caller's address, for the per-caller rate limit without keeping it.
CREATE TABLE email_challenges (
    id              TEXT PRIMARY KEY,
    email           TEXT NOT NULL,
    code_hash       TEXT NOT NULL,
    expires_at      BIGINT NOT NULL,
    tries           INTEGER NOT NULL DEFAULT 0,
    used_at         BIGINT,
    created_at      BIGINT NOT NULL,
    requester_hash  TEXT NOT NULL
);
CREATE INDEX email_challenges_email ON email_challenges (email, created_at);
CREATE INDEX email_challenges_requester ON email_challenges (requester_hash, created_at);

-- Signed-in sessions: the token only as SHA-256. Read on every request, so an
-- ended session is refused by every process at once.
CREATE TABLE sessions (
    id                   TEXT PRIMARY KEY,
    token_sha256         TEXT NOT NULL UNIQUE,
    account_id           TEXT NOT NULL REFERENCES accounts (id),
    created_at           BIGINT NOT NULL,
    last_seen_at         BIGINT NOT NULL,
    idle_expires_at      BIGINT NOT NULL,
    absolute_expires_at  BIGINT NOT NULL,
    ended_at             BIGINT,
    user_agent           TEXT
);
CREATE INDEX sessions_account ON sessions (account_id);

-- API keys for integrations: the key only as SHA-256, shown once.
CREATE TABLE api_keys (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    name          TEXT NOT NULL,
    key_sha256    TEXT NOT NULL UNIQUE,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    revoked_at    BIGINT
);
CREATE INDEX api_keys_account ON api_keys (account_id);

-- Secrets the server derives keys from, generated once and shared by every
-- process on this database (unless SLOTWISE_SECRET supplies one).
CREATE TABLE server_secrets (
    name        TEXT PRIMARY KEY,
    secret      TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- The account that owns a provider; NULL for providers the operator made.
ALTER TABLE providers ADD COLUMN owner_account_id TEXT REFERENCES accounts (id);
CREATE INDEX providers_owner ON providers (owner_account_id);
