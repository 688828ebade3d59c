// Slot computation and booking validation (engine.md, "Windows", "From local
// wall time to instants", "Slots", "Validation"). Pure functions of their
// arguments: `now` always comes in.
#pragma once

#include "slotwise/snapshot.h"
#include "slotwise/time.h"
#include "slotwise/zone.h"

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace slotwise {

// The merged wall-clock windows of a provider-local date (steps 1-5), ascending.
std::vector<ClockWindow> windows_on(const Schedule& schedule, LocalDate date);

// The instants a wall-clock window of `date` covers in `zone`; nullopt when
// that is empty (for example a window that lies inside a skipped hour).
std::optional<Interval> to_instants(const TimeZone& zone, LocalDate date, ClockWindow window) noexcept;

// Starts of the bookable slots of `service` for `duration` (one of its
// durations) whose start lies in [from, to), ascending and distinct.
std::vector<Instant> slot_starts(const Snapshot& snapshot, const Service& service, int duration,
                                 Interval range, Instant now);

enum class Verdict {
    ok,
    unknown_service,
    provider_inactive,
    service_inactive,
    invalid_duration,
    too_soon,
    too_far,
    outside_availability,
    off_grid,
    slot_taken,
};

std::string_view to_string(Verdict verdict) noexcept;

// May a booking of `duration` minutes (nullopt: the service's default) at
// `start` be made at `now`? The first failing rule, in engine.md's order.
Verdict validate_booking(const Snapshot& snapshot, std::string_view service_id,
                         std::optional<std::int64_t> duration, Instant start, Instant now);

}  // namespace slotwise
