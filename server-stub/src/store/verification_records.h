// The SQL of client email verification (migration 009): the code of a HELD
// booking, as a keyed hash, and the count of wrong codes.
#pragma once

#include <optional>
#include <string>

#include "store/store.h"

namespace slotwise::server::records {

struct BookingVerification {
    std::string code_hmac;
    int failed_attempts = 0;
    std::optional<Timestamp> verified_at;
};

// Runs in the transaction that inserts the booking.
Statement insert_verification_statement(const std::string& booking_id, const std::string& code_hmac, Timestamp now);
std::optional<BookingVerification> load_verification(Session& s, const std::string& booking_id);
// The count after this wrong code.
int count_failed_verification(Session& s, const std::string& booking_id);
void mark_verified(Session& s, const std::string& booking_id, Timestamp now);

}  // namespace slotwise::server::records
