// The mails about a booking (api.md part 2, "Email"): what each event of a
// booking's life tells the client and the provider, the reminders and the
// review request. Pure rendering: nothing here reads a clock, the store or
// the network; the channel (mail_channel.h) and the reminder jobs queue what
// these functions return.
//
// Every mail shows the time in its reader's zone (the client: the booking's
// `time_zone` when the engine knows it, else the provider's; the provider:
// the provider's) and the other side's zone where it differs; a mail that
// announces a time carries an .ics invite (REQUEST, or CANCEL when the time
// is off) with the booking's one UID and the event's SEQUENCE. The client's
// mails are in the client's language (domain/mail_texts.h); the provider's
// in English.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "domain/model.h"
#include "mail/message.h"

namespace slotwise::server::notifications {

enum class Reader { client, provider };

// What the rendering needs beyond the booking and the provider.
struct MailSetting {
    // Where links point (--public-url), without a trailing slash.
    std::string public_origin;
    // The provider's address (EventContext::provider_email): the invite's
    // ORGANIZER and where a provider mail goes. A provider mail is not
    // rendered without one.
    std::optional<std::string> provider_email;
    // The server's sender address (--mail-from): the invite's ORGANIZER when
    // the provider has no address.
    std::string server_email = "slotwise@localhost";
    // The booking's manage token, unsealed; without it the client's mail has
    // no manage link.
    std::optional<std::string> manage_token;
    // The iCalendar SEQUENCE of the attached invite: the booking's event
    // sequence at the time of the mail.
    int sequence = 0;
    // Where the review request sends the client (the provider document's
    // `review_url`); none: a mail to the provider's address.
    std::optional<std::string> review_url;
};

// A reminder `before_minutes` ahead of the start, to the client (or the
// provider); an .ics REQUEST attached.
mail::MailMessage reminder_mail(const Booking& booking, const ProviderConfig& provider, Reader reader,
                                int before_minutes, std::string key, const MailSetting& setting);
// After a COMPLETED visit, to the client: a link to leave a review (the
// provider's `review_url` if the provider document has one, else a reply to
// the provider's address).
mail::MailMessage review_request_mail(const Booking& booking, const ProviderConfig& provider, std::string key,
                                      const MailSetting& setting);

// The events a mail tells of. `booked` is a booking created CONFIRMED (or a
// request confirmed: see `confirmed`), `requested` one created PENDING.
enum class MailKind { booked, requested, confirmed, declined, cancelled, rescheduled, expired };

struct EventMailFacts {
    MailKind kind = MailKind::booked;
    std::string actor;  // who caused it: "client", "provider" or "system"
    // A reschedule's old time.
    std::optional<Instant> previous_start, previous_end;
    // The provider's copy of a request: the signed confirm and decline links.
    std::optional<std::string> confirm_url, decline_url;
    // A cancellation's refund, only where money was taken (refund_to_mention).
    std::optional<std::int64_t> refund_amount;
};

// `booking` as it was at the event (its status, times, reason).
mail::MailMessage booking_event_mail(const Booking& booking, const ProviderConfig& provider, Reader reader,
                                     const EventMailFacts& facts, std::string key, const MailSetting& setting);

// The refund a cancellation mail mentions, from the booking as the event
// shows it: only when money was taken (refund.paid; without it, a `payment`
// whose amount_received is not 0, or a top-level `paid`) and a refund is
// recorded: what actually goes back, 0 included. A booking with nothing
// paid shows refund {amount 0, paid false}, never mentioned.
std::optional<std::int64_t> refund_to_mention(const nlohmann::json& booking_at_event);

// `{origin}/manage/?provider=P#slotwise-booking=ID&slotwise-token=TOKEN`:
// web/manage/ opens the widget, which opens the booking from the fragment
// (a fragment never reaches a server's logs).
std::string manage_url(const std::string& public_origin, const std::string& provider_id, const std::string& booking_id,
                       const std::string& manage_token);

}  // namespace slotwise::server::notifications
