#include "domain/refund_decisions.h"

#include <algorithm>

#include "support/crypto.h"

namespace slotwise::server::domain {

RefundActor refund_actor_of(const Actor& actor) {
    switch (kind_of(actor)) {
        case ActorKind::booking_client: return RefundActor::client;
        case ActorKind::operator_: return RefundActor::operator_;
        case ActorKind::system: return RefundActor::system;
        case ActorKind::visitor:
        case ActorKind::provider_account:
        case ActorKind::api_key:
        case ActorKind::provider_link: break;
    }
    return RefundActor::provider;
}

std::string refund_idempotency_key(const std::string& refund_id) { return "slotwise-refund-" + refund_id; }

DecidedRefund decide_refund(Session& s, const Booking& booking, RefundActor actor, RefundTransition transition, Instant at,
                            Timestamp now) {
    DecidedRefund decided;
    const auto payment = s.query("SELECT amount_received, refunded_amount, currency FROM payments WHERE booking_id = $1", {booking.id});
    if (payment.empty()) return decided;
    PaymentTaken taken;
    taken.amount_received = payment[0].get<std::int64_t>("amount_received");
    if (taken.amount_received <= 0) return decided;
    decided.paid = true;
    // What is gone already: the refunds Stripe reported on the charge (ours
    // and any made in Stripe's Dashboard), or ours still under way,
    // whichever is more.
    const auto asked = s.query("SELECT COALESCE(SUM(amount), 0) AS asked FROM refunds WHERE booking_id = $1 "
                               "AND status NOT IN ('failed', 'canceled')",
                               {booking.id});
    taken.already_refunded =
        std::max(payment[0].get<std::int64_t>("refunded_amount"), asked.empty() ? 0 : asked[0].get<std::int64_t>("asked"));
    decided.amount = refund_owed(booking, taken, actor, transition, at);
    if (decided.amount <= 0) return decided;
    const std::string id = "rf_" + random_token(16);
    const std::int64_t seconds = epoch_seconds(now);
    s.exec("INSERT INTO refunds (id, booking_id, amount, currency, reason, idempotency_key, status, created_at, updated_at) "
           "VALUES ($1, $2, $3, $4, $5, $6, 'requested', $7, $7)",
           {id, booking.id, decided.amount, payment[0].get<std::string>("currency"), std::string(refund_reason(actor, transition)),
            refund_idempotency_key(id), seconds});
    decided.refund_id = id;
    return decided;
}

}  // namespace slotwise::server::domain
