// How a booking is shown: JSON for the API, iCalendar (RFC 5545) for .ics.
#pragma once

#include <optional>
#include <string>

#include "domain/model.h"

namespace slotwise::server {

// `widget`: the client_secret and publishable_key of the booking's payment,
// for the answers that may show them (the POST, its replay, the client's
// read while HELD); never in provider views or webhook payloads.
json booking_json(const Booking& b, const std::optional<std::string>& manage_token = std::nullopt,
                  const std::optional<PaymentWidget>& widget = std::nullopt);
// The booking's `payment` object (server README "Payments").
json payment_json(const BookingPayment& p, const std::optional<PaymentWidget>& widget = std::nullopt);
std::string booking_ics(const Booking& b, const ProviderConfig* provider, Timestamp now);

}  // namespace slotwise::server
