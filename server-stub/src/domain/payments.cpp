#include "domain/payments.h"

#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/stripe_client.h"
#include "adapters/stripe_signature.h"
#include "domain/booking_events.h"
#include "domain/domain_error.h"
#include "domain/stripe_accounts.h"
#include "store/records.h"

namespace slotwise::server::domain {

namespace {

using adapters::StripeSignatureStatus;

DomainError signature_error(const char* code, std::string detail) {
    return DomainError(ErrorKind::invalid_input, code, std::move(detail));
}

// The payment row an intent event is about, and what the event makes of it.
// A status only moves forward: a late payment_failed after succeeded (events
// arrive in any order) changes nothing.
// A payment that moves to succeeded settles its booking (`settler`), once:
// a second report of the same success finds the row succeeded already.
std::string apply_intent_event(Session& s, const std::string& type, const adapters::PaymentIntent& intent, std::int64_t now,
                               const PaymentSettler& settler) {
    auto rows = s.query("SELECT booking_id, status FROM payments WHERE intent_id = $1", {intent.id});
    if (rows.empty()) {
        // Our intent whose id we never stored (the create's answer was lost):
        // the metadata names the booking, and the row takes the id now.
        const auto ours = intent.metadata.find("slotwise_booking");
        if (ours == intent.metadata.end()) return "unknown_intent";
        if (s.exec("UPDATE payments SET intent_id = $2, client_secret = $3 WHERE booking_id = $1 AND intent_id IS NULL",
                   {ours->second, intent.id, intent.client_secret.empty() ? SqlValue(nullptr) : SqlValue(intent.client_secret)}) == 0)
            return "unknown_intent";
        rows = s.query("SELECT booking_id, status FROM payments WHERE intent_id = $1", {intent.id});
    }
    const std::string booking_id = rows[0].get<std::string>("booking_id");
    const std::string status = rows[0].get<std::string>("status");
    if (type == "payment_intent.succeeded") {
        if (status == "succeeded") return "payment_succeeded";
        s.exec("UPDATE payments SET status = 'succeeded', amount_received = $2, paid_at = $3, last_error = NULL, updated_at = $3 "
               "WHERE booking_id = $1",
               {booking_id, intent.amount_received, now});
        if (settler) return settler(s, booking_id, intent.amount_received, timestamp_from_epoch(now));
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

// Refund statuses in the order they can follow each other; a later event
// never moves a refund back (Stripe's deliveries come in any order).
int refund_rank(const std::string& status) {
    if (status == "requested") return 0;
    if (status == "pending") return 1;
    return 2;  // succeeded, failed, canceled: final
}

// The provider's webhook `payment.refunded` (api.md "Webhooks"), queued as
// the booking's next event in the transaction that records the success.
// The sequence is taken by an UPDATE first, so that a concurrent event of
// the same booking cannot be given the same number (and the same
// webhook-id).
void announce_refund(Session& s, const std::string& booking_id, std::int64_t now) {
    if (s.exec("UPDATE bookings SET event_sequence = event_sequence + 1 WHERE id = $1", {booking_id}) == 0) return;
    auto booking = records::load_booking(s, booking_id);
    if (!booking) return;
    --booking->event_sequence;  // booking_event_statement counts it up again
    s.exec(booking_event_statement(*booking, BookingEventType::payment_refunded, "system", timestamp_from_epoch(now), std::nullopt,
                                   /*webhooks_only=*/true));
}

// refunded_amount after one of our refunds moved: a success counts it (the
// sum of our succeeded refunds, or what charge.refunded said if that is
// more: that also counts refunds made in Stripe's Dashboard); a success
// that later failed gives its amount back.
void count_refund(Session& s, const std::string& booking_id, std::int64_t amount, bool succeeded, std::int64_t now) {
    if (succeeded) {
        const auto sum = s.query("SELECT COALESCE(SUM(amount), 0) AS total FROM refunds WHERE booking_id = $1 AND status = 'succeeded'",
                                 {booking_id});
        s.exec("UPDATE payments SET refunded_amount = $2, updated_at = $3 WHERE booking_id = $1 AND refunded_amount < $2",
               {booking_id, sum.empty() ? amount : sum[0].get<std::int64_t>("total"), now});
    } else {
        s.exec("UPDATE payments SET refunded_amount = CASE WHEN refunded_amount > $2 THEN refunded_amount - $2 ELSE 0 END, "
               "updated_at = $3 WHERE booking_id = $1",
               {booking_id, amount, now});
    }
}

// A refund event (refund.created, refund.updated, refund.failed,
// charge.refund.updated): the refund row we asked for, found by Stripe's id
// or, when the webhook comes before our own call's answer was committed, by
// the row id we sent as metadata[slotwise_refund].
std::string apply_refund_event(Session& s, const adapters::Refund& refund, std::int64_t now) {
    const auto ours = refund.metadata.find("slotwise_refund");
    const auto rows = s.query("SELECT id, status, booking_id, amount FROM refunds WHERE refund_id = $1 OR id = $2",
                              {refund.id, ours == refund.metadata.end() ? std::string() : ours->second});
    if (rows.empty()) return "unknown_refund";
    const std::string id = rows[0].get<std::string>("id");
    const std::string status = rows[0].get<std::string>("status");
    std::string next = refund.status;
    if (next == "requires_action") next = "pending";
    if (next != "pending" && next != "succeeded" && next != "failed" && next != "canceled") return "ignored";
    // Stripe documents one move out of a final status: a succeeded refund that later fails.
    if (refund_rank(next) > refund_rank(status) || (status == "succeeded" && next == "failed")) {
        // Only from the status read: the webhook and the refunds job's
        // answer may apply the same refund at once (PostgreSQL runs both;
        // the second waits for the first's row lock, then finds the status
        // moved and changes nothing).
        if (s.exec("UPDATE refunds SET status = $2, refund_id = $3, failure_reason = $4, updated_at = $5 WHERE id = $1 AND status = $6",
                   {id, next, refund.id, refund.failure_reason.empty() ? SqlValue(nullptr) : SqlValue(refund.failure_reason), now,
                    status}) == 0)
            return "refund_" + next;
        // Only a move into or out of succeeded changes what was refunded;
        // a final status is reached once, so the webhook fires once.
        const std::string booking_id = rows[0].get<std::string>("booking_id");
        const std::int64_t amount = rows[0].get<std::int64_t>("amount");
        if (next == "succeeded") {
            count_refund(s, booking_id, amount, true, now);
            announce_refund(s, booking_id, now);
        } else if (status == "succeeded") {
            count_refund(s, booking_id, amount, false, now);
        }
    } else
        s.exec("UPDATE refunds SET refund_id = $2 WHERE id = $1 AND refund_id IS NULL", {id, refund.id});
    return "refund_" + next;
}

// charge.refunded carries the charge's cumulative amount_refunded: the
// payment's refunded amount only grows to it, so replays and reordering
// cannot count a refund twice.
std::string apply_charge_refunded(Session& s, const nlohmann::json& charge, std::int64_t now) {
    const std::string intent_id = charge.value("payment_intent", std::string());
    const auto refunded = charge.find("amount_refunded");
    if (intent_id.empty() || refunded == charge.end() || !refunded->is_number_integer()) return "ignored";
    const std::int64_t amount = refunded->get<std::int64_t>();
    if (s.query("SELECT 1 FROM payments WHERE intent_id = $1", {intent_id}).empty()) return "unknown_intent";
    s.exec("UPDATE payments SET refunded_amount = $2, updated_at = $3 WHERE intent_id = $1 AND refunded_amount < $2",
           {intent_id, amount, now});
    return "charge_refunded";
}

// What a Stripe event is about, read before its signature is checked: it
// only chooses which provider's secret is tried and whose payment the event
// names; the signature proves the claim.
struct EventSubject {
    std::string metadata_provider;  // its PaymentIntent's metadata[slotwise_provider] (the booking flow sets it)
    std::string intent_id;          // the PaymentIntent the object is, or names
};

EventSubject subject_of(const nlohmann::json& body) {
    EventSubject subject;
    const auto data = body.is_object() ? body.find("data") : body.end();
    if (data == body.end() || !data->is_object() || !data->contains("object") || !(*data)["object"].is_object()) return subject;
    const nlohmann::json& object = (*data)["object"];
    if (const auto metadata = object.find("metadata"); metadata != object.end() && metadata->is_object())
        if (const auto p = metadata->find("slotwise_provider"); p != metadata->end() && p->is_string())
            subject.metadata_provider = p->get<std::string>();
    if (object.value("object", std::string()) == "payment_intent") subject.intent_id = object.value("id", std::string());
    else if (object.contains("payment_intent") && object["payment_intent"].is_string())
        subject.intent_id = object["payment_intent"].get<std::string>();
    return subject;
}

// The provider of our payment row for an intent; empty when it is not one of ours.
std::string intent_owner(Session& s, const std::string& intent_id) {
    if (intent_id.empty()) return {};
    const auto rows = s.query("SELECT provider_id FROM payments WHERE intent_id = $1", {intent_id});
    return rows.empty() ? std::string() : rows[0].get<std::string>("provider_id");
}

}  // namespace

bool PaymentService::webhook_configured() const {
    return accounts_ ? accounts_->webhook_possible() : !options_.webhook_secret.empty();
}

PaymentService::PaymentService(Store& store, const Clock& clock, PaymentOptions options)
    : store_(store), clock_(clock), options_(std::move(options)) {}

StripeWebhookReceipt PaymentService::receive_stripe_webhook(std::string_view raw_body, const std::optional<std::string>& signature) {
    if (!webhook_configured())
        throw DomainError(ErrorKind::not_found, "PAYMENTS_NOT_CONFIGURED",
                          "payments are off: neither SLOTWISE_STRIPE_WEBHOOK_SECRET nor any provider's webhook secret is set");
    if (!signature || signature->empty()) throw signature_error("STRIPE_SIGNATURE_MISSING", "no Stripe-Signature header");
    // Stripe signs with its own clock: the machine's real time, never the
    // server's shifted clock (SLOTWISE_NOW), is what the tolerance is about.
    const std::int64_t real_now = epoch_seconds(Clock::system_seconds());
    // The operator's secret, then the secret of the provider the event
    // claims (its own Stripe account signs its events); the first that
    // verifies counts, and a mismatch is reported only when none does.
    std::vector<std::string> secrets{options_.webhook_secret};
    EventSubject subject;
    std::string claimed;
    if (accounts_) {
        subject = subject_of(nlohmann::json::parse(raw_body, nullptr, /*allow_exceptions=*/false));
        claimed = subject.metadata_provider;
        if (claimed.empty()) claimed = intent_owner(*store_.session(), subject.intent_id);
        secrets = accounts_->webhook_secrets(claimed);
    }
    adapters::StripeSignatureCheck check;
    check.status = StripeSignatureStatus::mismatch;
    for (std::size_t i = 0; i < secrets.size(); ++i) {
        if (secrets[i].empty()) continue;
        check = adapters::verify_stripe_signature(*signature, raw_body, secrets[i], real_now, options_.signature_tolerance_seconds);
        if (check.status != StripeSignatureStatus::mismatch) {
            // Signed with the provider's own secret (never the operator's, tried first).
            const bool by_provider = accounts_ && check.status == StripeSignatureStatus::valid && secrets[i] != options_.webhook_secret;
            // A provider's own secret speaks for that provider's payments only.
            if (by_provider) {
                const std::string owner = intent_owner(*store_.session(), subject.intent_id);
                if (!owner.empty() && owner != claimed)
                    throw signature_error("STRIPE_SIGNATURE_INVALID", "this event is signed by a provider's secret but is about another provider's payment");
            }
            break;
        }
    }
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
        if (intent) receipt.outcome = apply_intent_event(*s, event->type, *intent, now, settler_);
        else if (const auto refund = adapters::read_refund(event->object); refund && (event->type.rfind("refund.", 0) == 0 ||
                                                                                       event->type == "charge.refund.updated"))
            receipt.outcome = apply_refund_event(*s, *refund, now);
        else if (event->type == "charge.refunded") receipt.outcome = apply_charge_refunded(*s, event->object, now);
        else receipt.outcome = "ignored";
        s->exec("UPDATE stripe_events SET outcome = $2 WHERE event_id = $1", {event->id, receipt.outcome});
    });
    return receipt;
}

ReconcileReport PaymentService::reconcile(const adapters::StripeClient& stripe) {
    return reconcile_with([&stripe](const std::string&) { return std::optional<adapters::StripeClient>(stripe); });
}

ReconcileReport PaymentService::send_requested_refunds(const adapters::StripeClient& stripe) {
    return send_refunds_with([&stripe](const std::string&) { return std::optional<adapters::StripeClient>(stripe); });
}

PaymentService::ClientFor PaymentService::accounts_client() const {
    return [this](const std::string& provider_id) -> std::optional<adapters::StripeClient> {
        if (!accounts_) return std::nullopt;
        const auto account = accounts_->for_provider(provider_id);
        if (!account) return std::nullopt;
        return accounts_->client(*account);
    };
}

ReconcileReport PaymentService::reconcile() { return reconcile_with(accounts_client()); }
ReconcileReport PaymentService::send_requested_refunds() { return send_refunds_with(accounts_client()); }

ReconcileReport PaymentService::reconcile_with(const ClientFor& client_for) {
    ReconcileReport report;
    const std::int64_t now = epoch_seconds(clock_.now());
    std::vector<std::pair<std::string, std::string>> intents;  // intent id, provider id
    {
        auto s = store_.session();
        for (const auto& row : s->query("SELECT intent_id, provider_id FROM payments WHERE status IN ('requires_payment_method', 'processing') "
                                        "AND intent_id IS NOT NULL AND created_at <= $1 ORDER BY created_at LIMIT $2",
                                        {now - static_cast<std::int64_t>(options_.reconcile_after.count()),
                                         std::int64_t{options_.reconcile_batch}}))
            intents.emplace_back(row.get<std::string>("intent_id"), row.get<std::string>("provider_id"));
    }
    for (const auto& [id, provider_id] : intents) {
        ++report.asked;
        const auto stripe = client_for(provider_id);
        if (!stripe) {
            ++report.failed;
            continue;
        }
        const auto answer = stripe->retrieve_payment_intent(id);
        if (!answer.ok()) {
            ++report.failed;
            continue;
        }
        // The intent's status read as the event that would have reported it.
        const std::string& status = answer.value->status;
        const char* as_event = status == "succeeded" ? "payment_intent.succeeded" : status == "canceled" ? "payment_intent.canceled" : nullptr;
        if (!as_event) continue;
        auto s = store_.session();
        in_transaction(*s, std::nullopt, [&] {
            const auto before = s->query("SELECT status FROM payments WHERE intent_id = $1", {id});
            apply_intent_event(*s, as_event, *answer.value, epoch_seconds(clock_.now()), settler_);
            const auto after = s->query("SELECT status FROM payments WHERE intent_id = $1", {id});
            if (!before.empty() && !after.empty() && before[0].get<std::string>("status") != after[0].get<std::string>("status"))
                ++report.changed;
        });
    }
    return report;
}

ReconcileReport PaymentService::send_refunds_with(const ClientFor& client_for) {
    ReconcileReport report;
    struct Owed {
        std::string id, intent_id, idempotency_key, provider_id;
        std::int64_t amount = 0;
    };
    std::vector<Owed> owed;
    {
        auto s = store_.session();
        for (const auto& row : s->query("SELECT r.id, r.amount, r.idempotency_key, p.intent_id, p.provider_id FROM refunds r "
                                        "JOIN payments p ON p.booking_id = r.booking_id "
                                        "WHERE r.status = 'requested' AND p.intent_id IS NOT NULL ORDER BY r.created_at LIMIT $1",
                                        {std::int64_t{options_.reconcile_batch}}))
            owed.push_back({row.get<std::string>("id"), row.get<std::string>("intent_id"), row.get<std::string>("idempotency_key"),
                            row.get<std::string>("provider_id"), row.get<std::int64_t>("amount")});
    }
    for (const Owed& refund : owed) {
        ++report.asked;
        adapters::CreateRefund request;
        request.payment_intent = refund.intent_id;
        request.amount = refund.amount;
        request.metadata = {{"slotwise_refund", refund.id}};
        const auto stripe = client_for(refund.provider_id);
        if (!stripe) {
            ++report.failed;
            continue;
        }
        const auto answer = stripe->create_refund(request, refund.idempotency_key);
        if (!answer.ok() && answer.error.retryable()) {
            ++report.failed;
            continue;
        }
        auto s = store_.session();
        in_transaction(*s, std::nullopt, [&] {
            const std::int64_t now = epoch_seconds(clock_.now());
            if (answer.ok()) {
                // Through the same forward-only rule as the webhook, which may have come first.
                apply_refund_event(*s, *answer.value, now);
            } else {
                s->exec("UPDATE refunds SET status = 'failed', failure_reason = $2, updated_at = $3 WHERE id = $1 AND status = 'requested'",
                        {refund.id, answer.error.describe(), now});
            }
        });
        ++report.changed;
    }
    return report;
}

}  // namespace slotwise::server::domain
