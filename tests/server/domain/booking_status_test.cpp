// The booking state table, whole: every (status, action, actor kind) at
// moments before and after the start and the expiry, against a table
// written out here by hand from api.md and the server's rules, not derived
// from the production table.
#include <catch2/catch.hpp>

#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "domain/booking_status.h"

using namespace slotwise::server::domain;
using S = BookingStatus;
using A = BookingAction;
using K = ActorKind;
using std::chrono::hours;
using std::chrono::minutes;

namespace {

// `confirming`/`self_confirming`: the booked service does or does not ask
// the provider to confirm (TransitionMoment::provider_confirms).
enum class Needs { nothing, started, lapsed, confirming, self_confirming };

struct Allowed {
    S from;
    A action;
    K actor;
    S to;
    Needs needs;
};

// Every allowed triple. Anything else is refused.
const std::vector<Allowed> kAllowed = {
    // The provider decides a request: operator, provider account or API key alike.
    {S::pending, A::confirm, K::operator_, S::confirmed, Needs::nothing},
    {S::pending, A::confirm, K::provider_account, S::confirmed, Needs::nothing},
    {S::pending, A::confirm, K::api_key, S::confirmed, Needs::nothing},
    {S::pending, A::decline, K::operator_, S::declined, Needs::nothing},
    {S::pending, A::decline, K::provider_account, S::declined, Needs::nothing},
    {S::pending, A::decline, K::api_key, S::declined, Needs::nothing},
    // The confirm and decline links of the provider's mail decide a request, nothing more.
    {S::pending, A::confirm, K::provider_link, S::confirmed, Needs::nothing},
    {S::pending, A::decline, K::provider_link, S::declined, Needs::nothing},
    // Either side cancels a PENDING or CONFIRMED booking, at any time.
    {S::pending, A::cancel, K::booking_client, S::cancelled, Needs::nothing},
    {S::pending, A::cancel, K::operator_, S::cancelled, Needs::nothing},
    {S::pending, A::cancel, K::provider_account, S::cancelled, Needs::nothing},
    {S::pending, A::cancel, K::api_key, S::cancelled, Needs::nothing},
    {S::confirmed, A::cancel, K::booking_client, S::cancelled, Needs::nothing},
    {S::confirmed, A::cancel, K::operator_, S::cancelled, Needs::nothing},
    {S::confirmed, A::cancel, K::provider_account, S::cancelled, Needs::nothing},
    {S::confirmed, A::cancel, K::api_key, S::cancelled, Needs::nothing},
    // Only the client moves a booking; it keeps its status.
    {S::pending, A::reschedule, K::booking_client, S::pending, Needs::nothing},
    {S::confirmed, A::reschedule, K::booking_client, S::confirmed, Needs::nothing},
    // What happened is recorded once the appointment has started.
    {S::confirmed, A::complete, K::operator_, S::completed, Needs::started},
    {S::confirmed, A::complete, K::provider_account, S::completed, Needs::started},
    {S::confirmed, A::complete, K::api_key, S::completed, Needs::started},
    {S::confirmed, A::no_show, K::operator_, S::no_show, Needs::started},
    {S::confirmed, A::no_show, K::provider_account, S::no_show, Needs::started},
    {S::confirmed, A::no_show, K::api_key, S::no_show, Needs::started},
    // The server lets holds and requests lapse.
    {S::held, A::expire, K::system, S::expired, Needs::lapsed},
    {S::pending, A::expire, K::system, S::expired, Needs::lapsed},
    // The client proves their address: the hold becomes a request or a
    // booking, as the service would have made it at once.
    {S::held, A::verify, K::booking_client, S::pending, Needs::confirming},
    {S::held, A::verify, K::booking_client, S::confirmed, Needs::self_confirming},
    // Stripe reports the payment of a paid service's hold (the server acts on
    // the signed event): the same two outcomes as a verified address.
    {S::held, A::pay, K::system, S::pending, Needs::confirming},
    {S::held, A::pay, K::system, S::confirmed, Needs::self_confirming},
};

// The credential an actor who may never take an action is asked for.
std::string actor_refusal_code(A action, K actor) {
    const bool provider_side = actor == K::operator_ || actor == K::provider_account || actor == K::api_key;
    // A link carries no other credential to ask for.
    if (actor == K::provider_link) return action == A::confirm || action == A::decline ? "" : "ACTION_NOT_ALLOWED";
    switch (action) {
        case A::confirm:
        case A::decline:
        case A::complete:
        case A::no_show:
            if (provider_side) return "";
            return actor == K::system ? "ACTION_NOT_ALLOWED" : "UNAUTHORIZED";
        case A::cancel:
            if (provider_side || actor == K::booking_client) return "";
            return actor == K::system ? "ACTION_NOT_ALLOWED" : "TOKEN_REQUIRED";
        case A::reschedule:
            if (actor == K::booking_client) return "";
            return actor == K::system ? "ACTION_NOT_ALLOWED" : "TOKEN_REQUIRED";
        case A::expire:
        case A::pay: return actor == K::system ? "" : "ACTION_NOT_ALLOWED";
        case A::verify:
            if (actor == K::booking_client) return "";
            return actor == K::system ? "ACTION_NOT_ALLOWED" : "TOKEN_REQUIRED";
    }
    return "?";
}

struct Moment {
    const char* name;
    TransitionMoment at;
    bool started, lapsed;
};

const slotwise::Timestamp kStart = slotwise::Timestamp{} + hours(24 * 20000);

std::vector<Moment> moments() {
    return {
        {"an hour before the start, expiring later", {kStart - hours(1), kStart, kStart - minutes(30)}, false, false},
        {"an hour before the start, expired", {kStart - hours(1), kStart, kStart - hours(2)}, false, true},
        {"at the expiry, before the start", {kStart - hours(1), kStart, kStart - hours(1)}, false, true},
        {"at the start, no expiry", {kStart, kStart, std::nullopt}, true, false},
        {"a minute after the start, expired", {kStart + minutes(1), kStart, kStart}, true, true},
        {"a second before the start, no expiry", {kStart - std::chrono::seconds(1), kStart, std::nullopt}, false, false},
        {"an hour before the start, expiring later, the provider confirms",
         {kStart - hours(1), kStart, kStart - minutes(30), true}, false, false},
        {"a minute after the start, expired, the provider confirms", {kStart + minutes(1), kStart, kStart, true}, true,
         true},
    };
}

const char* kind_name(K k) {
    switch (k) {
        case K::visitor: return "visitor";
        case K::booking_client: return "booking_client";
        case K::provider_account: return "provider_account";
        case K::api_key: return "api_key";
        case K::operator_: return "operator";
        case K::system: return "system";
        case K::provider_link: return "provider_link";
    }
    return "?";
}

}  // namespace

