// engine.md "Windows of a provider-local date" and "From local wall time to instants".
#include "slotwise/availability.h"
#include "slotwise/snapshot.h"
#include "support.h"

using namespace slotwise;
using namespace slotwise::test;

namespace {

std::string show(const std::vector<ClockWindow>& windows) {
    std::string out;
    for (const auto& w : windows) {
        if (!out.empty()) out += " ";
        append_clock(out, Minutes{w.start.minutes});
        out += "-";
        append_clock(out, Minutes{w.end.minutes});
    }
    return out;
}

Schedule schedule_with(json weekly, json overrides) {
    const auto parsed = parse_snapshot(snapshot("UTC", std::move(weekly), json::object(), std::move(overrides)));
    REQUIRE(parsed.ok());
    return parsed->schedules.front();
}

json block(const char* date, const char* start = nullptr, const char* end = nullptr) {
    json o = {{"date", date}, {"kind", "block"}};
    if (start) o["start"] = start;
    if (end) o["end"] = end;
    return o;
}
json add(const char* date, const char* start, const char* end) {
    return {{"date", date}, {"kind", "add"}, {"start", start}, {"end", end}};
}
json replace(const char* date, json windows) { return {{"date", date}, {"kind", "replace"}, {"windows", windows}}; }
json hours(const char* start, const char* end) { return {{"start", start}, {"end", end}}; }

struct WindowCase {
    const char* name;
    json overrides;
    const char* expected;  // windows of Monday 2026-12-21
};

}  // namespace

TEST_CASE("weekly windows, then replace, add, block, merge", "[windows]") {
    const json weekly = {window("mon", "09:00", "12:00"), window("mon", "13:00", "17:00"),
                         window("tue", "08:00", "10:00")};
    const WindowCase c = GENERATE(values<WindowCase>({
        {"weekly only", json::array(), "09:00-12:00 13:00-17:00"},
        {"whole-day block", {block("2026-12-21")}, ""},
        {"block splits a window", {block("2026-12-21", "10:00", "14:00")}, "09:00-10:00 14:00-17:00"},
        {"add touching merges", {add("2026-12-21", "12:00", "13:00")}, "09:00-17:00"},
        {"add overlapping merges", {add("2026-12-21", "11:00", "13:30")}, "09:00-17:00"},
        {"add apart stays apart", {add("2026-12-21", "18:00", "24:00")}, "09:00-12:00 13:00-17:00 18:00-24:00"},
        {"replace", {replace("2026-12-21", {hours("08:00", "11:00")})}, "08:00-11:00"},
        {"replace with nothing", {replace("2026-12-21", json::array())}, ""},
        {"several replaces are a union",
         {replace("2026-12-21", {hours("08:00", "09:00")}), replace("2026-12-21", {hours("10:00", "11:00")})},
         "08:00-09:00 10:00-11:00"},
        {"add after replace", {replace("2026-12-21", {hours("08:00", "11:00")}), add("2026-12-21", "11:00", "12:00")},
         "08:00-12:00"},
        {"block beats add", {add("2026-12-21", "18:00", "20:00"), block("2026-12-21")}, ""},
        {"block cuts an added window",
         {add("2026-12-21", "17:00", "18:00"), block("2026-12-21", "16:30", "17:30")},
         "09:00-12:00 13:00-16:30 17:30-18:00"},
        {"block beats replace", {replace("2026-12-21", {hours("08:00", "11:00")}), block("2026-12-21", "08:00", "09:00")},
         "09:00-11:00"},
        {"overrides of other dates do not apply", {block("2026-12-22"), add("2026-12-20", "01:00", "02:00")},
         "09:00-12:00 13:00-17:00"},
        {"block outside every window changes nothing", {block("2026-12-21", "20:00", "21:00")},
         "09:00-12:00 13:00-17:00"},
    }));
    CAPTURE(c.name);
    CHECK(show(windows_on(schedule_with(weekly, c.overrides), day("2026-12-21"))) == c.expected);
}

