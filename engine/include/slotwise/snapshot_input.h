// A snapshot as a C++ caller holds it: plain values, defaults as engine.md
// states them, nothing checked yet. make_snapshot applies every rule of
// engine.md's snapshot section to it, with the error codes and JSON pointers
// that parse_snapshot gives for the same defect in a JSON document, so a
// caller that never had JSON (the server) gets the same answers as one that did.
#pragma once

#include "slotwise/error.h"
#include "slotwise/snapshot.h"
#include "slotwise/time.h"

#include <date/date.h>
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace slotwise {

// The integer bounds of engine.md's snapshot section, inclusive.
struct IntegerRange {
    std::int64_t min;
    std::int64_t max;
    bool contains(std::int64_t v) const noexcept { return min <= v && v <= max; }
};
inline constexpr IntegerRange duration_range{5, 1440};
inline constexpr IntegerRange buffer_range{0, 1440};
inline constexpr IntegerRange slot_interval_range{5, 1440};
inline constexpr IntegerRange min_notice_range{0, 525600};
inline constexpr IntegerRange max_advance_days_range{0, 3650};
inline constexpr std::size_t max_durations = 8;

struct WindowInput {
    ClockTime start;  // 00:00..23:59
    ClockTime end;    // after start, at most 24:00
};

struct WeeklyWindowInput {
    date::weekday day;  // must be ok(): Sunday..Saturday
    ClockTime start;
    ClockTime end;
};

enum class OverrideKind { block, add, replace };

// "block", "add" or "replace"; nullopt for anything else (case-sensitive).
std::optional<OverrideKind> parse_override_kind(std::string_view text) noexcept;

struct OverrideInput {
    LocalDate date;
    OverrideKind kind = OverrideKind::block;
    // block: both absent blocks the whole date, both present block a window.
    // add: both required. replace: ignored.
    std::optional<ClockTime> start;
    std::optional<ClockTime> end;
    std::vector<WindowInput> windows;  // replace only; empty means no hours that date
};

struct ScheduleInput {
    std::vector<WeeklyWindowInput> weekly;
    std::vector<OverrideInput> overrides;
};

struct ServiceInput {
    std::string id;
    std::string schedule = "default";
    bool active = true;
    std::vector<std::int64_t> durations;  // 1..8 distinct, each in duration_range; the first is the default
    std::int64_t buffer_before_minutes = 0;
    std::int64_t buffer_after_minutes = 0;
    std::optional<std::int64_t> slot_interval_minutes;  // nullopt: buffer_before + duration + buffer_after
    std::int64_t min_notice_minutes = 0;
    std::optional<std::int64_t> max_advance_days;  // nullopt: no limit
};

struct ProviderInput {
    std::string id;
    std::string time_zone;  // an IANA name or link of the engine's database
    bool active = true;
};

struct SnapshotInput {
    ProviderInput provider;
    std::map<std::string, ScheduleInput> schedules;  // by name, as the JSON object's keys
    std::vector<ServiceInput> services;
    std::vector<Interval> busy;  // end after start, any order, may overlap
};

// Checks every rule and builds the snapshot. Errors are INVALID_SNAPSHOT or
// UNKNOWN_TIME_ZONE with the JSON pointer the same defect has in a snapshot
// document. When several rules are broken, the first in document order is
// reported.
Result<Snapshot> make_snapshot(const SnapshotInput& input);
// The same, taking over the busy intervals instead of copying them.
Result<Snapshot> make_snapshot(SnapshotInput&& input);

// A snapshot document read into input values, no rule applied yet: errors
// here are only missing keys, wrong types and malformed text (dates, times,
// instants, weekdays, kinds), INVALID_SNAPSHOT with a pointer into `json`.
// parse_snapshot (snapshot.h) is this followed by make_snapshot.
Result<SnapshotInput> read_snapshot_input(const nlohmann::json& json);

}  // namespace slotwise
