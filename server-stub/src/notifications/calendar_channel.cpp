#include "notifications/calendar_channel.h"

namespace slotwise::server::notifications {

void register_calendar_channel(EventFanOut& fan_out, jobs::Dispatcher& dispatcher, domain::CalendarService& calendars,
                               std::chrono::seconds sync_every) {
    fan_out.add_channel("calendars", [&calendars](Session& s, const EventContext& context) {
        // A refund changes nothing in the provider's calendar.
        if (!context.booking || context.event.type == BookingEventType::payment_refunded) return std::vector<Statement>{};
        return calendars.booking_event_statements(s, context.booking->provider_id, context.booking->id, context.event.id(),
                                                  context.now);
    });
    dispatcher.handle(domain::kCalendarSyncKind, [&calendars](const jobs::Job& job) { return calendars.run_sync_job(job); });
    dispatcher.handle(domain::kCalendarWriteKind, [&calendars](const jobs::Job& job) { return calendars.run_write_job(job); });
    dispatcher.every("calendar.sync.all", sync_every, [&calendars] { calendars.enqueue_all_syncs(); });
}

}  // namespace slotwise::server::notifications
