// Wall time to instants in the zones engine.md and the issue single out.
#include "slotwise/zone.h"
#include "support.h"

using namespace slotwise;
using namespace slotwise::test;
using Kind = LocalResolution::Kind;

namespace {
struct Case {
    const char* zone;
    const char* date;
    int hour, minute;
    Kind kind;
    const char* earliest;
    const char* latest;
};
}  // namespace

TEST_CASE("a wall time occurs once, never or twice, as data", "[zone]") {
    const Case c = GENERATE(values<Case>({
        // New York 2026: 02:00 EST -> 03:00 EDT on Mar 8, 02:00 EDT -> 01:00 EST on Nov 1.
        {"America/New_York", "2026-03-08", 1, 59, Kind::unique, "2026-03-08T06:59:00Z", "2026-03-08T06:59:00Z"},
        {"America/New_York", "2026-03-08", 2, 30, Kind::skipped, "2026-03-08T07:00:00Z", "2026-03-08T07:00:00Z"},
        {"America/New_York", "2026-03-08", 3, 0, Kind::unique, "2026-03-08T07:00:00Z", "2026-03-08T07:00:00Z"},
        {"America/New_York", "2026-11-01", 1, 30, Kind::repeated, "2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z"},
        {"America/New_York", "2026-11-01", 2, 0, Kind::unique, "2026-11-01T07:00:00Z", "2026-11-01T07:00:00Z"},
        {"US/Eastern", "2026-11-01", 1, 0, Kind::repeated, "2026-11-01T05:00:00Z", "2026-11-01T06:00:00Z"},
        // Berlin: 02:00 -> 03:00 on Mar 29, 03:00 -> 02:00 on Oct 25.
        {"Europe/Berlin", "2026-03-29", 2, 0, Kind::skipped, "2026-03-29T01:00:00Z", "2026-03-29T01:00:00Z"},
        {"Europe/Berlin", "2026-10-25", 2, 30, Kind::repeated, "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z"},
        // Lord Howe shifts by 30 minutes: 02:00 -> 01:30 on Apr 5, 02:00 -> 02:30 on Oct 4.
        {"Australia/Lord_Howe", "2026-04-05", 1, 45, Kind::repeated, "2026-04-04T14:45:00Z", "2026-04-04T15:15:00Z"},
        {"Australia/Lord_Howe", "2026-04-05", 2, 0, Kind::unique, "2026-04-04T15:30:00Z", "2026-04-04T15:30:00Z"},
        {"Australia/Lord_Howe", "2026-10-04", 2, 15, Kind::skipped, "2026-10-03T15:30:00Z", "2026-10-03T15:30:00Z"},
        // Dublin's "negative DST" (winter is the DST period in tzdata) moves the clock like London's.
        {"Europe/Dublin", "2026-03-29", 1, 30, Kind::skipped, "2026-03-29T01:00:00Z", "2026-03-29T01:00:00Z"},
        {"Europe/Dublin", "2026-10-25", 1, 30, Kind::repeated, "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z"},
        // Troll shifts by two hours: 01:00 -> 03:00 and 03:00 -> 01:00.
        {"Antarctica/Troll", "2026-03-29", 1, 0, Kind::skipped, "2026-03-29T01:00:00Z", "2026-03-29T01:00:00Z"},
        {"Antarctica/Troll", "2026-03-29", 2, 59, Kind::skipped, "2026-03-29T01:00:00Z", "2026-03-29T01:00:00Z"},
        {"Antarctica/Troll", "2026-10-25", 1, 0, Kind::repeated, "2026-10-24T23:00:00Z", "2026-10-25T01:00:00Z"},
        {"Antarctica/Troll", "2026-10-25", 3, 0, Kind::unique, "2026-10-25T03:00:00Z", "2026-10-25T03:00:00Z"},
        // Chatham, +12:45 / +13:45: 02:45 -> 03:45 on Sep 27, 03:45 -> 02:45 on Apr 5.
        {"Pacific/Chatham", "2026-09-27", 3, 0, Kind::skipped, "2026-09-26T14:00:00Z", "2026-09-26T14:00:00Z"},
        {"Pacific/Chatham", "2026-04-05", 3, 0, Kind::repeated, "2026-04-04T13:15:00Z", "2026-04-04T14:15:00Z"},
        // Santiago goes back at midnight: 23:00-23:59 on Apr 4 happens twice.
        {"America/Santiago", "2026-04-04", 23, 30, Kind::repeated, "2026-04-05T02:30:00Z", "2026-04-05T03:30:00Z"},
        {"America/Santiago", "2026-09-06", 0, 30, Kind::skipped, "2026-09-06T04:00:00Z", "2026-09-06T04:00:00Z"},
    }));
    CAPTURE(c.zone, c.date, c.hour, c.minute);
    const TimeZone* zone = find_zone(c.zone);
    REQUIRE(zone);
    const LocalResolution r = zone->resolve(local(c.date, c.hour, c.minute));
    CHECK(r.kind == c.kind);
    CHECK(format_instant(r.earliest) == c.earliest);
    CHECK(format_instant(r.latest) == c.latest);
}

TEST_CASE("zone database: every IANA zone and link, case-sensitive, with its version", "[zone]") {
    const auto& names = zone_names();
    CHECK(names.size() > 550);
    CHECK(std::is_sorted(names.begin(), names.end()));
    for (const char* name : {"UTC", "Etc/UTC", "Europe/Kyiv", "Asia/Kolkata", "America/Argentina/Buenos_Aires",
                             "US/Eastern", "Antarctica/Troll", "Pacific/Chatham", "Australia/Lord_Howe"}) {
        CAPTURE(name);
        CHECK(find_zone(name) != nullptr);
        CHECK(std::binary_search(names.begin(), names.end(), name));
    }
    for (const char* name : {"europe/berlin", "EST5EDT ", "", "Mars/Olympus", "/etc/passwd", "Europe/Berlin/x"})
        CHECK(find_zone(name) == nullptr);
    CHECK(tz_version().size() >= 5);  // e.g. "2025b"
}

TEST_CASE("every zone answers consistently over the supported years", "[zone]") {
    // For each zone, walking every transition: local readings just before and
    // after map back to themselves, so no zone file was misread.
    for (const auto& name : zone_names()) {
        const TimeZone* zone = find_zone(name);
        for (Instant t = instant("2020-01-01T00:00:00Z"); t < instant("2051-01-01T00:00:00Z"); t += Days{97}) {
            const LocalResolution r = zone->resolve(zone->to_local(t));
            if (r.kind == LocalResolution::Kind::skipped || (r.earliest != t && r.latest != t)) {
                FAIL(name << " does not round-trip at " << format_instant(t));
            }
        }
    }
}
