// Calls into the engine with the server's data and clock, and the mapping of
// its answers to domain errors.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <slotwise/refund.h>
#include <slotwise/snapshot.h>

#include "domain/model.h"
#include "domain/domain_error.h"

namespace slotwise::server {

// Throws the API error for a booking the engine does not accept at `now`:
// 409 SLOT_TAKEN, 404 UNKNOWN_SERVICE, 422 with the engine's code, 400 for an
// instant outside the engine's range. `provider` is the engine's parsed
// configuration (no busy intervals); `busy` is added to a copy of it.
void engine_validate(const slotwise::Snapshot& provider, const std::vector<Interval>& busy, const std::string& service,
                     Instant start, std::optional<int> duration_minutes, Instant now);

// The engine's refund in minor units.
std::int64_t engine_refund(const Booking& b, Instant cancelled_at, slotwise::CancelledBy by);

}  // namespace slotwise::server
