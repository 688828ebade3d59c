#include "store/webhook_records.h"

#include <nlohmann/json.hpp>

namespace slotwise::server::records {
namespace {

constexpr const char* kEndpointColumns =
    "id, provider_id, url, events, secret_sealed, enabled, disabled_reason, disabled_at, failing_since, created_at";
constexpr const char* kAttemptColumns =
    "id, endpoint_id, webhook_id, event_type, attempted_at, seq, status, error, duration_ms, response, redelivery";

SqlValue optional_value(const std::optional<std::string>& v) { return v ? SqlValue{*v} : SqlValue{nullptr}; }

WebhookEndpoint endpoint_from(const SqlRow& r) {
    WebhookEndpoint e;
    e.id = r.get<std::string>("id");
    e.provider_id = r.get<std::string>("provider_id");
    e.url = r.get<std::string>("url");
    const auto events = nlohmann::json::parse(r.get<std::string>("events"), nullptr, false);
    if (events.is_array())
        for (const auto& name : events)
            if (name.is_string()) e.events.push_back(name.get<std::string>());
    e.secret_sealed = r.get<std::string>("secret_sealed");
    e.enabled = r.get<std::int64_t>("enabled") != 0;
    e.disabled_reason = r.get_optional<std::string>("disabled_reason");
    e.disabled_at = r.get_optional<Timestamp>("disabled_at");
    e.failing_since = r.get_optional<Timestamp>("failing_since");
    e.created_at = r.get<Timestamp>("created_at");
    return e;
}

WebhookAttempt attempt_from(const SqlRow& r) {
    WebhookAttempt a;
    a.id = r.get<std::string>("id");
    a.endpoint_id = r.get<std::string>("endpoint_id");
    a.webhook_id = r.get<std::string>("webhook_id");
    a.event_type = r.get<std::string>("event_type");
    a.attempted_at = r.get<Timestamp>("attempted_at");
    a.seq = r.get<std::int64_t>("seq");
    a.status = r.get_optional<int>("status");
    a.error = r.get_optional<std::string>("error");
    a.duration_ms = r.get<std::int64_t>("duration_ms");
    a.response = r.get_optional<std::string>("response");
    a.redelivery = r.get<std::int64_t>("redelivery") != 0;
    return a;
}

}  // namespace

void insert_webhook_endpoint(Session& s, const WebhookEndpoint& e) {
    s.exec("INSERT INTO webhook_endpoints (id, provider_id, url, events, secret_sealed, enabled, created_at) "
           "VALUES ($1, $2, $3, $4, $5, $6, $7)",
           {e.id, e.provider_id, e.url, nlohmann::json(e.events).dump(), e.secret_sealed, std::int64_t{e.enabled ? 1 : 0},
            epoch_seconds(e.created_at)});
}

std::int64_t count_webhook_endpoints(Session& s, const std::string& provider_id) {
    const auto rows = s.query("SELECT COUNT(*) AS n FROM webhook_endpoints WHERE provider_id = $1", {provider_id});
    return rows.empty() ? 0 : rows[0].get<std::int64_t>("n");
}

std::vector<WebhookEndpoint> webhook_endpoints(Session& s, const std::string& provider_id) {
    std::vector<WebhookEndpoint> out;
    for (const auto& r : s.query(std::string("SELECT ") + kEndpointColumns +
                                     " FROM webhook_endpoints WHERE provider_id = $1 ORDER BY created_at, id",
                                 {provider_id}))
        out.push_back(endpoint_from(r));
    return out;
}

std::optional<WebhookEndpoint> webhook_endpoint(Session& s, const std::string& provider_id, const std::string& endpoint_id) {
    const auto rows = s.query(std::string("SELECT ") + kEndpointColumns +
                                  " FROM webhook_endpoints WHERE id = $1 AND provider_id = $2",
                              {endpoint_id, provider_id});
    if (rows.empty()) return std::nullopt;
    return endpoint_from(rows[0]);
}

bool delete_webhook_endpoint(Session& s, const std::string& provider_id, const std::string& endpoint_id) {
    // Spelled out rather than left to ON DELETE CASCADE, which SQLite applies
    // only where the connection turned foreign keys on.
    s.exec("DELETE FROM webhook_attempts WHERE endpoint_id = $1 AND endpoint_id IN "
           "(SELECT id FROM webhook_endpoints WHERE provider_id = $2)",
           {endpoint_id, provider_id});
    s.exec("DELETE FROM webhook_messages WHERE endpoint_id = $1 AND endpoint_id IN "
           "(SELECT id FROM webhook_endpoints WHERE provider_id = $2)",
           {endpoint_id, provider_id});
    return s.exec("DELETE FROM webhook_endpoints WHERE id = $1 AND provider_id = $2", {endpoint_id, provider_id}) == 1;
}

bool enable_webhook_endpoint(Session& s, const std::string& provider_id, const std::string& endpoint_id) {
    return s.exec("UPDATE webhook_endpoints SET enabled = 1, disabled_reason = NULL, disabled_at = NULL, failing_since = NULL "
                  "WHERE id = $1 AND provider_id = $2",
                  {endpoint_id, provider_id}) == 1;
}

Statement insert_webhook_message_statement(const WebhookMessage& m) {
    return {"INSERT INTO webhook_messages (endpoint_id, webhook_id, event_type, body, created_at) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (endpoint_id, webhook_id) DO NOTHING",
            {m.endpoint_id, m.webhook_id, m.event_type, m.body, epoch_seconds(m.created_at)}};
}

std::optional<WebhookMessage> webhook_message(Session& s, const std::string& endpoint_id, const std::string& webhook_id) {
    const auto rows = s.query(
        "SELECT endpoint_id, webhook_id, event_type, body, created_at, delivered_at FROM webhook_messages "
        "WHERE endpoint_id = $1 AND webhook_id = $2",
        {endpoint_id, webhook_id});
    if (rows.empty()) return std::nullopt;
    const SqlRow& r = rows[0];
    return WebhookMessage{r.get<std::string>("endpoint_id"), r.get<std::string>("webhook_id"),
                          r.get<std::string>("event_type"),  r.get<std::string>("body"),
                          r.get<Timestamp>("created_at"),     r.get_optional<Timestamp>("delivered_at")};
}

Statement insert_webhook_attempt_statement(const WebhookAttempt& a) {
    return {"INSERT INTO webhook_attempts (id, endpoint_id, webhook_id, event_type, attempted_at, seq, status, error, "
            "duration_ms, response, redelivery) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            {a.id, a.endpoint_id, a.webhook_id, a.event_type, epoch_seconds(a.attempted_at), a.seq,
             a.status ? SqlValue{std::int64_t{*a.status}} : SqlValue{nullptr}, optional_value(a.error), a.duration_ms,
             optional_value(a.response), std::int64_t{a.redelivery ? 1 : 0}}};
}

