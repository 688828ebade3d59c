#include "domain/engine_calls.h"

#include <slotwise/availability.h>
#include <slotwise/refund.h>

#include <stdexcept>


namespace slotwise::server {

void engine_validate(const slotwise::Snapshot& provider, const std::vector<Interval>& busy, const std::string& service,
                     Instant start, std::optional<int> duration_minutes, Instant now) {
    if (!slotwise::is_supported(start))
        throw invalid_input("/start must be from 2019-12-31T00:00:00Z to 2051-01-01T23:59:00Z");
    slotwise::Snapshot snapshot = provider;
    slotwise::set_busy(snapshot, busy);
    const slotwise::Verdict verdict = slotwise::validate_booking(snapshot, service, duration_minutes, start, now);
    if (verdict == slotwise::Verdict::ok) return;
    const std::string code(slotwise::to_string(verdict));
    if (verdict == slotwise::Verdict::slot_taken) throw DomainError(ErrorKind::conflict, code, "the slot is taken");
    if (verdict == slotwise::Verdict::unknown_service) throw DomainError(ErrorKind::not_found, code, "no service " + service);
    throw DomainError(ErrorKind::refused, code, "the engine does not accept this booking: " + code);
}

std::int64_t engine_refund(const Booking& b, Instant cancelled_at, slotwise::CancelledBy by) {
    // Stored policies and prices passed the PUT checks; a failure here is a
    // damaged row, not bad input.
    const auto policy = slotwise::parse_cancellation_policy(b.cancellation_policy);
    if (!policy) throw std::runtime_error("stored cancellation policy rejected by the engine: " + policy.error().message);
    const auto amount = slotwise::refund(*policy, b.price_amount, b.start, cancelled_at, by);
    if (!amount) throw std::runtime_error("engine refund failed: " + amount.error().message);
    return *amount;
}

}  // namespace slotwise::server
