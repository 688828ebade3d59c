#include "domain/webhooks.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <memory>

#include "adapters/http_client.h"
#include "domain/providers_access.h"
#include "support/crypto.h"

namespace slotwise::server::domain {
namespace {

constexpr std::size_t kMaxUrlLength = 2048;
constexpr int kDefaultDeliveryLimit = 20;
constexpr int kMaxDeliveryLimit = 100;

DomainError bad_url(const std::string& detail) {
    return DomainError(ErrorKind::invalid_input, "INVALID_WEBHOOK_URL", detail);
}

DomainError webhook_not_found() {
    return DomainError(ErrorKind::not_found, "UNKNOWN_WEBHOOK", "no such webhook endpoint for this provider");
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool is_loopback_host(const std::string& host) {
    return host == "localhost" || host.rfind("127.", 0) == 0 || host == "[::1]" || host == "::1";
}

// A literal address the outgoing HTTP guard would refuse (loopback, private,
// link-local, unique-local, unspecified), refused here at once with a clear
// answer. Names that resolve to such addresses are refused when a delivery
// connects (adapters/http_client), and logged as that attempt's error.
bool is_private_target(const std::string& host, bool allow_private) {
    if (host == "localhost" || (host.size() > 10 && host.compare(host.size() - 10, 10, ".localhost") == 0)) return !allow_private;
    const bool bracketed = host.size() > 2 && host.front() == '[' && host.back() == ']';
    const std::string literal = bracketed ? host.substr(1, host.size() - 2) : host;
    const bool numeric = bracketed || (!literal.empty() && literal.find_first_not_of("0123456789.") == std::string::npos);
    return numeric && !adapters::target_allowed(literal, {allow_private});
}

struct CurlUrlDeleter {
    void operator()(CURLU* u) const { curl_url_cleanup(u); }
};

std::optional<std::string> url_part(CURLU* u, CURLUPart part) {
    char* text = nullptr;
    if (curl_url_get(u, part, &text, 0) != CURLUE_OK || !text) return std::nullopt;
    std::string value(text);
    curl_free(text);
    return value;
}

// https:// to a public host; http:// (and private https targets) only to
// loopback, and only with --allow-private-targets. No credentials in the
// URL (they would show in every log that prints it), no fragment.
std::string checked_url(const json& value, bool allow_private) {
    if (!value.is_string()) throw bad_url("\"url\" must be a string: the https:// URL deliveries are posted to");
    const std::string url = value.get<std::string>();
    if (url.empty() || url.size() > kMaxUrlLength)
        throw bad_url("\"url\" must be 1.." + std::to_string(kMaxUrlLength) + " characters");
    for (unsigned char c : url)
        if (c <= 0x20 || c >= 0x7f) throw bad_url("\"url\" must be ASCII without spaces or control characters");
    std::unique_ptr<CURLU, CurlUrlDeleter> u(curl_url());
    if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK)
        throw bad_url("\"url\" is not an absolute URL");
    const std::string scheme = lower(url_part(u.get(), CURLUPART_SCHEME).value_or(""));
    const std::string host = lower(url_part(u.get(), CURLUPART_HOST).value_or(""));
    if (scheme != "https" && scheme != "http") throw bad_url("\"url\" must be an https:// URL");
    if (host.empty()) throw bad_url("\"url\" has no host");
    if (url_part(u.get(), CURLUPART_USER) || url_part(u.get(), CURLUPART_PASSWORD))
        throw bad_url("\"url\" must not carry a user name or password");
    if (url_part(u.get(), CURLUPART_FRAGMENT)) throw bad_url("\"url\" must not have a fragment");
    if (scheme == "http" && !(allow_private && is_loopback_host(host)))
        throw bad_url("\"url\" must be an https:// URL (http:// is accepted for loopback only, on a test server)");
    if (is_private_target(host, allow_private))
        throw bad_url("\"url\" must point to a public host, not a loopback, private or link-local address");
    return url;
}

std::vector<std::string> checked_events(const json& value) {
    if (!value.is_array() || value.empty())
        throw DomainError(ErrorKind::invalid_input, "INVALID_WEBHOOK_EVENTS",
                          "\"events\" must be a non-empty array of event names");
    std::vector<std::string> events;
    for (const auto& name : value) {
        const auto& known = webhook_event_names();
        if (!name.is_string() || std::find(known.begin(), known.end(), name.get<std::string>()) == known.end()) {
            std::string list;
            for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
            throw DomainError(ErrorKind::invalid_input, "UNKNOWN_WEBHOOK_EVENT",
                              "unknown event " + name.dump() + "; known events: " + list);
        }
        if (std::find(events.begin(), events.end(), name.get<std::string>()) == events.end())
            events.push_back(name.get<std::string>());
    }
    return events;
}

json parse_object(std::string_view body) {
    json parsed = json::parse(body.begin(), body.end(), nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) throw invalid_input("the body must be a JSON object");
    return parsed;
}

WebhookView view_of(const records::WebhookEndpoint& e) {
    return {e.id, e.provider_id, e.url, e.events, e.enabled, e.disabled_reason, e.disabled_at, e.created_at, std::nullopt};
}

}  // namespace

const std::vector<std::string>& webhook_event_names() {
    static const std::vector<std::string> names = {
        "booking.created",   "booking.confirmed", "booking.declined", "booking.cancelled", "booking.rescheduled",
        "booking.completed", "booking.no_show",   "booking.expired",  "payment.succeeded", "payment.refunded"};
    return names;
}

std::string new_webhook_secret() {
    unsigned char bytes[kWebhookSecretBytes];
    if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
    std::string text(4 * ((sizeof bytes + 2) / 3), '\0');
    text.resize(static_cast<std::size_t>(
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()), bytes, static_cast<int>(sizeof bytes))));
    return "whsec_" + text;
}

