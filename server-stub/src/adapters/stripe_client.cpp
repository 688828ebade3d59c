#include "adapters/stripe_client.h"

#include <cstdlib>

#include "adapters/twilio_client.h"  // form_encode: the same application/x-www-form-urlencoded

namespace slotwise::server::adapters {

namespace {

using Json = nlohmann::json;

std::string text_of(const Json& object, const char* name) {
    if (!object.is_object()) return {};
    const auto it = object.find(name);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t integer_of(const Json& object, const char* name) {
    if (!object.is_object()) return 0;
    const auto it = object.find(name);
    return it != object.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

// An id field that Stripe may send as a string or, when expanded, as the object.
std::string id_of(const Json& object, const char* name) {
    if (!object.is_object()) return {};
    const auto it = object.find(name);
    if (it == object.end()) return {};
    if (it->is_string()) return it->get<std::string>();
    return text_of(*it, "id");
}

std::map<std::string, std::string> metadata_of(const Json& object) {
    std::map<std::string, std::string> out;
    if (!object.is_object()) return out;
    const auto it = object.find("metadata");
    if (it == object.end() || !it->is_object()) return out;
    for (const auto& [k, v] : it->items())
        if (v.is_string()) out[k] = v.get<std::string>();
    return out;
}

std::string lower(std::string text) {
    for (char& c : text)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return text;
}

template <typename T>
StripeResult<T> failed(StripeErrorKind kind, std::string message) {
    StripeResult<T> result;
    result.error.kind = kind;
    result.error.message = std::move(message);
    return result;
}

// A 2xx read with `reader`; an unreadable 2xx is bad_answer, never success.
template <typename T, typename Reader>
StripeResult<T> answer_of(const HttpResponse& response, Reader reader, const char* what) {
    StripeResult<T> result;
    result.replayed = response.header("idempotent-replayed") == "true";
    if (!response.ok()) {
        result.error = read_stripe_error(response);
        return result;
    }
    const Json body = Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
    result.value = reader(body);
    if (!result.value) {
        result.error.kind = StripeErrorKind::bad_answer;
        result.error.http_status = response.status;
        result.error.request_id = response.header("request-id");
        result.error.message = std::string("HTTP ") + std::to_string(response.status) + " without a readable " + what;
    }
    return result;
}

void add_metadata(std::vector<std::pair<std::string, std::string>>& fields,
                  const std::vector<std::pair<std::string, std::string>>& metadata) {
    for (const auto& [k, v] : metadata) fields.emplace_back("metadata[" + k + "]", v);
}

}  // namespace

std::string_view to_string(StripeErrorKind kind) noexcept {
    switch (kind) {
        case StripeErrorKind::none: return "none";
        case StripeErrorKind::card: return "card";
        case StripeErrorKind::invalid_request: return "invalid_request";
        case StripeErrorKind::authentication: return "authentication";
        case StripeErrorKind::idempotency: return "idempotency";
        case StripeErrorKind::rate_limit: return "rate_limit";
        case StripeErrorKind::api: return "api";
        case StripeErrorKind::unreachable: return "unreachable";
        case StripeErrorKind::bad_answer: return "bad_answer";
    }
    return "api";
}

bool StripeError::retryable() const {
    if (should_retry) return *should_retry;
    return kind == StripeErrorKind::rate_limit || kind == StripeErrorKind::api || kind == StripeErrorKind::unreachable;
}

std::string StripeError::describe() const {
    std::string label(to_string(kind));
    for (char& c : label) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    std::string out = "STRIPE_" + label;
    if (!code.empty()) out += " " + code;
    else if (http_status) out += " HTTP " + std::to_string(http_status);
    out += ": " + one_line(message);
    if (!decline_code.empty()) out += " (decline " + one_line(decline_code, 40) + ")";
    if (!request_id.empty()) out += " (request " + one_line(request_id, 40) + ")";
    return out;
}

bool is_stripe_id(std::string_view id) noexcept {
    if (id.empty() || id.size() > 255) return false;
    for (char c : id)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
    return true;
}

std::optional<PaymentIntent> read_payment_intent(const Json& object) {
    if (text_of(object, "object") != "payment_intent" || text_of(object, "id").empty()) return std::nullopt;
    PaymentIntent intent;
    intent.id = text_of(object, "id");
    intent.client_secret = text_of(object, "client_secret");
    intent.status = text_of(object, "status");
    intent.currency = text_of(object, "currency");
    intent.latest_charge = id_of(object, "latest_charge");
    intent.cancellation_reason = text_of(object, "cancellation_reason");
    intent.amount = integer_of(object, "amount");
    intent.amount_received = integer_of(object, "amount_received");
    intent.created = integer_of(object, "created");
    intent.metadata = metadata_of(object);
    if (const auto it = object.find("last_payment_error"); it != object.end() && it->is_object()) {
        intent.last_payment_error_code = text_of(*it, "code");
        intent.last_payment_error_message = text_of(*it, "message");
    }
    return intent;
}

std::optional<Refund> read_refund(const Json& object) {
    if (text_of(object, "object") != "refund" || text_of(object, "id").empty()) return std::nullopt;
    Refund refund;
    refund.id = text_of(object, "id");
    refund.status = text_of(object, "status");
    refund.currency = text_of(object, "currency");
    refund.payment_intent = id_of(object, "payment_intent");
    refund.charge = id_of(object, "charge");
    refund.failure_reason = text_of(object, "failure_reason");
    refund.amount = integer_of(object, "amount");
    refund.created = integer_of(object, "created");
    refund.metadata = metadata_of(object);
    return refund;
}

std::optional<StripeEvent> read_event(const Json& object) {
    if (text_of(object, "object") != "event" || text_of(object, "id").empty() || text_of(object, "type").empty()) return std::nullopt;
    const auto data = object.find("data");
    if (data == object.end() || !data->is_object()) return std::nullopt;
    const auto inner = data->find("object");
    if (inner == data->end() || !inner->is_object()) return std::nullopt;
    StripeEvent event;
    event.id = text_of(object, "id");
    event.type = text_of(object, "type");
    event.created = integer_of(object, "created");
    event.object = *inner;
    return event;
}

StripeError read_stripe_error(const HttpResponse& response) {
    StripeError error;
    error.http_status = response.status;
    if (response.status == 0) {
        error.kind = StripeErrorKind::unreachable;
        error.message = response.error.empty() ? "no answer" : response.error;
        return error;
    }
    if (response.ok()) return error;
    error.request_id = response.header("request-id");
    const std::string should_retry = response.header("stripe-should-retry");
    if (should_retry == "true") error.should_retry = true;
    if (should_retry == "false") error.should_retry = false;
    const Json body = Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
    const Json detail = body.is_object() && body.contains("error") ? body["error"] : Json();
    error.type = text_of(detail, "type");
    error.code = text_of(detail, "code");
    error.decline_code = text_of(detail, "decline_code");
    error.param = text_of(detail, "param");
    error.message = text_of(detail, "message");
    if (error.message.empty()) error.message = one_line(response.body.empty() ? "HTTP " + std::to_string(response.status) : response.body);
    const int s = response.status;
    if (s == 401 || s == 403) error.kind = StripeErrorKind::authentication;
    else if (s == 429 || error.code == "rate_limit" || error.code == "lock_timeout") error.kind = StripeErrorKind::rate_limit;
    // 409: another request with this key is still running; the same key later gets its answer.
    else if (s >= 500 || s == 409 || s == 408 || error.type == "api_error") error.kind = StripeErrorKind::api;
    else if (error.type == "card_error" || s == 402) error.kind = StripeErrorKind::card;
    else if (error.type == "idempotency_error") error.kind = StripeErrorKind::idempotency;
    else error.kind = StripeErrorKind::invalid_request;
    return error;
}

HttpResponse StripeClient::call(const std::string& method, const std::string& path, const std::string& form,
                                const std::string& idempotency_key) const {
    std::string base = options_.api_base;
    while (!base.empty() && base.back() == '/') base.pop_back();
    HttpRequest request;
    request.method = method;
    request.url = base + path + (method == "GET" && !form.empty() ? "?" + form : "");
    request.headers = {
        {"Authorization", "Bearer " + options_.secret_key},
        {"Stripe-Version", std::string(kStripeApiVersion)},
        {"Accept", "application/json"},
    };
    if (method != "GET") {
        request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
        request.body = form;
    }
    if (!idempotency_key.empty()) request.headers.emplace_back("Idempotency-Key", idempotency_key);
    request.timeout = options_.timeout;
    request.max_response_bytes = 1024 * 1024;  // a page of 100 events
    return send_http(request, options_.http);
}

StripeResult<PaymentIntent> StripeClient::create_payment_intent(const CreatePaymentIntent& request,
                                                                const std::string& idempotency_key) const {
    if (idempotency_key.empty() || idempotency_key.size() > 255)
        return failed<PaymentIntent>(StripeErrorKind::invalid_request, "an Idempotency-Key of 1..255 characters is required");
    if (request.amount <= 0) return failed<PaymentIntent>(StripeErrorKind::invalid_request, "the amount must be positive");
    if (request.currency.size() != 3) return failed<PaymentIntent>(StripeErrorKind::invalid_request, "the currency must be ISO 4217");
    std::vector<std::pair<std::string, std::string>> fields = {
        {"amount", std::to_string(request.amount)},
        {"currency", lower(request.currency)},
    };
    if (request.automatic_payment_methods) fields.emplace_back("automatic_payment_methods[enabled]", "true");
    if (!request.description.empty()) fields.emplace_back("description", request.description);
    add_metadata(fields, request.metadata);
    return answer_of<PaymentIntent>(call("POST", "/v1/payment_intents", form_encode(fields), idempotency_key), read_payment_intent,
                                    "payment_intent");
}

StripeResult<PaymentIntent> StripeClient::retrieve_payment_intent(const std::string& id) const {
    if (!is_stripe_id(id)) return failed<PaymentIntent>(StripeErrorKind::invalid_request, "not a PaymentIntent id");
    return answer_of<PaymentIntent>(call("GET", "/v1/payment_intents/" + id, "", ""), read_payment_intent, "payment_intent");
}

StripeResult<PaymentIntent> StripeClient::cancel_payment_intent(const std::string& id, const std::string& cancellation_reason,
                                                                const std::string& idempotency_key) const {
    if (!is_stripe_id(id)) return failed<PaymentIntent>(StripeErrorKind::invalid_request, "not a PaymentIntent id");
    std::vector<std::pair<std::string, std::string>> fields;
    if (!cancellation_reason.empty()) fields.emplace_back("cancellation_reason", cancellation_reason);
    return answer_of<PaymentIntent>(call("POST", "/v1/payment_intents/" + id + "/cancel", form_encode(fields), idempotency_key),
                                    read_payment_intent, "payment_intent");
}

StripeResult<Refund> StripeClient::create_refund(const CreateRefund& request, const std::string& idempotency_key) const {
    if (idempotency_key.empty() || idempotency_key.size() > 255)
        return failed<Refund>(StripeErrorKind::invalid_request, "an Idempotency-Key of 1..255 characters is required");
    if (!is_stripe_id(request.payment_intent)) return failed<Refund>(StripeErrorKind::invalid_request, "not a PaymentIntent id");
    if (request.amount && *request.amount <= 0) return failed<Refund>(StripeErrorKind::invalid_request, "the amount must be positive");
    std::vector<std::pair<std::string, std::string>> fields = {{"payment_intent", request.payment_intent}};
    if (request.amount) fields.emplace_back("amount", std::to_string(*request.amount));
    if (!request.reason.empty()) fields.emplace_back("reason", request.reason);
    add_metadata(fields, request.metadata);
    return answer_of<Refund>(call("POST", "/v1/refunds", form_encode(fields), idempotency_key), read_refund, "refund");
}

StripeResult<EventPage> StripeClient::list_events(const ListEvents& request) const {
    std::vector<std::pair<std::string, std::string>> fields;
    if (!request.type.empty()) fields.emplace_back("type", request.type);
    if (request.created_gte) fields.emplace_back("created[gte]", std::to_string(*request.created_gte));
    if (!request.starting_after.empty()) {
        if (!is_stripe_id(request.starting_after)) return failed<EventPage>(StripeErrorKind::invalid_request, "not an event id");
        fields.emplace_back("starting_after", request.starting_after);
    }
    fields.emplace_back("limit", std::to_string(request.limit < 1 ? 1 : request.limit > 100 ? 100 : request.limit));
    return answer_of<EventPage>(
        call("GET", "/v1/events", form_encode(fields), ""),
        [](const Json& body) -> std::optional<EventPage> {
            if (text_of(body, "object") != "list" || !body.contains("data") || !body["data"].is_array()) return std::nullopt;
            EventPage page;
            page.has_more = body.value("has_more", false);
            for (const auto& item : body["data"]) {
                auto event = read_event(item);
                if (!event) return std::nullopt;
                page.events.push_back(std::move(*event));
            }
            return page;
        },
        "list of events");
}

StripeResult<std::vector<PaymentIntent>> StripeClient::list_payment_intents(int limit) const {
    const std::string form = form_encode({{"limit", std::to_string(limit < 1 ? 1 : limit > 100 ? 100 : limit)}});
    return answer_of<std::vector<PaymentIntent>>(
        call("GET", "/v1/payment_intents", form, ""),
        [](const Json& body) -> std::optional<std::vector<PaymentIntent>> {
            if (text_of(body, "object") != "list" || !body.contains("data") || !body["data"].is_array()) return std::nullopt;
            std::vector<PaymentIntent> intents;
            for (const auto& item : body["data"]) {
                auto intent = read_payment_intent(item);
                if (!intent) return std::nullopt;
                intents.push_back(std::move(*intent));
            }
            return intents;
        },
        "list of payment_intents");
}

std::string StripeClient::describe() const {
    const std::string& key = options_.secret_key;
    const std::string mode = key.rfind("sk_live_", 0) == 0 || key.rfind("rk_live_", 0) == 0 ? "live mode"
                             : key.rfind("sk_test_", 0) == 0 || key.rfind("rk_test_", 0) == 0 ? "test mode"
                                                                                            : "a key of unknown mode";
    return "Stripe " + options_.api_base + ", " + mode + ", API version " + std::string(kStripeApiVersion);
}

std::optional<StripeOptions> stripe_options_from_environment(std::string api_base, std::string& problem) {
    const char* value = std::getenv("SLOTWISE_STRIPE_SECRET_KEY");
    const std::string key = value ? value : "";
    if (key.empty()) return std::nullopt;
    if (key.rfind("pk_", 0) == 0) {
        problem = "SLOTWISE_STRIPE_SECRET_KEY holds a publishable key (pk_...), which cannot create payments: payments off";
        return std::nullopt;
    }
    if (key.rfind("sk_", 0) != 0 && key.rfind("rk_", 0) != 0) {
        problem = "SLOTWISE_STRIPE_SECRET_KEY is not a Stripe secret or restricted key (sk_... or rk_...): payments off";
        return std::nullopt;
    }
    for (char c : key)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
            problem = "SLOTWISE_STRIPE_SECRET_KEY contains spaces or control characters: payments off";
            return std::nullopt;
        }
    StripeOptions options;
    options.api_base = std::move(api_base);
    options.secret_key = key;
    return options;
}

}  // namespace slotwise::server::adapters
