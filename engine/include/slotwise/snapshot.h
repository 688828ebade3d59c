// Everything needed to compute one provider's slots (engine.md, "Snapshot"),
// checked once (make_snapshot, snapshot_input.h), then read by any number of
// queries.
#pragma once

#include "slotwise/error.h"
#include "slotwise/time.h"
#include "slotwise/zone.h"

#include <nlohmann/json_fwd.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace slotwise {

// [start, end) on a wall clock; end > start.
struct ClockWindow {
    ClockTime start;
    ClockTime end;
};

// All overrides of one date, folded together in the order engine.md applies them.
struct DayOverrides {
    LocalDate date;
    bool replaces_weekly = false;
    std::vector<ClockWindow> replacement;  // union of all `replace` windows
    std::vector<ClockWindow> added;
    std::vector<ClockWindow> blocked;
    bool blocks_whole_day = false;
};

struct Schedule {
    std::string name;
    std::array<std::vector<ClockWindow>, 7> weekly;  // indexed by weekday, Sunday = 0
    std::vector<DayOverrides> overrides;             // sorted by date, one entry per date

    const DayOverrides* overrides_on(LocalDate date) const noexcept;
};

struct Service {
    std::string id;
    std::size_t schedule = 0;  // index into Snapshot::schedules
    bool active = true;
    std::vector<int> durations;  // 1..8 distinct, the first is the default
    int buffer_before = 0;
    int buffer_after = 0;
    std::optional<int> slot_interval;
    int min_notice = 0;
    std::optional<int> max_advance_days;

    bool offers(std::int64_t duration) const noexcept;
    // Distance between candidate starts for that duration.
    int step_for(int duration) const noexcept {
        return slot_interval ? *slot_interval : buffer_before + duration + buffer_after;
    }
};

// Half-open [start, end) on the UTC line.
struct Interval {
    Instant start;
    Instant end;
};

struct Snapshot {
    std::string provider_id;
    const TimeZone* zone = nullptr;
    bool provider_active = true;
    std::vector<Schedule> schedules;
    std::vector<Service> services;
    std::vector<Interval> busy;  // sorted and merged: disjoint, not touching, ascending

    const Service* find_service(std::string_view id) const noexcept;
};

// Replaces the busy intervals, sorted and merged as Snapshot::busy requires.
void set_busy(Snapshot& snapshot, std::vector<Interval> busy);

// A snapshot document: read into a SnapshotInput, then make_snapshot
// (snapshot_input.h) checks every rule of engine.md's snapshot section.
// Errors are INVALID_SNAPSHOT or UNKNOWN_TIME_ZONE with a pointer into
// `json`. A document with several defects reports its first missing key or
// wrong type before any broken rule of make_snapshot.
Result<Snapshot> parse_snapshot(const nlohmann::json& json);

// A snapshot document's text: INVALID_JSON for text that is not one JSON
// document (engine.md), else parse_snapshot's answer. A busy list of the
// usual shape ({"start","end"} objects, either key order, any whitespace) is
// read straight from the text, without building a DOM: about 10x faster per
// busy interval. Everything else, and any busy list not of that shape, goes
// through parse_snapshot, so answers and errors are the same either way.
Result<Snapshot> parse_snapshot_text(std::string_view text);
// The same without the fast busy read: the reference parse_snapshot_text is
// tested against (tests/engine, tests/fuzz).
Result<Snapshot> parse_snapshot_text_dom(std::string_view text);
// Whether parse_snapshot_text reads this text's busy list without the DOM
// (for tests: the two paths must agree, and the usual shapes must be fast).
bool busy_read_from_text(std::string_view text);

}  // namespace slotwise