std::vector<std::chrono::seconds> default_webhook_retry_gaps() {
    using namespace std::chrono;
    return {seconds{5}, minutes{5}, minutes{30}, hours{2}, hours{5}, hours{10}, hours{10}};
}

jobs::NewJob webhook_delivery_job(const records::WebhookMessage& message, const std::string& provider_id, std::string key,
                                  int max_attempts, Timestamp run_at, bool redelivery) {
    return {kWebhookDeliverKind, std::move(key),
            json{{"provider_id", provider_id},
                 {"endpoint_id", message.endpoint_id},
                 {"webhook_id", message.webhook_id},
                 {"redelivery", redelivery}},
            run_at, max_attempts};
}

WebhookService::WebhookService(Store& store, const Clock& clock, std::string sealing_key, WebhookOptions options)
    : store_(store), clock_(clock), options_(std::move(options)), sealing_key_(std::move(sealing_key)) {
    if (options_.retry_gaps.empty()) options_.retry_gaps = default_webhook_retry_gaps();
}

std::optional<std::string> WebhookService::open_secret(const records::WebhookEndpoint& endpoint) const {
    return open_sealed(sealing_key_, endpoint.secret_sealed, endpoint.id);
}

WebhookView WebhookService::create(const Actor& actor, const std::string& provider_id, std::string_view body) {
    const json request = parse_object(body);
    for (const auto& [name, value] : request.items())
        if (name != "url" && name != "events")
            throw invalid_input("unknown member \"" + name + "\"; a webhook takes \"url\" and \"events\"");
    if (!request.contains("url")) throw bad_url("\"url\" is required");
    if (!request.contains("events"))
        throw DomainError(ErrorKind::invalid_input, "INVALID_WEBHOOK_EVENTS", "\"events\" is required");
    records::WebhookEndpoint endpoint;
    endpoint.url = checked_url(request["url"], options_.allow_private_targets);
    endpoint.events = checked_events(request["events"]);
    endpoint.id = "wh_" + random_token(12);
    endpoint.provider_id = provider_id;
    endpoint.created_at = clock_.now();
    const std::string secret = new_webhook_secret();
    endpoint.secret_sealed = seal(sealing_key_, secret, endpoint.id);
    auto s = store_.session();
    // Under the provider's write lock, so that two creations at once cannot
    // both pass the count.
    in_transaction(*s, provider_id, [&] {
        reach_provider_or_throw(*s, actor, provider_id);
        if (records::count_webhook_endpoints(*s, provider_id) >= options_.max_endpoints_per_provider)
            throw DomainError(ErrorKind::refused, "WEBHOOK_LIMIT_REACHED",
                              "a provider has at most " + std::to_string(options_.max_endpoints_per_provider) +
                                  " webhook endpoints; delete one first");
        records::insert_webhook_endpoint(*s, endpoint);
    });
    WebhookView view = view_of(endpoint);
    view.secret = secret;
    return view;
}

std::vector<WebhookView> WebhookService::list(const Actor& actor, const std::string& provider_id) {
    auto s = store_.session();
    reach_provider_or_throw(*s, actor, provider_id);
    std::vector<WebhookView> out;
    for (const auto& e : records::webhook_endpoints(*s, provider_id)) out.push_back(view_of(e));
    return out;
}

