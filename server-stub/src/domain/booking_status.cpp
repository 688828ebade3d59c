#include "domain/booking_status.h"

#include <algorithm>
#include <cstdint>

namespace slotwise::server::domain {
namespace {

constexpr std::array<std::string_view, 8> kStatusNames = {"HELD",      "PENDING", "CONFIRMED", "DECLINED",
                                                          "CANCELLED", "EXPIRED", "COMPLETED", "NO_SHOW"};
constexpr std::array<std::string_view, 9> kActionNames = {"confirm",  "decline", "cancel", "reschedule", "complete",
                                                          "no-show", "expire",  "verify", "pay"};

// Who may take a row's transition, as a set of actor kinds.
using Actors = std::uint8_t;
constexpr Actors only(ActorKind kind) { return static_cast<Actors>(1u << static_cast<unsigned>(kind)); }
constexpr Actors kClient = only(ActorKind::booking_client);
// Anyone acting for the provider; which provider an account reaches is
// decided where the booking is loaded (issue 11), not here.
constexpr Actors kProviderSide = only(ActorKind::provider_account) | only(ActorKind::api_key) | only(ActorKind::operator_);
constexpr Actors kServer = only(ActorKind::system);
// A confirm or decline link from the provider's mail: it decides a request, nothing more.
constexpr Actors kProviderLink = only(ActorKind::provider_link);

enum class When {
    any_time,
    once_started,  // the appointment has begun: what happened can be recorded
    once_lapsed,   // expires_at has passed
    provider_confirms,          // the service asks the provider to confirm bookings
    provider_need_not_confirm,  // it does not
};

struct Row {
    BookingStatus from;
    BookingAction action;
    Actors who;
    BookingStatus to;
    When when;
};

using S = BookingStatus;
using A = BookingAction;

// THE table. A triple that is not here is refused. A client may cancel or
// move a booking at any time (the refund policy prices a late cancel; the
// engine refuses a new time it does not offer); the provider decides a
// request, cancels, and records the outcome once the appointment started.
constexpr Row kTransitions[] = {
    {S::pending, A::confirm, kProviderSide | kProviderLink, S::confirmed, When::any_time},
    {S::pending, A::decline, kProviderSide | kProviderLink, S::declined, When::any_time},
    {S::pending, A::cancel, kClient | kProviderSide, S::cancelled, When::any_time},
    {S::confirmed, A::cancel, kClient | kProviderSide, S::cancelled, When::any_time},
    {S::pending, A::reschedule, kClient, S::pending, When::any_time},
    {S::confirmed, A::reschedule, kClient, S::confirmed, When::any_time},
    {S::confirmed, A::complete, kProviderSide, S::completed, When::once_started},
    {S::confirmed, A::no_show, kProviderSide, S::no_show, When::once_started},
    {S::held, A::expire, kServer, S::expired, When::once_lapsed},
    {S::pending, A::expire, kServer, S::expired, When::once_lapsed},
    // The client proves their address with the emailed code (manage token
    // and code): the hold becomes what a booking without the proof would
    // have been at once.
    {S::held, A::verify, kClient, S::pending, When::provider_confirms},
    {S::held, A::verify, kClient, S::confirmed, When::provider_need_not_confirm},
    // Stripe reports the payment a paid service's hold waits for: the same
    // two outcomes as a verified address. A hold past its expiry is not
    // paid into a booking (its time is free): the late payment is refunded.
    {S::held, A::pay, kServer, S::pending, When::provider_confirms},
    {S::held, A::pay, kServer, S::confirmed, When::provider_need_not_confirm},
};

bool allows(Actors who, ActorKind actor) { return (who & only(actor)) != 0; }

// Every actor kind that some row lets take `action`, whatever the status.
Actors takers_of(BookingAction action) {
    Actors who = 0;
    for (const Row& row : kTransitions)
        if (row.action == action) who |= row.who;
    return who;
}

bool holds(When when, const TransitionMoment& at) {
    switch (when) {
        case When::any_time: return true;
        case When::once_started: return at.now >= at.start;
        case When::once_lapsed: return at.expires_at && *at.expires_at <= at.now;
        case When::provider_confirms: return at.provider_confirms;
        case When::provider_need_not_confirm: return !at.provider_confirms;
    }
    return false;
}

std::string not_yet(When when) {
    return when == When::once_started ? "the appointment has not started yet" : "the booking has not expired yet";
}

TransitionRefusal refusal_for(BookingAction action, ActorKind actor) {
    const Actors takers = takers_of(action);
    const std::string verb(to_string(action));
    // The server itself holds no credential to ask for, nor does a mail's
    // link (it is what it is), and nobody but the server takes the server's
    // own actions.
    const bool credential_helps = actor != ActorKind::system && actor != ActorKind::provider_link &&
                                  (takers & (kClient | kProviderSide)) != 0;
    if (!credential_helps)
        return {ErrorKind::forbidden, "ACTION_NOT_ALLOWED",
                std::string("a ") + std::string(audit_name(actor)) + " may not " + verb + " a booking"};
    if (allows(takers, ActorKind::booking_client))
        return {ErrorKind::unauthenticated, "TOKEN_REQUIRED", "the manage token is missing (?token=)"};
    return {ErrorKind::unauthenticated, "UNAUTHORIZED",
            "to " + verb + " a booking needs the provider's credential (Authorization: Bearer)"};
}

}  // namespace

std::string_view to_string(BookingStatus status) { return kStatusNames[static_cast<std::size_t>(status)]; }

std::optional<BookingStatus> booking_status_from(std::string_view text) {
    for (BookingStatus status : kBookingStatuses)
        if (to_string(status) == text) return status;
    return std::nullopt;
}

bool blocks_time(BookingStatus status) {
    return status == BookingStatus::held || status == BookingStatus::pending || status == BookingStatus::confirmed;
}

std::string_view to_string(BookingAction action) { return kActionNames[static_cast<std::size_t>(action)]; }

std::optional<TransitionRefusal> actor_refusal(BookingAction action, ActorKind actor) {
    if (allows(takers_of(action), actor)) return std::nullopt;
    return refusal_for(action, actor);
}

DomainError TransitionRefusal::error() const {
    DomainError e(kind, code, detail);
    if (code == "UNAUTHORIZED") e.with_challenge("Bearer");
    return e;
}

TransitionVerdict transition(BookingStatus from, BookingAction action, ActorKind actor, const TransitionMoment& at) {
    if (!allows(takers_of(action), actor)) return refusal_for(action, actor);
    // A triple may have several rows, each for its own condition (verify);
    // the first whose condition holds decides.
    const Row* waiting = nullptr;
    for (const Row& row : kTransitions) {
        if (row.from != from || row.action != action || !allows(row.who, actor)) continue;
        if (holds(row.when, at)) return row.to;
        if (!waiting) waiting = &row;
    }
    if (waiting) return TransitionRefusal{ErrorKind::conflict, "INVALID_TRANSITION", not_yet(waiting->when)};
    return TransitionRefusal{ErrorKind::conflict, "INVALID_TRANSITION",
                             "cannot " + std::string(to_string(action)) + " a booking that is " +
                                 std::string(to_string(from))};
}

BookingStatus transition_or_throw(BookingStatus from, BookingAction action, ActorKind actor,
                                  const TransitionMoment& at) {
    auto verdict = transition(from, action, actor, at);
    if (const auto* refusal = std::get_if<TransitionRefusal>(&verdict)) throw refusal->error();
    return std::get<BookingStatus>(verdict);
}

std::vector<BookingStatus> lapsing_statuses() {
    std::vector<BookingStatus> out;
    for (const Row& row : kTransitions)
        if (row.action == BookingAction::expire && std::find(out.begin(), out.end(), row.from) == out.end())
            out.push_back(row.from);
    return out;
}

bool lapsed(BookingStatus status, const TransitionMoment& at) {
    return std::holds_alternative<BookingStatus>(transition(status, BookingAction::expire, ActorKind::system, at));
}

}  // namespace slotwise::server::domain
