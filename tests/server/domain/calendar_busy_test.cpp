// busy_from_ics (server-stub/src/domain/calendar_busy.*): what an outside
// calendar object blocks. Expected instants are worked out by hand from
// RFC 5545 and the IANA rules (Europe/Berlin: CET +01:00, CEST +02:00 from
// 2026-03-29T01:00Z to 2026-10-25T01:00Z), not computed by the code under test.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "domain/calendar_busy.h"

using namespace slotwise;
using slotwise::server::domain::busy_from_ics;
using slotwise::server::domain::CalendarBusy;

namespace {

Instant at(const char* text) {
    auto t = parse_instant(text);
    REQUIRE(t);
    return *t;
}

const TimeZone& zone(const char* name) {
    const TimeZone* z = find_zone(name);
    REQUIRE(z);
    return *z;
}

// One VCALENDAR around `body`, with CRLF line ends as on the wire.
std::string calendar(const std::string& body) {
    std::string text = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n" + body + "END:VCALENDAR\n";
    std::string crlf;
    for (char c : text) {
        if (c == '\n') crlf += '\r';
        crlf += c;
    }
    return crlf;
}

std::string event(const std::string& lines, const std::string& uid = "e1") {
    return "BEGIN:VEVENT\nUID:" + uid + "\nDTSTAMP:20260101T000000Z\n" + lines + "END:VEVENT\n";
}

// Spans as "start/end" text, so a failure shows readable times.
std::vector<std::string> text(const CalendarBusy& busy) {
    std::vector<std::string> out;
    for (const auto& s : busy.spans) out.push_back(format_instant(s.start) + "/" + format_instant(s.end));
    return out;
}

using Spans = std::vector<std::string>;

// A window covering all of 2026 and the first days of 2027.
const char* kFrom = "2026-01-01T00:00:00Z";
const char* kTo = "2027-01-10T00:00:00Z";

CalendarBusy busy(const std::string& ics, const char* provider_zone = "Europe/Berlin", const char* from = kFrom,
                  const char* to = kTo) {
    return busy_from_ics(ics, at(from), at(to), zone(provider_zone));
}

}  // namespace

