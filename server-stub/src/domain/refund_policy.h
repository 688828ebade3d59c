// What a booking's client gets back when a paid booking ends early (issue 16
// item 3, api.md "Payments (Stripe)"): the engine's cancellation rule
// (engine.md "Cancellation refund") applied to what Stripe actually took,
// not to the price. Pure: no clock, store or network; refund_decisions.h
// reads the payment and writes the refund this decides.
#pragma once

#include <cstdint>
#include <string_view>

#include <slotwise/time.h>

#include "domain/model.h"

namespace slotwise::server::domain {

// Who ends the booking. The operator acts on the provider's side.
enum class RefundActor { client, provider, operator_, system };

// How it ends. `expiry` is a payment that arrived after its hold ran out
// (pay-flow's late payment): nothing was booked, so everything goes back.
enum class RefundTransition { cancel, decline, no_show, expiry };

// The booking's money as far as we know it, in the payment's minor units.
struct PaymentTaken {
    std::int64_t amount_received = 0;   // what Stripe took (the price or the deposit)
    std::int64_t already_refunded = 0;  // refunded, or asked of Stripe and not failed
};

// The refund owed, in minor units:
// - a client's cancellation: the engine's refund of the booking's policy
//   with `amount_received` as the price (for a deposit, the deposit), at
//   `at`; a reschedule's refund_ceiling (a share of the price) caps it at
//   the same share of what was received;
// - a cancellation by the provider or the operator, a decline, an expiry:
//   everything received;
// - a no-show: nothing;
// and never more than received minus already refunded, never below 0.
// Throws std::runtime_error for a stored policy the engine refuses (a
// damaged row: every policy passed the engine's check when it was PUT).
std::int64_t refund_owed(const Booking& booking, const PaymentTaken& paid, RefundActor actor, RefundTransition transition,
                         Instant at);

// The `reason` stored with the refund and shown in payment.refunds:
// "cancelled_by_client", "cancelled_by_provider", "declined_by_provider",
// "no_show", "payment_after_expiry".
std::string_view refund_reason(RefundActor actor, RefundTransition transition) noexcept;

}  // namespace slotwise::server::domain
