// A booking as an iCalendar (RFC 5545) event, built with libical: the one
// builder behind GET /v1/bookings/{id}.ics and the invites the booking mails
// carry, so that a calendar sees one event (one UID) whose SEQUENCE grows
// with every change, whichever way it got the file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <slotwise/time.h>

#include "domain/model.h"

namespace slotwise::server {

// RFC 5546 (iTIP): PUBLISH for a file the reader downloads, REQUEST for an
// invite that adds or updates the event, CANCEL for one that removes it.
enum class InviteMethod { publish, request, cancel };

struct InvitePerson {
    std::string name;   // CN, may be empty
    std::string email;  // the mailto: address
};

struct CalendarInvite {
    std::string uid;
    int sequence = 0;
    InviteMethod method = InviteMethod::publish;
    BookingStatus status = BookingStatus::confirmed;  // STATUS: TENTATIVE, CONFIRMED or CANCELLED
    Timestamp stamp{};                                // DTSTAMP: when this file was made
    Instant start{}, end{};
    std::string summary, description;
    std::optional<std::string> location, url;
    std::optional<InvitePerson> organizer;
    std::vector<InvitePerson> attendees;
    // A display alarm this long before the start; none on a cancellation.
    std::optional<int> alarm_minutes_before;
};

// The text/calendar document (CRLF lines, folded at 75 octets by libical).
std::string render_ics(const CalendarInvite& invite);

// The UID of a booking's event for its whole life. The booking id is random
// and unique already; the right side does not follow --public-url, so a
// changed origin does not split one booking into two calendar events.
std::string booking_uid(const std::string& booking_id);

// STATUS for a booking status: a request is TENTATIVE; a declined, cancelled
// or expired one is off the calendar (RFC 5545 has nothing finer); what
// happened at a visit does not change that it took place.
std::string_view ics_status(BookingStatus status);

// The event of a booking as both the download and the mails show it:
// "<service> with <provider>" (or "<service>: <client>" for the provider's
// copy), the meeting link as LOCATION and URL, else the provider's address
// as LOCATION (not for an online service), and an alarm an hour before
// unless it is a cancellation.
struct BookingInviteOptions {
    int sequence = 0;
    InviteMethod method = InviteMethod::publish;
    Timestamp stamp{};
    bool for_provider = false;
    std::optional<InvitePerson> organizer;   // the provider
    std::string description;                 // the caller's words; empty: "<service> with <provider>"
};
CalendarInvite booking_invite(const Booking& booking, const ProviderConfig* provider, const BookingInviteOptions& options);

}  // namespace slotwise::server
