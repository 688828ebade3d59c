#include "http/api_mapping.h"

#include <algorithm>

#include "domain/accounts_requests.h"
#include "domain/booking_json.h"
#include "http/problem.h"

namespace slotwise::server::http {

using domain::ErrorKind;

int status_of(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::invalid_input: return 400;
        case ErrorKind::unauthenticated: return 401;
        case ErrorKind::forbidden: return 403;
        case ErrorKind::not_found: return 404;
        case ErrorKind::conflict: return 409;
        case ErrorKind::gone: return 410;
        case ErrorKind::too_large: return 413;
        case ErrorKind::refused: return 422;
        case ErrorKind::rate_limited: return 429;
        case ErrorKind::unavailable: return 503;
        case ErrorKind::internal: return 500;
    }
    return 500;
}

namespace {

Response with_body(int status, std::string content_type, std::string body,
                   std::vector<std::pair<std::string, std::string>> headers = {}) {
    Response r;
    r.status = status;
    r.headers = std::move(headers);
    r.headers.emplace_back("Content-Type", std::move(content_type));
    r.set_body(std::move(body));
    return r;
}

nlohmann::json booking_document(const BookingView& view) {
    return {{"booking", booking_json(view.booking, view.manage_token, view.payment_widget)}};
}

}  // namespace

Response problem_response(const domain::DomainError& error) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (error.retry_after) headers.emplace_back("Retry-After", std::to_string(*error.retry_after));
    if (error.challenge) headers.emplace_back("WWW-Authenticate", *error.challenge);
    const int status = status_of(error.kind);
    auto extensions = error.extensions;
    // Input errors name the field first ("/services/0/durations must ...");
    // as `path` (the engine's member for the same) a form can show the
    // problem at that field.
    const std::string detail = error.what();
    const bool has_path = std::any_of(extensions.begin(), extensions.end(), [](const auto& e) { return e.first == "path"; });
    if (error.kind == domain::ErrorKind::invalid_input && !has_path && !detail.empty() && detail[0] == '/')
        extensions.emplace_back("path", nlohmann::json(detail.substr(0, detail.find_first_of(" :"))).dump());
    return with_body(status, "application/problem+json", problem_body(status, error.code, detail, extensions),
                     std::move(headers));
}

Response http_problem(int status, const std::string& code, const std::string& detail) {
    return with_body(status, "application/problem+json", problem_body(status, code, detail));
}

Response json_response(int status, const nlohmann::json& document) {
    return with_body(status, "application/json", document.dump());
}

Response booking_response(const BookingView& booking) {
    return json_response(booking.manage_token ? 201 : 200, booking_document(booking));
}

Response verified_response(const BookingView& booking) { return json_response(200, booking_document(booking)); }

Response created_or_replayed(const BookingOutcome& outcome) {
    if (const auto* created = std::get_if<BookingView>(&outcome)) return booking_response(*created);
    const auto& kept = std::get<KeptAnswer>(outcome);
    return with_body(kept.status, kept.status >= 400 ? "application/problem+json" : "application/json", kept.body,
                     {{"Idempotent-Replayed", "true"}});
}

Response provider_response(const SavedProvider& saved) { return json_response(saved.created ? 201 : 200, saved.document); }

Response provider_document_response(const ProviderDocument& provider) { return json_response(200, provider.document); }

Response booking_list_response(const BookingList& list) {
    nlohmann::json bookings = nlohmann::json::array();
    for (const Booking& b : list.bookings) bookings.push_back(booking_json(b));
    return json_response(200, {{"provider", list.provider_id},
                               {"from", format_date(list.from)},
                               {"to", format_date(list.to)},
                               {"bookings", std::move(bookings)}});
}

Response booking_history_response(const domain::BookingHistory& history) {
    nlohmann::json entries = nlohmann::json::array();
    for (const auto& e : history.entries)
        entries.push_back({{"at", format_timestamp(e.at)}, {"actor", e.actor}, {"action", e.action}, {"detail", e.detail}});
    return json_response(200, {{"booking", booking_json(history.booking)}, {"history", std::move(entries)}});
}

