// The email channel of the event fan-out (event_fan_out.h): for each event
// of a booking's life, the mails it owes the client and the provider,
// queued as `mail.send` jobs in the fan-out's transaction.
//
// Who hears of what (one table, mail_plan):
//   created      client: "confirmed" (or "request received" for PENDING);
//                provider: "new booking" (or "request waiting" with confirm
//                and decline links)
//   confirmed, declined, cancelled, rescheduled, expired
//                client: always; provider: as the provider's settings say
//   completed    nothing (the review request is a job of its own)
//   no_show      nothing
// The provider never hears of what the provider did, and nothing goes to a
// provider without an address. Each job's key is "mail.send:" + the event's
// id + ":client" or ":provider", so a second run of the fan-out for the same
// event queues nothing twice.
#pragma once

#include <optional>
#include <string>

#include "domain/booking_events.h"
#include "notifications/booking_mail.h"
#include "notifications/event_fan_out.h"

namespace slotwise::server::notifications {

struct MailChannelOptions {
    std::string public_origin;  // --public-url, for the manage and action links
    std::string server_email;   // --mail-from's address: the ORGANIZER when the provider has none
    // ServiceOptions::manage_token_key: opens the booking's sealed manage token for the manage link.
    std::string manage_token_key;
};

// What one event owes by mail: the kind of message, or none, for each side.
struct MailPlan {
    std::optional<MailKind> client, provider;
};
// `status_at_event` tells a booking created PENDING from one created CONFIRMED;
// `tells_provider` is the provider's setting for this event by email.
MailPlan mail_plan(domain::BookingEventType type, BookingStatus status_at_event, bool tells_client, bool tells_provider);

void register_mail_channel(EventFanOut& fan_out, MailChannelOptions options);

}  // namespace slotwise::server::notifications
