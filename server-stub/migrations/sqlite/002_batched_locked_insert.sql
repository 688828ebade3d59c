-- Every PUT of a provider bumps its revision, so a server process can keep
-- the parsed configuration and check it is current with one indexed read.
ALTER TABLE providers ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;

-- From this version on an Idempotency-Key is written in the same transaction
-- as its answer, so a record is always DONE. IN_FLIGHT records left by an
-- earlier version belong to requests that were never answered.
DELETE FROM idempotency_keys WHERE state = 'IN_FLIGHT';

-- The TOO_MANY_PENDING check counts one client's PENDING bookings with a
-- provider on every booking; this index holds only those, and replaces the
-- index over all of a client's bookings, which nothing else read but every
-- insert had to write.
CREATE INDEX bookings_pending_by_client ON bookings (provider_id, client_email) WHERE status = 'PENDING';
DROP INDEX bookings_by_client;
