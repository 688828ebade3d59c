// The slots query of engine.md ("Query and result") on C++ values: the
// bookable slots of one service over a range of the viewer's dates, each with
// its UTC instants and its reading on the viewer's wall clock.
#pragma once

#include "slotwise/error.h"
#include "slotwise/snapshot.h"
#include "slotwise/time.h"
#include "slotwise/zone.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace slotwise {

struct SlotsQuery {
    std::string service;
    std::optional<std::int64_t> duration_minutes;  // nullopt: the service's default
    LocalDate from;                                // viewer's dates, inclusive, 2020-01-01..2050-12-31
    LocalDate to;                                  // at most 366 days after `from`
    std::string time_zone;                         // the viewer's zone
    Instant now;
};

struct Slot {
    Instant start;
    Instant end;
    LocalDate local_date;   // the viewer's date of `start`
    LocalTime local_start;  // `start` on the viewer's clock
    LocalTime local_end;    // `end` on the viewer's clock, with the offset in force at `end`
    Minutes utc_offset;     // the viewer's offset at `start`
};

struct SlotList {
    std::string time_zone_name;           // as the query spelled it: a link keeps its own name
    const TimeZone* time_zone = nullptr;  // the viewer's
    std::vector<Slot> slots;              // ascending by start
};

// INVALID_QUERY, UNKNOWN_TIME_ZONE or OUT_OF_RANGE with the pointer of the
// offending field in a JSON query ("/service", "/to", ...), exactly as the
// JSON slots operation reports them.
Result<SlotList> find_slots(const Snapshot& snapshot, const SlotsQuery& query);

}  // namespace slotwise
