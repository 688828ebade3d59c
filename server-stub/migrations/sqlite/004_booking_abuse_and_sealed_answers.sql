-- Booking abuse closed (issue 9, item 5) and no secrets at rest outside the
-- bookings table (item 4).
--
-- bookings gains:
--   client_key      the client's normalised address (client_address.cpp:
--                   NFKC case fold, +tag removed, look-alike letters folded);
--                   the open-bookings cap and the no-show lock-out count on
--                   it. NULL for rows written before this version until the
--                   server's backfill (BookingService::backfill_client_keys)
--                   computes it: SQL cannot do ICU's skeleton.
--   expires_at      when a PENDING request lapses (at the latest its start);
--                   from then on it blocks no time and reads as EXPIRED.
--   refund_ceiling  the most a client cancel may refund, in minor units, set
--                   by a reschedule: what a cancel at that moment would have
--                   refunded (never raised by a later reschedule).
-- and the statuses HELD and EXPIRED (api.md part 2). SQLite changes a CHECK
-- constraint only by rebuilding the table; its triggers and indexes are
-- dropped with it and created again below.
CREATE TABLE bookings_new (
    id                   TEXT PRIMARY KEY,
    provider_id          TEXT NOT NULL REFERENCES providers (id),
    service_id           TEXT NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('HELD', 'PENDING', 'CONFIRMED', 'CANCELLED', 'EXPIRED',
                                                         'COMPLETED', 'NO_SHOW')),
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
    refund_ceiling       BIGINT
);
INSERT INTO bookings_new
SELECT id, provider_id, service_id, status, start_at, end_at, duration_minutes, occupied_start, occupied_end,
       client_email, client_name, client_phone, client_time_zone, notes, meeting_link, manage_token_sha256,
       price_amount, currency, cancellation_policy, created_at, updated_at, cancelled_at, cancelled_by,
       cancellation_reason, refund_amount, NULL,
       CASE WHEN status = 'PENDING' THEN MIN(created_at + 86400, start_at) END, NULL
FROM bookings;
DROP TABLE bookings;
ALTER TABLE bookings_new RENAME TO bookings;

CREATE INDEX bookings_by_time ON bookings (provider_id, occupied_start);
-- The cap counts one client's open bookings with a provider on every booking
-- (records.cpp, client_standing_statement, says why the predicate is NOT IN).
CREATE INDEX bookings_by_client ON bookings (client_key, provider_id, start_at)
    WHERE status NOT IN ('CANCELLED', 'EXPIRED', 'COMPLETED', 'NO_SHOW');
-- The expiry in the locked insert looks here (provider first: otherwise the
-- planner walks all of a provider's bookings by time); so does the housekeeping.
CREATE INDEX bookings_pending_by_expiry ON bookings (provider_id, expires_at) WHERE status = 'PENDING';

CREATE TRIGGER bookings_no_overlap_on_insert
BEFORE INSERT ON bookings
WHEN NEW.status IN ('HELD', 'PENDING', 'CONFIRMED')
BEGIN
    SELECT RAISE(ABORT, 'SLOTWISE_OVERLAP') WHERE EXISTS (
        SELECT 1 FROM bookings b
        WHERE b.provider_id = NEW.provider_id
          AND b.status IN ('HELD', 'PENDING', 'CONFIRMED')
          AND b.occupied_start < NEW.occupied_end
          AND b.occupied_start > NEW.occupied_start - 259200
          AND b.occupied_end > NEW.occupied_start);
END;

CREATE TRIGGER bookings_no_overlap_on_update
BEFORE UPDATE OF status, occupied_start, occupied_end, provider_id ON bookings
WHEN NEW.status IN ('HELD', 'PENDING', 'CONFIRMED')
BEGIN
    SELECT RAISE(ABORT, 'SLOTWISE_OVERLAP') WHERE EXISTS (
        SELECT 1 FROM bookings b
        WHERE b.id <> NEW.id
          AND b.provider_id = NEW.provider_id
          AND b.status IN ('HELD', 'PENDING', 'CONFIRMED')
          AND b.occupied_start < NEW.occupied_end
          AND b.occupied_start > NEW.occupied_start - 259200
          AND b.occupied_end > NEW.occupied_start);
END;

-- A provider's own limits (PUT document `booking_limits`); NULL = the server's default.
ALTER TABLE providers ADD COLUMN open_bookings_per_client INTEGER;
ALTER TABLE providers ADD COLUMN pending_expiry_minutes INTEGER;

-- The no-show lock-out, keyed by the SHA-256 of the client's normalised
-- address: no name, phone or address outside the bookings table. The old
-- `clients` table keeps only rows with a no-show, without name or phone,
-- until the server's backfill moves them here and empties it.
CREATE TABLE client_no_shows (
    provider_id        TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    client_key_sha256  TEXT NOT NULL,
    no_show_count      INTEGER NOT NULL DEFAULT 0,
    last_no_show_at    BIGINT,
    PRIMARY KEY (provider_id, client_key_sha256)
);
DELETE FROM clients WHERE no_show_count = 0;
UPDATE clients SET name = '', phone = NULL;

-- Answers under an Idempotency-Key are sealed from now on: `key` holds the
-- SHA-256 of the key, `request_sha256` an HMAC of the request under a key
-- derived from it, `response` the answer encrypted (AES-256-GCM) under
-- another derived key. Records of the previous version hold answers (manage
-- tokens, names, addresses) in clear and are dropped: a client retrying such
-- a key within its 24 hours is evaluated afresh, and finds its slot taken by
-- its own booking.
DELETE FROM idempotency_keys;
-- The audit log named the raw key.
UPDATE audit_log SET detail = json_remove(detail, '$.idempotency_key') WHERE action = 'booking.create';
