// Refunds by the provider's policy (domain/refund_policy.h): each policy at
// its boundaries applied to what was received (the full price or a
// deposit), who ends the booking and how, the reschedule's cap, and the
// limit of what is left. The expected amounts are written out by hand from
// engine.md "Cancellation refund", not computed.
#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "domain/refund_policy.h"

using namespace slotwise::server;
using namespace slotwise::server::domain;
using slotwise::Instant;
using slotwise::Minutes;

namespace {

const Instant kStart = Instant{} + Minutes{60LL * 24 * 365 * 57};  // some time in 2027

Booking booking(const std::string& policy_json, std::int64_t price = 10000, std::optional<std::int64_t> ceiling = std::nullopt) {
    Booking b;
    b.id = "b1";
    b.start = kStart;
    b.price_amount = price;
    b.currency = "EUR";
    b.cancellation_policy = json::parse(policy_json);
    b.refund_ceiling = ceiling;
    return b;
}

const char* kTiers = R"([{"hours_before": 48, "percent": 80}, {"hours_before": 0, "percent": 10}])";

}  // namespace

TEST_CASE("a client's cancellation: the engine's policy applied to what was received, at the boundaries") {
    const auto [policy, received, minutes_before, expected] = GENERATE(table<std::string, std::int64_t, long long, std::int64_t>({
        // flexible: 100 % from 24 h (1440 min) before, else nothing
        {R"("flexible")", 10000, 1440, 10000},
        {R"("flexible")", 10000, 1439, 0},
        {R"("flexible")", 2500, 1440, 2500},  // a deposit: all of the deposit
        {R"("flexible")", 2500, 0, 0},
        // moderate: 100 % from 5 days (7200), 50 % from 24 h, else nothing
        {R"("moderate")", 10000, 7200, 10000},
        {R"("moderate")", 10000, 7199, 5000},
        {R"("moderate")", 10000, 1440, 5000},
        {R"("moderate")", 10000, 1439, 0},
        {R"("moderate")", 2500, 7199, 1250},
        {R"("moderate")", 2501, 7199, 1250},  // rounded down
        // strict: 50 % from 14 days (20160), else nothing
        {R"("strict")", 10000, 20160, 5000},
        {R"("strict")", 10000, 20159, 0},
        {R"("strict")", 3333, 20160, 1666},
        // tiers: the largest percent whose hours_before is reached
        {kTiers, 10000, 2880, 8000},
        {kTiers, 10000, 2879, 1000},
        {kTiers, 10000, 0, 1000},
        {kTiers, 10000, -1, 0},  // after the start
        {kTiers, 2500, 2880, 2000},
        {"[]", 10000, 100000, 0},
        // nothing received, nothing back
        {R"("flexible")", 0, 100000, 0},
    }));
    CAPTURE(policy, received, minutes_before);
    const Booking b = booking(policy);
    CHECK(refund_owed(b, {received, 0}, RefundActor::client, RefundTransition::cancel, kStart - Minutes{minutes_before}) == expected);
}

TEST_CASE("the provider's side, a decline, an expiry: everything received; a no-show: nothing") {
    const auto [actor, transition, received, expected] = GENERATE(table<RefundActor, RefundTransition, std::int64_t, std::int64_t>({
        {RefundActor::provider, RefundTransition::cancel, 10000, 10000},
        {RefundActor::operator_, RefundTransition::cancel, 10000, 10000},
        {RefundActor::provider, RefundTransition::cancel, 2500, 2500},
        {RefundActor::provider, RefundTransition::decline, 10000, 10000},
        {RefundActor::operator_, RefundTransition::decline, 2500, 2500},
        {RefundActor::system, RefundTransition::expiry, 10000, 10000},
        {RefundActor::provider, RefundTransition::no_show, 10000, 0},
        {RefundActor::operator_, RefundTransition::no_show, 2500, 0},
        {RefundActor::provider, RefundTransition::cancel, 0, 0},
    }));
    // Strict and hours before the start: a client would get nothing now.
    const Booking b = booking(R"("strict")");
    CHECK(refund_owed(b, {received, 0}, actor, transition, kStart - Minutes{60}) == expected);
}

TEST_CASE("never more than received minus what is already refunded or asked for") {
    const auto [actor, already, expected] = GENERATE(table<RefundActor, std::int64_t, std::int64_t>({
        {RefundActor::provider, 0, 10000},
        {RefundActor::provider, 2000, 8000},
        {RefundActor::provider, 10000, 0},
        {RefundActor::provider, 12000, 0},
        {RefundActor::client, 0, 5000},     // moderate, 2 days out: half
        {RefundActor::client, 4000, 5000},  // half is owed and 6000 are left
        {RefundActor::client, 6000, 4000},  // only 4000 are left
        {RefundActor::client, 10000, 0},
    }));
    CAPTURE(already);
    const Booking b = booking(R"("moderate")");
    CHECK(refund_owed(b, {10000, already}, actor, RefundTransition::cancel, kStart - Minutes{2 * 1440}) == expected);
}

TEST_CASE("a reschedule's cap, a share of the price, caps the same share of what was received") {
    const auto [price, ceiling, received, minutes_before, expected] =
        GENERATE(table<std::int64_t, std::optional<std::int64_t>, std::int64_t, long long, std::int64_t>({
            {10000, std::nullopt, 10000, 10 * 1440, 10000},  // no reschedule: flexible gives all
            {10000, 0, 10000, 10 * 1440, 0},                  // moved when a cancel gave nothing
            {10000, 5000, 10000, 10 * 1440, 5000},
            {10000, 5000, 2500, 10 * 1440, 1250},            // a deposit: half of it
            {10000, 10000, 2500, 10 * 1440, 2500},
            {10000, 5000, 2500, 60, 0},                       // the policy now gives less than the cap
            {999, 499, 333, 10 * 1440, 166},                  // 333 * 499 / 999, rounded down
            {1000000000000, 1000000000000, 1000000000000, 10 * 1440, 1000000000000},  // no overflow at the engine's limit
        }));
    CAPTURE(price, ceiling, received);
    const Booking b = booking(R"("flexible")", price, ceiling);
    CHECK(refund_owed(b, {received, 0}, RefundActor::client, RefundTransition::cancel, kStart - Minutes{minutes_before}) == expected);
}

TEST_CASE("the reasons stored with a refund") {
    CHECK(refund_reason(RefundActor::client, RefundTransition::cancel) == "cancelled_by_client");
    CHECK(refund_reason(RefundActor::provider, RefundTransition::cancel) == "cancelled_by_provider");
    CHECK(refund_reason(RefundActor::operator_, RefundTransition::cancel) == "cancelled_by_provider");
    CHECK(refund_reason(RefundActor::provider, RefundTransition::decline) == "declined_by_provider");
    CHECK(refund_reason(RefundActor::system, RefundTransition::expiry) == "payment_after_expiry");
}

TEST_CASE("a stored policy the engine refuses is a damaged row, not a refund of 0") {
    const Booking b = booking(R"("generous")");
    CHECK_THROWS_AS(refund_owed(b, {10000, 0}, RefundActor::client, RefundTransition::cancel, kStart - Minutes{60}), std::runtime_error);
}
