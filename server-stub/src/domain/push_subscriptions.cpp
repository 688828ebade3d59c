#include "domain/push_subscriptions.h"

#include <cstdio>

#include <nlohmann/json.hpp>
#include <slotwise/json_depth.h>

#include "domain/accounts_requests.h"
#include "domain/domain_error.h"
#include "store/account_records.h"
#include "store/push_records.h"
#include "support/crypto.h"

namespace slotwise::server::domain {

namespace {

constexpr std::size_t kIdBytes = 16;
constexpr std::size_t kMaxEndpoint = 2048;
constexpr std::int64_t kMaxSubscriptionsPerAccount = 20;
constexpr const char* kVapidSecretName = "vapid-private-key";
// The AAD of the sealed key: a sealed value moved to another name does not open.
constexpr const char* kVapidSealAad = "slotwise vapid private key v1";

DomainError bad_subscription(const std::string& detail) {
    return DomainError(ErrorKind::invalid_input, "INVALID_PUSH_SUBSCRIPTION", detail);
}

const nlohmann::json* member(const nlohmann::json& object, const char* name) {
    const auto it = object.find(name);
    return it == object.end() ? nullptr : &*it;
}

std::string text_member(const nlohmann::json& object, const char* name, const std::string& where) {
    const nlohmann::json* value = member(object, name);
    if (!value || !value->is_string()) throw bad_subscription(where + name + " must be a string");
    return value->get<std::string>();
}

PushSubscriptionView view_of(const records::PushSubscriptionRow& row) { return {row.id, row.endpoint, row.created_at}; }

adapters::P256Key load_vapid_key(Store& store, const ServerKeys& keys, const PushOptions& options) {
    if (options.vapid_private_key) {
        const auto raw = adapters::base64url_decode(*options.vapid_private_key);
        if (!raw || raw->size() != 32)
            throw std::invalid_argument("SLOTWISE_VAPID_PRIVATE_KEY must be base64url of a raw 32-byte P-256 private key");
        return adapters::P256Key::from_private(*raw);
    }
    const std::string seal_key = keys.derive("slotwise push v1", "vapid key seal");
    const adapters::P256Key candidate = adapters::P256Key::generate();
    auto session = store.session();
    const std::string stored = records::server_secret(
        *session, kVapidSecretName, seal(seal_key, adapters::base64url_encode(candidate.private_raw()), kVapidSealAad),
        Clock::system_seconds());
    if (const auto opened = open_sealed(seal_key, stored, kVapidSealAad))
        if (const auto raw = adapters::base64url_decode(*opened); raw && raw->size() == 32)
            return adapters::P256Key::from_private(*raw);
    // Sealed under another secret (SLOTWISE_SECRET changed): the old key is
    // lost to us, and with it every browser's subscription, which names the
    // key it was made for. A new key; browsers subscribe again.
    std::fprintf(stderr, "slotwise-server: the stored VAPID key does not open with this secret; a new one replaces it "
                         "(existing push subscriptions stop working)\n");
    session->exec("UPDATE server_secrets SET secret = $2, created_at = $3 WHERE name = $1",
                  {std::string(kVapidSecretName),
                   seal(seal_key, adapters::base64url_encode(candidate.private_raw()), kVapidSealAad),
                   epoch_seconds(Clock::system_seconds())});
    return candidate;
}

}  // namespace

std::string push_account_of(const Actor& actor) {
    if (auto account = acting_account(actor)) return *account;
    throw DomainError(ErrorKind::forbidden, "ACCOUNT_REQUIRED", "this endpoint needs an account's session or API key");
}

PushSubscriptions::PushSubscriptions(Store& store, const Clock& clock, const ServerKeys& keys, PushOptions options)
    : store_(store), clock_(clock), options_(std::move(options)), vapid_key_(load_vapid_key(store_, keys, options_)) {}

std::string PushSubscriptions::vapid_public_key() const { return adapters::base64url_encode(vapid_key_.public_raw()); }

PushSubscriptionView PushSubscriptions::subscribe(const Actor& actor, std::string_view body,
                                                  const std::optional<std::string>& user_agent) {
    const std::string account_id = push_account_of(actor);
    // nlohmann's parser has no depth limit; a subscription nests two levels.
    if (!json_nesting_within(body, 8)) throw bad_subscription("the body nests too deeply");
    const nlohmann::json j = nlohmann::json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) throw bad_subscription("the body must be a JSON object: {\"endpoint\", \"keys\": {\"p256dh\", \"auth\"}}");
    const std::string endpoint = text_member(j, "endpoint", "");
    if (endpoint.size() > kMaxEndpoint) throw bad_subscription("endpoint is longer than 2048 characters");
    const bool https = endpoint.rfind("https://", 0) == 0;
    if (!adapters::url_origin(endpoint) || (!https && !options_.allow_private_targets))
        throw bad_subscription("endpoint must be an https:// URL of a push service");
    const nlohmann::json* keys = member(j, "keys");
    if (!keys || !keys->is_object()) throw bad_subscription("keys must be an object with p256dh and auth");
    const std::string p256dh = text_member(*keys, "p256dh", "keys.");
    const std::string auth = text_member(*keys, "auth", "keys.");
    const auto p256dh_raw = adapters::base64url_decode(p256dh);
    if (!p256dh_raw || !adapters::is_p256_public_key(*p256dh_raw))
        throw bad_subscription("keys.p256dh must be base64url of an uncompressed P-256 public key (65 bytes)");
    const auto auth_raw = adapters::base64url_decode(auth);
    if (!auth_raw || auth_raw->size() != 16) throw bad_subscription("keys.auth must be base64url of 16 bytes");

    std::optional<std::string> shown_agent;
    if (user_agent) shown_agent = user_agent->substr(0, 200);
    records::PushSubscriptionRow row{"psub_" + random_token(kIdBytes), account_id, endpoint,
                                     adapters::base64url_encode(*p256dh_raw), adapters::base64url_encode(*auth_raw),
                                     clock_.now(), shown_agent};
    auto session = store_.session();
    session->begin();
    const auto existing = records::push_subscriptions_of(*session, account_id);
    bool known = false;
    for (const auto& s : existing) known = known || s.endpoint == endpoint;
    if (!known && static_cast<std::int64_t>(existing.size()) >= kMaxSubscriptionsPerAccount)
        throw DomainError(ErrorKind::conflict, "PUSH_SUBSCRIPTION_LIMIT",
                          "an account has at most 20 push subscriptions; delete one first");
    const auto stored = records::upsert_push_subscription(*session, row);
    session->commit();
    return view_of(stored);
}

std::vector<PushSubscriptionView> PushSubscriptions::list(const Actor& actor) {
    const std::string account_id = push_account_of(actor);
    std::vector<PushSubscriptionView> out;
    for (const auto& row : records::push_subscriptions_of(*store_.session(), account_id)) out.push_back(view_of(row));
    return out;
}

void PushSubscriptions::unsubscribe(const Actor& actor, const std::string& id) {
    const std::string account_id = push_account_of(actor);
    if (!is_record_id(id, "psub_") || !records::delete_push_subscription(*store_.session(), account_id, id))
        throw DomainError(ErrorKind::not_found, "NOT_FOUND", "no such push subscription");
}

}  // namespace slotwise::server::domain
