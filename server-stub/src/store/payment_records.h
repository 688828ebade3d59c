// The payment settings of services (migration 017, table service_payments):
// one row per service whose mode is not none, written and read with the
// provider's configuration.
#pragma once

#include "domain/model.h"
#include "store/store.h"

namespace slotwise::server::records {

// Replaces the provider's rows by those of `provider.services`; inside the caller's transaction.
void save_service_payments(Session& s, const ProviderConfig& provider);
// Fills `payment` of each of `provider.services` (none where there is no row).
void load_service_payments(Session& s, ProviderConfig& provider);

// A paid booking's row of `payments` (status creating, no intent yet),
// written in the transaction that inserts the booking.
Statement insert_payment_statement(const Booking& b, Timestamp now);
// The booking's payment with its refunds; nullopt for an unpaid booking.
std::optional<BookingPayment> load_payment(Session& s, const std::string& booking_id);
// Fills `payment` of the bookings that have one: two queries for the list,
// whose bookings all belong to `provider_id` and start in [from, to).
void attach_payments(Session& s, std::vector<Booking>& bookings, const std::string& provider_id, Instant from, Instant to);

}  // namespace slotwise::server::records
