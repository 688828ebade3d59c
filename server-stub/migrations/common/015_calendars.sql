-- Calendar sync (issue 15, api.md "Calendars"): a provider's outside
-- calendars (CalDAV; Google and Microsoft through cal-oauth's migration 016),
-- the busy times read from them, the events written for bookings, and the
-- secret feed of the provider's bookings.

-- One connection per account at a calendar service. `credentials_sealed`:
-- JSON ({"username","password"} for CalDAV; tokens for OAuth kinds), sealed
-- (AES-256-GCM, a key derived from the server secret, the connection id as
-- associated data): a copy of the database does not log in anywhere.
-- `calendars`: JSON array of {href, name, writable, check, write_to, token}
-- (token: the last sync token of that calendar, opaque, "" for none). A
-- sync holds `sync_lease_until` so that two syncs of one connection never
-- run at once; a lapsed lease (a killed process) is taken over.
-- `outage_mailed_at`: the provider was told of the running outage (one
-- mail per outage; cleared by the next successful sync). The stored busy
-- times were expanded for the window starting `busy_window_from` in the
-- provider's zone `busy_window_zone`; another day or zone expands again.
CREATE TABLE calendar_connections (
    id                  TEXT PRIMARY KEY,
    provider_id         TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    kind                TEXT NOT NULL,
    url                 TEXT,
    account             TEXT,
    credentials_sealed  TEXT NOT NULL,
    calendars           TEXT NOT NULL,
    status              TEXT NOT NULL,
    last_sync_at        BIGINT,
    last_error_code     TEXT,
    last_error_detail   TEXT,
    last_error_at       BIGINT,
    outage_mailed_at    BIGINT,
    busy_window_from    BIGINT,
    busy_window_zone    TEXT,
    sync_lease_until    BIGINT,
    created_at          BIGINT NOT NULL
);
CREATE INDEX calendar_connections_by_provider ON calendar_connections (provider_id, created_at);

-- Every object read from a checked calendar, kept whole so that the busy
-- times can be expanded again as the rolling window moves, without asking
-- the service. Never shown to anyone (it holds titles).
CREATE TABLE calendar_objects (
    connection_id  TEXT NOT NULL,
    calendar_href  TEXT NOT NULL,
    href           TEXT NOT NULL,
    etag           TEXT,
    ics            TEXT NOT NULL,
    PRIMARY KEY (connection_id, href)
);

-- The busy times of those objects, in UTC seconds, per object: what the
-- snapshots and the booking checks read beside the bookings.
CREATE TABLE calendar_busy (
    connection_id  TEXT NOT NULL,
    provider_id    TEXT NOT NULL,
    object_href    TEXT NOT NULL,
    busy_start     BIGINT NOT NULL,
    busy_end       BIGINT NOT NULL
);
CREATE INDEX calendar_busy_by_provider ON calendar_busy (provider_id, busy_start);
CREATE INDEX calendar_busy_by_object ON calendar_busy (connection_id, object_href);

-- The event written for a booking into a connection's write_to calendar:
-- where it is, its last ETag, and the time and status it was written with
-- (a change of either is written again).
CREATE TABLE calendar_booking_events (
    booking_id     TEXT NOT NULL,
    connection_id  TEXT NOT NULL,
    calendar_href  TEXT NOT NULL,
    event_href     TEXT NOT NULL,
    etag           TEXT,
    written        TEXT NOT NULL,
    PRIMARY KEY (booking_id, connection_id)
);

-- The secret feed (GET /v1/calendar-feeds/{secret}.ics): one per provider,
-- the secret kept only as its SHA-256; a new one replaces the old.
CREATE TABLE calendar_feeds (
    provider_id    TEXT PRIMARY KEY REFERENCES providers (id) ON DELETE CASCADE,
    secret_sha256  TEXT NOT NULL UNIQUE,
    created_at     BIGINT NOT NULL
);
