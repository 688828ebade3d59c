#include "domain/refund_policy.h"

#include <algorithm>
#include <stdexcept>

#include <slotwise/refund.h>

namespace slotwise::server::domain {
namespace {

// received * ceiling / price, rounded down: the reschedule's cap, a share of
// the price, as the same share of what was received. The product of two
// amounts up to 10^12 needs more than 64 bits.
std::int64_t scaled_ceiling(std::int64_t received, std::int64_t ceiling, std::int64_t price) {
    if (price <= 0) return received;
    const __int128 scaled = static_cast<__int128>(received) * std::max<std::int64_t>(ceiling, 0) / price;
    return static_cast<std::int64_t>(std::min<__int128>(scaled, received));
}

std::int64_t client_share(const Booking& b, std::int64_t received, Instant at) {
    const auto policy = slotwise::parse_cancellation_policy(b.cancellation_policy);
    if (!policy) throw std::runtime_error("stored cancellation policy rejected by the engine: " + policy.error().message);
    const auto amount = slotwise::refund(*policy, received, b.start, at, slotwise::CancelledBy::client);
    if (!amount) throw std::runtime_error("engine refund failed: " + amount.error().message);
    return b.refund_ceiling ? std::min(*amount, scaled_ceiling(received, *b.refund_ceiling, b.price_amount)) : *amount;
}

}  // namespace

std::int64_t refund_owed(const Booking& booking, const PaymentTaken& paid, RefundActor actor, RefundTransition transition,
                         Instant at) {
    const std::int64_t received = std::max<std::int64_t>(paid.amount_received, 0);
    std::int64_t owed = 0;
    switch (transition) {
        case RefundTransition::no_show: owed = 0; break;
        case RefundTransition::decline:
        case RefundTransition::expiry: owed = received; break;
        case RefundTransition::cancel:
            owed = actor == RefundActor::client ? client_share(booking, received, at) : received;
            break;
    }
    const std::int64_t left = received - std::max<std::int64_t>(paid.already_refunded, 0);
    return std::max<std::int64_t>(0, std::min(owed, left));
}

std::string_view refund_reason(RefundActor actor, RefundTransition transition) noexcept {
    switch (transition) {
        case RefundTransition::no_show: return "no_show";
        case RefundTransition::decline: return "declined_by_provider";
        case RefundTransition::expiry: return "payment_after_expiry";
        case RefundTransition::cancel: break;
    }
    return actor == RefundActor::client ? "cancelled_by_client" : "cancelled_by_provider";
}

}  // namespace slotwise::server::domain