TEST_CASE("single events: UTC, TZID, floating, all-day, DURATION", "[calendar_busy]") {
    struct Row {
        const char* name;
        std::string lines;
        const char* provider_zone;
        Spans expected;
    };
    auto row = GENERATE(values<Row>({
        {"UTC", "DTSTART:20260610T100000Z\nDTEND:20260610T110000Z\n", "Europe/Berlin",
         {"2026-06-10T10:00:00Z/2026-06-10T11:00:00Z"}},
        {"TZID in summer", "DTSTART;TZID=Europe/Berlin:20260610T100000\nDTEND;TZID=Europe/Berlin:20260610T113000\n",
         "UTC", {"2026-06-10T08:00:00Z/2026-06-10T09:30:00Z"}},
        {"TZID in winter", "DTSTART;TZID=Europe/Berlin:20261210T100000\nDTEND;TZID=Europe/Berlin:20261210T113000\n",
         "UTC", {"2026-12-10T09:00:00Z/2026-12-10T10:30:00Z"}},
        {"DTEND in another zone", "DTSTART;TZID=Europe/Berlin:20260610T100000\nDTEND;TZID=Europe/London:20260610T100000\n",
         "UTC", {"2026-06-10T08:00:00Z/2026-06-10T09:00:00Z"}},
        {"prefixed TZID", "DTSTART;TZID=/mozilla.org/20050126_1/Europe/Berlin:20260610T100000\nDURATION:PT1H\n",
         "UTC", {"2026-06-10T08:00:00Z/2026-06-10T09:00:00Z"}},
        {"floating time in the provider's zone", "DTSTART:20260610T100000\nDTEND:20260610T110000\n",
         "America/New_York", {"2026-06-10T14:00:00Z/2026-06-10T15:00:00Z"}},
        {"DURATION", "DTSTART:20260610T100000Z\nDURATION:PT1H30M\n", "UTC",
         {"2026-06-10T10:00:00Z/2026-06-10T11:30:00Z"}},
        {"seconds round outwards", "DTSTART:20260610T100030Z\nDTEND:20260610T110001Z\n", "UTC",
         {"2026-06-10T10:00:00Z/2026-06-10T11:01:00Z"}},
        {"no end: a timed event is an instant", "DTSTART:20260610T100000Z\n", "UTC", {}},
        {"all-day in Berlin", "DTSTART;VALUE=DATE:20260610\nDTEND;VALUE=DATE:20260611\n", "Europe/Berlin",
         {"2026-06-09T22:00:00Z/2026-06-10T22:00:00Z"}},
        {"all-day without an end is one day", "DTSTART;VALUE=DATE:20260610\n", "America/New_York",
         {"2026-06-10T04:00:00Z/2026-06-11T04:00:00Z"}},
        {"all-day over three days", "DTSTART;VALUE=DATE:20261230\nDTEND;VALUE=DATE:20270102\n", "UTC",
         {"2026-12-30T00:00:00Z/2027-01-02T00:00:00Z"}},
        {"all-day on the spring-forward day has 23 hours",
         "DTSTART;VALUE=DATE:20260329\nDTEND;VALUE=DATE:20260330\n", "Europe/Berlin",
         {"2026-03-28T23:00:00Z/2026-03-29T22:00:00Z"}},
        {"all-day on the fall-back day has 25 hours", "DTSTART;VALUE=DATE:20261025\nDURATION:P1D\n", "Europe/Berlin",
         {"2026-10-24T22:00:00Z/2026-10-25T23:00:00Z"}},
        {"DURATION P1D over spring-forward is 23 hours",
         "DTSTART;TZID=Europe/Berlin:20260328T120000\nDURATION:P1D\n", "UTC",
         {"2026-03-28T11:00:00Z/2026-03-29T10:00:00Z"}},
        {"DURATION PT24H over spring-forward is 24 hours",
         "DTSTART;TZID=Europe/Berlin:20260328T120000\nDURATION:PT24H\n", "UTC",
         {"2026-03-28T11:00:00Z/2026-03-29T11:00:00Z"}},
        {"a time in the spring-forward gap uses the offset before it",
         "DTSTART;TZID=Europe/Berlin:20260329T023000\nDURATION:PT1H\n", "UTC",
         {"2026-03-29T01:30:00Z/2026-03-29T02:30:00Z"}},
        {"a repeated time at fall-back is its first occurrence",
         "DTSTART;TZID=Europe/Berlin:20261025T023000\nDURATION:PT30M\n", "UTC",
         {"2026-10-25T00:30:00Z/2026-10-25T01:00:00Z"}},
        {"clipped to the window", "DTSTART:20251231T230000Z\nDTEND:20260101T010000Z\n", "UTC",
         {"2026-01-01T00:00:00Z/2026-01-01T01:00:00Z"}},
        {"outside the window", "DTSTART:20250610T100000Z\nDTEND:20250610T110000Z\n", "UTC", {}},
    }));
    INFO(row.name);
    CalendarBusy b = busy(calendar(event(row.lines)), row.provider_zone);
    CHECK(text(b) == row.expected);
    CHECK(b.skipped == 0);
    CHECK(b.uids == std::vector<std::string>{"e1"});
}

TEST_CASE("TRANSP:TRANSPARENT and STATUS:CANCELLED block nothing", "[calendar_busy]") {
    struct Row {
        const char* line;
        bool blocks;
    };
    auto row = GENERATE(values<Row>({
        {"TRANSP:TRANSPARENT\n", false},
        {"STATUS:CANCELLED\n", false},
        {"TRANSP:OPAQUE\n", true},
        {"STATUS:CONFIRMED\n", true},
        {"STATUS:TENTATIVE\n", true},
        {"", true},
    }));
    INFO(row.line);
    std::string lines = std::string("DTSTART:20260610T100000Z\nDTEND:20260610T110000Z\nRRULE:FREQ=DAILY;COUNT=2\n") + row.line;
    CalendarBusy b = busy(calendar(event(lines)), "UTC");
    Spans expected;
    if (row.blocks) expected = {"2026-06-10T10:00:00Z/2026-06-10T11:00:00Z", "2026-06-11T10:00:00Z/2026-06-11T11:00:00Z"};
    CHECK(text(b) == expected);
    CHECK(b.skipped == 0);
}

