-- One definition of the statuses that block time, and the status DECLINED
-- (api.md part 2). The SQLite migration of the same number explains the
-- column; here it is added in place, and the overlap backstop and the
-- open-bookings index are written on it.
ALTER TABLE bookings DROP CONSTRAINT bookings_status_check;
ALTER TABLE bookings ADD CONSTRAINT bookings_status_check
    CHECK (status IN ('HELD', 'PENDING', 'CONFIRMED', 'DECLINED', 'CANCELLED', 'EXPIRED', 'COMPLETED', 'NO_SHOW'));
ALTER TABLE bookings ADD COLUMN blocks_time SMALLINT NOT NULL GENERATED ALWAYS AS
    (CASE WHEN status IN ('HELD', 'PENDING', 'CONFIRMED') THEN 1 ELSE 0 END) STORED;

ALTER TABLE bookings DROP CONSTRAINT bookings_no_overlap;
ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap
    EXCLUDE USING gist (provider_id WITH =, occupied WITH &&) WHERE (blocks_time = 1);

-- `<> 0` rather than `= 1` on purpose: the open-bookings count must not
-- imply the backstop's partial GiST index, which PostgreSQL, on stale
-- statistics, would otherwise walk for all of the provider's bookings
-- (records.cpp, client_standing_statement).
DROP INDEX bookings_by_client;
CREATE INDEX bookings_by_client ON bookings (client_key, provider_id, start_at) WHERE blocks_time <> 0;
