// Stripe's PaymentIntents, Refunds and Events APIs (https://docs.stripe.com/api)
// over http_client: form-encoded bodies in Stripe's bracket notation, Bearer
// auth with the secret key, an Idempotency-Key on every call that creates
// something, and Stripe's errors sorted into a small set of kinds that say
// whether trying again can help. Called by jobs and by the booking flow,
// never holding a database transaction open across the call. Any server
// that speaks the same API (tests/server/stripe_test_server.mjs) can stand
// in through --stripe-api-base.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/http_client.h"

namespace slotwise::server::adapters {

// The API version every request pins (Stripe-Version), so that an account's
// default version changing in the Dashboard does not change what we read.
constexpr std::string_view kStripeApiVersion = "2024-06-20";

struct StripeOptions {
    std::string api_base = "https://api.stripe.com";
    std::string secret_key;  // sk_test_..., sk_live_... or a restricted rk_...; never logged
    std::chrono::milliseconds timeout{20'000};
    HttpClientOptions http;
};

// What went wrong, by what the caller can do about it.
enum class StripeErrorKind {
    none,
    card,             // card_error: the payer's card was declined; the payer may try another
    invalid_request,  // invalid_request_error (400, 404): our request is wrong, or the object's state forbids it
    authentication,   // 401/403: the key is wrong, revoked or lacks the permission
    idempotency,      // idempotency_error 400: a key reused with other parameters (a bug on our side)
    rate_limit,       // 429, or lock_timeout: retryable after a pause
    api,              // api_error, 5xx, 409 while the same key is still running: retryable with the same key
    unreachable,      // no HTTP answer (refused, timeout, reset): retryable with the same key
    bad_answer,       // a 2xx we cannot read: the call may have happened; retrieve before acting again
};
std::string_view to_string(StripeErrorKind kind) noexcept;

struct StripeError {
    StripeErrorKind kind = StripeErrorKind::none;
    int http_status = 0;
    std::string type, code, decline_code, param, message, request_id;
    // Stripe-Should-Retry when Stripe sent it, else by kind.
    std::optional<bool> should_retry;
    bool retryable() const;
    // "STRIPE_<KIND> <code>: <message> (request req_...)": one line, for job errors and logs.
    std::string describe() const;
};

struct PaymentIntent {
    std::string id, client_secret, status, currency, latest_charge, cancellation_reason;
    std::int64_t amount = 0, amount_received = 0, created = 0;
    std::map<std::string, std::string> metadata;
    std::string last_payment_error_code, last_payment_error_message;
};

struct Refund {
    std::string id, status, currency, payment_intent, charge, failure_reason;
    std::int64_t amount = 0, created = 0;
    std::map<std::string, std::string> metadata;
};

struct StripeEvent {
    std::string id, type;
    std::int64_t created = 0;
    nlohmann::json object;  // data.object, as sent
};

struct EventPage {
    std::vector<StripeEvent> events;  // newest first
    bool has_more = false;
};

// A call's outcome: a value, or an error; `replayed` when Stripe answered
// from an earlier request with the same Idempotency-Key.
template <typename T>
struct StripeResult {
    std::optional<T> value;
    StripeError error;
    bool replayed = false;
    bool ok() const { return value.has_value(); }
};

struct CreatePaymentIntent {
    std::int64_t amount = 0;  // in the currency's smallest unit
    std::string currency;     // ISO 4217, sent in lower case
    std::vector<std::pair<std::string, std::string>> metadata;
    std::string description;
    bool automatic_payment_methods = true;  // what the Payment Element needs
};

struct CreateRefund {
    std::string payment_intent;
    std::optional<std::int64_t> amount;  // nullopt: all that is left
    std::string reason;                  // "", duplicate, fraudulent, requested_by_customer
    std::vector<std::pair<std::string, std::string>> metadata;
};

struct ListEvents {
    std::string type;  // one type, or a "payment_intent.*" pattern; empty: all
    std::optional<std::int64_t> created_gte;
    std::string starting_after;
    int limit = 100;
};

// Readers of Stripe's objects, for answers and for webhook events alike.
// nullopt when the JSON is not such an object.
std::optional<PaymentIntent> read_payment_intent(const nlohmann::json& object);
std::optional<Refund> read_refund(const nlohmann::json& object);
std::optional<StripeEvent> read_event(const nlohmann::json& object);
// Stripe's answer to one request as an error (status 0: unreachable); none for a 2xx.
StripeError read_stripe_error(const HttpResponse& response);
// Whether `id` can go into a URL path as one segment (Stripe's ids are
// letters, digits and underscores).
bool is_stripe_id(std::string_view id) noexcept;

class StripeClient {
public:
    explicit StripeClient(StripeOptions options) : options_(std::move(options)) {}

    StripeResult<PaymentIntent> create_payment_intent(const CreatePaymentIntent& request, const std::string& idempotency_key) const;
    StripeResult<PaymentIntent> retrieve_payment_intent(const std::string& id) const;
    // cancellation_reason: "", duplicate, fraudulent, requested_by_customer, abandoned.
    StripeResult<PaymentIntent> cancel_payment_intent(const std::string& id, const std::string& cancellation_reason,
                                                      const std::string& idempotency_key) const;
    StripeResult<Refund> create_refund(const CreateRefund& request, const std::string& idempotency_key) const;
    StripeResult<EventPage> list_events(const ListEvents& request) const;
    // GET /v1/payment_intents?limit=N (newest first): harmless, and allowed
    // to any key that may take payments, so it is how a key is checked
    // before it is saved.
    StripeResult<std::vector<PaymentIntent>> list_payment_intents(int limit) const;

    // One line for the startup log: the API base and the key's mode, never the key.
    std::string describe() const;
    const StripeOptions& options() const { return options_; }

private:
    HttpResponse call(const std::string& method, const std::string& path, const std::string& form,
                      const std::string& idempotency_key) const;
    StripeOptions options_;
};

// The key from SLOTWISE_STRIPE_SECRET_KEY; nullopt when it is not set
// (payments off). `problem` gets a line when it is set but is not a Stripe
// secret or restricted key (sk_... / rk_...); publishable keys (pk_...) are
// refused there, since they cannot create intents.
std::optional<StripeOptions> stripe_options_from_environment(std::string api_base, std::string& problem);

}  // namespace slotwise::server::adapters
