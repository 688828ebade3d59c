// engine.md "Validation": every code, and the order in which they apply.
#include "support.h"

#include <set>

using namespace slotwise;
using namespace slotwise::test;

namespace {

// UTC provider, Mondays 09:00-12:00; "s1" 30/60 minutes every 30 with a
// 10-minute after-buffer, 60 minutes' notice, 10 days ahead; "off" inactive.
json base_snapshot() {
    json snap = snapshot("UTC", {window("mon", "09:00", "12:00")},
                         {{"durations", {30, 60}}, {"slot_interval_minutes", 30}, {"buffer_after_minutes", 10},
                          {"min_notice_minutes", 60}, {"max_advance_days", 10}},
                         json::array(), {{{"start", "2026-12-07T10:35:00Z"}, {"end", "2026-12-07T11:00:00Z"}}});
    snap["services"].push_back({{"id", "off"}, {"durations", {30}}, {"active", false}});
    return snap;
}

struct Case {
    const char* name;
    const char* service;
    const char* start;
    int duration;  // 0: not given
    const char* expected;
};

}  // namespace

TEST_CASE("validation codes", "[validation]") {
    const Case c = GENERATE(values<Case>({
        {"a free slot", "s1", "2026-12-07T09:00:00Z", 0, "OK"},
        {"the second duration", "s1", "2026-12-07T09:00:00Z", 60, "OK"},
        {"last slot of the window", "s1", "2026-12-07T11:30:00Z", 30, "OK"},
        {"unknown service", "nope", "2026-12-07T09:00:00Z", 0, "UNKNOWN_SERVICE"},
        {"inactive service", "off", "2026-12-07T09:00:00Z", 0, "SERVICE_INACTIVE"},
        {"duration not offered", "s1", "2026-12-07T09:00:00Z", 45, "INVALID_DURATION"},
        {"before now + notice", "s1", "2026-12-01T00:30:00Z", 0, "TOO_SOON"},
        {"beyond max advance", "s1", "2026-12-14T09:00:00Z", 0, "TOO_FAR"},
        {"no window that day", "s1", "2026-12-08T09:00:00Z", 0, "OUTSIDE_AVAILABILITY"},
        {"before the window", "s1", "2026-12-07T08:30:00Z", 0, "OUTSIDE_AVAILABILITY"},
        {"runs past the window", "s1", "2026-12-07T11:30:00Z", 60, "OUTSIDE_AVAILABILITY"},
        {"inside but off the grid", "s1", "2026-12-07T09:15:00Z", 0, "OFF_GRID"},
        {"overlaps busy", "s1", "2026-12-07T10:30:00Z", 0, "SLOT_TAKEN"},
        {"after-buffer overlaps busy", "s1", "2026-12-07T10:00:00Z", 0, "SLOT_TAKEN"},
        {"touching busy is fine", "s1", "2026-12-07T11:00:00Z", 0, "OK"},
    }));
    CAPTURE(c.name);
    json request = {{"service", c.service}, {"start", c.start}, {"now", "2026-12-01T00:00:00Z"}};
    if (c.duration) request["duration_minutes"] = c.duration;
    CHECK(verdict(base_snapshot(), request) == c.expected);
}

TEST_CASE("the first code that applies wins", "[validation]") {
    json inactive = base_snapshot();
    inactive["provider"]["active"] = false;
    const json late = {{"start", "2026-12-01T00:30:00Z"}, {"now", "2026-12-01T00:00:00Z"}};
    auto req = [&](const char* service, int duration = 0) {
        json r = late;
        r["service"] = service;
        if (duration) r["duration_minutes"] = duration;
        return r;
    };
    CHECK(verdict(inactive, req("nope")) == "UNKNOWN_SERVICE");
    CHECK(verdict(inactive, req("off")) == "PROVIDER_INACTIVE");
    CHECK(verdict(base_snapshot(), req("off", 45)) == "SERVICE_INACTIVE");
    CHECK(verdict(base_snapshot(), req("s1", 45)) == "INVALID_DURATION");
    CHECK(verdict(base_snapshot(), req("s1")) == "TOO_SOON");  // also outside and off grid
    const json far = {{"service", "s1"}, {"start", "2026-12-15T09:15:00Z"}, {"now", "2026-12-01T00:00:00Z"}};
    CHECK(verdict(base_snapshot(), far) == "TOO_FAR");  // also outside availability
}

TEST_CASE("validation agrees with the slot list, DST days included", "[validation][dst]") {
    const char* zone = GENERATE("America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Antarctica/Troll");
    const json snap = snapshot(zone, every_day("00:00", "24:00"), {{"durations", {45}}, {"buffer_after_minutes", 5}});
    const json q = query("2026-03-07", "2026-03-30", "UTC", "2026-03-01T00:00:00Z");
    const json slots = slots_of(snap, q);
    std::set<std::string> listed;
    for (const auto& s : slots) listed.insert(s["start"].get<std::string>());
    for (Instant t = instant("2026-03-07T00:00:00Z"); t < instant("2026-03-31T00:00:00Z"); t += Minutes{5}) {
        const json request = {{"service", "s1"}, {"start", format_instant(t)}, {"now", "2026-03-01T00:00:00Z"}};
        const bool ok = verdict(snap, request) == "OK";
        if (ok != (listed.count(format_instant(t)) > 0)) FAIL(zone << " disagrees at " << format_instant(t));
    }
}
