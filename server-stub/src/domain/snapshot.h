// A provider's snapshot in its two forms: the engine's typed Snapshot, built
// from the stored configuration without any JSON round trip, and the public
// snapshot document for the widget. Only engine fields and display-only keys
// go in; never client data.
#pragma once

#include <vector>

#include <slotwise/error.h>
#include <slotwise/snapshot.h>

#include "domain/model.h"

namespace slotwise::server {

// The public snapshot document (the API's "engine snapshot", JSON for the
// widget): the configuration plus busy intervals.
json engine_snapshot(const ProviderConfig& provider, const std::vector<Interval>& busy);

// The public snapshot answer as text, the same bytes as engine_snapshot()
// with `generated_at` dumped, built from configuration_members() serialised
// once per provider revision: only the busy intervals and the time are
// written per request.
std::string configuration_members(const ProviderConfig& provider);
std::string snapshot_document(const std::string& configuration_members, const std::vector<Interval>& busy,
                              Timestamp generated_at);

// The engine's snapshot of a stored configuration, without busy intervals.
// Its schedules are read from their stored JSON here, once per load.
slotwise::Result<slotwise::Snapshot> typed_snapshot(const ProviderConfig& provider);

// Busy intervals sorted and merged, so a public snapshot shows occupied time
// but not how many bookings make it up.
std::vector<Interval> merge_intervals(std::vector<Interval> busy);

}  // namespace slotwise::server
