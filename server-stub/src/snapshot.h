// The engine snapshot of a provider: its configuration plus busy intervals.
// Only engine fields and display-only keys go in; never client data.
#pragma once

#include <vector>

#include "model.h"

namespace slotwise::server {

json engine_snapshot(const ProviderConfig& provider, const std::vector<Interval>& busy);

// Busy intervals sorted and merged, so a public snapshot shows occupied time
// but not how many bookings make it up.
std::vector<Interval> merge_intervals(std::vector<Interval> busy);

}  // namespace slotwise::server
