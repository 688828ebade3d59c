// The SQL of calendar sync (migration 015): connections, the objects read
// from outside calendars and their busy times, the events written for
// bookings, and the secret feed. Transactions are the caller's.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "domain/model.h"
#include "store/store.h"

namespace slotwise::server::records {

// One calendar of a connection as stored in its `calendars` JSON.
struct ConnectedCalendar {
    std::string href, name;
    bool writable = true;
    bool check = false;     // its busy events block slots
    bool write_to = false;  // bookings are written here (one per connection at most)
    std::string token;      // the last sync token, "" before the first sync
};

struct CalendarConnection {
    std::string id, provider_id, kind;
    std::optional<std::string> url, account;
    std::string credentials_sealed;
    std::vector<ConnectedCalendar> calendars;
    std::string status;  // "ok", "error" or "pending" (never synced yet)
    std::optional<Timestamp> last_sync_at;
    std::optional<std::string> last_error_code, last_error_detail;
    std::optional<Timestamp> last_error_at, outage_mailed_at, busy_window_from;
    std::optional<std::string> busy_window_zone;
    Timestamp created_at{};
};

nlohmann::json calendars_json(const std::vector<ConnectedCalendar>& calendars);
std::vector<ConnectedCalendar> calendars_from_json(const std::string& text);

void insert_calendar_connection(Session& s, const CalendarConnection& c);
std::vector<CalendarConnection> calendar_connections(Session& s, const std::string& provider_id);
std::vector<CalendarConnection> all_calendar_connections(Session& s);
std::optional<CalendarConnection> calendar_connection(Session& s, const std::string& connection_id);
void update_connection_calendars(Session& s, const std::string& connection_id, const std::vector<ConnectedCalendar>& calendars);
// The connection, its objects, busy times and written-event records; false when there was none.
bool delete_calendar_connection(Session& s, const std::string& provider_id, const std::string& connection_id);

// Takes the sync lease of a connection until `until` when it is free or
// lapsed (at `now`); false when another sync holds it.
bool take_sync_lease(Session& s, const std::string& connection_id, Timestamp now, Timestamp until);
void release_sync_lease(Session& s, const std::string& connection_id);

// After a sync: success clears the error and the outage mark; failure keeps
// the last known busy times and records the error.
void connection_synced(Session& s, const std::string& connection_id, Timestamp now);
void connection_failed(Session& s, const std::string& connection_id, const std::string& code, const std::string& detail,
                       Timestamp now);
// Marks the outage as told; true when this call marked it (it was not yet).
bool mark_outage_mailed(Session& s, const std::string& connection_id, Timestamp now);
void set_busy_window(Session& s, const std::string& connection_id, Timestamp from, const std::string& zone);

struct StoredObject {
    std::string calendar_href, href;
    std::optional<std::string> etag;
    std::string ics;
};
std::vector<StoredObject> calendar_objects(Session& s, const std::string& connection_id,
                                           const std::optional<std::string>& calendar_href = std::nullopt);
// Replaces the object and its busy times.
void put_calendar_object(Session& s, const std::string& provider_id, const std::string& connection_id,
                         const StoredObject& object, const std::vector<Interval>& busy);
void delete_calendar_object(Session& s, const std::string& connection_id, const std::string& href);
// Every object of one calendar (or the whole connection) and their busy times.
void forget_calendar(Session& s, const std::string& connection_id, const std::string& calendar_href);
void replace_object_busy(Session& s, const std::string& provider_id, const std::string& connection_id,
                         const std::string& href, const std::vector<Interval>& busy);
// The outside busy times of a provider overlapping [from, to) (for tests and the feed of the dashboard).
std::vector<Interval> calendar_busy(Session& s, const std::string& provider_id, Instant from, Instant to);

struct BookingEventRecord {
    std::string booking_id, connection_id, calendar_href, event_href;
    std::optional<std::string> etag;
    std::string written;  // what was written: start/end/status, to see a change
};
std::optional<BookingEventRecord> booking_event_record(Session& s, const std::string& booking_id,
                                                        const std::string& connection_id);
void put_booking_event_record(Session& s, const BookingEventRecord& r);
void delete_booking_event_record(Session& s, const std::string& booking_id, const std::string& connection_id);

// The feed: the provider whose feed has this secret hash; a new secret replaces the old.
void put_calendar_feed(Session& s, const std::string& provider_id, const std::string& secret_sha256, Timestamp now);
std::optional<std::string> calendar_feed_provider(Session& s, const std::string& secret_sha256);

// A deleted provider: its connections (sealed credentials), objects, busy
// times, written-event records and feed go.
void delete_provider_calendars(Session& s, const std::string& provider_id);

// Is this a booking of the provider (the UIDs of our own events name one)?
bool provider_has_booking(Session& s, const std::string& provider_id, const std::string& booking_id);

}  // namespace slotwise::server::records
