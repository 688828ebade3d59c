// Time zones from the engine's own tz database: every IANA zone and link,
// compiled by `zic -r` from the build machine's tzdata for 2019..2051 and
// embedded in the library, so the native and WebAssembly builds carry the
// very same data. Outside those years a zone's answers are unspecified;
// callers keep their inputs within engine.md's supported range.
//
// A wall-clock reading may occur once, never (clocks jump forward) or twice
// (clocks go back). That outcome is data, not an exception: see
// LocalResolution.
#pragma once

#include "slotwise/time.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace slotwise {

struct LocalResolution {
    enum class Kind { unique, skipped, repeated };
    Kind kind = Kind::unique;
    // unique: the instant, twice. repeated: the earlier and the later
    // occurrence. skipped: the instant at which the clocks jumped over it, twice.
    Instant earliest;
    Instant latest;
};

class TimeZone {
public:
    struct Transition {
        Instant at;
        Minutes offset_after;
    };

    TimeZone(std::string name, Minutes initial_offset, std::vector<Transition> transitions);

    // A stretch of time with one UTC offset: [begin, end).
    struct Span {
        Instant begin;
        Instant end;
        Minutes offset;
        bool contains(Instant t) const noexcept { return begin <= t && t < end; }
    };

    const std::string& name() const noexcept { return name_; }
    Minutes offset_at(Instant t) const noexcept { return span_at(t).offset; }
    // The span around `t`, so that callers walking forward in time can reuse it.
    Span span_at(Instant t) const noexcept;
    LocalTime to_local(Instant t) const noexcept { return LocalTime{(t + offset_at(t)).time_since_epoch()}; }
    LocalDate local_date(Instant t) const noexcept { return date::floor<Days>(to_local(t)); }
    LocalResolution resolve(LocalTime local) const noexcept;

private:
    std::string name_;
    Minutes initial_offset_;
    std::vector<Transition> transitions_;  // sorted by `at`
};

// The zone of that IANA name or link; nullptr when the database has none.
// Names are case-sensitive. Safe to call from several threads.
const TimeZone* find_zone(std::string_view name) noexcept;
// Every name find_zone knows, zones and links, sorted.
const std::vector<std::string>& zone_names() noexcept;
// The tzdata version the database was compiled from, e.g. "2025b".
std::string_view tz_version() noexcept;

}  // namespace slotwise
