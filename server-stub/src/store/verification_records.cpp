#include "store/verification_records.h"

namespace slotwise::server::records {

Statement insert_verification_statement(const std::string& booking_id, const std::string& code_hmac, Timestamp now) {
    return {"INSERT INTO booking_verifications (booking_id, code_hmac, failed_attempts, created_at) VALUES ($1, $2, 0, $3)",
            {booking_id, code_hmac, epoch_seconds(now)}};
}

std::optional<BookingVerification> load_verification(Session& s, const std::string& booking_id) {
    auto rows = s.query("SELECT code_hmac, failed_attempts, verified_at FROM booking_verifications WHERE booking_id = $1",
                        {booking_id});
    if (rows.empty()) return std::nullopt;
    return BookingVerification{rows[0].get<std::string>("code_hmac"), rows[0].get<int>("failed_attempts"),
                               rows[0].get_optional<Timestamp>("verified_at")};
}

int count_failed_verification(Session& s, const std::string& booking_id) {
    s.exec("UPDATE booking_verifications SET failed_attempts = failed_attempts + 1 WHERE booking_id = $1", {booking_id});
    return s.query("SELECT failed_attempts FROM booking_verifications WHERE booking_id = $1", {booking_id})[0].get<int>(
        "failed_attempts");
}

void mark_verified(Session& s, const std::string& booking_id, Timestamp now) {
    s.exec("UPDATE booking_verifications SET verified_at = $2 WHERE booking_id = $1", {booking_id, epoch_seconds(now)});
}

}  // namespace slotwise::server::records
