// A booking's status and the one table of its transitions: who may move a
// booking from which status to which, and when. Every change of status in
// the server (a client's cancel or reschedule, the provider's confirm,
// decline, cancel, complete and no-show, the expiry of overdue requests)
// asks `transition` first, and so does a client's proof of their email
// address (verify: a HELD booking moves on).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <slotwise/time.h>

#include "domain/actor.h"
#include "domain/domain_error.h"

namespace slotwise::server::domain {

// api.md part 2, "Booking statuses".
enum class BookingStatus { held, pending, confirmed, declined, cancelled, expired, completed, no_show };

inline constexpr std::array<BookingStatus, 8> kBookingStatuses = {
    BookingStatus::held,      BookingStatus::pending, BookingStatus::confirmed, BookingStatus::declined,
    BookingStatus::cancelled, BookingStatus::expired, BookingStatus::completed, BookingStatus::no_show};

// The wire and column form: "HELD", "NO_SHOW", ...
std::string_view to_string(BookingStatus status);
std::optional<BookingStatus> booking_status_from(std::string_view text);

// HELD, PENDING and CONFIRMED block time and count as a client's open
// bookings; no other status does (api.md part 2).
bool blocks_time(BookingStatus status);

// pay: Stripe reported the payment a HELD booking of a paid service waits
// for (the server acts on Stripe's signed word; domain/payment_flow.h).
enum class BookingAction { confirm, decline, cancel, reschedule, complete, no_show, expire, verify, pay };

inline constexpr std::array<BookingAction, 9> kBookingActions = {
    BookingAction::confirm,  BookingAction::decline, BookingAction::cancel, BookingAction::reschedule,
    BookingAction::complete, BookingAction::no_show, BookingAction::expire, BookingAction::verify,
    BookingAction::pay};

// The verb of the route and of the audit entry ("booking.no-show").
std::string_view to_string(BookingAction action);

// What the "when" of a transition looks at.
struct TransitionMoment {
    Timestamp now;                        // the server's clock
    Timestamp start;                      // the appointment's start
    std::optional<Timestamp> expires_at;  // when a HELD or PENDING booking lapses
    // The booked service asks the provider to confirm each booking: a
    // verified hold becomes a request (PENDING) rather than CONFIRMED.
    bool provider_confirms = false;
};

// Why a transition is refused: the stable code, the kind of error it is and
// a sentence for people.
struct TransitionRefusal {
    ErrorKind kind;
    std::string code;
    std::string detail;

    DomainError error() const;
};

using TransitionVerdict = std::variant<BookingStatus, TransitionRefusal>;

// Looks the triple up in the table. The actor comes first: whatever the
// status, an actor who may never take the action is told which credential
// it needs (TOKEN_REQUIRED for a client's action, UNAUTHORIZED for a
// provider's; ACTION_NOT_ALLOWED when no credential would help). Then the
// status (INVALID_TRANSITION), then the row's condition on the time
// (INVALID_TRANSITION, saying why).
TransitionVerdict transition(BookingStatus from, BookingAction action, ActorKind actor, const TransitionMoment& at);

// The refusal an actor gets for an action it may never take, whatever the
// status (the first check of `transition`); nullopt when some row lets it.
std::optional<TransitionRefusal> actor_refusal(BookingAction action, ActorKind actor);

// The status after the transition, or throws the refusal as a DomainError.
BookingStatus transition_or_throw(BookingStatus from, BookingAction action, ActorKind actor,
                                  const TransitionMoment& at);

// True when a booking in `status` would lapse at `at` (the expiry row of the
// table allows the server to move it): a PENDING request or a HELD slot past
// its `expires_at`.
bool lapsed(BookingStatus status, const TransitionMoment& at);

// The statuses the expiry row lets lapse (HELD, PENDING): the store's SQL
// for "past its expiry" is written from this list, so the rule is the
// table's alone.
std::vector<BookingStatus> lapsing_statuses();

}  // namespace slotwise::server::domain
