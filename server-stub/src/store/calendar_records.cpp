#include "store/calendar_records.h"

namespace slotwise::server::records {
namespace {

constexpr const char* kConnectionColumns =
    "id, provider_id, kind, url, account, credentials_sealed, calendars, status, last_sync_at, last_error_code, "
    "last_error_detail, last_error_at, outage_mailed_at, busy_window_from, busy_window_zone, created_at";

SqlValue optional_value(const std::optional<std::string>& v) { return v ? SqlValue{*v} : SqlValue{nullptr}; }

CalendarConnection connection_from(const SqlRow& r) {
    CalendarConnection c;
    c.id = r.get<std::string>("id");
    c.provider_id = r.get<std::string>("provider_id");
    c.kind = r.get<std::string>("kind");
    c.url = r.get_optional<std::string>("url");
    c.account = r.get_optional<std::string>("account");
    c.credentials_sealed = r.get<std::string>("credentials_sealed");
    c.calendars = calendars_from_json(r.get<std::string>("calendars"));
    c.status = r.get<std::string>("status");
    c.last_sync_at = r.get_optional<Timestamp>("last_sync_at");
    c.last_error_code = r.get_optional<std::string>("last_error_code");
    c.last_error_detail = r.get_optional<std::string>("last_error_detail");
    c.last_error_at = r.get_optional<Timestamp>("last_error_at");
    c.outage_mailed_at = r.get_optional<Timestamp>("outage_mailed_at");
    c.busy_window_from = r.get_optional<Timestamp>("busy_window_from");
    c.busy_window_zone = r.get_optional<std::string>("busy_window_zone");
    c.created_at = r.get<Timestamp>("created_at");
    return c;
}

void insert_busy(Session& s, const std::string& provider_id, const std::string& connection_id, const std::string& href,
                 const std::vector<Interval>& busy) {
    for (const auto& b : busy)
        s.exec("INSERT INTO calendar_busy (connection_id, provider_id, object_href, busy_start, busy_end) "
               "VALUES ($1, $2, $3, $4, $5)",
               {connection_id, provider_id, href, epoch_seconds(b.start), epoch_seconds(b.end)});
}

}  // namespace

nlohmann::json calendars_json(const std::vector<ConnectedCalendar>& calendars) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& c : calendars)
        out.push_back({{"href", c.href},
                       {"name", c.name},
                       {"writable", c.writable},
                       {"check", c.check},
                       {"write_to", c.write_to},
                       {"token", c.token}});
    return out;
}

std::vector<ConnectedCalendar> calendars_from_json(const std::string& text) {
    std::vector<ConnectedCalendar> out;
    const auto parsed = nlohmann::json::parse(text, nullptr, false);
    if (!parsed.is_array()) return out;
    for (const auto& j : parsed) {
        if (!j.is_object() || !j.contains("href") || !j["href"].is_string()) continue;
        ConnectedCalendar c;
        c.href = j["href"].get<std::string>();
        c.name = j.value("name", std::string());
        c.writable = j.value("writable", true);
        c.check = j.value("check", false);
        c.write_to = j.value("write_to", false);
        c.token = j.value("token", std::string());
        out.push_back(std::move(c));
    }
    return out;
}

void insert_calendar_connection(Session& s, const CalendarConnection& c) {
    s.exec("INSERT INTO calendar_connections (id, provider_id, kind, url, account, credentials_sealed, calendars, status, "
           "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
           {c.id, c.provider_id, c.kind, optional_value(c.url), optional_value(c.account), c.credentials_sealed,
            calendars_json(c.calendars).dump(), c.status, epoch_seconds(c.created_at)});
}

std::vector<CalendarConnection> calendar_connections(Session& s, const std::string& provider_id) {
    std::vector<CalendarConnection> out;
    for (const auto& r : s.query(std::string("SELECT ") + kConnectionColumns +
                                     " FROM calendar_connections WHERE provider_id = $1 ORDER BY created_at, id",
                                 {provider_id}))
        out.push_back(connection_from(r));
    return out;
}

std::vector<CalendarConnection> all_calendar_connections(Session& s) {
    std::vector<CalendarConnection> out;
    for (const auto& r :
         s.query(std::string("SELECT ") + kConnectionColumns + " FROM calendar_connections ORDER BY created_at, id"))
        out.push_back(connection_from(r));
    return out;
}

