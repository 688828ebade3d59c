// Provider-local calendar dates, for the two rules that speak of dates rather
// than slots: the no-show lock-out ("same day") and the provider's booking
// list. Slot rules stay in the engine.
#pragma once

#include <string>

#include "instant.h"

namespace slotwise::server {

Days local_date(const std::string& zone, Seconds t);
// The first instant of local date `d` in `zone`.
Seconds start_of_local_date(const std::string& zone, Days d);

}  // namespace slotwise::server
