// engine.md "Slots of one service on date D" and "Query and result".
#include "support.h"

using namespace slotwise;
using namespace slotwise::test;

namespace {
std::vector<std::string> local_starts(const json& slots) {
    std::vector<std::string> out;
    for (const auto& s : slots) out.push_back(s["local_start"].get<std::string>());
    return out;
}
using Strings = std::vector<std::string>;
}  // namespace

TEST_CASE("seed example: 30 minutes with a 10-minute buffer gives :00, :40, 1:20", "[slots]") {
    const json snap = snapshot("Europe/Berlin", {window("mon", "09:00", "11:00")},
                               {{"durations", {30, 60}}, {"buffer_after_minutes", 10}});
    const json slots = slots_of(snap, query("2026-12-21", "2026-12-21", "Europe/Berlin"));
    CHECK(local_starts(slots) == Strings{"09:00", "09:40", "10:20"});
    CHECK(slots[0] == json{{"start", "2026-12-21T08:00:00Z"}, {"end", "2026-12-21T08:30:00Z"},
                           {"local_date", "2026-12-21"}, {"local_start", "09:00"}, {"local_end", "09:30"},
                           {"utc_offset", "+01:00"}});
    // The second duration has its own default interval: 60 + 10.
    json q = query("2026-12-21", "2026-12-21", "Europe/Berlin");
    q["duration_minutes"] = 60;
    CHECK(local_starts(slots_of(snap, q)) == Strings{"09:00"});
}

TEST_CASE("output is compact, keys in engine.md's order, the zone echoed as given", "[slots]") {
    const json snap = snapshot("UTC", {window("mon", "09:00", "09:30")});
    const Answer a = Engine(snap.dump()).slots(query("2026-12-21", "2026-12-21", "US/Eastern").dump());
    CHECK(a.json ==
          R"({"time_zone":"US/Eastern","slots":[{"start":"2026-12-21T09:00:00Z","end":"2026-12-21T09:30:00Z",)"
          R"("local_date":"2026-12-21","local_start":"04:00","local_end":"04:30","utc_offset":"-05:00"}]})");
}

TEST_CASE("buffers must not overlap busy intervals; touching is allowed", "[slots]") {
    const json snap = snapshot("UTC", {window("mon", "08:00", "14:00")},
                               {{"buffer_before_minutes", 15}, {"buffer_after_minutes", 15}, {"slot_interval_minutes", 15}},
                               json::array(), {{{"start", "2026-12-21T10:00:00Z"}, {"end", "2026-12-21T11:00:00Z"}}});
    const auto starts = local_starts(slots_of(snap, query("2026-12-21", "2026-12-21", "UTC")));
    CHECK(starts == Strings{"08:00", "08:15", "08:30", "08:45", "09:00", "09:15", "11:15", "11:30", "11:45",
                            "12:00", "12:15", "12:30", "12:45", "13:00", "13:15", "13:30"});
}

TEST_CASE("buffers may lie outside the window; only the appointment must be inside", "[slots]") {
    const json snap = snapshot("UTC", {window("mon", "09:00", "10:00")},
                               {{"buffer_before_minutes", 30}, {"buffer_after_minutes", 30}, {"slot_interval_minutes", 30}});
    CHECK(local_starts(slots_of(snap, query("2026-12-21", "2026-12-21", "UTC"))) == Strings{"09:00", "09:30"});
}

TEST_CASE("busy intervals in any order and overlapping", "[slots]") {
    const json busy = {{{"start", "2026-12-21T09:20:00Z"}, {"end", "2026-12-21T09:40:00Z"}},
                       {{"start", "2026-12-21T09:00:00Z"}, {"end", "2026-12-21T09:30:00Z"}},
                       {{"start", "2026-12-21T09:10:00Z"}, {"end", "2026-12-21T09:15:00Z"}}};
    const json snap = snapshot("UTC", {window("mon", "09:00", "11:00")}, {{"slot_interval_minutes", 10}}, json::array(), busy);
    CHECK(local_starts(slots_of(snap, query("2026-12-21", "2026-12-21", "UTC"))) ==
          Strings{"09:40", "09:50", "10:00", "10:10", "10:20", "10:30"});
}

TEST_CASE("minimum notice counts from now, inclusive", "[slots]") {
    const json snap = snapshot("UTC", {window("mon", "08:00", "11:00")}, {{"min_notice_minutes", 60}});
    CHECK(local_starts(slots_of(snap, query("2026-12-21", "2026-12-21", "UTC", "2026-12-21T08:00:00Z"))) ==
          Strings{"09:00", "09:30", "10:00", "10:30"});
    CHECK(local_starts(slots_of(snap, query("2026-12-21", "2026-12-21", "UTC", "2026-12-21T08:05:00Z"))) ==
          Strings{"09:30", "10:00", "10:30"});
}