TEST_CASE("every (status, action, actor, moment) against the table written out by hand") {
    const S from = GENERATE(from_range(kBookingStatuses));
    const A action = GENERATE(from_range(kBookingActions));
    const K actor = GENERATE(K::visitor, K::booking_client, K::provider_account, K::api_key, K::operator_, K::system,
                              K::provider_link);
    const Moment moment = GENERATE(from_range(moments()));
    INFO(to_string(from) << " " << to_string(action) << " by " << kind_name(actor) << ", " << moment.name);

    const auto verdict = transition(from, action, actor, moment.at);
    const std::string actor_code = actor_refusal_code(action, actor);
    if (!actor_code.empty()) {
        REQUIRE(std::holds_alternative<TransitionRefusal>(verdict));
        CHECK(std::get<TransitionRefusal>(verdict).code == actor_code);
        CHECK(std::get<TransitionRefusal>(verdict).kind ==
              (actor_code == "ACTION_NOT_ALLOWED" ? ErrorKind::forbidden : ErrorKind::unauthenticated));
        return;
    }
    const auto in_time_at = [&](const Allowed& a) {
        return a.needs == Needs::nothing || (a.needs == Needs::started && moment.started) ||
               (a.needs == Needs::lapsed && moment.lapsed) || (a.needs == Needs::confirming && moment.at.provider_confirms) ||
               (a.needs == Needs::self_confirming && !moment.at.provider_confirms);
    };
    // The row whose condition holds, else the first row of the triple.
    const Allowed* row = nullptr;
    for (const Allowed& a : kAllowed)
        if (a.from == from && a.action == action && a.actor == actor && (!row || (!in_time_at(*row) && in_time_at(a))))
            row = &a;
    const bool in_time = row && in_time_at(*row);
    if (row && in_time) {
        REQUIRE(std::holds_alternative<BookingStatus>(verdict));
        CHECK(std::get<BookingStatus>(verdict) == row->to);
    } else {
        REQUIRE(std::holds_alternative<TransitionRefusal>(verdict));
        const auto& refusal = std::get<TransitionRefusal>(verdict);
        CHECK(refusal.code == "INVALID_TRANSITION");
        CHECK(refusal.kind == ErrorKind::conflict);
        if (row) {
            CHECK(refusal.detail == (row->needs == Needs::started ? "the appointment has not started yet"
                                                                  : "the booking has not expired yet"));
        } else {
            CHECK(refusal.detail ==
                  "cannot " + std::string(to_string(action)) + " a booking that is " + std::string(to_string(from)));
        }
    }
}

