-- Slotwise schema, PostgreSQL. Instants are INTEGER seconds since the Unix epoch
-- (UTC); JSON columns hold engine configuration exactly as the engine reads it.

CREATE TABLE providers (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('doctor', 'consultant', 'trainer', 'therapist', 'other')),
    time_zone   TEXT NOT NULL,
    bio         TEXT,
    photo_url   TEXT,
    active      INTEGER NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE schedules (
    provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    weekly      TEXT NOT NULL,  -- JSON list of {day, start, end}
    overrides   TEXT NOT NULL,  -- JSON list of engine overrides
    PRIMARY KEY (provider_id, name)
);

CREATE TABLE services (
    provider_id            TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    id                     TEXT NOT NULL,
    position               INTEGER NOT NULL,
    name                   TEXT NOT NULL,
    schedule               TEXT NOT NULL,
    active                 INTEGER NOT NULL,
    durations              TEXT NOT NULL,  -- JSON list of minutes, the first is the default
    buffer_before_minutes  INTEGER NOT NULL,
    buffer_after_minutes   INTEGER NOT NULL,
    slot_interval_minutes  INTEGER,
    min_notice_minutes     INTEGER NOT NULL,
    max_advance_days       INTEGER,
    price_amount           BIGINT NOT NULL,
    currency               TEXT NOT NULL,
    cancellation_policy    TEXT NOT NULL,  -- JSON: a policy name or a list of tiers
    virtual                INTEGER NOT NULL,
    requires_confirmation  INTEGER NOT NULL,
    PRIMARY KEY (provider_id, id)
);

-- One row per client of a provider (a client is an email address).
CREATE TABLE clients (
    provider_id     TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    email           TEXT NOT NULL,
    name            TEXT NOT NULL,
    phone           TEXT,
    no_show_count   INTEGER NOT NULL DEFAULT 0,
    last_no_show_at BIGINT,
    PRIMARY KEY (provider_id, email)
);

CREATE TABLE bookings (
    id                   TEXT PRIMARY KEY,
    provider_id          TEXT NOT NULL REFERENCES providers (id),
    service_id           TEXT NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('PENDING', 'CONFIRMED', 'CANCELLED', 'COMPLETED', 'NO_SHOW')),
    start_at             BIGINT NOT NULL,
    end_at               BIGINT NOT NULL,
    duration_minutes     INTEGER NOT NULL,
    -- [occupied_start, occupied_end): the booking plus its buffers
    occupied_start       BIGINT NOT NULL,
    occupied_end         BIGINT NOT NULL CHECK (occupied_end > occupied_start),
    client_email         TEXT NOT NULL,
    client_name          TEXT NOT NULL,
    client_phone         TEXT,
    client_time_zone     TEXT,
    notes                TEXT,
    meeting_link         TEXT UNIQUE,
    manage_token_sha256  TEXT NOT NULL,
    price_amount         BIGINT NOT NULL,
    currency             TEXT NOT NULL,
    cancellation_policy  TEXT NOT NULL,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    cancelled_at         BIGINT,
    cancelled_by         TEXT,
    cancellation_reason  TEXT,
    refund_amount        BIGINT
);
CREATE INDEX bookings_by_time ON bookings (provider_id, occupied_start);
CREATE INDEX bookings_by_client ON bookings (provider_id, client_email, status);

-- The backstop behind the locked insert: no two PENDING/CONFIRMED bookings
-- of a provider overlap (btree_gist gives `=` on text inside a GiST index).
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE bookings ADD COLUMN occupied tstzrange
    GENERATED ALWAYS AS (tstzrange(to_timestamp(occupied_start), to_timestamp(occupied_end), '[)')) STORED;
ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap
    EXCLUDE USING gist (provider_id WITH =, occupied WITH &&) WHERE (status IN ('PENDING', 'CONFIRMED'));

-- Idempotency-Key records: IN_FLIGHT while the first request runs (owner is
-- that request's random id), DONE with the answer to replay. Kept 24 hours.
CREATE TABLE idempotency_keys (
    key             TEXT PRIMARY KEY,
    request_sha256  TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('IN_FLIGHT', 'DONE')),
    owner           TEXT NOT NULL,
    status          INTEGER,
    response        TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);

-- Every change: what, who, when.
CREATE TABLE audit_log (
    id          BIGSERIAL PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor       TEXT NOT NULL,   -- 'admin', 'client', 'system'
    action      TEXT NOT NULL,   -- e.g. 'booking.create', 'provider.put'
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    detail      TEXT             -- JSON
);
CREATE INDEX audit_log_by_entity ON audit_log (entity, entity_id);