Response clients_response(const domain::ClientList& list) {
    const auto instant = [](const std::optional<Instant>& at) { return at ? nlohmann::json(format_instant(*at)) : nlohmann::json(); };
    nlohmann::json clients = nlohmann::json::array();
    for (const auto& c : list.clients)
        clients.push_back({{"name", c.name},
                           {"email", c.email},
                           {"bookings", c.bookings},
                           {"upcoming", c.upcoming},
                           {"completed", c.completed},
                           {"no_shows", c.no_shows},
                           {"cancelled", c.cancelled},
                           {"first_start", instant(c.first_start)},
                           {"last_start", instant(c.last_start)},
                           {"next_start", instant(c.next_start)},
                           {"lockout_no_shows", c.lockout_no_shows},
                           {"locked_out", c.locked_out}});
    return json_response(200, {{"provider", list.provider_id}, {"clients", std::move(clients)}});
}

Response snapshot_response(const SnapshotDocument& snapshot) {
    return with_body(200, "application/json", snapshot.json_text);
}

Response slots_response(const SlotList& slots) { return with_body(200, "application/json", slots.json_text); }

Response calendar_response(const CalendarFile& file) {
    return with_body(200, "text/calendar; charset=utf-8", file.text,
                     {{"Content-Disposition", "attachment; filename=\"" + file.file_name + "\""}});
}

Response health_response(const HealthReport& health) {
    return json_response(200, {{"status", "ok"}, {"database", health.database}, {"jobs", jobs::to_json(health.jobs)}});
}

namespace {

std::string session_cookie_header(const std::string& value, std::int64_t max_age_seconds, bool secure) {
    return std::string(domain::kSessionCookie) + "=" + value + "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" +
           std::to_string(max_age_seconds) + (secure ? "; Secure" : "");
}

nlohmann::json account_json(const domain::AccountView& account) {
    return {{"id", account.id}, {"email", account.email}, {"plan", account.plan}};
}

nlohmann::json optional_time(const std::optional<Timestamp>& t) { return t ? nlohmann::json(format_timestamp(*t)) : nullptr; }

nlohmann::json api_key_json(const domain::ApiKeyView& key) {
    nlohmann::json j = {{"id", key.id},
                        {"name", key.name},
                        {"created_at", format_timestamp(key.created_at)},
                        {"last_used_at", optional_time(key.last_used_at)}};
    if (key.key) j["key"] = *key.key;
    return j;
}

}  // namespace

Response code_requested_response(const domain::CodeRequested& requested) {
    return json_response(202, {{"challenge", requested.challenge}, {"expires_at", format_timestamp(requested.expires_at)}});
}

Response signed_in_response(const domain::SignedIn& signed_in, bool secure_cookie) {
    Response r = json_response(201, {{"session", {{"token", signed_in.token}, {"expires_at", format_timestamp(signed_in.expires_at)}}},
                                     {"account", account_json(signed_in.account)}});
    // The cookie lives as long as the session could; the server decides
    // before that, on every request, whether the session still holds.
    r.headers.emplace_back("Set-Cookie", session_cookie_header(signed_in.token, 90LL * 24 * 3600, secure_cookie));
    return r;
}

Response signed_out_response(bool secure_cookie) {
    Response r;
    r.status = 204;
    r.headers.emplace_back("Set-Cookie", session_cookie_header("", 0, secure_cookie));
    return r;
}

Response sessions_response(const std::vector<domain::SessionView>& sessions) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& s : sessions)
        list.push_back({{"id", s.id},
                        {"created_at", format_timestamp(s.created_at)},
                        {"last_seen_at", format_timestamp(s.last_seen_at)},
                        {"expires_at", format_timestamp(s.expires_at)},
                        {"user_agent", s.user_agent ? nlohmann::json(*s.user_agent) : nlohmann::json(nullptr)},
                        {"current", s.current}});
    return json_response(200, {{"sessions", std::move(list)}});
}

