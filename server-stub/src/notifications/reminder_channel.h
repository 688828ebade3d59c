// Reminders and review requests (api.md "Reminders"). A channel of the
// booking-event fan-out: when a booking becomes CONFIRMED (created so, or
// confirmed) or is rescheduled, it queues one `reminder.send` job per
// reminder of the service, due `before_minutes` before the start (in
// instants: across a change of the clocks it is still exactly N minutes);
// when a booking is completed, one `review.send` job, due
// `review_request_after_minutes` after the end.
//
// A job decides when it runs, against the booking as it is then:
// - reminder.send sends only if the booking is CONFIRMED and still starts
//   when the job was made for (a reschedule queued new jobs under new keys;
//   a cancellation leaves nothing to remind of), only before the start, and
//   only if no nearer reminder of the booking is also due already: after an
//   outage the nearest one goes out, not a burst of stale ones.
// - review.send sends only if the booking is COMPLETED.
// What they send are other jobs, queued in the handler's transaction under
// keys derived from (booking, start, N): `mail.send` to the client (rendered
// by booking_mail.h), `sms.send` to the client (sms_channel.h; none without
// a phone), `push.send` to the provider's browsers (push_channel.h).
#pragma once

#include <string>
#include <vector>

#include "domain/model.h"
#include "store/store.h"

namespace slotwise::server::jobs {
class Dispatcher;
class JobQueue;
}  // namespace slotwise::server::jobs

namespace slotwise::server::notifications {

class EventFanOut;
struct EventContext;

inline constexpr const char* kReminderSendKind = "reminder.send";
inline constexpr const char* kReviewSendKind = "review.send";

struct ReminderOptions {
    std::string public_origin;  // where the mails' links point (--public-url)
    // ServiceOptions::manage_token_key: opens the booking's sealed manage token for the manage link.
    std::string manage_token_key;
};

// The jobs an event owes (the channel's whole decision at event time).
std::vector<Statement> reminder_jobs(const EventContext& context);

// Whether the reminder `before_minutes` ahead of `start` goes out at `now`,
// given all the reminders of the booking: before the start, and no nearer
// reminder already due. (The booking's status and start are checked apart.)
bool reminder_still_worth_sending(Instant start, int before_minutes, const std::vector<int>& all_before_minutes,
                                  Timestamp now);

void register_reminder_channel(EventFanOut& fan_out, jobs::Dispatcher& dispatcher, jobs::JobQueue& queue,
                               ReminderOptions options);

}  // namespace slotwise::server::notifications
