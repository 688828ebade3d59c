#include "zone_time.h"

#include <slotwise/zone.h>

namespace slotwise::server {
namespace {

// The engine's zone database, the one the slots were computed with. Stored
// providers always carry a zone the engine accepted; UTC covers the
// impossible rest instead of a null dereference.
const TimeZone& zone_named(const std::string& name) {
    const TimeZone* zone = find_zone(name);
    return zone ? *zone : *find_zone("UTC");
}

}  // namespace

Days local_date(const std::string& zone, Seconds t) {
    const Instant instant{std::chrono::floor<Minutes>(std::chrono::seconds{t})};
    return zone_named(zone).local_date(instant).time_since_epoch().count();
}

Seconds start_of_local_date(const std::string& zone, Days d) {
    // A midnight that the clocks skip starts the day at the jump (the
    // resolution's earliest instant is the jump then).
    const LocalResolution midnight = zone_named(zone).resolve(LocalTime{date::days{d}});
    return std::chrono::duration_cast<std::chrono::seconds>(midnight.earliest.time_since_epoch()).count();
}

}  // namespace slotwise::server