TEST_CASE("overlapping weekly windows of a day merge; other weekdays are separate", "[windows]") {
    const Schedule s = schedule_with({window("mon", "11:00", "13:00"), window("mon", "09:00", "12:00"),
                                      window("sun", "00:00", "24:00")},
                                     json::array());
    CHECK(show(windows_on(s, day("2026-12-21"))) == "09:00-13:00");
    CHECK(show(windows_on(s, day("2026-12-20"))) == "00:00-24:00");
    CHECK(show(windows_on(s, day("2026-12-22"))).empty());
}

namespace {
struct InstantCase {
    const char* zone;
    const char* date;
    const char* start;
    const char* end;
    const char* expected;  // "W0 W1", or "" for an empty window
};
}  // namespace

TEST_CASE("wall-clock windows become instants across DST changes", "[windows][dst]") {
    const InstantCase c = GENERATE(values<InstantCase>({
        // engine.md's own examples, New York fall-back day.
        {"America/New_York", "2026-11-01", "01:00", "01:30", "2026-11-01T05:00:00Z 2026-11-01T06:30:00Z"},
        {"America/New_York", "2026-11-01", "00:00", "01:00", "2026-11-01T04:00:00Z 2026-11-01T05:00:00Z"},
        {"America/New_York", "2026-11-01", "00:00", "24:00", "2026-11-01T04:00:00Z 2026-11-02T05:00:00Z"},
        // Spring forward: a window inside the gap is empty; one across it is shorter.
        {"America/New_York", "2026-03-08", "02:10", "02:20", ""},
        {"America/New_York", "2026-03-08", "01:30", "03:30", "2026-03-08T06:30:00Z 2026-03-08T07:30:00Z"},
        {"America/New_York", "2026-03-08", "02:30", "04:00", "2026-03-08T07:00:00Z 2026-03-08T08:00:00Z"},
        {"America/New_York", "2026-03-08", "00:00", "02:30", "2026-03-08T05:00:00Z 2026-03-08T07:00:00Z"},
        {"Europe/Berlin", "2026-03-29", "02:00", "03:00", ""},
        {"Europe/Berlin", "2026-03-29", "01:30", "02:30", "2026-03-29T00:30:00Z 2026-03-29T01:00:00Z"},
        // Fall back: windows that start or end inside the repeated hour.
        {"Europe/Berlin", "2026-10-25", "00:00", "02:30", "2026-10-24T22:00:00Z 2026-10-25T01:30:00Z"},
        {"Europe/Berlin", "2026-10-25", "02:30", "04:00", "2026-10-25T00:30:00Z 2026-10-25T03:00:00Z"},
        {"Australia/Lord_Howe", "2026-04-05", "01:00", "02:00", "2026-04-04T14:00:00Z 2026-04-04T15:30:00Z"},
        {"Australia/Lord_Howe", "2026-10-04", "02:00", "02:30", ""},
        {"Antarctica/Troll", "2026-03-29", "00:00", "24:00", "2026-03-29T00:00:00Z 2026-03-29T22:00:00Z"},
        {"Antarctica/Troll", "2026-10-25", "00:00", "24:00", "2026-10-24T22:00:00Z 2026-10-26T00:00:00Z"},
        {"Pacific/Chatham", "2026-09-27", "02:45", "03:45", ""},
        {"Europe/Dublin", "2026-10-25", "01:00", "02:00", "2026-10-25T00:00:00Z 2026-10-25T02:00:00Z"},
        // Santiago goes back at midnight: the 24:00 end reaches the later 23:59.
        {"America/Santiago", "2026-04-04", "22:00", "24:00", "2026-04-05T01:00:00Z 2026-04-05T04:00:00Z"},
    }));
    CAPTURE(c.zone, c.date, c.start, c.end);
    const auto window = ClockWindow{*parse_clock_time(c.start, false), *parse_clock_time(c.end, true)};
    const auto instants = to_instants(*find_zone(c.zone), day(c.date), window);
    const std::string got = instants ? format_instant(instants->start) + " " + format_instant(instants->end) : "";
    CHECK(got == c.expected);
}