TEST_CASE("recurrence: RRULE, UNTIL, COUNT, EXDATE, RDATE", "[calendar_busy]") {
    struct Row {
        const char* name;
        std::string lines;
        const char* from;
        const char* to;
        Spans expected;
    };
    auto row = GENERATE(values<Row>({
        // 10:00 Berlin every Saturday across the spring change: 09:00Z, then 08:00Z.
        {"weekly in Berlin across spring-forward",
         "DTSTART;TZID=Europe/Berlin:20260321T100000\nDTEND;TZID=Europe/Berlin:20260321T110000\nRRULE:FREQ=WEEKLY\n",
         "2026-03-20T00:00:00Z", "2026-04-05T00:00:00Z",
         {"2026-03-21T09:00:00Z/2026-03-21T10:00:00Z", "2026-03-28T09:00:00Z/2026-03-28T10:00:00Z",
          "2026-04-04T08:00:00Z/2026-04-04T09:00:00Z"}},
        // and back across the autumn change; the event spanning 02:00-03:00 local on the 25th lasts its DTEND's hour.
        {"daily at 02:30 Berlin across fall-back",
         "DTSTART;TZID=Europe/Berlin:20261024T023000\nDTEND;TZID=Europe/Berlin:20261024T033000\nRRULE:FREQ=DAILY;COUNT=3\n",
         kFrom, kTo,
         {"2026-10-24T00:30:00Z/2026-10-24T01:30:00Z", "2026-10-25T00:30:00Z/2026-10-25T01:30:00Z",
          "2026-10-26T01:30:00Z/2026-10-26T02:30:00Z"}},
        {"daily at 02:30 Berlin across spring-forward: the gap day is read with the winter offset",
         "DTSTART;TZID=Europe/Berlin:20260328T023000\nDURATION:PT30M\nRRULE:FREQ=DAILY;COUNT=3\n", kFrom, kTo,
         {"2026-03-28T01:30:00Z/2026-03-28T02:00:00Z", "2026-03-29T01:30:00Z/2026-03-29T02:00:00Z",
          "2026-03-30T00:30:00Z/2026-03-30T01:00:00Z"}},
        {"UNTIL in UTC for a zoned series (inclusive)",
         "DTSTART;TZID=Europe/Berlin:20260601T100000\nDURATION:PT1H\nRRULE:FREQ=DAILY;UNTIL=20260603T080000Z\n",
         kFrom, kTo,
         {"2026-06-01T08:00:00Z/2026-06-01T09:00:00Z", "2026-06-02T08:00:00Z/2026-06-02T09:00:00Z",
          "2026-06-03T08:00:00Z/2026-06-03T09:00:00Z"}},
        {"UNTIL one minute before the last start ends the series earlier",
         "DTSTART;TZID=Europe/Berlin:20260601T100000\nDURATION:PT1H\nRRULE:FREQ=DAILY;UNTIL=20260603T075900Z\n",
         kFrom, kTo, {"2026-06-01T08:00:00Z/2026-06-01T09:00:00Z", "2026-06-02T08:00:00Z/2026-06-02T09:00:00Z"}},
        {"all-day yearly with a DATE UNTIL", "DTSTART;VALUE=DATE:20240229\nRRULE:FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=10;UNTIL=20270101\n",
         kFrom, kTo, {"2026-06-09T22:00:00Z/2026-06-10T22:00:00Z"}},
        {"EXDATE removes an occurrence (TZID and UTC forms)",
         "DTSTART;TZID=Europe/Berlin:20260601T100000\nDURATION:PT1H\nRRULE:FREQ=DAILY;COUNT=4\n"
         "EXDATE;TZID=Europe/Berlin:20260602T100000\nEXDATE:20260603T080000Z\n",
         kFrom, kTo, {"2026-06-01T08:00:00Z/2026-06-01T09:00:00Z", "2026-06-04T08:00:00Z/2026-06-04T09:00:00Z"}},
        {"EXDATE with two values", "DTSTART:20260601T100000Z\nDURATION:PT1H\nRRULE:FREQ=DAILY;COUNT=3\nEXDATE:20260601T100000Z,20260603T100000Z\n",
         kFrom, kTo, {"2026-06-02T10:00:00Z/2026-06-02T11:00:00Z"}},
        {"EXDATE as a DATE on an all-day series", "DTSTART;VALUE=DATE:20260601\nRRULE:FREQ=DAILY;COUNT=3\nEXDATE;VALUE=DATE:20260602\n",
         kFrom, kTo, {"2026-05-31T22:00:00Z/2026-06-01T22:00:00Z", "2026-06-02T22:00:00Z/2026-06-03T22:00:00Z"}},
        {"RDATE adds occurrences, a PERIOD with its own length",
         "DTSTART:20260601T100000Z\nDURATION:PT1H\nRDATE:20260605T120000Z\nRDATE;VALUE=PERIOD:20260607T090000Z/PT3H\n",
         kFrom, kTo,
         {"2026-06-01T10:00:00Z/2026-06-01T11:00:00Z", "2026-06-05T12:00:00Z/2026-06-05T13:00:00Z",
          "2026-06-07T09:00:00Z/2026-06-07T12:00:00Z"}},
        {"EXDATE also removes an RDATE", "DTSTART:20260601T100000Z\nDURATION:PT1H\nRDATE:20260605T120000Z\nEXDATE:20260605T120000Z\n",
         kFrom, kTo, {"2026-06-01T10:00:00Z/2026-06-01T11:00:00Z"}},
        // (RFC 5545 leaves COUNT undefined for such a DTSTART, so UNTIL bounds it here.)
        {"DTSTART counts even when the rule does not match it",
         "DTSTART:20260601T100000Z\nDURATION:PT1H\nRRULE:FREQ=WEEKLY;BYDAY=WE;UNTIL=20260609T000000Z\n", kFrom, kTo,
         {"2026-06-01T10:00:00Z/2026-06-01T11:00:00Z", "2026-06-03T10:00:00Z/2026-06-03T11:00:00Z"}},
        {"a series started years ago reaches the window",
         "DTSTART:20100104T100000Z\nDURATION:PT1H\nRRULE:FREQ=WEEKLY;BYDAY=MO\n", "2026-06-01T00:00:00Z",
         "2026-06-09T00:00:00Z", {"2026-06-01T10:00:00Z/2026-06-01T11:00:00Z", "2026-06-08T10:00:00Z/2026-06-08T11:00:00Z"}},
        {"a yearly birthday from 1604 (Apple's year-less birthdays)", "DTSTART;VALUE=DATE:16040215\nRRULE:FREQ=YEARLY\n",
         kFrom, kTo, {"2026-02-14T23:00:00Z/2026-02-15T23:00:00Z"}},
        {"an occurrence that began before the window is clipped",
         "DTSTART:20260531T220000Z\nDURATION:PT4H\nRRULE:FREQ=DAILY\n", "2026-06-02T00:00:00Z", "2026-06-02T12:00:00Z",
         {"2026-06-02T00:00:00Z/2026-06-02T02:00:00Z"}},
    }));
    INFO(row.name);
    CalendarBusy b = busy(calendar(event(row.lines)), "Europe/Berlin", row.from, row.to);
    CHECK(text(b) == row.expected);
    CHECK(b.skipped == 0);
}

