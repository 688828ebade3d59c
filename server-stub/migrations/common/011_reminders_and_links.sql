-- Reminders and review requests per service (api.md "Reminders"), and the
-- confirm and decline links of the provider's "request waiting" mail.

-- `reminders`: the service's JSON list [{"before_minutes", "channels"}],
-- the default two email reminders 48 h and 1 h ahead.
-- `review_request_after_minutes`: NULL for none.
ALTER TABLE services ADD COLUMN reminders TEXT NOT NULL
    DEFAULT '[{"before_minutes":2880,"channels":["email"]},{"before_minutes":60,"channels":["email"]}]';
ALTER TABLE services ADD COLUMN review_request_after_minutes INTEGER DEFAULT 120;

-- A link acts once: the id of each link that has acted. A second use is
-- refused with LINK_USED (notifications/action_links.cpp).
CREATE TABLE used_action_links (
    link_id     TEXT PRIMARY KEY,
    booking_id  TEXT NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    action      TEXT NOT NULL,
    used_at     BIGINT NOT NULL
);