TEST_CASE("maximum advance counts provider-local dates", "[slots]") {
    // 2026-12-01T10:55Z is already Dec 1, 23:55 in Auckland: one day ahead is Dec 2 there.
    const json snap = snapshot("Pacific/Auckland", every_day("09:00", "10:00"), {{"max_advance_days", 1}});
    const json slots = slots_of(snap, query("2026-11-30", "2026-12-05", "Pacific/Auckland", "2026-12-01T10:55:00Z"));
    CHECK(starts_utc(slots) == Strings{"2026-12-01T20:00:00Z", "2026-12-01T20:30:00Z"});
    CHECK(slots[0]["local_date"] == "2026-12-02");

    const json same_day = snapshot("Pacific/Auckland", every_day("23:00", "24:00"), {{"max_advance_days", 0}});
    CHECK(starts_utc(slots_of(same_day, query("2026-11-30", "2026-12-05", "UTC", "2026-12-01T00:00:00Z"))) ==
          Strings{"2026-12-01T10:00:00Z", "2026-12-01T10:30:00Z"});
}

TEST_CASE("a slot on Monday for the provider can be Sunday for the viewer", "[slots]") {
    const json snap = snapshot("Pacific/Auckland", {window("mon", "08:00", "09:00")});
    const json sunday = slots_of(snap, query("2026-12-06", "2026-12-06", "America/Los_Angeles"));
    REQUIRE(sunday.size() == 2);
    CHECK(sunday[0]["local_date"] == "2026-12-06");
    CHECK(sunday[0]["local_start"] == "11:00");
    CHECK(sunday[0]["utc_offset"] == "-08:00");
    CHECK(slots_of(snap, query("2026-12-07", "2026-12-07", "America/Los_Angeles")).empty());
}

TEST_CASE("a Berlin provider seen from Auckland: dates follow the viewer", "[slots]") {
    const json snap = snapshot("Europe/Berlin", {window("mon", "14:00", "16:00")}, {{"durations", {60}}});
    const json slots = slots_of(snap, query("2026-12-22", "2026-12-22", "Pacific/Auckland"));
    // Monday 14:00 and 15:00 in Berlin (+01) are Tuesday 02:00 and 03:00 in Auckland (+13).
    CHECK(local_starts(slots) == Strings{"02:00", "03:00"});
    CHECK(slots[0]["local_date"] == "2026-12-22");
    CHECK(slots[0]["utc_offset"] == "+13:00");
    CHECK(slots_of(snap, query("2026-12-21", "2026-12-21", "Pacific/Auckland")).empty());
}

TEST_CASE("the grid is in absolute minutes across DST changes", "[slots][dst]") {
    SECTION("New York spring forward: 5 hourly slots in a 00:00-06:00 window") {
        const json snap = snapshot("America/New_York", {window("sun", "00:00", "06:00")}, {{"durations", {60}}});
        const json slots = slots_of(snap, query("2026-03-08", "2026-03-08", "America/New_York"));
        CHECK(local_starts(slots) == Strings{"00:00", "01:00", "03:00", "04:00", "05:00"});
    }
    SECTION("New York fall back: 01:00 twice, with its offsets") {
        const json snap = snapshot("America/New_York", {window("sun", "00:00", "04:00")}, {{"durations", {60}}});
        const json slots = slots_of(snap, query("2026-11-01", "2026-11-01", "America/New_York"));
        CHECK(local_starts(slots) == Strings{"00:00", "01:00", "01:00", "02:00", "03:00"});
        CHECK(slots[1]["utc_offset"] == "-04:00");
        CHECK(slots[2]["utc_offset"] == "-05:00");
    }
    SECTION("Lord Howe's 30-minute shift keeps a 45-minute grid even") {
        const json snap = snapshot("Australia/Lord_Howe", {window("sun", "00:00", "04:00")}, {{"durations", {45}}});
        const json slots = slots_of(snap, query("2026-10-04", "2026-10-04", "Australia/Lord_Howe"));
        CHECK(local_starts(slots) == Strings{"00:00", "00:45", "01:30", "02:45"});
    }
    SECTION("Berlin fall back seen from UTC: the repeated hour is bookable twice") {
        const json snap = snapshot("Europe/Berlin", {window("sun", "02:00", "03:00")}, {{"durations", {30}}});
        const json slots = slots_of(snap, query("2026-10-25", "2026-10-25", "UTC"));
        CHECK(starts_utc(slots) ==
              Strings{"2026-10-25T00:00:00Z", "2026-10-25T00:30:00Z", "2026-10-25T01:00:00Z", "2026-10-25T01:30:00Z"});
    }
    SECTION("Troll's two-hour gap swallows a window") {
        const json snap = snapshot("Antarctica/Troll", {window("sun", "01:00", "03:00")});
        CHECK(slots_of(snap, query("2026-03-29", "2026-03-29", "UTC")).empty());
    }
    SECTION("Chatham's +12:45 and its DST start") {
        const json snap = snapshot("Pacific/Chatham", {window("sun", "02:00", "05:00")}, {{"durations", {60}}});
        const json slots = slots_of(snap, query("2026-09-27", "2026-09-27", "Pacific/Chatham"));
        // 02:00 +12:45 = 13:15Z; the jump at 14:00Z; window ends 04:59 +13:45 -> 15:15Z.
        CHECK(local_starts(slots) == Strings{"02:00", "04:00"});
        CHECK(slots[0]["utc_offset"] == "+12:45");
        CHECK(slots[1]["utc_offset"] == "+13:45");
    }
    SECTION("Dublin's negative DST") {
        const json snap = snapshot("Europe/Dublin", {window("sun", "00:00", "03:00")}, {{"durations", {60}}});
        const json slots = slots_of(snap, query("2026-03-29", "2026-03-29", "Europe/Dublin"));
        CHECK(local_starts(slots) == Strings{"00:00", "02:00"});
        CHECK(slots[1]["utc_offset"] == "+01:00");
    }
}

