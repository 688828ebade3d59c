// The busy times an outside calendar object holds, read with libical: what
// calendar sync (domain/calendars.*) stores per remote object and merges into
// a provider's availability. Pure: no clock, no I/O; only the times leave
// this file (no titles), so nothing private of the provider's reaches a
// client.
#pragma once

#include <string>
#include <vector>

#include <slotwise/time.h>
#include <slotwise/zone.h>

namespace slotwise::server::domain {

// [start, end), to the minute: a start is rounded down and an end up, so a
// busy time is never shortened.
struct BusySpan {
    Instant start{}, end{};
    friend bool operator==(const BusySpan& a, const BusySpan& b) { return a.start == b.start && a.end == b.end; }
};

struct CalendarBusy {
    std::vector<BusySpan> spans;    // sorted by start, then end; overlapping ones are kept apart
    std::vector<std::string> uids;  // every VEVENT UID found, once each, so sync can skip its own events
    int skipped = 0;                // events (or a whole text) that could not be read and block nothing
};

// The busy spans of every VEVENT in `ics` that meet [from, to), clipped to it.
// Recurrences are expanded (RRULE, RDATE, EXDATE, RECURRENCE-ID overrides
// replacing their occurrence); TZIDs are read as IANA names with the engine's
// zones first, then through the object's own VTIMEZONE; floating times and
// all-day dates are read in `zone`, the provider's. TRANSP:TRANSPARENT and
// STATUS:CANCELLED block nothing. Never throws on bad input.
//
// Not read: RANGE=THISANDFUTURE (such an override moves its one occurrence
// only), and rules libical refuses or that need more than 200,000 steps to
// reach the window (a MINUTELY series from years ago): those count as skipped.
CalendarBusy busy_from_ics(const std::string& ics, Instant from, Instant to, const TimeZone& zone);

}  // namespace slotwise::server::domain
