// The two conversions the JSON calendar services need (google_calendar.*,
// ms_graph.*): a service's event, reduced to what blocks time, as one
// VCALENDAR/VEVENT text that domain/calendar_busy.* reads like any CalDAV
// object; and the server's own booking event (domain/calendar_invite's
// text) read back into fields for a JSON body. Titles of outside events are
// deliberately not carried over: busy times never expose them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "adapters/http_client.h"
#include "adapters/oauth_client.h"

namespace slotwise::server::adapters {

// What both JSON services' clients read answers with.
namespace calendar_json {
// The string member `key` of an object, or "" (anything else).
inline std::string str(const nlohmann::json& j, const char* key) {
    return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}
// The start of an answer's body for an error message.
inline std::string excerpt(const std::string& text) { return one_line(text, 200); }
// A JSON call to the service through the account's OAuth session: the body
// and If-Match when given, answers up to 8 MiB. A token refresh the service
// refuses is the calendar's failure ("<service> token refresh: ...").
HttpResponse send(BearerSession& session, HttpRequest request, const std::string& body,
                  const std::optional<std::string>& if_match, const char* service);
}  // namespace calendar_json

// RFC 3339 / ISO 8601 date-time to Unix seconds: "2026-11-23T09:00:00Z",
// "...+01:00", fractions ignored ("...00.0000000" as Graph writes it);
// without an offset the time is read as UTC (Graph with timeZone "UTC").
std::optional<std::int64_t> parse_rfc3339(std::string_view text);
// "2026-11-23" to "20261123", checked.
std::optional<std::string> ics_date(std::string_view iso_date);
std::string rfc3339_utc(std::int64_t unix_seconds);  // "2026-11-23T09:00:00Z"

struct BusyEvent {
    std::string uid;
    // Either UTC times or all-day dates (the end date exclusive, as both
    // services and RFC 5545 have it).
    std::int64_t start = 0, end = 0;
    std::optional<std::string> start_date, end_date;  // "YYYYMMDD"
    bool transparent = false;
    bool cancelled = false;
    bool tentative = false;
};

// A VCALENDAR holding one VEVENT: UID, DTSTAMP, DTSTART/DTEND (UTC or DATE),
// TRANSP, STATUS. No SUMMARY.
std::string busy_event_ics(const BusyEvent& event);

// The booking event the server writes: what a JSON body needs.
struct OwnEvent {
    std::string uid;
    std::string summary, description, location;
    std::int64_t start = 0, end = 0;  // UTC
    bool cancelled = false;
    bool tentative = false;
};

// Reads the first VEVENT with libical; nullopt when there is none or its
// times are missing.
std::optional<OwnEvent> read_own_event(const std::string& ics);

}  // namespace slotwise::server::adapters
