#include "domain/payment_flow.h"

#include <algorithm>
#include <cctype>

#include "domain/booking_events.h"
#include "domain/booking_service.h"
#include "jobs/job_queue.h"
#include "jobs/standard_jobs.h"
#include "store/payment_records.h"
#include "store/records.h"
#include "support/crypto.h"

namespace slotwise::server {
namespace domain {
namespace {

// Stripe answers within seconds when it answers at all; the widget retries
// the same request after this.
constexpr int kRetryAfterSeconds = 5;
// Stripe forgets an Idempotency-Key after 24 hours; the job gives up well before.
constexpr int kCancelAttempts = 12;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// What a stored row's status becomes when Stripe tells the intent's: only
// forward from `creating` (a webhook may already have moved it further).
std::string row_status_of(const std::string& intent_status) {
    if (intent_status == "succeeded" || intent_status == "canceled" || intent_status == "processing") return intent_status;
    return "requires_payment_method";
}

}  // namespace

std::string intent_idempotency_key(const std::string& booking_id) { return "slotwise-booking-" + booking_id + "-intent"; }
std::string cancel_idempotency_key(const std::string& booking_id) { return "slotwise-booking-" + booking_id + "-cancel"; }

Statement cancel_intent_job_statement(const std::string& booking_id, Timestamp now) {
    return jobs::enqueue_statement({kPaymentCancelJob, std::string(kPaymentCancelJob) + ":" + booking_id,
                                    nlohmann::json{{"booking_id", booking_id}}, now, kCancelAttempts},
                                   now);
}

bool payment_open(const BookingPayment& payment) {
    return payment.status == "creating" || payment.status == "requires_payment_method" || payment.status == "processing";
}

DomainError payment_provider_unavailable(std::optional<int> retry_after_seconds, const std::string& detail) {
    DomainError e(ErrorKind::unavailable, "PAYMENT_PROVIDER_UNAVAILABLE", detail);
    if (retry_after_seconds) e.retry_after_seconds(*retry_after_seconds);
    return e;
}

adapters::CreatePaymentIntent PaymentFlow::intent_request(const Booking& b) const {
    // Every field is fixed by the booking: Stripe replays a key only for the same parameters.
    adapters::CreatePaymentIntent request;
    request.amount = b.payment->amount;
    request.currency = lower(b.payment->currency);
    request.metadata = {{"slotwise_booking", b.id}, {"slotwise_provider", b.provider_id}};
    request.description = "Slotwise booking " + b.id;
    return request;
}

void PaymentFlow::store_intent(const std::string& booking_id, const adapters::PaymentIntent& intent) {
    auto s = store_.session();
    in_transaction(*s, std::nullopt, [&] {
        s->exec("UPDATE payments SET intent_id = $2, client_secret = $3, "
                "status = CASE WHEN status = 'creating' THEN $4 ELSE status END, updated_at = $5 "
                "WHERE booking_id = $1 AND (intent_id IS NULL OR intent_id = $2)",
                {booking_id, intent.id, intent.client_secret, row_status_of(intent.status), epoch_seconds(clock_.now())});
    });
}

void PaymentFlow::release_hold(const std::string& booking_id, const std::string& why) {
    auto s = store_.session();
    const auto found = records::load_booking(*s, booking_id);
    if (!found) return;
    in_transaction(*s, found->provider_id, [&] {
        const Timestamp now = clock_.now();
        auto b = records::load_booking(*s, booking_id);
        if (!b) return;
        s->exec("UPDATE payments SET status = 'failed', last_error = $2, updated_at = $3 WHERE booking_id = $1 AND status = 'creating'",
                {booking_id, why, epoch_seconds(now)});
        if (b->status != BookingStatus::held) return;
        // The hold lapses now, by the table's expiry row, and frees its time.
        const BookingStatus before = b->status;
        b->expires_at = now;
        b->status = transition_or_throw(before, BookingAction::expire, ActorKind::system, b->moment(now));
        b->updated_at = now;
        if (!records::update_booking(*s, *b, before)) return;
        records::audit(*s, now, std::string(audit_name(ActorKind::system)), "booking.expire", "booking", booking_id,
                       {{"from", std::string(to_string(before))}, {"reason", "Stripe refused to create the payment"}});
    });
}

PaymentWidget PaymentFlow::ensure_intent(const Booking& b) {
    const auto account = accounts_.for_provider(b.provider_id);
    if (!account) {
        release_hold(b.id, "no Stripe account for this provider");
        throw payment_provider_unavailable(std::nullopt, "this provider no longer takes payments; the time is released");
    }
    if (b.payment->intent_id && b.payment->client_secret)
        return {*b.payment->client_secret, account->publishable_key};
    const auto answer = accounts_.client(*account).create_payment_intent(intent_request(b), intent_idempotency_key(b.id));
    if (answer.ok()) {
        store_intent(b.id, *answer.value);
        return {answer.value->client_secret, account->publishable_key};
    }
    // An answer we could not read may still have made the intent: asking
    // again with the same key finds it, so it is retried like an outage.
    if (answer.error.retryable() || answer.error.kind == adapters::StripeErrorKind::bad_answer)
        throw payment_provider_unavailable(kRetryAfterSeconds,
                                           "the payment provider cannot be reached; the time stays held until " +
                                               format_timestamp(b.payment->expires_at) +
                                               ": send the same request again (the same Idempotency-Key)");
    release_hold(b.id, answer.error.describe());
    throw payment_provider_unavailable(std::nullopt, "the payment provider refused to take this payment; the time is released");
}

std::optional<PaymentWidget> PaymentFlow::widget_of(const Booking& b) const {
    if (!b.payment || !b.payment->client_secret) return std::nullopt;
    const auto account = accounts_.for_provider(b.provider_id);
    if (!account) return std::nullopt;
    return PaymentWidget{*b.payment->client_secret, account->publishable_key};
}

jobs::JobOutcome PaymentFlow::cancel_intent(const jobs::Job& job) {
    const std::string booking_id = job.payload.value("booking_id", std::string());
    auto s = store_.session();
    const auto b = records::load_booking(*s, booking_id);
    // Paid, cancelled or failed meanwhile, or a booking that holds time again: nothing to cancel.
    if (!b || !b->payment || !payment_open(*b->payment) || blocks_time(b->status)) return jobs::JobOutcome::done();
    const auto account = accounts_.for_provider(b->provider_id);
    if (!account) return jobs::JobOutcome::fail("no Stripe account for provider " + b->provider_id);
    const auto stripe = accounts_.client(*account);
    std::string intent_id = b->payment->intent_id.value_or("");
    if (intent_id.empty()) {
        // A create whose answer was lost (a crash, an outage) may have made
        // an intent nobody can pay: the same key finds it, to cancel it.
        const auto made = stripe.create_payment_intent(intent_request(*b), intent_idempotency_key(b->id));
        if (!made.ok()) {
            if (made.error.retryable()) return jobs::JobOutcome::retry_later(made.error.describe());
            return jobs::JobOutcome::fail(made.error.describe());
        }
        store_intent(b->id, *made.value);
        intent_id = made.value->id;
    }
    const auto answer = stripe.cancel_payment_intent(intent_id, "abandoned", cancel_idempotency_key(b->id));
    if (!answer.ok()) {
        if (answer.error.retryable()) return jobs::JobOutcome::retry_later(answer.error.describe());
        // Paid at the last moment: its payment_intent.succeeded refunds it (a late payment).
        if (answer.error.code == "payment_intent_unexpected_state") return jobs::JobOutcome::done();
        return jobs::JobOutcome::fail(answer.error.describe());
    }
    in_transaction(*s, std::nullopt, [&] {
        s->exec("UPDATE payments SET status = 'canceled', updated_at = $2 WHERE booking_id = $1 AND status <> 'succeeded'",
                {b->id, epoch_seconds(clock_.now())});
    });
    return jobs::JobOutcome::done();
}

}  // namespace domain

std::string BookingService::settle_payment(Session& s, const std::string& booking_id, std::int64_t amount_received, Timestamp now) {
    auto b = records::load_booking(s, booking_id);
    if (!b) return "unknown_booking";
    if (b->status == BookingStatus::held && !domain::lapsed(b->status, b->moment(now))) {
        const auto provider = providers_.get(s, b->provider_id);
        const ServiceConfig* service = provider ? provider->config.service(b->service_id) : nullptr;
        domain::TransitionMoment moment = b->moment(now);
        // A service that is gone cannot say; the provider then decides.
        moment.provider_confirms = !service || service->requires_confirmation;
        const BookingStatus before = b->status;
        b->status = domain::transition_or_throw(before, domain::BookingAction::pay, domain::ActorKind::system, moment);
        if (b->status == BookingStatus::pending) {
            // Now a request like any other: it waits for the provider.
            const auto minutes = provider ? provider->config.pending_expiry_minutes : std::nullopt;
            b->expires_at = std::min<Timestamp>(now + (minutes ? Minutes{*minutes} : options_.pending_expiry), b->start);
            s.exec(jobs::booking_expiry_statement(b->id, *b->expires_at, now));
        } else {
            b->expires_at.reset();
            if (service && service->is_virtual && !b->meeting_link) b->meeting_link = new_meeting_link();
        }
        b->updated_at = now;
        // Paid, the booking is announced as an unpaid one is at its insert;
        // then the payment itself, to the provider's webhooks.
        const Statement created = domain::booking_event_statement(*b, domain::BookingEventType::created, "client", now);
        const Statement paid = domain::booking_event_statement(*b, domain::BookingEventType::payment_succeeded, "system", now,
                                                               std::nullopt, /*webhooks_only=*/true);
        // The expiry or another delivery got there first (PostgreSQL
        // re-reads the row under its lock): a late payment after all.
        if (records::update_booking(s, *b, before)) {
            s.exec(created);
            s.exec(paid);
            records::audit(s, now, std::string(domain::audit_name(domain::ActorKind::system)), "booking.pay", "booking", b->id,
                           {{"from", std::string(to_string(before))}, {"to", std::string(to_string(b->status))},
                            {"amount_received", amount_received}});
            return "payment_succeeded";
        }
        b = records::load_booking(s, booking_id);
    }
    // A booking that already stands (moved on by other means) keeps the payment.
    if (domain::blocks_time(b->status) && b->status != BookingStatus::held) return "payment_succeeded";
    // The hold ran out (or the booking ended) before the money came: the time
    // is not the payer's any more, so everything received goes back at once.
    std::string reason = "payment after the hold expired";
    if (b->status == BookingStatus::held) {
        // Lapsed but not yet marked: marked now, as its expiry job would.
        const BookingStatus before = b->status;
        b->status = domain::transition_or_throw(before, domain::BookingAction::expire, domain::ActorKind::system, b->moment(now));
        b->updated_at = now;
        const Statement expired = domain::booking_event_statement(*b, domain::BookingEventType::expired, "system", now,
                                                                  std::nullopt, /*webhooks_only=*/true);
        if (records::update_booking(s, *b, before)) {
            s.exec(expired);
            records::audit(s, now, std::string(domain::audit_name(domain::ActorKind::system)), "booking.expire", "booking", b->id,
                           {{"from", std::string(to_string(before))}, {"reason", "paid after its expiry"}});
        }
    } else if (b->status != BookingStatus::expired) {
        reason = "payment after the booking was " + domain::lower(std::string(to_string(b->status)));
    }
    if (amount_received > 0) {
        const std::string id = "rf_" + random_token(15);
        s.exec("INSERT INTO refunds (id, booking_id, amount, currency, reason, idempotency_key, status, created_at, updated_at) "
               "VALUES ($1, $2, $3, $4, $5, $6, 'requested', $7, $7)",
               {id, b->id, amount_received, b->payment ? b->payment->currency : b->currency, reason, "slotwise-refund-" + id,
                epoch_seconds(now)});
        records::audit(s, now, std::string(domain::audit_name(domain::ActorKind::system)), "payment.refund", "booking", b->id,
                       {{"amount", amount_received}, {"reason", reason}});
    }
    return "payment_refunded_late";
}

}  // namespace slotwise::server
