// The engine's typed API (snapshot_input.h, refund.h, slots.h) against its
// JSON entry points: every bad field gives the same code, message and JSON
// pointer both ways, and good input gives byte-identical answers.
#include "support.h"

#include "slotwise/refund.h"
#include "slotwise/slots.h"
#include "slotwise/snapshot_input.h"

#include <algorithm>
#include <functional>

using namespace slotwise;
using namespace slotwise::test;

namespace {

ClockTime hm(int hours, int minutes) { return ClockTime{hours * 60 + minutes}; }

// The text a JSON caller would send for a clock reading; out-of-range
// readings become text that is out of range in the same way.
std::string clock_text(ClockTime t) {
    if (t.minutes < 0) return "-0:01";
    if (t.minutes > 1440) return "24:01";
    char text[6];
    write_clock(text, Minutes{t.minutes});
    return std::string(text, 5);
}

std::string weekday_text(date::weekday d) {
    constexpr const char* names[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    return d.ok() ? names[d.c_encoding()] : "Mon";
}

std::string kind_text(OverrideKind kind) {
    switch (kind) {
        case OverrideKind::block: return "block";
        case OverrideKind::add: return "add";
        case OverrideKind::replace: return "replace";
    }
    return "remove";
}

json window_json(ClockTime start, ClockTime end) { return {{"start", clock_text(start)}, {"end", clock_text(end)}}; }

// The snapshot document a JSON caller would send for `input`: the second way
// to build every case.
json to_json(const SnapshotInput& input) {
    json schedules = json::object();
    for (const auto& [name, schedule] : input.schedules) {
        json weekly = json::array();
        for (const auto& w : schedule.weekly) {
            json item = window_json(w.start, w.end);
            item["day"] = weekday_text(w.day);
            weekly.push_back(item);
        }
        json overrides = json::array();
        for (const auto& o : schedule.overrides) {
            json item = {{"date", format_date(o.date)}, {"kind", kind_text(o.kind)}};
            if (o.kind == OverrideKind::replace) {
                item["windows"] = json::array();
                for (const auto& w : o.windows) item["windows"].push_back(window_json(w.start, w.end));
            } else {
                if (o.start) item["start"] = clock_text(*o.start);
                if (o.end) item["end"] = clock_text(*o.end);
            }
            overrides.push_back(item);
        }
        schedules[name] = {{"weekly", weekly}, {"overrides", overrides}};
    }
    json services = json::array();
    for (const auto& s : input.services) {
        json service = {{"id", s.id},
                        {"schedule", s.schedule},
                        {"active", s.active},
                        {"buffer_before_minutes", s.buffer_before_minutes},
                        {"buffer_after_minutes", s.buffer_after_minutes},
                        {"min_notice_minutes", s.min_notice_minutes},
                        {"slot_interval_minutes", nullptr},
                        {"max_advance_days", nullptr}};
        service["durations"] = json::array();
        for (const auto d : s.durations) service["durations"].push_back(d);
        if (s.slot_interval_minutes) service["slot_interval_minutes"] = *s.slot_interval_minutes;
        if (s.max_advance_days) service["max_advance_days"] = *s.max_advance_days;
        services.push_back(service);
    }
    json busy = json::array();
    for (const auto& b : input.busy) busy.push_back({{"start", format_instant(b.start)}, {"end", format_instant(b.end)}});
    return {{"provider", {{"id", input.provider.id}, {"time_zone", input.provider.time_zone}, {"active", input.provider.active}}},
            {"schedules", schedules},
            {"services", services},
            {"busy", busy}};
}

SnapshotInput good_input() {
    SnapshotInput input;
    input.provider = {"p1", "Europe/Berlin", true};
    ScheduleInput& schedule = input.schedules["default"];
    schedule.weekly = {{date::Monday, hm(9, 0), hm(12, 0)}, {date::Monday, hm(13, 0), hm(17, 0)},
                       {date::Sunday, hm(22, 0), hm(24, 0)}};
    schedule.overrides = {{day("2026-12-24"), OverrideKind::block, std::nullopt, std::nullopt, {}},
                          {day("2026-12-23"), OverrideKind::block, hm(15, 0), hm(17, 0), {}},
                          {day("2026-12-27"), OverrideKind::add, hm(10, 0), hm(14, 0), {}},
                          {day("2026-12-28"), OverrideKind::replace, std::nullopt, std::nullopt, {{hm(8, 0), hm(11, 0)}}}};
    input.schedules["a/b~c"].weekly = {{date::Friday, hm(10, 0), hm(12, 0)}};
    ServiceInput s1;
    s1.id = "s1";
    s1.durations = {30, 60};
    s1.buffer_after_minutes = 10;
    s1.min_notice_minutes = 120;
    s1.max_advance_days = 60;
    ServiceInput s2;
    s2.id = "s2";
    s2.schedule = "a/b~c";
    s2.durations = {45};
    s2.slot_interval_minutes = 15;
    input.services = {s1, s2};
    input.busy = {{instant("2026-12-21T09:00:00Z"), instant("2026-12-21T09:40:00Z")},
                  {instant("2026-12-21T09:30:00Z"), instant("2026-12-21T10:00:00Z")}};
    return input;
}

struct BadField {
    const char* name;
    std::function<void(SnapshotInput&)> mutate;
    const char* code;
    const char* path;
};

ServiceInput& s1(SnapshotInput& in) { return in.services[0]; }
ScheduleInput& default_schedule(SnapshotInput& in) { return in.schedules["default"]; }

json error_json(const Error& e) {
    return {{"code", std::string(to_string(e.code))}, {"message", e.message}, {"path", e.path}};
}

}  // namespace

TEST_CASE("typed snapshot: every bad field gives the JSON parser's code, message and pointer", "[typed]") {
    const BadField c = GENERATE(values<BadField>({
        {"unknown zone", [](SnapshotInput& in) { in.provider.time_zone = "Mars/Olympus"; }, "UNKNOWN_TIME_ZONE", "/provider/time_zone"},
        {"zone case matters", [](SnapshotInput& in) { in.provider.time_zone = "europe/berlin"; }, "UNKNOWN_TIME_ZONE", "/provider/time_zone"},
        {"empty zone", [](SnapshotInput& in) { in.provider.time_zone = ""; }, "UNKNOWN_TIME_ZONE", "/provider/time_zone"},
        {"weekday out of range", [](SnapshotInput& in) { default_schedule(in).weekly[1].day = date::weekday{9}; }, "INVALID_SNAPSHOT", "/schedules/default/weekly/1/day"},
        {"24:00 as a start", [](SnapshotInput& in) { default_schedule(in).weekly[0].start = hm(24, 0); }, "INVALID_SNAPSHOT", "/schedules/default/weekly/0/start"},
        {"negative start", [](SnapshotInput& in) { default_schedule(in).weekly[0].start = ClockTime{-1}; }, "INVALID_SNAPSHOT", "/schedules/default/weekly/0/start"},
        {"end past 24:00", [](SnapshotInput& in) { default_schedule(in).weekly[2].end = ClockTime{1441}; }, "INVALID_SNAPSHOT", "/schedules/default/weekly/2/end"},
        {"empty window", [](SnapshotInput& in) { default_schedule(in).weekly[0].end = hm(9, 0); }, "INVALID_SNAPSHOT", "/schedules/default/weekly/0/end"},
        {"end before start", [](SnapshotInput& in) { default_schedule(in).weekly[1].end = hm(12, 59); }, "INVALID_SNAPSHOT", "/schedules/default/weekly/1/end"},
        {"bad window in an escaped schedule name", [](SnapshotInput& in) { in.schedules["a/b~c"].weekly = {{date::Friday, hm(10, 0), hm(9, 0)}}; }, "INVALID_SNAPSHOT", "/schedules/a~1b~0c/weekly/0/end"},
        {"block with a start only", [](SnapshotInput& in) { default_schedule(in).overrides[0].start = hm(10, 0); }, "INVALID_SNAPSHOT", "/schedules/default/overrides/0/end"},
        {"block with an end only", [](SnapshotInput& in) { default_schedule(in).overrides[0].end = hm(10, 0); }, "INVALID_SNAPSHOT", "/schedules/default/overrides/0/start"},
        {"blocked window backwards", [](SnapshotInput& in) { default_schedule(in).overrides[1].end = hm(14, 0); }, "INVALID_SNAPSHOT", "/schedules/default/overrides/1/end"},
        {"blocked window starting at 24:00", [](SnapshotInput& in) { default_schedule(in).overrides[1].start = hm(24, 0); }, "INVALID_SNAPSHOT", "/schedules/default/overrides/1/start"},
        {"add without times", [](SnapshotInput& in) { default_schedule(in).overrides[2].start.reset(); default_schedule(in).overrides[2].end.reset(); }, "INVALID_SNAPSHOT", "/schedules/default/overrides/2/start"},
        {"add without end", [](SnapshotInput& in) { default_schedule(in).overrides[2].end.reset(); }, "INVALID_SNAPSHOT", "/schedules/default/overrides/2/end"},
        {"added window empty", [](SnapshotInput& in) { default_schedule(in).overrides[2].end = hm(10, 0); }, "INVALID_SNAPSHOT", "/schedules/default/overrides/2/end"},
        {"replacement window backwards", [](SnapshotInput& in) { default_schedule(in).overrides[3].windows.push_back({hm(12, 0), hm(11, 0)}); }, "INVALID_SNAPSHOT", "/schedules/default/overrides/3/windows/1/end"},
        {"replacement window past 24:00", [](SnapshotInput& in) { default_schedule(in).overrides[3].windows[0].end = ClockTime{1500}; }, "INVALID_SNAPSHOT", "/schedules/default/overrides/3/windows/0/end"},
        {"unknown override kind", [](SnapshotInput& in) { default_schedule(in).overrides[1].kind = static_cast<OverrideKind>(7); }, "INVALID_SNAPSHOT", "/schedules/default/overrides/1/kind"},
        {"unknown schedule", [](SnapshotInput& in) { s1(in).schedule = "other"; }, "INVALID_SNAPSHOT", "/services/0/schedule"},
        {"no durations", [](SnapshotInput& in) { s1(in).durations.clear(); }, "INVALID_SNAPSHOT", "/services/0/durations"},
        {"nine durations", [](SnapshotInput& in) { s1(in).durations = {5, 10, 15, 20, 25, 30, 35, 40, 45}; }, "INVALID_SNAPSHOT", "/services/0/durations"},
        {"repeated duration", [](SnapshotInput& in) { s1(in).durations = {30, 60, 30}; }, "INVALID_SNAPSHOT", "/services/0/durations/2"},
        {"duration 4", [](SnapshotInput& in) { s1(in).durations = {4}; }, "INVALID_SNAPSHOT", "/services/0/durations/0"},
        {"duration 1441", [](SnapshotInput& in) { s1(in).durations = {30, 1441}; }, "INVALID_SNAPSHOT", "/services/0/durations/1"},
        {"huge duration", [](SnapshotInput& in) { s1(in).durations = {INT64_MAX}; }, "INVALID_SNAPSHOT", "/services/0/durations/0"},
        {"most negative duration", [](SnapshotInput& in) { s1(in).durations = {INT64_MIN}; }, "INVALID_SNAPSHOT", "/services/0/durations/0"},
        {"negative buffer before", [](SnapshotInput& in) { s1(in).buffer_before_minutes = -1; }, "INVALID_SNAPSHOT", "/services/0/buffer_before_minutes"},
        {"buffer after 1441", [](SnapshotInput& in) { s1(in).buffer_after_minutes = 1441; }, "INVALID_SNAPSHOT", "/services/0/buffer_after_minutes"},
        {"interval 4", [](SnapshotInput& in) { in.services[1].slot_interval_minutes = 4; }, "INVALID_SNAPSHOT", "/services/1/slot_interval_minutes"},
        {"interval 1441", [](SnapshotInput& in) { in.services[1].slot_interval_minutes = 1441; }, "INVALID_SNAPSHOT", "/services/1/slot_interval_minutes"},
        {"negative notice", [](SnapshotInput& in) { s1(in).min_notice_minutes = -1; }, "INVALID_SNAPSHOT", "/services/0/min_notice_minutes"},
        {"notice too long", [](SnapshotInput& in) { s1(in).min_notice_minutes = 525601; }, "INVALID_SNAPSHOT", "/services/0/min_notice_minutes"},
        {"negative advance", [](SnapshotInput& in) { s1(in).max_advance_days = -1; }, "INVALID_SNAPSHOT", "/services/0/max_advance_days"},
        {"advance too far", [](SnapshotInput& in) { s1(in).max_advance_days = 3651; }, "INVALID_SNAPSHOT", "/services/0/max_advance_days"},
        {"duplicate service id", [](SnapshotInput& in) { in.services[1].id = "s1"; }, "INVALID_SNAPSHOT", "/services/1/id"},
        {"empty busy interval", [](SnapshotInput& in) { in.busy[1].end = in.busy[1].start; }, "INVALID_SNAPSHOT", "/busy/1/end"},
        {"busy end before start", [](SnapshotInput& in) { in.busy[0].end = in.busy[0].start - Minutes{1}; }, "INVALID_SNAPSHOT", "/busy/0/end"},
    }));
    CAPTURE(c.name);
    SnapshotInput input = good_input();
    c.mutate(input);

    const auto typed = make_snapshot(input);
    REQUIRE_FALSE(typed.ok());
    const auto parsed = parse_snapshot(to_json(input));
    REQUIRE_FALSE(parsed.ok());
    CHECK(error_json(typed.error()) == error_json(parsed.error()));
    CHECK(to_string(typed.error().code) == c.code);
    CHECK(typed.error().path == c.path);
    // And through the JSON entry point, byte for byte.
    CHECK(to_answer(typed.error()).json == Engine(to_json(input).dump()).snapshot_error().json);
}

TEST_CASE("typed snapshot: good input answers exactly as its JSON document", "[typed]") {
    const SnapshotInput input = good_input();
    const auto typed = make_snapshot(input);
    REQUIRE(typed.ok());
    const Engine engine(to_json(input).dump());
    REQUIRE(engine.ok());
    CHECK(typed->busy.size() == 1);  // the two busy intervals overlap and are merged
    CHECK(typed->busy[0].end == instant("2026-12-21T10:00:00Z"));
    REQUIRE(typed->schedules.size() == 2);
    CHECK(typed->schedules[0].name == "a/b~c");  // in key order, as a JSON object's members
    CHECK(typed->services[1].schedule == 0);

    for (const char* service : {"s1", "s2"}) {
        for (const char* zone : {"Europe/Berlin", "America/New_York", "US/Eastern", "Asia/Kolkata"}) {
            CAPTURE(service, zone);
            const SlotsQuery q{service, std::nullopt, day("2026-12-01"), day("2026-12-31"), zone, instant("2026-11-25T08:00:00Z")};
            const auto list = find_slots(*typed, q);
            REQUIRE(list.ok());
            CHECK_FALSE(list->slots.empty());
            const json query_json = {{"service", service}, {"from", "2026-12-01"}, {"to", "2026-12-31"},
                                     {"time_zone", zone}, {"now", "2026-11-25T08:00:00Z"}};
            CHECK(to_answer(*list).json == engine.slots(query_json.dump()).json);
        }
    }
}

TEST_CASE("typed snapshot: schedules and services may be empty, weekly windows may reach 24:00", "[typed]") {
    SnapshotInput input;
    input.provider = {"p", "UTC", false};
    const auto empty = make_snapshot(input);
    REQUIRE(empty.ok());
    CHECK_FALSE(empty->provider_active);
    CHECK(empty->zone == find_zone("UTC"));
    CHECK(empty->services.empty());
}

TEST_CASE("typed slots: instants and viewer-local fields, across a DST change", "[typed]") {
    SnapshotInput input;
    input.provider = {"p1", "UTC", true};
    for (unsigned d = 0; d < 7; ++d) input.schedules["default"].weekly.push_back({date::weekday{d}, hm(6, 0), hm(8, 0)});
    ServiceInput service;
    service.id = "s1";
    service.durations = {60, 90};
    input.services = {service};
    const auto snapshot = make_snapshot(input);
    REQUIRE(snapshot.ok());

    // New York springs forward at 2026-03-08 07:00 UTC (02:00 EST -> 03:00 EDT).
    const SlotsQuery q{"s1", 90, day("2026-03-08"), day("2026-03-08"), "America/New_York", instant("2026-03-01T00:00:00Z")};
    const auto list = find_slots(*snapshot, q);
    REQUIRE(list.ok());
    CHECK(list->time_zone == find_zone("America/New_York"));
    CHECK(list->time_zone_name == "America/New_York");
    REQUIRE(list->slots.size() == 1);  // 06:00-07:30 UTC; 06:30 would end past 08:00
    const Slot& s = list->slots[0];
    CHECK(s.start == instant("2026-03-08T06:00:00Z"));
    CHECK(s.end == instant("2026-03-08T07:30:00Z"));
    CHECK(s.local_date == day("2026-03-08"));
    CHECK(s.local_start == local("2026-03-08", 1, 0));  // EST
    CHECK(s.local_end == local("2026-03-08", 3, 30));   // EDT
    CHECK(s.utc_offset == Minutes{-5 * 60});
    CHECK(to_answer(*list).json ==
          R"({"time_zone":"America/New_York","slots":[{"start":"2026-03-08T06:00:00Z","end":"2026-03-08T07:30:00Z",)"
          R"("local_date":"2026-03-08","local_start":"01:00","local_end":"03:30","utc_offset":"-05:00"}]})");
}

TEST_CASE("typed slots: query errors match the JSON query's", "[typed]") {
    const auto snapshot = make_snapshot(good_input());
    REQUIRE(snapshot.ok());
    const Engine engine(to_json(good_input()).dump());
    struct Row {
        const char* name;
        std::function<void(SlotsQuery&)> mutate;
        const char* code;
        const char* path;
    };
    const Row row = GENERATE(values<Row>({
        {"unknown service", [](SlotsQuery& q) { q.service = "s9"; }, "INVALID_QUERY", "/service"},
        {"duration not offered", [](SlotsQuery& q) { q.duration_minutes = 45; }, "INVALID_QUERY", "/duration_minutes"},
        {"unknown zone", [](SlotsQuery& q) { q.time_zone = "Local"; }, "UNKNOWN_TIME_ZONE", "/time_zone"},
        {"from before 2020", [](SlotsQuery& q) { q.from = day("2019-12-31"); }, "OUT_OF_RANGE", "/from"},
        {"to after 2050", [](SlotsQuery& q) { q.to = day("2051-01-01"); }, "OUT_OF_RANGE", "/to"},
        {"now after range", [](SlotsQuery& q) { q.now = instant("2051-01-02T00:00:00Z"); }, "OUT_OF_RANGE", "/now"},
        {"to before from", [](SlotsQuery& q) { q.to = day("2026-11-30"); }, "INVALID_QUERY", "/to"},
        {"367 days", [](SlotsQuery& q) { q.to = day("2027-12-03"); }, "INVALID_QUERY", "/to"},
    }));
    CAPTURE(row.name);
    SlotsQuery q{"s1", std::nullopt, day("2026-12-01"), day("2026-12-31"), "UTC", instant("2026-11-21T10:00:00Z")};
    row.mutate(q);
    const auto list = find_slots(*snapshot, q);
    REQUIRE_FALSE(list.ok());
    CHECK(to_string(list.error().code) == row.code);
    CHECK(list.error().path == row.path);
    json query_json = {{"service", q.service}, {"from", format_date(q.from)}, {"to", format_date(q.to)},
                       {"time_zone", q.time_zone}, {"now", format_instant(q.now)}};
    if (q.duration_minutes) query_json["duration_minutes"] = *q.duration_minutes;
    CHECK(to_answer(list.error()).json == engine.slots(query_json.dump()).json);
}

TEST_CASE("typed policy: checked without a refund, errors as the refund operation's", "[typed]") {
    CHECK(CancellationPolicy::named("moderate").ok());
    CHECK(std::get<NamedPolicy>(CancellationPolicy::named("strict")->rule()) == NamedPolicy::strict);
    CHECK(CancellationPolicy::from_tiers({}).ok());
    CHECK(CancellationPolicy::from_tiers({{0, 0}, {87600, 100}}).ok());

    struct Row {
        json policy;
        const char* path;  // relative to the policy
    };
    const Row row = GENERATE(values<Row>({
        {"Moderate", ""},
        {"", ""},
        {json::object(), ""},
        {5, ""},
        {nullptr, ""},
        {json::array({{{"hours_before", 24}, {"percent", 101}}}), "/0/percent"},
        {json::array({{{"hours_before", 24}, {"percent", -1}}}), "/0/percent"},
        {json::array({{{"hours_before", 24}, {"percent", 10}}, {{"hours_before", 87601}, {"percent", 10}}}), "/1/hours_before"},
        {json::array({{{"hours_before", -1}, {"percent", 10}}}), "/0/hours_before"},
        {json::parse(R"([{"hours_before": 18446744073709551615, "percent": 10}])"), "/0/hours_before"},
        {json::array({{{"hours_before", 24}}}), "/0/percent"},
        {json::array({{{"hours_before", "24"}, {"percent", 10}}}), "/0/hours_before"},
        {json::array({7}), "/0"},
    }));
    CAPTURE(row.policy.dump());
    const auto policy = parse_cancellation_policy(row.policy);
    REQUIRE_FALSE(policy.ok());
    CHECK(policy.error().code == ErrorCode::invalid_query);
    CHECK(policy.error().path == row.path);
    const json input = {{"policy", row.policy}, {"price", 5000}, {"start", "2026-12-21T12:00:00Z"},
                        {"cancelled_at", "2026-12-19T12:00:00Z"}};
    Error expected = policy.error();
    expected.path.insert(0, "/policy");
    CHECK(to_answer(expected).json == refund(input.dump()).json);

    // The typed tiers give the same error as their JSON, where the JSON is well formed.
    const auto well_formed = [](const json& tier) {
        return tier.is_object() && tier.size() == 2 && tier.contains("hours_before") && tier.contains("percent") &&
               tier.at("hours_before").is_number_integer() && tier.at("percent").is_number_integer();
    };
    if (row.policy.is_array() && std::all_of(row.policy.begin(), row.policy.end(), well_formed)) {
        const auto saturated = [](const json& v) {
            return v.is_number_unsigned() && v.get<std::uint64_t>() > INT64_MAX ? INT64_MAX : v.get<std::int64_t>();
        };
        std::vector<CancellationPolicy::Tier> tiers;
        for (const auto& t : row.policy) tiers.push_back({saturated(t.at("hours_before")), saturated(t.at("percent"))});
        const auto typed = CancellationPolicy::from_tiers(tiers);
        REQUIRE_FALSE(typed.ok());
        CHECK(error_json(typed.error()) == error_json(policy.error()));
    }
}

TEST_CASE("typed refund: the refund operation's answers, the price checked", "[typed]") {
    const auto tiers = CancellationPolicy::from_tiers({{48, 75}, {0, 10}, {24, 50}});
    REQUIRE(tiers.ok());
    const Instant start = instant("2026-12-21T12:00:00Z");
    struct Row {
        json policy;
        const char* cancelled_at;
        CancelledBy by;
        std::int64_t expected;
    };
    const json tiers_json = {{{"hours_before", 48}, {"percent", 75}}, {{"hours_before", 0}, {"percent", 10}},
                             {{"hours_before", 24}, {"percent", 50}}};
    const Row row = GENERATE_COPY(values<Row>({
        {"flexible", "2026-12-20T12:00:00Z", CancelledBy::client, 5000},
        {"flexible", "2026-12-20T12:01:00Z", CancelledBy::client, 0},
        {"moderate", "2026-12-16T12:01:00Z", CancelledBy::client, 2500},
        {"strict", "2026-12-07T12:00:00Z", CancelledBy::client, 2500},
        {"strict", "2026-12-22T12:00:00Z", CancelledBy::provider, 5000},
        {"flexible", "2026-12-01T12:00:00Z", CancelledBy::no_show, 0},
        {tiers_json, "2026-12-19T12:00:00Z", CancelledBy::client, 3750},
        {tiers_json, "2026-12-20T11:00:00Z", CancelledBy::client, 2500},
        {tiers_json, "2026-12-21T11:59:00Z", CancelledBy::client, 500},
        {tiers_json, "2026-12-21T12:01:00Z", CancelledBy::client, 0},
    }));
    CAPTURE(row.policy.dump(), row.cancelled_at);
    const auto policy = parse_cancellation_policy(row.policy);
    REQUIRE(policy.ok());
    const auto amount = refund(*policy, 5000, start, instant(row.cancelled_at), row.by);
    REQUIRE(amount.ok());
    CHECK(*amount == row.expected);
    constexpr const char* by_names[] = {"client", "provider", "no_show"};
    const json input = {{"policy", row.policy}, {"price", 5000}, {"start", "2026-12-21T12:00:00Z"},
                        {"cancelled_at", row.cancelled_at}, {"by", by_names[static_cast<int>(row.by)]}};
    CHECK(refund(input.dump()).json == R"({"refund":)" + std::to_string(row.expected) + "}");
}

TEST_CASE("typed refund: a price outside 0..10^12 is the refund operation's error", "[typed]") {
    const CancellationPolicy policy = NamedPolicy::flexible;
    const Instant start = instant("2026-12-21T12:00:00Z");
    CHECK(*refund(policy, 1'000'000'000'000, start, start - Days{2}) == 1'000'000'000'000);
    CHECK(*refund(policy, 0, start, start - Days{2}) == 0);
    for (const std::int64_t price : {std::int64_t{-1}, std::int64_t{1'000'000'000'001}, INT64_MIN, INT64_MAX}) {
        CAPTURE(price);
        const auto amount = refund(policy, price, start, start - Days{2});
        REQUIRE_FALSE(amount.ok());
        const json input = {{"policy", "flexible"}, {"price", price}, {"start", "2026-12-21T12:00:00Z"},
                            {"cancelled_at", "2026-12-19T12:00:00Z"}};
        CHECK(to_answer(amount.error()).json == refund(input.dump()).json);
        CHECK(amount.error().path == "/price");
    }
}

TEST_CASE("enumeration names convert both ways and are case-sensitive", "[typed]") {
    for (const NamedPolicy p : {NamedPolicy::flexible, NamedPolicy::moderate, NamedPolicy::strict})
        CHECK(parse_named_policy(to_string(p)) == p);
    CHECK_FALSE(parse_named_policy("Strict"));
    CHECK(parse_cancelled_by("no_show") == CancelledBy::no_show);
    CHECK_FALSE(parse_cancelled_by("noshow"));
    CHECK(parse_override_kind("replace") == OverrideKind::replace);
    CHECK_FALSE(parse_override_kind("Block"));
    CHECK(parse_weekday("sun") == date::Sunday);
    CHECK(parse_weekday("sat") == date::Saturday);
    CHECK_FALSE(parse_weekday("Sun"));
    CHECK_FALSE(parse_weekday(""));
}

TEST_CASE("the engine README's example: a snapshot, slots and a policy without JSON text", "[typed]") {
    const LocalDate from = day("2026-12-07"), to = day("2026-12-07");
    const Instant now = instant("2026-12-01T00:00:00Z");
    const json service_json = {{"cancellation_policy", {{{"hours_before", 24}, {"percent", 50}}}}};

    slotwise::SnapshotInput input;
    input.provider = {"p1", "Europe/Berlin", true};
    input.schedules["default"].weekly = {{date::Monday, {9 * 60}, {12 * 60}}};
    slotwise::ServiceInput consult;
    consult.id = "consult";
    consult.durations = {30, 60};
    input.services = {consult};
    const auto snapshot = slotwise::make_snapshot(std::move(input));  // Result<Snapshot>
    const auto slots = slotwise::find_slots(*snapshot, {"consult", std::nullopt, from, to, "America/New_York", now});
    const auto policy = slotwise::parse_cancellation_policy(service_json["cancellation_policy"]);  // Result<CancellationPolicy>

    REQUIRE(slots.ok());
    CHECK(slots->slots.size() == 6);  // 09:00..11:30 Berlin, every 30 minutes
    CHECK(slots->slots.front().local_start == local("2026-12-07", 3, 0));
    REQUIRE(policy.ok());
    CHECK(*refund(*policy, 1000, instant("2026-12-07T08:00:00Z"), instant("2026-12-06T08:00:00Z")) == 500);
}

TEST_CASE("several defects in a snapshot document: shape first, then rules, each in reading order", "[typed][errors]") {
    json doc = to_json(good_input());
    doc["provider"]["time_zone"] = "Mars/Olympus";  // a rule (make_snapshot)
    doc["busy"][1].erase("end");                    // a shape defect, later in the document
    auto parsed = parse_snapshot(doc);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().path == "/busy/1/end");
    doc["busy"][1]["end"] = "2026-12-21T10:00:00Z";
    doc["services"][0]["durations"] = {30, 30};  // a second rule, after the zone
    parsed = parse_snapshot(doc);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().code == ErrorCode::unknown_time_zone);
}