TEST_CASE("RECURRENCE-ID overrides replace their occurrence", "[calendar_busy]") {
    const std::string master =
        event("DTSTART;TZID=Europe/Berlin:20260601T100000\nDTEND;TZID=Europe/Berlin:20260601T110000\nRRULE:FREQ=DAILY;COUNT=3\n",
              "series");
    struct Row {
        const char* name;
        std::string override_lines;
        Spans expected;
    };
    auto row = GENERATE(values<Row>({
        {"moved to the afternoon",
         "RECURRENCE-ID;TZID=Europe/Berlin:20260602T100000\nDTSTART;TZID=Europe/Berlin:20260602T150000\n"
         "DTEND;TZID=Europe/Berlin:20260602T160000\n",
         {"2026-06-01T08:00:00Z/2026-06-01T09:00:00Z", "2026-06-02T13:00:00Z/2026-06-02T14:00:00Z",
          "2026-06-03T08:00:00Z/2026-06-03T09:00:00Z"}},
        {"named in UTC, moved to another day",
         "RECURRENCE-ID:20260603T080000Z\nDTSTART:20260610T080000Z\nDURATION:PT2H\n",
         {"2026-06-01T08:00:00Z/2026-06-01T09:00:00Z", "2026-06-02T08:00:00Z/2026-06-02T09:00:00Z",
          "2026-06-10T08:00:00Z/2026-06-10T10:00:00Z"}},
        {"cancelled",
         "RECURRENCE-ID;TZID=Europe/Berlin:20260602T100000\nDTSTART;TZID=Europe/Berlin:20260602T100000\n"
         "DTEND;TZID=Europe/Berlin:20260602T110000\nSTATUS:CANCELLED\n",
         {"2026-06-01T08:00:00Z/2026-06-01T09:00:00Z", "2026-06-03T08:00:00Z/2026-06-03T09:00:00Z"}},
        {"transparent",
         "RECURRENCE-ID;TZID=Europe/Berlin:20260601T100000\nDTSTART;TZID=Europe/Berlin:20260601T100000\n"
         "DTEND;TZID=Europe/Berlin:20260601T110000\nTRANSP:TRANSPARENT\n",
         {"2026-06-02T08:00:00Z/2026-06-02T09:00:00Z", "2026-06-03T08:00:00Z/2026-06-03T09:00:00Z"}},
    }));
    INFO(row.name);
    // The override may come before or after its master in the object.
    auto order = GENERATE(0, 1);
    std::string over = event(row.override_lines, "series");
    CalendarBusy b = busy(calendar(order == 0 ? master + over : over + master), "UTC");
    CHECK(text(b) == row.expected);
    CHECK(b.skipped == 0);
    CHECK(b.uids == std::vector<std::string>{"series"});
}