std::optional<CalendarConnection> calendar_connection(Session& s, const std::string& connection_id) {
    const auto rows =
        s.query(std::string("SELECT ") + kConnectionColumns + " FROM calendar_connections WHERE id = $1", {connection_id});
    if (rows.empty()) return std::nullopt;
    return connection_from(rows[0]);
}

void update_connection_calendars(Session& s, const std::string& connection_id, const std::vector<ConnectedCalendar>& calendars) {
    s.exec("UPDATE calendar_connections SET calendars = $2 WHERE id = $1", {connection_id, calendars_json(calendars).dump()});
}

bool delete_calendar_connection(Session& s, const std::string& provider_id, const std::string& connection_id) {
    // Spelled out: SQLite applies ON DELETE CASCADE only where the
    // connection turned foreign keys on, and these tables name no parent.
    if (s.query("SELECT id FROM calendar_connections WHERE id = $1 AND provider_id = $2", {connection_id, provider_id}).empty())
        return false;
    s.exec("DELETE FROM calendar_busy WHERE connection_id = $1", {connection_id});
    s.exec("DELETE FROM calendar_objects WHERE connection_id = $1", {connection_id});
    s.exec("DELETE FROM calendar_booking_events WHERE connection_id = $1", {connection_id});
    return s.exec("DELETE FROM calendar_connections WHERE id = $1 AND provider_id = $2", {connection_id, provider_id}) == 1;
}

bool take_sync_lease(Session& s, const std::string& connection_id, Timestamp now, Timestamp until) {
    return s.exec("UPDATE calendar_connections SET sync_lease_until = $2 WHERE id = $1 AND "
                  "(sync_lease_until IS NULL OR sync_lease_until <= $3)",
                  {connection_id, epoch_seconds(until), epoch_seconds(now)}) == 1;
}

void release_sync_lease(Session& s, const std::string& connection_id) {
    s.exec("UPDATE calendar_connections SET sync_lease_until = NULL WHERE id = $1", {connection_id});
}

void connection_synced(Session& s, const std::string& connection_id, Timestamp now) {
    s.exec("UPDATE calendar_connections SET status = 'ok', last_sync_at = $2, last_error_code = NULL, "
           "last_error_detail = NULL, last_error_at = NULL, outage_mailed_at = NULL WHERE id = $1",
           {connection_id, epoch_seconds(now)});
}

void connection_failed(Session& s, const std::string& connection_id, const std::string& code, const std::string& detail,
                       Timestamp now) {
    s.exec("UPDATE calendar_connections SET status = 'error', last_error_code = $2, last_error_detail = $3, "
           "last_error_at = $4 WHERE id = $1",
           {connection_id, code, detail, epoch_seconds(now)});
}

bool mark_outage_mailed(Session& s, const std::string& connection_id, Timestamp now) {
    return s.exec("UPDATE calendar_connections SET outage_mailed_at = $2 WHERE id = $1 AND outage_mailed_at IS NULL",
                  {connection_id, epoch_seconds(now)}) == 1;
}

void set_busy_window(Session& s, const std::string& connection_id, Timestamp from, const std::string& zone) {
    s.exec("UPDATE calendar_connections SET busy_window_from = $2, busy_window_zone = $3 WHERE id = $1",
           {connection_id, epoch_seconds(from), zone});
}

std::vector<StoredObject> calendar_objects(Session& s, const std::string& connection_id,
                                           const std::optional<std::string>& calendar_href) {
    std::vector<StoredObject> out;
    const auto rows =
        calendar_href
            ? s.query("SELECT calendar_href, href, etag, ics FROM calendar_objects WHERE connection_id = $1 AND "
                      "calendar_href = $2 ORDER BY href",
                      {connection_id, *calendar_href})
            : s.query("SELECT calendar_href, href, etag, ics FROM calendar_objects WHERE connection_id = $1 ORDER BY href",
                      {connection_id});
    for (const auto& r : rows)
        out.push_back({r.get<std::string>("calendar_href"), r.get<std::string>("href"), r.get_optional<std::string>("etag"),
                       r.get<std::string>("ics")});
    return out;
}

void put_calendar_object(Session& s, const std::string& provider_id, const std::string& connection_id,
                         const StoredObject& object, const std::vector<Interval>& busy) {
    delete_calendar_object(s, connection_id, object.href);
    s.exec("INSERT INTO calendar_objects (connection_id, calendar_href, href, etag, ics) VALUES ($1, $2, $3, $4, $5)",
           {connection_id, object.calendar_href, object.href, optional_value(object.etag), object.ics});
    insert_busy(s, provider_id, connection_id, object.href, busy);
}