TEST_CASE("read_snapshot_input: a document as input values, rules left to make_snapshot", "[typed]") {
    const SnapshotInput good = good_input();
    const auto read = read_snapshot_input(to_json(good));
    REQUIRE(read.ok());
    CHECK(read->provider.time_zone == "Europe/Berlin");
    REQUIRE(read->schedules.count("default") == 1);
    CHECK(read->schedules.at("default").weekly.size() == 3);
    CHECK(read->schedules.at("default").overrides[3].windows.size() == 1);
    CHECK(read->services[1].slot_interval_minutes == std::optional<std::int64_t>{15});
    CHECK(read->busy.size() == 2);

    json doc = to_json(good);
    doc["provider"]["time_zone"] = "Mars/Olympus";     // a rule: read fine, refused by make_snapshot
    doc["services"][0]["durations"] = {4, 4, 1441};    // rules too
    const auto ruled = read_snapshot_input(doc);
    REQUIRE(ruled.ok());
    CHECK(ruled->services[0].durations == std::vector<std::int64_t>{4, 4, 1441});
    CHECK(make_snapshot(*ruled).error().code == ErrorCode::unknown_time_zone);

    doc["services"][0]["durations"] = {"30"};  // a wrong type
    const auto typed_wrong = read_snapshot_input(doc);
    REQUIRE_FALSE(typed_wrong.ok());
    CHECK(typed_wrong.error().path == "/services/0/durations/0");
    CHECK(typed_wrong.error().message == "expected an integer from 5 to 1440");
}