TEST_CASE("an override of a cancelled series still blocks its own time", "[calendar_busy]") {
    std::string ics = calendar(
        event("DTSTART:20260601T100000Z\nDURATION:PT1H\nRRULE:FREQ=DAILY;COUNT=3\nSTATUS:CANCELLED\n", "s") +
        event("RECURRENCE-ID:20260602T100000Z\nDTSTART:20260602T120000Z\nDURATION:PT1H\n", "s"));
    CHECK(text(busy(ics, "UTC")) == Spans{"2026-06-02T12:00:00Z/2026-06-02T13:00:00Z"});
}

TEST_CASE("a VTIMEZONE serves a TZID the engine does not know", "[calendar_busy]") {
    // An Outlook-style name with the EU rules at +03:00/+04:00, so it cannot be mistaken for any IANA zone read.
    std::string vtimezone =
        "BEGIN:VTIMEZONE\nTZID:Custom Standard Time\n"
        "BEGIN:STANDARD\nDTSTART:16011028T030000\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\n"
        "TZOFFSETFROM:+0400\nTZOFFSETTO:+0300\nEND:STANDARD\n"
        "BEGIN:DAYLIGHT\nDTSTART:16010325T020000\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\n"
        "TZOFFSETFROM:+0300\nTZOFFSETTO:+0400\nEND:DAYLIGHT\nEND:VTIMEZONE\n";
    std::string lines =
        "DTSTART;TZID=Custom Standard Time:20260610T100000\nDTEND;TZID=Custom Standard Time:20260610T110000\n"
        "RDATE;TZID=Custom Standard Time:20261210T100000\n";
    CalendarBusy b = busy(calendar(vtimezone + event(lines)), "UTC");
    CHECK(text(b) == Spans{"2026-06-10T06:00:00Z/2026-06-10T07:00:00Z", "2026-12-10T07:00:00Z/2026-12-10T08:00:00Z"});
    CHECK(b.skipped == 0);

    SECTION("an IANA name is read with the engine's zone even beside a wrong VTIMEZONE") {
        std::string wrong = "BEGIN:VTIMEZONE\nTZID:Europe/Berlin\nBEGIN:STANDARD\nDTSTART:19700101T000000\n"
                            "TZOFFSETFROM:+0500\nTZOFFSETTO:+0500\nEND:STANDARD\nEND:VTIMEZONE\n";
        CalendarBusy c = busy(calendar(wrong + event("DTSTART;TZID=Europe/Berlin:20260610T100000\nDURATION:PT1H\n")), "UTC");
        CHECK(text(c) == Spans{"2026-06-10T08:00:00Z/2026-06-10T09:00:00Z"});
    }
    SECTION("an unknown TZID without a VTIMEZONE is read on the provider's clock") {
        CalendarBusy c = busy(calendar(event("DTSTART;TZID=Nowhere/Special:20260610T100000\nDURATION:PT1H\n")),
                              "America/New_York");
        CHECK(text(c) == Spans{"2026-06-10T14:00:00Z/2026-06-10T15:00:00Z"});
    }
}

