-- Client email verification (issue 11): a service with
-- "verify_client_email" holds a new booking (HELD) until its client enters
-- the code mailed to them (POST /v1/bookings/{id}/verify).
ALTER TABLE services ADD COLUMN verify_client_email INTEGER NOT NULL DEFAULT 0;

-- The code is stored only as an HMAC under a key derived from the booking's
-- manage token, which the server never stores: a copy of the database
-- cannot try the million possible codes without the token.
-- `failed_attempts` counts wrong codes; at 5 the hold is released.
CREATE TABLE booking_verifications (
    booking_id       TEXT PRIMARY KEY REFERENCES bookings (id) ON DELETE CASCADE,
    code_hmac        TEXT NOT NULL,
    failed_attempts  INTEGER NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    verified_at      BIGINT
);

-- Holds lapse as requests do: the expiry's lookups cover both statuses
-- (records.cpp writes them from the transition table's expiry rows).
DROP INDEX IF EXISTS bookings_pending_by_expiry;
CREATE INDEX bookings_lapsing_by_expiry ON bookings (provider_id, expires_at) WHERE status IN ('HELD', 'PENDING');
