// How a booking is shown: JSON for the API, iCalendar (RFC 5545) for .ics.
#pragma once

#include <optional>
#include <string>

#include "domain/model.h"

namespace slotwise::server {

json booking_json(const Booking& b, const std::optional<std::string>& manage_token = std::nullopt);
std::string booking_ics(const Booking& b, const ProviderConfig* provider, Timestamp now);

}  // namespace slotwise::server
