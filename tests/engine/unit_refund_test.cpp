// engine.md "Cancellation refund".
#include "support.h"

using namespace slotwise;
using namespace slotwise::test;

namespace {
struct Case {
    json policy;
    long long price;
    const char* cancelled_at;  // start is 2026-12-21T12:00:00Z
    const char* by;            // nullptr: default (client)
    long long expected;
};
}  // namespace

TEST_CASE("refunds by policy, exact minute thresholds, rounding down", "[refund]") {
    const json tiers = {{{"hours_before", 48}, {"percent", 75}}, {{"hours_before", 0}, {"percent", 10}},
                        {{"hours_before", 24}, {"percent", 50}}};
    const Case c = GENERATE_COPY(values<Case>({
        {"flexible", 5000, "2026-12-20T12:00:00Z", nullptr, 5000},  // exactly 24 h
        {"flexible", 5000, "2026-12-20T12:01:00Z", nullptr, 0},     // 23:59 before
        {"flexible", 5000, "2026-12-21T12:00:00Z", nullptr, 0},     // at the start
        {"moderate", 5000, "2026-12-16T12:00:00Z", nullptr, 5000},  // exactly 5 days
        {"moderate", 5000, "2026-12-16T12:01:00Z", nullptr, 2500},
        {"moderate", 999, "2026-12-20T12:00:00Z", nullptr, 499},    // 50% rounds down
        {"moderate", 5000, "2026-12-20T12:01:00Z", nullptr, 0},
        {"strict", 5000, "2026-12-07T12:00:00Z", nullptr, 2500},    // exactly 14 days
        {"strict", 5000, "2026-12-07T12:01:00Z", nullptr, 0},
        {"strict", 5000, "2026-12-22T12:00:00Z", "client", 0},      // after the start
        {tiers, 1000, "2026-12-19T12:00:00Z", nullptr, 750},
        {tiers, 1000, "2026-12-19T12:01:00Z", nullptr, 500},
        {tiers, 1000, "2026-12-21T11:59:00Z", nullptr, 100},
        {tiers, 1000, "2026-12-21T12:00:00Z", nullptr, 100},        // at the start: 0 h <= 0
        {tiers, 1000, "2026-12-21T12:01:00Z", nullptr, 0},          // after the start
        {json::array(), 1000, "2026-11-01T00:00:00Z", nullptr, 0},  // no tiers
        {"strict", 5000, "2026-12-21T11:00:00Z", "provider", 5000},
        {"flexible", 5000, "2026-11-01T00:00:00Z", "no_show", 0},
        {"flexible", 1000000000000, "2026-11-01T00:00:00Z", nullptr, 1000000000000},
        {"flexible", 0, "2026-11-01T00:00:00Z", nullptr, 0},
    }));
    json input = {{"policy", c.policy}, {"price", c.price}, {"start", "2026-12-21T12:00:00Z"}, {"cancelled_at", c.cancelled_at}};
    if (c.by) input["by"] = c.by;
    CAPTURE(input.dump());
    const Answer a = refund(input.dump());
    REQUIRE_FALSE(a.is_error);
    CHECK(a.json == R"({"refund":)" + std::to_string(c.expected) + "}");
}