TEST_CASE("several events, UIDs, and components that are not events", "[calendar_busy]") {
    std::string ics = calendar(event("DTSTART:20260601T100000Z\nDURATION:PT1H\n", "b") +
                               "BEGIN:VTODO\nUID:todo\nDTSTART:20260601T000000Z\nDUE:20260602T000000Z\nEND:VTODO\n" +
                               event("DTSTART:20260601T090000Z\nDURATION:PT2H\n", "a") +
                               event("DTSTART:20260601T100000Z\nDURATION:PT1H\nTRANSP:TRANSPARENT\n", "ours@slotwise"));
    CalendarBusy b = busy(ics, "UTC");
    // Overlaps are kept apart; sorted by start.
    CHECK(text(b) == Spans{"2026-06-01T09:00:00Z/2026-06-01T11:00:00Z", "2026-06-01T10:00:00Z/2026-06-01T11:00:00Z"});
    CHECK(b.uids == std::vector<std::string>{"b", "a", "ours@slotwise"});
    CHECK(b.skipped == 0);
}

TEST_CASE("bad input blocks nothing, is counted, and never throws", "[calendar_busy]") {
    struct Row {
        const char* name;
        std::string ics;
        int skipped;
    };
    const std::string good = event("DTSTART:20260601T100000Z\nDURATION:PT1H\n", "good");
    auto row = GENERATE_COPY(values<Row>({
        {"empty", "", 1},
        {"not iCalendar", "hello world", 1},
        {"binary", std::string("\x00\xff\xfe BEGIN:VCALENDAR", 19), 1},
        {"no DTSTART", calendar(event("DTEND:20260601T100000Z\n") + good), 1},
        {"unreadable DTSTART", calendar(event("DTSTART:2026-06-01 10:00\nDURATION:PT1H\n") + good), 1},
        {"impossible date", calendar(event("DTSTART:20260230T100000Z\nDURATION:PT1H\n") + good), 1},
        {"DTEND before DTSTART", calendar(event("DTSTART:20260601T100000Z\nDTEND:20260601T090000Z\n") + good), 1},
        {"DATE start with a DATE-TIME end", calendar(event("DTSTART;VALUE=DATE:20260601\nDTEND:20260601T090000Z\n") + good), 1},
        {"negative DURATION", calendar(event("DTSTART:20260601T100000Z\nDURATION:-PT1H\n") + good), 1},
        {"unreadable RRULE", calendar(event("DTSTART:20260601T100000Z\nDURATION:PT1H\nRRULE:FREQ=DAILY;COUNT=x\n") + good), 1},
        {"unreadable EXDATE", calendar(event("DTSTART:20260601T100000Z\nDURATION:PT1H\nEXDATE:tomorrow\n") + good), 1},
        {"a rule with too many occurrences before the window",
         calendar(event("DTSTART:20200101T000000Z\nDURATION:PT1S\nRRULE:FREQ=SECONDLY\n") + good), 1},
        {"a rule libical cannot expand (February 30th only)",
         calendar(event("DTSTART:20260101T100000Z\nDURATION:PT1H\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\n") + good), 1},
        {"two masters for one UID", calendar(event("DTSTART:20260601T100000Z\nDURATION:PT1H\n", "good") + good), 1},
        {"a broken override keeps the occurrence it would move",
         calendar(event("DTSTART:20260601T100000Z\nDURATION:PT1H\n", "good") +
                  event("RECURRENCE-ID:20260601T100000Z\nDTSTART:garbage\n", "good")), 1},
        {"truncated", calendar(good).substr(0, 60), 1},
        // Refused whole, before libical (which would print to stderr for it).
        {"END before BEGIN", calendar("END:VEVENT\n" + good), 1},
    }));
    INFO(row.name);
    CalendarBusy b;
    REQUIRE_NOTHROW(b = busy(row.ics, "UTC"));
    CHECK(b.skipped == row.skipped);
    // Whatever else was in the object still counts.
    bool good_survives = row.ics.find("UID:good\r\nDTSTAMP:20260101T000000Z\r\nDTSTART") != std::string::npos &&
                         row.name != std::string("two masters for one UID") && row.name != std::string("END before BEGIN");
    CHECK(text(b) == (good_survives ? Spans{"2026-06-01T10:00:00Z/2026-06-01T11:00:00Z"} : Spans{}));
}

