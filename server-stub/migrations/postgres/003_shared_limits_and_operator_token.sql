-- Limits shared by every server process on this database (shared_limits.cpp).
-- One token bucket per client address for public requests: `tokens` as of
-- `updated_ms` (epoch milliseconds); `admitted` tells the caller of the last
-- UPSERT whether it took a token.
CREATE TABLE rate_buckets (
    address     TEXT PRIMARY KEY,
    tokens      DOUBLE PRECISION NOT NULL,
    updated_ms  BIGINT NOT NULL,
    admitted    BOOLEAN NOT NULL
);

-- Failed credentials per client address within a window that starts at the
-- first failure; reaching the limit locks the address out until locked_until_ms.
CREATE TABLE credential_failures (
    address          TEXT PRIMARY KEY,
    failures         INTEGER NOT NULL,
    window_start_ms  BIGINT NOT NULL,
    locked_until_ms  BIGINT NOT NULL
);

-- The operator token, only as its SHA-256 (operator_token.cpp): one row.
CREATE TABLE operator_token (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    sha256      TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);