records::WebhookEndpoint WebhookService::endpoint_or_throw(Session& s, const std::string& provider_id,
                                                           const std::string& webhook_id) {
    auto endpoint = records::webhook_endpoint(s, provider_id, webhook_id);
    if (!endpoint) throw webhook_not_found();
    return *endpoint;
}

WebhookView WebhookService::update(const Actor& actor, const std::string& provider_id, const std::string& webhook_id,
                                   std::string_view body) {
    const json request = parse_object(body);
    for (const auto& [name, value] : request.items())
        if (name != "enabled") throw invalid_input("unknown member \"" + name + "\"; a webhook's PATCH takes \"enabled\"");
    if (!request.contains("enabled") || !request["enabled"].is_boolean())
        throw invalid_input("\"enabled\" must be true or false");
    const bool enabled = request["enabled"].get<bool>();
    auto s = store_.session();
    return in_transaction(*s, std::nullopt, [&] {
        reach_provider_or_throw(*s, actor, provider_id);
        endpoint_or_throw(*s, provider_id, webhook_id);
        if (enabled) records::enable_webhook_endpoint(*s, provider_id, webhook_id);
        else
            s->exec("UPDATE webhook_endpoints SET enabled = 0, disabled_reason = $3, disabled_at = $4 "
                    "WHERE id = $1 AND provider_id = $2 AND enabled = 1",
                    {webhook_id, provider_id, std::string("disabled by the provider"), epoch_seconds(clock_.now())});
        return view_of(endpoint_or_throw(*s, provider_id, webhook_id));
    });
}

void WebhookService::remove(const Actor& actor, const std::string& provider_id, const std::string& webhook_id) {
    auto s = store_.session();
    in_transaction(*s, std::nullopt, [&] {
        reach_provider_or_throw(*s, actor, provider_id);
        if (!records::delete_webhook_endpoint(*s, provider_id, webhook_id)) throw webhook_not_found();
    });
}

std::vector<records::WebhookAttempt> WebhookService::deliveries(const Actor& actor, const std::string& provider_id,
                                                                const std::string& webhook_id,
                                                                const std::map<std::string, std::string>& query) {
    int limit = kDefaultDeliveryLimit;
    if (const auto it = query.find("limit"); it != query.end()) {
        const std::string& text = it->second;
        const bool digits = !text.empty() && text.size() <= 3 &&
                            std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
        limit = digits ? std::stoi(text) : 0;
        if (limit < 1 || limit > kMaxDeliveryLimit)
            throw invalid_input("\"limit\" must be a whole number from 1 to " + std::to_string(kMaxDeliveryLimit));
    }
    auto s = store_.session();
    reach_provider_or_throw(*s, actor, provider_id);
    endpoint_or_throw(*s, provider_id, webhook_id);
    return records::webhook_attempts(*s, webhook_id, limit);
}

Redelivery WebhookService::redeliver(const Actor& actor, const std::string& provider_id, const std::string& webhook_id,
                                     const std::string& delivery_id) {
    auto s = store_.session();
    const Timestamp now = clock_.now();
    const Redelivery redelivery = in_transaction(*s, std::nullopt, [&] {
        reach_provider_or_throw(*s, actor, provider_id);
        const auto endpoint = endpoint_or_throw(*s, provider_id, webhook_id);
        const auto attempt = records::webhook_attempt(*s, webhook_id, delivery_id);
        if (!attempt) throw DomainError(ErrorKind::not_found, "UNKNOWN_DELIVERY", "no such delivery of this webhook endpoint");
        const auto message = records::webhook_message(*s, webhook_id, attempt->webhook_id);
        if (!message) throw DomainError(ErrorKind::not_found, "UNKNOWN_DELIVERY", "no such delivery of this webhook endpoint");
        if (!endpoint.enabled)
            throw DomainError(ErrorKind::conflict, "WEBHOOK_DISABLED",
                              "this endpoint is disabled; enable it (PATCH {\"enabled\": true}) before redelivering");
        // One attempt per request: each redelivery is a job of its own.
        s->exec(jobs::enqueue_statement(
            webhook_delivery_job(*message, provider_id, "webhook.redeliver:" + random_token(16), 1, now, true), now));
        return Redelivery{message->webhook_id, delivery_id};
    });
    if (auto* queue = job_queue_.load()) queue->notify();
    return redelivery;
}

}  // namespace slotwise::server::domain