std::vector<WebhookAttempt> webhook_attempts(Session& s, const std::string& endpoint_id, int limit) {
    std::vector<WebhookAttempt> out;
    for (const auto& r : s.query(std::string("SELECT ") + kAttemptColumns +
                                     " FROM webhook_attempts WHERE endpoint_id = $1 "
                                     "ORDER BY attempted_at DESC, seq DESC LIMIT $2",
                                 {endpoint_id, std::int64_t{limit}}))
        out.push_back(attempt_from(r));
    return out;
}

std::optional<WebhookAttempt> webhook_attempt(Session& s, const std::string& endpoint_id, const std::string& attempt_id) {
    const auto rows = s.query(std::string("SELECT ") + kAttemptColumns +
                                  " FROM webhook_attempts WHERE id = $1 AND endpoint_id = $2",
                              {attempt_id, endpoint_id});
    if (rows.empty()) return std::nullopt;
    return attempt_from(rows[0]);
}

std::vector<Statement> webhook_delivered_statements(const std::string& endpoint_id, const std::string& webhook_id,
                                                    Timestamp now) {
    return {{"UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1", {endpoint_id}},
            {"UPDATE webhook_messages SET delivered_at = COALESCE(delivered_at, $3) WHERE endpoint_id = $1 AND webhook_id = $2",
             {endpoint_id, webhook_id, epoch_seconds(now)}}};
}

Statement webhook_failed_statement(const std::string& endpoint_id, Timestamp now) {
    return {"UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $2) WHERE id = $1",
            {endpoint_id, epoch_seconds(now)}};
}

bool disable_failing_webhook(Session& s, const std::string& endpoint_id, Timestamp cutoff, Timestamp now,
                             const std::string& reason) {
    return s.exec("UPDATE webhook_endpoints SET enabled = 0, disabled_reason = $4, disabled_at = $3 "
                  "WHERE id = $1 AND enabled = 1 AND failing_since IS NOT NULL AND failing_since <= $2",
                  {endpoint_id, epoch_seconds(cutoff), epoch_seconds(now), reason}) == 1;
}

void delete_provider_webhooks(Session& s, const std::string& provider_id) {
    const std::string of_provider = "endpoint_id IN (SELECT id FROM webhook_endpoints WHERE provider_id = $1)";
    s.exec("DELETE FROM webhook_attempts WHERE " + of_provider, {provider_id});
    s.exec("DELETE FROM webhook_messages WHERE " + of_provider, {provider_id});
    s.exec("DELETE FROM webhook_endpoints WHERE provider_id = $1", {provider_id});
}

void forget_client_webhook_messages(Session& s, const std::string& client_key, const std::string& email) {
    // A message's id is its event's, "evt_<booking id>_<sequence>".
    const std::string of_client =
        " WHERE EXISTS (SELECT 1 FROM bookings b WHERE (b.client_key = $1 OR (b.client_key IS NULL AND lower(b.client_email) = $2))"
        " AND substr(webhook_id, 1, length('evt_' || b.id || '_')) = 'evt_' || b.id || '_')";
    s.exec("DELETE FROM webhook_attempts" + of_client, {client_key, email});
    s.exec("DELETE FROM webhook_messages" + of_client, {client_key, email});
}

}  // namespace slotwise::server::records