Response me_response(const domain::MeView& me) {
    return json_response(200, {{"account", account_json(me.account)}, {"providers", me.providers}});
}

Response api_key_response(const domain::ApiKeyView& key) { return json_response(201, api_key_json(key)); }

Response api_keys_response(const std::vector<domain::ApiKeyView>& keys) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& k : keys) list.push_back(api_key_json(k));
    return json_response(200, {{"api_keys", std::move(list)}});
}

Response no_content() {
    Response r;
    r.status = 204;
    return r;
}

KeptAnswer KeptAsAnswered::created(const BookingView& booking) const {
    const Response r = booking_response(booking);
    return {r.status, *r.body};
}

KeptAnswer KeptAsAnswered::refused(const domain::DomainError& refusal) const {
    const Response r = problem_response(refusal);
    return {r.status, *r.body};
}

std::optional<std::string> KeptAsAnswered::booking_of(const KeptAnswer& kept) const {
    if (kept.status != 201) return std::nullopt;
    const auto body = nlohmann::json::parse(kept.body, nullptr, /*allow_exceptions=*/false);
    const auto* id = body.is_object() && body.contains("booking") && body["booking"].is_object() ? &body["booking"] : nullptr;
    if (!id || !id->contains("id") || !(*id)["id"].is_string()) return std::nullopt;
    return (*id)["id"].get<std::string>();
}

KeptAnswer KeptAsAnswered::refreshed(const KeptAnswer& kept, const BookingView& now) const {
    auto body = nlohmann::json::parse(kept.body, nullptr, /*allow_exceptions=*/false);
    if (!body.is_object() || !body.contains("booking") || !body["booking"].is_object()) return kept;
    std::optional<std::string> token;
    if (const auto& old = body["booking"]; old.contains("manage_token") && old["manage_token"].is_string())
        token = old["manage_token"].get<std::string>();
    body["booking"] = booking_json(now.booking, token, now.payment_widget);
    return {kept.status, body.dump()};
}

Response export_response(const AccountExport& exported) {
    Response r = json_response(200, exported.document);
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"slotwise-export-" + exported.account_id + ".json\"");
    return r;
}

Response erasure_response(const ClientErasure& erased) {
    return json_response(200, {{"bookings", erased.bookings}, {"no_show_records", erased.no_show_records}});
}

Response plan_response(const AccountPlan& plan) {
    return json_response(200, {{"account", {{"id", plan.account_id}, {"plan", plan.plan}}}});
}

namespace {

nlohmann::json webhook_json(const domain::WebhookView& w) {
    nlohmann::json j = {{"id", w.id},
                        {"url", w.url},
                        {"events", w.events},
                        {"enabled", w.enabled},
                        {"disabled", !w.enabled},
                        {"disabled_reason", w.disabled_reason ? nlohmann::json(*w.disabled_reason) : nlohmann::json(nullptr)},
                        {"disabled_at", optional_time(w.disabled_at)},
                        {"created_at", format_timestamp(w.created_at)}};
    if (w.secret) j["secret"] = *w.secret;
    return j;
}

nlohmann::json optional_text(const std::optional<std::string>& text) { return text ? nlohmann::json(*text) : nullptr; }

}  // namespace

Response webhook_response(const domain::WebhookView& webhook) {
    return json_response(webhook.secret ? 201 : 200, webhook_json(webhook));
}

Response calendar_connections_response(const std::vector<records::CalendarConnection>& connections) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& c : connections) list.push_back(domain::connection_json(c));
    return json_response(200, {{"connections", std::move(list)}});
}

Response calendar_connection_response(const records::CalendarConnection& connection) {
    return json_response(200, domain::connection_json(connection));
}

