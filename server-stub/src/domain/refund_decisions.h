// The refund a transition owes, made durable (issue 16 item 3): inside the
// transaction that changes the booking's status, the booking's payment is
// read, refund_policy.h decides, and a `refunds` row (status requested, its
// Idempotency-Key fixed now) is written, so the refund exists exactly when
// the status change does. PaymentService::send_requested_refunds sends it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/actor.h"
#include "domain/refund_policy.h"
#include "store/store.h"

namespace slotwise::server::domain {

struct DecidedRefund {
    // Stripe took money for this booking (amount_received > 0). Without it
    // there is nothing to give back, and nobody is told of a refund.
    bool paid = false;
    std::int64_t amount = 0;               // what goes back now (0 when the policy gives nothing)
    std::optional<std::string> refund_id;  // the refunds row written ("rf_..."), when amount > 0
};

// The side a transition's actor stands on: the booking's client, the
// operator, the server itself, or else the provider.
RefundActor refund_actor_of(const Actor& actor);

// Inside the caller's transaction, before it commits the status change.
DecidedRefund decide_refund(Session& s, const Booking& booking, RefundActor actor, RefundTransition transition, Instant at,
                            Timestamp now);

// The Idempotency-Key of a refund row's one call to Stripe's Refunds API:
// fixed by the row id, so a retry after a crash gets the same refund back.
std::string refund_idempotency_key(const std::string& refund_id);

}  // namespace slotwise::server::domain
