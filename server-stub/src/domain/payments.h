// Payments through Stripe (api.md "Payments (Stripe)"): the use cases that
// do not need a visitor's session. So far: Stripe's webhook, checked by its
// Stripe-Signature and applied once per event id in the same transaction as
// the change it makes to the booking's payment. No HTTP here.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/stripe_client.h"
#include "domain/clock.h"
#include "store/store.h"

namespace slotwise::server::domain {

class StripeAccounts;

struct PaymentOptions {
    // SLOTWISE_STRIPE_WEBHOOK_SECRET (whsec_...); empty: the webhook route answers 404.
    std::string webhook_secret;
    std::int64_t signature_tolerance_seconds = 300;
    // Reconciliation: a payment still open this long after it was created is
    // asked about (GET /v1/payment_intents/{id}), so a lost webhook never
    // leaves it stuck; at most `reconcile_batch` per run.
    std::chrono::seconds reconcile_after{600};
    int reconcile_batch = 50;
};

struct ReconcileReport {
    int asked = 0, changed = 0, failed = 0;
};

struct StripeWebhookReceipt {
    std::string event_id, event_type;
    bool duplicate = false;  // the event id was applied before; nothing changed now
    // What the event did: "payment_succeeded", "payment_refunded_late" (paid
    // after its hold expired: refunded), "payment_failed", "payment_canceled",
    // "refund_pending", "refund_succeeded", "refund_failed", "refund_canceled",
    // "charge_refunded", "unknown_intent" / "unknown_refund" (not one of
    // ours), "ignored" (a type we do not act on).
    std::string outcome;
};

// What a payment that Stripe reports succeeded does to its booking, inside
// the transaction that records it (BookingService::settle_payment): answers
// the outcome to record.
using PaymentSettler = std::function<std::string(Session&, const std::string& booking_id, std::int64_t amount_received, Timestamp now)>;

class PaymentService {
public:
    PaymentService(Store& store, const Clock& clock, PaymentOptions options);

    // Set once, before the webhook is served. Without it a payment only moves its row.
    void settle_payments_with(PaymentSettler settler) { settler_ = std::move(settler); }

    bool webhook_configured() const;
    // Whose webhook secrets sign events (domain/stripe_accounts.h): the
    // operator's and each provider's own; unset, only options.webhook_secret.
    void use_accounts(const StripeAccounts& accounts) { accounts_ = &accounts; }

    // Checks `signature` (the Stripe-Signature header) against the raw body
    // as it arrived, then records the event and applies it in one
    // transaction. Throws DomainError: not_found PAYMENTS_NOT_CONFIGURED (no
    // webhook secret); invalid_input STRIPE_SIGNATURE_MISSING,
    // STRIPE_SIGNATURE_INVALID (malformed, no v1, or no match),
    // STRIPE_SIGNATURE_EXPIRED (outside the tolerance), STRIPE_EVENT_INVALID
    // (signed, but not a Stripe event).
    StripeWebhookReceipt receive_stripe_webhook(std::string_view raw_body, const std::optional<std::string>& signature);

    // Asks Stripe about the payments still open after reconcile_after and
    // applies what it says as the webhook would have (forward only). No
    // transaction is open during a call to Stripe. Errors of one intent are
    // counted and left for the next run.
    ReconcileReport reconcile(const adapters::StripeClient& stripe);

    // Sends the refunds that were decided (rows of `refunds` in status
    // requested, written in the transaction of the change that owes them)
    // to Stripe's Refunds API, each with its own fixed Idempotency-Key and
    // metadata[slotwise_refund], so a crash between Stripe's answer and our
    // commit only means asking again and getting the same refund back. A
    // retryable error leaves the row for the next run; any other marks it
    // failed with Stripe's words. An answer is applied as the refund's
    // webhook is: a refund that reaches succeeded (by either path, once)
    // counts in refunded_amount and queues the booking event
    // payment.refunded in the same transaction.
    ReconcileReport send_requested_refunds(const adapters::StripeClient& stripe);

    // The same, each payment through the Stripe account of its provider
    // (StripeAccounts::for_provider: the provider's own keys, else the
    // operator's), as use_accounts() set; what the jobs run. A payment whose
    // provider has no account now is counted failed and left for later.
    ReconcileReport reconcile();
    ReconcileReport send_requested_refunds();

private:
    // The client for a provider's payments; nullopt: none can be made now.
    using ClientFor = std::function<std::optional<adapters::StripeClient>(const std::string& provider_id)>;
    ReconcileReport reconcile_with(const ClientFor& client_for);
    ReconcileReport send_refunds_with(const ClientFor& client_for);
    ClientFor accounts_client() const;

    Store& store_;
    const Clock& clock_;
    PaymentOptions options_;
    const StripeAccounts* accounts_ = nullptr;
    PaymentSettler settler_;
};

}  // namespace slotwise::server::domain
