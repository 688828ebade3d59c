// What the server asks of a provider's outside calendar, whatever serves it:
// CalDAV (caldav_client.*), the Google Calendar API (google_calendar.*) or
// Microsoft Graph (ms_graph.*). Calendar sync (domain/calendars.*) speaks
// only this interface, so a test can put a fake behind it and one sync
// algorithm serves every kind.
//
// Every remote object travels as iCalendar text: CalDAV stores it that way,
// and the Google and Graph clients turn each JSON event into one VCALENDAR
// holding a VEVENT (UTC or DATE times, TRANSP, STATUS, RRULE/EXDATE when the
// service gives them), so one expander (domain/calendar_busy.*) reads all.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace slotwise::server::adapters {

struct RemoteCalendar {
    std::string href;  // the calendar's stable id at the service (a CalDAV collection URL, a Google calendarId)
    std::string name;  // the display name, for the provider's choice
    bool writable = true;
};

// One calendar object resource (CalDAV) or one event (Google, Graph).
struct RemoteObject {
    std::string href;  // stable per object; what `removed` names later
    std::string etag;  // empty when the service gives none
    std::string ics;   // a whole VCALENDAR
};

// The answer to "what changed since `token`". With `full`, `changed` is the
// whole collection and anything known but absent from it is gone (the caller
// works that out); otherwise `removed` lists what went away.
struct ChangeSet {
    std::vector<RemoteObject> changed;
    std::vector<std::string> removed;
    std::string next_token;  // stored and passed back next time; opaque
    bool full = false;
};

struct WrittenEvent {
    std::string href;
    std::string etag;
};

enum class CalendarFailure {
    unreachable,          // DNS, connect, TLS, timeout, 5xx
    auth_failed,          // 401/403 from the service, or a refresh token it refused
    sync_token_expired,   // the token is no longer valid: call changes() with an empty token
    precondition_failed,  // If-Match / If-None-Match did not hold (someone else changed it)
    not_found,            // the object or calendar is gone
    rejected,             // the service refused what we sent (4xx other than the above)
};

struct CalendarError : std::runtime_error {
    CalendarFailure failure;
    CalendarError(CalendarFailure f, const std::string& what) : std::runtime_error(what), failure(f) {}
};

// All calls block and may throw CalendarError; nothing else escapes.
class CalendarClient {
public:
    virtual ~CalendarClient() = default;
    // Checks the credentials and discovers the account's calendars.
    virtual std::vector<RemoteCalendar> list_calendars() = 0;
    // An empty token asks for everything (and a fresh token).
    virtual ChangeSet changes(const std::string& calendar_href, const std::string& token) = 0;
    // Creates (no if_match: only if absent) or replaces (if_match: only if
    // still that version) the event with this UID in the calendar.
    virtual WrittenEvent put_event(const std::string& calendar_href, const std::string& uid, const std::string& ics,
                                   const std::optional<std::string>& if_match) = 0;
    // Deleting what is already gone is not an error.
    virtual void delete_event(const std::string& event_href, const std::optional<std::string>& if_match) = 0;
};

}  // namespace slotwise::server::adapters