Response calendar_sync_response(const domain::SyncResult& r, const records::CalendarConnection& connection) {
    nlohmann::json body = {{"synced", r.ok},
                           {"changed", r.changed},
                           {"removed", r.removed},
                           {"own_events", r.own_events},
                           {"unreadable", r.unreadable},
                           {"connection", domain::connection_json(connection)}};
    body["error"] = r.error_code ? nlohmann::json{{"code", *r.error_code}, {"detail", r.error_detail.value_or("")}}
                                 : nlohmann::json(nullptr);
    return json_response(200, body);
}

Response calendar_oauth_done_response(const domain::OAuthCallbackResult& result, bool wants_json) {
    if (!wants_json) return with_body(303, "text/plain; charset=utf-8", "connected\n", {{"Location", "/app/settings/calendars?connected=" + result.connection_id}});
    nlohmann::json calendars = nlohmann::json::array();
    for (const auto& c : result.calendars) calendars.push_back({{"href", c.href}, {"name", c.name}});
    return json_response(200, {{"id", result.connection_id}, {"calendars", calendars}});
}

Response calendar_oauth_failed_response(const domain::DomainError& error, bool wants_json) {
    if (wants_json) return problem_response(error);
    // The code is one of ours ([A-Z_]): safe in a query without encoding.
    return with_body(303, "text/plain; charset=utf-8", error.code + "\n", {{"Location", "/app/settings/calendars?calendar_error=" + error.code}});
}

Response plain_text_response(int status, std::string text) { return with_body(status, "text/plain; charset=utf-8", std::move(text)); }

Response calendar_feed_response(std::string ics) {
    // A secret URL: no shared cache may keep it (the access class adds no-store).
    return with_body(200, "text/calendar; charset=utf-8", std::move(ics), {});
}

Response webhooks_response(const std::vector<domain::WebhookView>& webhooks) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& w : webhooks) list.push_back(webhook_json(w));
    return json_response(200, {{"webhooks", std::move(list)}});
}

Response webhook_deliveries_response(const std::vector<records::WebhookAttempt>& attempts) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& a : attempts)
        list.push_back({{"id", a.id},
                        {"webhook_id", a.webhook_id},
                        {"event_type", a.event_type},
                        {"attempted_at", format_timestamp(a.attempted_at)},
                        {"status", a.status ? nlohmann::json(*a.status) : nlohmann::json(nullptr)},
                        {"error", optional_text(a.error)},
                        {"duration_ms", a.duration_ms},
                        {"response", optional_text(a.response)},
                        {"redelivery", a.redelivery}});
    return json_response(200, {{"deliveries", std::move(list)}});
}

Response redelivery_response(const domain::Redelivery& redelivery) {
    return json_response(202, {{"webhook_id", redelivery.webhook_id}, {"redelivers", redelivery.delivery_id}});
}

Response stripe_webhook_response(const domain::StripeWebhookReceipt& receipt) {
    return json_response(200, {{"received", true},
                               {"event", receipt.event_id},
                               {"type", receipt.event_type},
                               {"duplicate", receipt.duplicate},
                               {"outcome", receipt.outcome}});
}

Response provider_stripe_response(const domain::ProviderStripeView& view) {
    using Source = domain::ProviderStripeView::Source;
    if (view.source == Source::none) return json_response(200, {{"source", "none"}, {"webhook_url", view.webhook_url}});
    nlohmann::json body = {{"source", view.source == Source::provider ? "provider" : "operator"},
                           {"webhook_secret_set", view.webhook_secret_set},
                           {"webhook_url", view.webhook_url}};
    if (!view.publishable_key.empty()) body["publishable_key"] = view.publishable_key;
    if (view.source == Source::provider) body["secret_key_last4"] = view.secret_key_last4;
    if (view.livemode) body["livemode"] = *view.livemode;
    return json_response(200, body);
}

}  // namespace slotwise::server::http