TEST_CASE("an empty or reversed window yields nothing", "[calendar_busy]") {
    std::string ics = calendar(event("DTSTART:20260601T100000Z\nDURATION:PT1H\n"));
    CHECK(busy(ics, "UTC", "2026-06-01T11:00:00Z", "2026-06-01T11:00:00Z").spans.empty());
    CHECK(busy(ics, "UTC", "2026-06-02T00:00:00Z", "2026-06-01T00:00:00Z").spans.empty());
    CHECK(text(busy(ics, "UTC", "2026-06-01T10:59:00Z", "2026-06-01T11:30:00Z")) ==
          Spans{"2026-06-01T10:59:00Z/2026-06-01T11:00:00Z"});
}

TEST_CASE("mangled objects never throw and never leave the window", "[calendar_busy]") {
    // Seeded mutations of real shapes (a zoned series with an override and
    // an EXDATE, a VTIMEZONE, an all-day event): whatever libical makes of
    // them, the answer stays inside [from, to) and sorted.
    const std::string seeds[] = {
        calendar(event("DTSTART;TZID=Europe/Berlin:20260321T100000\nDTEND;TZID=Europe/Berlin:20260321T110000\n"
                       "RRULE:FREQ=WEEKLY;BYDAY=SA,SU;UNTIL=20261231T000000Z\nEXDATE;TZID=Europe/Berlin:20260328T100000\n",
                       "s") +
                 event("RECURRENCE-ID;TZID=Europe/Berlin:20260322T100000\nDTSTART:20260322T150000Z\nDURATION:PT2H\n", "s")),
        calendar("BEGIN:VTIMEZONE\nTZID:Custom\nBEGIN:STANDARD\nDTSTART:16011028T030000\n"
                 "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nEND:STANDARD\n"
                 "END:VTIMEZONE\n" +
                 event("DTSTART;TZID=Custom:20260610T100000\nDURATION:P1DT2H\nRDATE;VALUE=PERIOD:20260701T090000Z/PT3H\n")),
        calendar(event("DTSTART;VALUE=DATE:20260329\nDTEND;VALUE=DATE:20260331\nRRULE:FREQ=MONTHLY;COUNT=12\n")),
    };
    const Instant from = at("2026-03-01T00:00:00Z"), to = at("2026-09-01T00:00:00Z");
    std::uint32_t state = 12345;
    auto next = [&state](std::uint32_t n) {
        state = state * 1664525u + 1013904223u;
        return (state >> 8) % n;
    };
    const char alphabet[] = "0123456789TZ:;=,-/+PDHMSW\r\n ABCDEFGRUVXY";
    int produced = 0;
    for (int i = 0; i < 3000; ++i) {
        std::string ics = seeds[i % 3];
        for (std::uint32_t m = 0, count = 1 + next(4); m < count; ++m) {
            const std::size_t at_pos = next(static_cast<std::uint32_t>(ics.size()));
            switch (next(4)) {
                case 0: ics.erase(at_pos, 1 + next(8)); break;
                case 1: ics.insert(at_pos, 1, alphabet[next(sizeof alphabet - 1)]); break;
                case 2: ics[at_pos] = alphabet[next(sizeof alphabet - 1)]; break;
                default: ics.insert(at_pos, ics.substr(next(static_cast<std::uint32_t>(ics.size())), next(40))); break;
            }
        }
        CalendarBusy b;
        REQUIRE_NOTHROW(b = busy_from_ics(ics, from, to, zone("Europe/Berlin")));
        for (std::size_t k = 0; k < b.spans.size(); ++k) {
            INFO(ics);
            REQUIRE(from <= b.spans[k].start);
            REQUIRE(b.spans[k].start < b.spans[k].end);
            REQUIRE(b.spans[k].end <= to);
            if (k > 0) REQUIRE_FALSE(b.spans[k].start < b.spans[k - 1].start);
        }
        produced += !b.spans.empty();
    }
    // Most mutations leave something readable; the test would mean little if none did.
    CHECK(produced > 500);
}
