// The calendar channel: every booking event owes a write-back job to each
// of the provider's connections with a write_to calendar (the event follows
// the booking) and a sync of each connection that blocks slots; plus the
// handlers of those jobs and the periodic sync of every connection.
#pragma once

#include "domain/calendars.h"
#include "jobs/dispatcher.h"
#include "notifications/event_fan_out.h"

namespace slotwise::server::notifications {

void register_calendar_channel(EventFanOut& fan_out, jobs::Dispatcher& dispatcher, domain::CalendarService& calendars,
                               std::chrono::seconds sync_every);

}  // namespace slotwise::server::notifications
