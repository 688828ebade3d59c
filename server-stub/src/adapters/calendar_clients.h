// The factory of calendar clients: a stored connection (domain/calendars.h)
// and its opened credentials become the client of its kind, and the one
// expander of iCalendar text (domain/calendar_busy.*) that sync uses. Kinds:
// caldav (adapters/caldav_client.*); google and microsoft join here
// (adapters/google_calendar.*, adapters/ms_graph.*).
#pragma once

#include "adapters/http_client.h"
#include "domain/calendars.h"

namespace slotwise::server::adapters {

// Throws CalendarError(rejected) for a kind it does not know.
domain::CalendarClientFactory calendar_client_factory(HttpClientOptions http);

// busy_from_ics behind the interface calendar sync takes.
domain::IcsExpander ics_expander();

}  // namespace slotwise::server::adapters
