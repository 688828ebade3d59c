-- Notifications (issue 12). Every change of a booking is an event, queued as
-- a `booking.event` job in the transaction that makes the change
-- (domain/booking_events.h); the jobs it fans out to (mail, SMS, push,
-- webhooks, reminders) are written by notifications/event_fan_out.cpp.
--
-- `event_sequence` numbers a booking's events: 0 for the first, +1 for each
-- later one. It keys the event's job (one job per event, however often the
-- change is retried) and is the SEQUENCE of the booking's iCalendar invites.
ALTER TABLE bookings ADD COLUMN event_sequence INTEGER NOT NULL DEFAULT 0;
-- The widget's locale (BCP 47), so that every later mail speaks the client's language.
ALTER TABLE bookings ADD COLUMN client_locale TEXT;
-- The manage token, sealed (AES-256-GCM under a key derived from the server
-- secret, the booking id as associated data): the token is still stored
-- for lookups only as its SHA-256, but a reminder sent days later must carry
-- the client's manage link. Bookings made before this migration have none;
-- their mails go without a manage link.
ALTER TABLE bookings ADD COLUMN manage_token_sealed TEXT;

-- The provider's notification settings as PUT /v1/providers/{id} takes
-- them under "notifications" (JSON; NULL: the defaults).
ALTER TABLE providers ADD COLUMN notifications TEXT;
-- Where in-person appointments take place, shown to visitors and in mails.
ALTER TABLE providers ADD COLUMN address TEXT;
