#include "zone_time.h"

#include <date/tz.h>

namespace slotwise::server {

Days local_date(const std::string& zone, Seconds t) {
    const auto* tz = date::locate_zone(zone);
    const auto local = tz->to_local(date::sys_seconds{std::chrono::seconds{t}});
    return date::floor<date::days>(local).time_since_epoch().count();
}

Seconds start_of_local_date(const std::string& zone, Days d) {
    const auto* tz = date::locate_zone(zone);
    const date::local_seconds midnight{std::chrono::seconds{d * kDay}};
    const auto info = tz->get_info(midnight);
    // A midnight that the clocks skip starts the day at the jump.
    if (info.result == date::local_info::nonexistent) return info.second.begin.time_since_epoch().count();
    return tz->to_sys(midnight, date::choose::earliest).time_since_epoch().count();
}

}  // namespace slotwise::server