void delete_calendar_object(Session& s, const std::string& connection_id, const std::string& href) {
    s.exec("DELETE FROM calendar_busy WHERE connection_id = $1 AND object_href = $2", {connection_id, href});
    s.exec("DELETE FROM calendar_objects WHERE connection_id = $1 AND href = $2", {connection_id, href});
}

void forget_calendar(Session& s, const std::string& connection_id, const std::string& calendar_href) {
    s.exec("DELETE FROM calendar_busy WHERE connection_id = $1 AND object_href IN "
           "(SELECT href FROM calendar_objects WHERE connection_id = $1 AND calendar_href = $2)",
           {connection_id, calendar_href});
    s.exec("DELETE FROM calendar_objects WHERE connection_id = $1 AND calendar_href = $2", {connection_id, calendar_href});
}

void replace_object_busy(Session& s, const std::string& provider_id, const std::string& connection_id,
                         const std::string& href, const std::vector<Interval>& busy) {
    s.exec("DELETE FROM calendar_busy WHERE connection_id = $1 AND object_href = $2", {connection_id, href});
    insert_busy(s, provider_id, connection_id, href, busy);
}

std::vector<Interval> calendar_busy(Session& s, const std::string& provider_id, Instant from, Instant to) {
    std::vector<Interval> out;
    for (const auto& r : s.query("SELECT busy_start, busy_end FROM calendar_busy WHERE provider_id = $1 AND busy_start < $3 "
                                 "AND busy_end > $2 ORDER BY busy_start",
                                 {provider_id, epoch_seconds(from), epoch_seconds(to)}))
        out.push_back({r.get<Instant>("busy_start"), r.get<Instant>("busy_end")});
    return out;
}

std::optional<BookingEventRecord> booking_event_record(Session& s, const std::string& booking_id,
                                                        const std::string& connection_id) {
    const auto rows = s.query(
        "SELECT booking_id, connection_id, calendar_href, event_href, etag, written FROM calendar_booking_events "
        "WHERE booking_id = $1 AND connection_id = $2",
        {booking_id, connection_id});
    if (rows.empty()) return std::nullopt;
    const SqlRow& r = rows[0];
    return BookingEventRecord{r.get<std::string>("booking_id"), r.get<std::string>("connection_id"),
                              r.get<std::string>("calendar_href"), r.get<std::string>("event_href"),
                              r.get_optional<std::string>("etag"), r.get<std::string>("written")};
}

void put_booking_event_record(Session& s, const BookingEventRecord& r) {
    delete_booking_event_record(s, r.booking_id, r.connection_id);
    s.exec("INSERT INTO calendar_booking_events (booking_id, connection_id, calendar_href, event_href, etag, written) "
           "VALUES ($1, $2, $3, $4, $5, $6)",
           {r.booking_id, r.connection_id, r.calendar_href, r.event_href, optional_value(r.etag), r.written});
}

void delete_booking_event_record(Session& s, const std::string& booking_id, const std::string& connection_id) {
    s.exec("DELETE FROM calendar_booking_events WHERE booking_id = $1 AND connection_id = $2", {booking_id, connection_id});
}

void put_calendar_feed(Session& s, const std::string& provider_id, const std::string& secret_sha256, Timestamp now) {
    s.exec("DELETE FROM calendar_feeds WHERE provider_id = $1", {provider_id});
    s.exec("INSERT INTO calendar_feeds (provider_id, secret_sha256, created_at) VALUES ($1, $2, $3)",
           {provider_id, secret_sha256, epoch_seconds(now)});
}

std::optional<std::string> calendar_feed_provider(Session& s, const std::string& secret_sha256) {
    const auto rows = s.query("SELECT provider_id FROM calendar_feeds WHERE secret_sha256 = $1", {secret_sha256});
    if (rows.empty()) return std::nullopt;
    return rows[0].get<std::string>("provider_id");
}

void delete_provider_calendars(Session& s, const std::string& provider_id) {
    for (const auto& c : calendar_connections(s, provider_id)) delete_calendar_connection(s, provider_id, c.id);
    s.exec("DELETE FROM calendar_busy WHERE provider_id = $1", {provider_id});
    s.exec("DELETE FROM calendar_feeds WHERE provider_id = $1", {provider_id});
}

bool provider_has_booking(Session& s, const std::string& provider_id, const std::string& booking_id) {
    return !s.query("SELECT id FROM bookings WHERE id = $1 AND provider_id = $2", {booking_id, provider_id}).empty();
}

}  // namespace slotwise::server::records
