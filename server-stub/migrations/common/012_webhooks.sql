-- Webhooks (issue 12, api.md "Webhooks (Standard Webhooks 1.0)"): a
-- provider's endpoints, the messages owed to each, and every attempt to
-- deliver one (the delivery log).

-- The secret is sealed (AES-256-GCM under a key derived from SLOTWISE_SECRET,
-- the endpoint id as associated data): a copy of the database cannot sign.
-- `failing_since` is the first failed attempt since the last success; an
-- endpoint failing for the whole disable window is disabled with a reason.
CREATE TABLE webhook_endpoints (
    id               TEXT PRIMARY KEY,
    provider_id      TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    url              TEXT NOT NULL,
    events           TEXT NOT NULL,
    secret_sealed    TEXT NOT NULL,
    enabled          INTEGER NOT NULL DEFAULT 1,
    disabled_reason  TEXT,
    disabled_at      BIGINT,
    failing_since    BIGINT,
    created_at       BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_by_provider ON webhook_endpoints (provider_id, created_at);

-- One message per event and endpoint, its body fixed when it was owed, so
-- that every attempt and every redelivery sends the same bytes under the
-- same webhook-id.
CREATE TABLE webhook_messages (
    endpoint_id   TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    webhook_id    TEXT NOT NULL,
    event_type    TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    delivered_at  BIGINT,
    PRIMARY KEY (endpoint_id, webhook_id)
);

-- Each attempt: its time (`seq`, microseconds of the machine's clock, orders
-- attempts within one second), the HTTP status (NULL when none came) or
-- the error, how long it took, and the first 1 KiB of the answer.
CREATE TABLE webhook_attempts (
    id            TEXT PRIMARY KEY,
    endpoint_id   TEXT NOT NULL,
    webhook_id    TEXT NOT NULL,
    event_type    TEXT NOT NULL,
    attempted_at  BIGINT NOT NULL,
    seq           BIGINT NOT NULL,
    status        INTEGER,
    error         TEXT,
    duration_ms   BIGINT NOT NULL,
    response      TEXT,
    redelivery    INTEGER NOT NULL DEFAULT 0,
    FOREIGN KEY (endpoint_id, webhook_id) REFERENCES webhook_messages (endpoint_id, webhook_id) ON DELETE CASCADE
);
CREATE INDEX webhook_attempts_by_endpoint ON webhook_attempts (endpoint_id, attempted_at, seq);
