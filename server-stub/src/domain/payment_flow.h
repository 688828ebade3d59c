// The paid booking flow (issue 16, api.md "Payments (Stripe)"): what happens
// at Stripe around a HELD booking of a paid service. The booking and its
// `payments` row (status creating) are committed together by the locked
// insert; only then, outside any transaction, is the PaymentIntent created
// here with an Idempotency-Key derived from the booking, so that a retried
// request, a replay or a job after a crash asks Stripe again and gets the
// same intent back: one intent per booking, never a second charge.
//
// Stripe failing at creation: unreachable, 5xx, 429 or an unreadable answer
// is 503 PAYMENT_PROVIDER_UNAVAILABLE with Retry-After, and the hold stays
// until its expires_at so that the same request (same Idempotency-Key) can
// resume it; Stripe refusing the call (a wrong key, an invalid request)
// cannot be helped by retrying: the hold is released at once (EXPIRED, the
// payment failed) and the answer is 503 without Retry-After.
//
// An unpaid hold that expires has its intent cancelled by a job
// (`payment.cancel_intent`, its own Idempotency-Key), outside any transaction.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "adapters/stripe_client.h"
#include "domain/clock.h"
#include "domain/domain_error.h"
#include "domain/model.h"
#include "domain/stripe_accounts.h"
#include "jobs/job.h"
#include "store/store.h"

namespace slotwise::server::domain {

inline constexpr const char* kPaymentCancelJob = "payment.cancel_intent";

// The fixed Idempotency-Keys of a booking's calls to Stripe.
std::string intent_idempotency_key(const std::string& booking_id);  // "slotwise-booking-<id>-intent"
std::string cancel_idempotency_key(const std::string& booking_id);  // "slotwise-booking-<id>-cancel"

// The job that cancels an unpaid, expired hold's intent at Stripe, keyed by
// the booking so that a second enqueue is a no-op; for the transaction that
// expires the hold.
Statement cancel_intent_job_statement(const std::string& booking_id, Timestamp now);

// Whether a payment may still be paid or cancelled at Stripe.
bool payment_open(const BookingPayment& payment);

DomainError payment_provider_unavailable(std::optional<int> retry_after_seconds, const std::string& detail);

class PaymentFlow {
public:
    PaymentFlow(Store& store, const Clock& clock, const StripeAccounts& accounts) : store_(store), clock_(clock), accounts_(accounts) {}

    // Whether a booking of this provider can take a payment: it has a Stripe
    // account with a publishable key, without which the client's browser
    // could not pay the hold it would get.
    bool takes_payments(const std::string& provider_id) const {
        const auto account = accounts_.for_provider(provider_id);
        return account && !account->publishable_key.empty();
    }

    // After the commit of `booking` (HELD, with its payment row): makes sure
    // its intent exists at Stripe and is stored, and answers what the widget
    // needs. An intent already stored is not asked for again. Throws
    // DomainError PAYMENT_PROVIDER_UNAVAILABLE (see above).
    PaymentWidget ensure_intent(const Booking& booking);

    // The widget of a stored intent (nullopt: no intent yet, or no account).
    std::optional<PaymentWidget> widget_of(const Booking& booking) const;

    // The `payment.cancel_intent` job's handler.
    jobs::JobOutcome cancel_intent(const jobs::Job& job);

private:
    adapters::CreatePaymentIntent intent_request(const Booking& booking) const;
    // Stores Stripe's intent on the booking's row (once; the status only from creating).
    void store_intent(const std::string& booking_id, const adapters::PaymentIntent& intent);
    // Stripe refused to create the intent: the hold ends now and the payment failed.
    void release_hold(const std::string& booking_id, const std::string& why);

    Store& store_;
    const Clock& clock_;
    const StripeAccounts& accounts_;
};

}  // namespace slotwise::server::domain
