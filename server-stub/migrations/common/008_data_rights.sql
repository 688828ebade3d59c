-- Data rights (issue 11, item 7): the providers of a deleted account are
-- marked deleted rather than removed. Their anonymised bookings still point
-- at them, and their ids stay taken, so that an old link never shows
-- someone else's provider; every read treats a deleted provider as absent.
ALTER TABLE providers ADD COLUMN deleted_at BIGINT;
