#include "domain/payments.h"

#include <nlohmann/json.hpp>

#include "adapters/stripe_client.h"
#include "adapters/stripe_signature.h"
#include "domain/domain_error.h"

namespace slotwise::server::domain {

namespace {

using adapters::StripeSignatureStatus;

DomainError signature_error(const char* code, std::string detail) {
    return DomainError(ErrorKind::invalid_input, code, std::move(detail));
}

// The payment row an intent event is about, and what the event makes of it.
// A status only moves forward: a late payment_failed after succeeded (events
// arrive in any order) changes nothing.
std::string apply_intent_event(Session& s, const std::string& type, const adapters::PaymentIntent& intent, std::int64_t now) {
    const auto rows = s.query("SELECT booking_id, status FROM payments WHERE intent_id = $1", {intent.id});
    if (rows.empty()) return "unknown_intent";
    const std::string booking_id = rows[0].get<std::string>("booking_id");
    const std::string status = rows[0].get<std::string>("status");
    if (type == "payment_intent.succeeded") {
        if (status != "succeeded")
            s.exec("UPDATE payments SET status = 'succeeded', amount_received = $2, paid_at = $3, last_error = NULL, updated_at = $3 "
                   "WHERE booking_id = $1",
                   {booking_id, intent.amount_received, now});
        return "payment_succeeded";
    }
    if (type == "payment_intent.payment_failed") {
        if (status != "succeeded" && status != "canceled")
            s.exec("UPDATE payments SET last_error = $2, updated_at = $3 WHERE booking_id = $1",
                   {booking_id, intent.last_payment_error_code.empty() ? std::string("payment_failed") : intent.last_payment_error_code,
                    now});
        return "payment_failed";
    }
    if (type == "payment_intent.canceled") {
        if (status != "succeeded")
            s.exec("UPDATE payments SET status = 'canceled', updated_at = $2 WHERE booking_id = $1", {booking_id, now});
        return "payment_canceled";
    }
    return "ignored";
}

}  // namespace

PaymentService::PaymentService(Store& store, const Clock& clock, PaymentOptions options)
    : store_(store), clock_(clock), options_(std::move(options)) {}

StripeWebhookReceipt PaymentService::receive_stripe_webhook(std::string_view raw_body, const std::optional<std::string>& signature) {
    if (!webhook_configured())
        throw DomainError(ErrorKind::not_found, "PAYMENTS_NOT_CONFIGURED", "payments are off: SLOTWISE_STRIPE_WEBHOOK_SECRET is not set");
    if (!signature || signature->empty()) throw signature_error("STRIPE_SIGNATURE_MISSING", "no Stripe-Signature header");
    // Stripe signs with its own clock: the machine's real time, never the
    // server's shifted clock (SLOTWISE_NOW), is what the tolerance is about.
    const std::int64_t real_now = epoch_seconds(Clock::system_seconds());
    const auto check = adapters::verify_stripe_signature(*signature, raw_body, options_.webhook_secret, real_now,
                                                         options_.signature_tolerance_seconds);
    switch (check.status) {
        case StripeSignatureStatus::valid: break;
        case StripeSignatureStatus::outside_tolerance:
            throw signature_error("STRIPE_SIGNATURE_EXPIRED", "the Stripe-Signature timestamp is more than " +
                                                                  std::to_string(options_.signature_tolerance_seconds) +
                                                                  " s away from the server's clock");
        case StripeSignatureStatus::malformed:
            throw signature_error("STRIPE_SIGNATURE_INVALID", "the Stripe-Signature header is not t=...,v1=...");
        case StripeSignatureStatus::no_v1: throw signature_error("STRIPE_SIGNATURE_INVALID", "the Stripe-Signature header has no v1 signature");
        case StripeSignatureStatus::mismatch:
            throw signature_error("STRIPE_SIGNATURE_INVALID", "no v1 signature matches this body under the webhook secret");
    }
    const auto body = nlohmann::json::parse(raw_body, nullptr, /*allow_exceptions=*/false);
    const auto event = adapters::read_event(body);
    if (!event) throw signature_error("STRIPE_EVENT_INVALID", "the body is not a Stripe event");

    StripeWebhookReceipt receipt;
    receipt.event_id = event->id;
    receipt.event_type = event->type;
    const std::int64_t now = epoch_seconds(clock_.now());
    const auto intent = event->type.rfind("payment_intent.", 0) == 0 ? adapters::read_payment_intent(event->object) : std::nullopt;
    const std::string object_id = event->object.is_object() ? event->object.value("id", std::string()) : std::string();
    auto s = store_.session();
    in_transaction(*s, std::nullopt, [&] {
        // The event id first: a second delivery (Stripe retries, replays,
        // duplicates) inserts nothing and so applies nothing.
        const auto inserted = s->exec(
            "INSERT INTO stripe_events (event_id, event_type, object_id, created, received_at, outcome) VALUES ($1, $2, $3, $4, $5, '') "
            "ON CONFLICT (event_id) DO NOTHING",
            {event->id, event->type, object_id.empty() ? SqlValue(nullptr) : SqlValue(object_id), event->created, now});
        if (inserted == 0) {
            receipt.duplicate = true;
            const auto rows = s->query("SELECT outcome FROM stripe_events WHERE event_id = $1", {event->id});
            receipt.outcome = rows.empty() ? "" : rows[0].get<std::string>("outcome");
            return;
        }
        receipt.outcome = intent ? apply_intent_event(*s, event->type, *intent, now) : "ignored";
        s->exec("UPDATE stripe_events SET outcome = $2 WHERE event_id = $1", {event->id, receipt.outcome});
    });
    return receipt;
}

}  // namespace slotwise::server::domain
