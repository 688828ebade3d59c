-- One definition of the statuses that block time, and the status DECLINED
-- (api.md part 2: a provider declines a request).
--
-- bookings gains the generated column `blocks_time`: 1 for HELD, PENDING and
-- CONFIRMED, 0 otherwise. The busy query, the overlap triggers and the
-- client-standing count (records.cpp) and its index all read it, so that the
-- list of those statuses is written here once. A PENDING request past its
-- expiry still has blocks_time = 1 until the housekeeping marks it EXPIRED;
-- the busy query reads its expiry as well.
--
-- SQLite changes a CHECK constraint only by rebuilding the table (see 004);
-- its triggers and indexes are dropped with it and created again below.
CREATE TABLE bookings_new (
    id                   TEXT PRIMARY KEY,
    provider_id          TEXT NOT NULL REFERENCES providers (id),
    service_id           TEXT NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('HELD', 'PENDING', 'CONFIRMED', 'DECLINED', 'CANCELLED',
                                                         'EXPIRED', 'COMPLETED', 'NO_SHOW')),
    start_at             BIGINT NOT NULL,
    end_at               BIGINT NOT NULL,
    duration_minutes     INTEGER NOT NULL,
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
    refund_amount        BIGINT,
    client_key           TEXT,
    expires_at           BIGINT,
    refund_ceiling       BIGINT,
    -- The one definition of the statuses that block time.
    blocks_time          INTEGER NOT NULL GENERATED ALWAYS AS
                             (CASE WHEN status IN ('HELD', 'PENDING', 'CONFIRMED') THEN 1 ELSE 0 END) STORED
);
INSERT INTO bookings_new (id, provider_id, service_id, status, start_at, end_at, duration_minutes, occupied_start, occupied_end,
    client_email, client_name, client_phone, client_time_zone, notes, meeting_link, manage_token_sha256,
    price_amount, currency, cancellation_policy, created_at, updated_at, cancelled_at, cancelled_by,
    cancellation_reason, refund_amount, client_key, expires_at, refund_ceiling)
SELECT id, provider_id, service_id, status, start_at, end_at, duration_minutes, occupied_start, occupied_end,
    client_email, client_name, client_phone, client_time_zone, notes, meeting_link, manage_token_sha256,
    price_amount, currency, cancellation_policy, created_at, updated_at, cancelled_at, cancelled_by,
    cancellation_reason, refund_amount, client_key, expires_at, refund_ceiling
FROM bookings;
DROP TABLE bookings;
ALTER TABLE bookings_new RENAME TO bookings;

CREATE INDEX bookings_by_time ON bookings (provider_id, occupied_start);
-- The open-bookings count walks this index (records.cpp, client_standing_statement).
CREATE INDEX bookings_by_client ON bookings (client_key, provider_id, start_at) WHERE blocks_time <> 0;
CREATE INDEX bookings_pending_by_expiry ON bookings (provider_id, expires_at) WHERE status = 'PENDING';

-- An occupied interval is at most 3 days (259200 s) long: the lower bound
-- keeps the lookup an index range scan.
CREATE TRIGGER bookings_no_overlap_on_insert
BEFORE INSERT ON bookings
WHEN NEW.blocks_time = 1
BEGIN
    SELECT RAISE(ABORT, 'SLOTWISE_OVERLAP') WHERE EXISTS (
        SELECT 1 FROM bookings b
        WHERE b.provider_id = NEW.provider_id
          AND b.blocks_time = 1
          AND b.occupied_start < NEW.occupied_end
          AND b.occupied_start > NEW.occupied_start - 259200
          AND b.occupied_end > NEW.occupied_start);
END;

CREATE TRIGGER bookings_no_overlap_on_update
BEFORE UPDATE OF status, occupied_start, occupied_end, provider_id ON bookings
WHEN NEW.blocks_time = 1
BEGIN
    SELECT RAISE(ABORT, 'SLOTWISE_OVERLAP') WHERE EXISTS (
        SELECT 1 FROM bookings b
        WHERE b.id <> NEW.id
          AND b.provider_id = NEW.provider_id
          AND b.blocks_time = 1
          AND b.occupied_start < NEW.occupied_end
          AND b.occupied_start > NEW.occupied_start - 259200
          AND b.occupied_end > NEW.occupied_start);
END;