TEST_CASE("transition_or_throw throws the refusal as a domain error, with the Bearer challenge for UNAUTHORIZED") {
    const TransitionMoment at{kStart, kStart, std::nullopt};
    CHECK(transition_or_throw(S::pending, A::confirm, K::operator_, at) == S::confirmed);
    try {
        transition_or_throw(S::pending, A::confirm, K::visitor, at);
        FAIL("a visitor confirmed a booking");
    } catch (const DomainError& e) {
        CHECK(e.code == "UNAUTHORIZED");
        CHECK(e.challenge == std::optional<std::string>("Bearer"));
    }
    try {
        transition_or_throw(S::cancelled, A::cancel, K::booking_client, at);
        FAIL("a cancelled booking was cancelled again");
    } catch (const DomainError& e) {
        CHECK(e.code == "INVALID_TRANSITION");
        CHECK(std::string(e.what()) == "cannot cancel a booking that is CANCELLED");
        CHECK(!e.challenge);
    }
}

TEST_CASE("statuses and actions: their names, the way back, and which statuses block time") {
    struct Named {
        S status;
        const char* name;
        bool blocks;
    };
    const Named named = GENERATE(values<Named>({{S::held, "HELD", true},
                                                {S::pending, "PENDING", true},
                                                {S::confirmed, "CONFIRMED", true},
                                                {S::declined, "DECLINED", false},
                                                {S::cancelled, "CANCELLED", false},
                                                {S::expired, "EXPIRED", false},
                                                {S::completed, "COMPLETED", false},
                                                {S::no_show, "NO_SHOW", false}}));
    CHECK(to_string(named.status) == named.name);
    CHECK(booking_status_from(named.name) == named.status);
    CHECK(blocks_time(named.status) == named.blocks);
    CHECK(lapsed(named.status, {kStart, kStart + hours(1), kStart - minutes(1)}) ==
          (named.status == S::held || named.status == S::pending));
}

TEST_CASE("unknown status text is refused") {
    const std::string text = GENERATE("", "pending", "Pending", "PENDING ", "NO-SHOW", "DECLINE", "HELDX");
    CHECK(!booking_status_from(text));
}

TEST_CASE("action verbs are the routes' and the audit log's") {
    CHECK(to_string(A::confirm) == "confirm");
    CHECK(to_string(A::decline) == "decline");
    CHECK(to_string(A::cancel) == "cancel");
    CHECK(to_string(A::reschedule) == "reschedule");
    CHECK(to_string(A::complete) == "complete");
    CHECK(to_string(A::no_show) == "no-show");
    CHECK(to_string(A::expire) == "expire");
    CHECK(to_string(A::verify) == "verify");
}

TEST_CASE("the statuses that lapse are those of the expiry rows: HELD and PENDING") {
    CHECK(lapsing_statuses() == std::vector<S>{S::held, S::pending});
}

TEST_CASE("audit names keep the strings written before actors existed") {
    CHECK(audit_name(Actor{BookingClient{"bk_1", "t", "127.0.0.1"}}) == "client");
    CHECK(audit_name(Actor{Operator{}}) == "admin");
    CHECK(audit_name(Actor{System{}}) == "system");
    CHECK(audit_name(Actor{Visitor{"127.0.0.1"}}) == "visitor");
}