TEST_CASE("windows that overlap as instants give distinct, sorted starts", "[slots][dst]") {
    // New York, Nov 1: 00:30-01:10 is 04:30Z-06:10Z and 01:20-02:00 is 05:20Z-07:00Z.
    const json snap = snapshot("America/New_York", {window("sun", "00:30", "01:10"), window("sun", "01:20", "02:00")},
                               {{"durations", {30}}, {"slot_interval_minutes", 10}});
    const auto starts = starts_utc(slots_of(snap, query("2026-11-01", "2026-11-01", "UTC")));
    CHECK(std::is_sorted(starts.begin(), starts.end()));
    CHECK(std::adjacent_find(starts.begin(), starts.end()) == starts.end());
    CHECK(starts.front() == "2026-11-01T04:30:00Z");
    CHECK(starts.back() == "2026-11-01T06:30:00Z");
    CHECK(starts.size() == 13);  // 04:30..06:30 every 10 minutes
}

TEST_CASE("24:00 ends a window at the next midnight; local_end may be on the next date", "[slots]") {
    const json snap = snapshot("UTC", {window("mon", "23:00", "24:00")});
    const json slots = slots_of(snap, query("2026-12-21", "2026-12-21", "UTC"));
    CHECK(local_starts(slots) == Strings{"23:00", "23:30"});
    CHECK(slots[1]["local_end"] == "00:00");
    CHECK(slots[1]["end"] == "2026-12-22T00:00:00Z");
}

TEST_CASE("a block splits a window into two, each with its own grid", "[slots]") {
    const json snap = snapshot("UTC", {window("mon", "09:00", "12:00")}, {{"durations", {60}}},
                               {{{"date", "2026-12-21"}, {"kind", "block"}, {"start", "09:30"}, {"end", "10:15"}}});
    CHECK(local_starts(slots_of(snap, query("2026-12-21", "2026-12-21", "UTC"))) == Strings{"10:15"});
}

TEST_CASE("from and to are inclusive dates of the viewer's zone", "[slots]") {
    const json snap = snapshot("UTC", every_day("00:00", "24:00"), {{"durations", {60}}});
    const json slots = slots_of(snap, query("2026-12-21", "2026-12-22", "Asia/Kolkata"));
    REQUIRE(slots.size() == 48);
    // Hourly at :00 UTC is :30 in India; Dec 20 18:00Z is still Dec 20 there.
    CHECK(slots.front()["start"] == "2026-12-20T19:00:00Z");
    CHECK(slots.front()["local_start"] == "00:30");
    CHECK(slots.back()["local_date"] == "2026-12-22");
    CHECK(slots.back()["local_start"] == "23:30");
}

TEST_CASE("an inactive provider or service has no slots", "[slots]") {
    json snap = snapshot("UTC", every_day("09:00", "17:00"));
    snap["services"][0]["active"] = false;
    CHECK(slots_of(snap, query("2026-12-21", "2026-12-27", "UTC")).empty());
    snap["services"][0]["active"] = true;
    snap["provider"]["active"] = false;
    CHECK(slots_of(snap, query("2026-12-21", "2026-12-27", "UTC")).empty());
}

TEST_CASE("one schedule per service", "[slots]") {
    json snap = snapshot("UTC", {window("mon", "09:00", "10:00")});
    snap["schedules"]["evenings"] = {{"weekly", {window("mon", "18:00", "19:00")}}};
    snap["services"].push_back({{"id", "s2"}, {"durations", {60}}, {"schedule", "evenings"}});
    json q = query("2026-12-21", "2026-12-21", "UTC");
    q["service"] = "s2";
    CHECK(local_starts(slots_of(snap, q)) == Strings{"18:00"});
}
