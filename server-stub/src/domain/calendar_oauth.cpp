#include "domain/calendar_oauth.h"

#include <cstdio>

#include "adapters/google_calendar.h"
#include "adapters/ms_graph.h"
#include "domain/providers_access.h"
#include "store/calendar_oauth_records.h"
#include "store/calendar_records.h"
#include "support/crypto.h"

namespace slotwise::server::domain {

namespace {

using nlohmann::json;

bool oauth_kind(const std::string& kind) { return kind == "google" || kind == "microsoft"; }

DomainError state_invalid() {
    return DomainError(ErrorKind::invalid_input, "CALENDAR_OAUTH_STATE_INVALID",
                       "this authorization is unknown, already used or expired; connect the calendar again");
}

json tokens_json(const adapters::OAuthTokens& t) {
    return {{"access_token", t.access_token}, {"refresh_token", t.refresh_token}, {"expires_at", t.expires_at}};
}

adapters::OAuthTokens tokens_from(const json& j) {
    adapters::OAuthTokens t;
    t.access_token = j.value("access_token", std::string());
    t.refresh_token = j.value("refresh_token", std::string());
    t.expires_at = j.value("expires_at", std::int64_t{0});
    return t;
}

// These endpoints are the operator's choice (flags), never a provider's, so
// the guard against provider-supplied private targets does not apply; the
// Graph client refuses links that leave its base.
adapters::HttpClientOptions service_http() {
    adapters::HttpClientOptions o;
    o.allow_private = true;
    return o;
}

}  // namespace

CalendarOAuth::CalendarOAuth(Store& store, const Clock& clock, std::string credentials_key, std::string state_key,
                             CalendarOAuthOptions options)
    : store_(store),
      clock_(clock),
      credentials_key_(std::move(credentials_key)),
      state_key_(std::move(state_key)),
      options_(std::move(options)) {
    if (options_.google_api_base.empty()) options_.google_api_base = adapters::kGoogleApiBase;
    if (options_.microsoft_graph_base.empty()) options_.microsoft_graph_base = adapters::kMicrosoftGraphBase;
}

bool CalendarOAuth::configured(const std::string& kind) const {
    if (kind == "google") return !options_.google_client_id.empty();
    if (kind == "microsoft") return !options_.microsoft_client_id.empty();
    return false;
}

std::string CalendarOAuth::redirect_uri() const { return options_.public_origin + "/v1/calendars/oauth/callback"; }

adapters::OAuthClient CalendarOAuth::oauth_client(const std::string& kind) const {
    if (kind == "google")
        return adapters::OAuthClient({options_.google_client_id, options_.google_client_secret,
                                      adapters::google_oauth_endpoints(options_.google_oauth_base)},
                                     service_http());
    return adapters::OAuthClient({options_.microsoft_client_id, options_.microsoft_client_secret,
                                  adapters::microsoft_oauth_endpoints(options_.microsoft_oauth_base)},
                                 service_http());
}

json CalendarOAuth::start(const Actor& actor, const std::string& provider_id, const json& request) {
    const std::string kind = request.value("kind", std::string());
    for (const auto& [name, value] : request.items())
        if (name != "kind")
            throw invalid_input("unknown member \"" + name + "\"; a " + kind + " connection takes only \"kind\"");
    if (!oauth_kind(kind)) throw invalid_input("\"kind\" must be \"google\" or \"microsoft\" here");
    if (!configured(kind))
        throw DomainError(ErrorKind::refused, "CALENDAR_OAUTH_NOT_CONFIGURED",
                          "this server has no OAuth client for " + kind + " (SLOTWISE_" +
                              std::string(kind == "google" ? "GOOGLE" : "MICROSOFT") + "_CLIENT_ID and _SECRET)");
    const std::string state = random_token(32);
    const std::string verifier = adapters::new_pkce_verifier();
    records::OAuthStateRow row;
    row.state_sha256 = sha256_hex(state);
    row.provider_id = provider_id;
    row.kind = kind;
    row.connection_id = "cal_" + random_token(12);
    row.verifier_sealed = seal(state_key_, verifier, row.state_sha256);
    row.redirect_uri = redirect_uri();
    row.created_at = clock_.now();
    row.expires_at = row.created_at + options_.state_ttl;
    auto s = store_.session();
    in_transaction(*s, provider_id, [&] {
        reach_provider_or_throw(*s, actor, provider_id);
        records::sweep_oauth_states(*s, row.created_at);
        records::insert_oauth_state(*s, row);
    });
    return {{"id", row.connection_id},
            {"authorization_url", oauth_client(kind).authorization_url(row.redirect_uri, state, adapters::pkce_challenge_s256(verifier))}};
}

OAuthCallbackResult CalendarOAuth::callback(const std::optional<std::string>& code, const std::optional<std::string>& state,
                                            const std::optional<std::string>& error) {
    if (!state || state->empty() || state->size() > 200) throw state_invalid();
    std::optional<records::OAuthStateRow> row;
    {
        auto s = store_.session();
        const std::string hash = sha256_hex(*state);
        s->begin();
        try {
            row = records::take_oauth_state(*s, hash);
            s->commit();
        } catch (...) {
            s->rollback();
            throw;
        }
    }
    if (!row || row->expires_at < clock_.now()) throw state_invalid();
    if (error)
        throw DomainError(ErrorKind::refused, "CALENDAR_OAUTH_DENIED",
                          "the calendar service did not grant access (" + error->substr(0, 100) + ")");
    if (!code || code->empty() || code->size() > 4096) throw invalid_input("the callback needs \"code\"");
    const auto verifier = open_sealed(state_key_, row->verifier_sealed, row->state_sha256);
    if (!verifier) throw state_invalid();

    const adapters::OAuthClient oauth = oauth_client(row->kind);
    adapters::OAuthTokens tokens;
    try {
        tokens = oauth.exchange_code(*code, row->redirect_uri, *verifier);
    } catch (const adapters::OAuthError& e) {
        if (e.failure == adapters::OAuthFailure::unreachable)
            throw DomainError(ErrorKind::refused, "CALENDAR_UNREACHABLE", std::string("the calendar service did not answer: ") + e.what());
        throw DomainError(ErrorKind::refused, "CALENDAR_AUTH_FAILED", std::string("the calendar service refused the authorization: ") + e.what());
    }
    records::CalendarConnection c;
    c.id = row->connection_id;
    c.provider_id = row->provider_id;
    c.kind = row->kind;
    c.status = "pending";
    c.created_at = clock_.now();
    const json credentials = tokens_json(tokens);
    std::vector<adapters::RemoteCalendar> found;
    try {
        // The connection row does not exist yet: a refresh during the listing
        // is kept in `credentials` through the session, not stored.
        auto session = std::make_shared<adapters::BearerSession>(oauth, tokens, nullptr);
        std::unique_ptr<adapters::CalendarClient> client;
        if (c.kind == "google") client = std::make_unique<adapters::GoogleCalendarClient>(options_.google_api_base, session);
        else
            client = std::make_unique<adapters::MsGraphClient>(options_.microsoft_graph_base, session,
                                                               [this] { return epoch_seconds(clock_.now()); });
        found = client->list_calendars();
        tokens = session->tokens();
    } catch (const adapters::CalendarError& e) {
        // Nothing is stored, so nothing could ever revoke this grant later.
        if (oauth.can_revoke()) oauth.revoke(tokens.refresh_token.empty() ? tokens.access_token : tokens.refresh_token);
        if (e.failure == adapters::CalendarFailure::auth_failed)
            throw DomainError(ErrorKind::refused, "CALENDAR_AUTH_FAILED", std::string("the calendar service refused the token: ") + e.what());
        throw DomainError(ErrorKind::refused, "CALENDAR_UNREACHABLE", std::string("the calendars could not be listed: ") + e.what());
    }
    // As for CalDAV: every calendar blocks until the provider chooses otherwise.
    for (const auto& r : found) c.calendars.push_back({r.href, r.name, r.writable, true, false, ""});
    for (const auto& r : found)
        if (r.writable && r.href.find('@') != std::string::npos) {
            c.account = r.href;  // Google's primary calendar id is the account's address
            break;
        }
    json stored = tokens_json(tokens);
    if (push_enabled()) {
        auto pushing = make_client(c.id, c.kind, stored);
        register_push(c, *pushing, stored);
    }
    c.credentials_sealed = seal(credentials_key_, stored.dump(), c.id);
    auto s = store_.session();
    in_transaction(*s, c.provider_id, [&] { records::insert_calendar_connection(*s, c); });
    if (auto* queue = job_queue_.load())
        queue->enqueue({kCalendarSyncKind, "calendar.sync:" + c.id + ":connected", {{"connection_id", c.id}}, clock_.now(), 3});
    return {c.id, found};
}

std::unique_ptr<adapters::CalendarClient> CalendarOAuth::make_client(const std::string& connection_id, const std::string& kind,
                                                                     const json& credentials) {
    auto session = std::make_shared<adapters::BearerSession>(
        oauth_client(kind), tokens_from(credentials), [this, connection_id](const adapters::OAuthTokens& fresh) {
            // Stored before the next call needs them: Microsoft's old refresh
            // token may already be spent. The push channels stored beside
            // them stay as they are now (a renewal may have replaced them).
            change_credentials(connection_id, [&](json& stored) {
                stored["access_token"] = fresh.access_token;
                stored["refresh_token"] = fresh.refresh_token;
                stored["expires_at"] = fresh.expires_at;
            });
        });
    if (kind == "google") return std::make_unique<adapters::GoogleCalendarClient>(options_.google_api_base, session);
    return std::make_unique<adapters::MsGraphClient>(options_.microsoft_graph_base, session,
                                                     [this] { return epoch_seconds(clock_.now()); });
}

CalendarClientFactory CalendarOAuth::client_factory(CalendarClientFactory inner) {
    return [this, inner = std::move(inner)](const records::CalendarConnection& c,
                                            const json& credentials) -> std::unique_ptr<adapters::CalendarClient> {
        if (!oauth_kind(c.kind)) return inner(c, credentials);
        auto client = make_client(c.id, c.kind, credentials);
        if (push_enabled()) renew_push_if_due(c, *client, credentials);
        return client;
    };
}

void CalendarOAuth::disconnected(const records::CalendarConnection& c, const json& credentials) {
    if (!oauth_kind(c.kind)) return;
    try {
        // The channels first: they need the grant that is about to end.
        const json push = credentials.value("push", json::array());
        if (push.is_array() && !push.empty()) {
            auto client = make_client(c.id, c.kind, credentials);
            stop_push(*client, push);
        }
        // Revoking the refresh token ends the whole grant (RFC 7009 2.1).
        const std::string token = credentials.value("refresh_token", credentials.value("access_token", std::string()));
        const auto oauth = oauth_client(c.kind);
        if (oauth.can_revoke() && !token.empty() && !oauth.revoke(token))
            std::fprintf(stderr, "slotwise-server: %s did not confirm the revocation of a removed calendar connection\n",
                         c.kind.c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "slotwise-server: revoking a calendar grant failed: %s\n", e.what());
    }
}

bool CalendarOAuth::push_enabled() const {
    return options_.public_origin.rfind("https://", 0) == 0 || options_.push_over_http;
}

std::int64_t CalendarOAuth::push_ttl_seconds(const std::string& kind) const {
    if (options_.push_ttl.count() > 0) return options_.push_ttl.count();
    return kind == "google" ? 7 * 24 * 3600 : 3 * 24 * 3600 - 3600;
}

void CalendarOAuth::register_push(const records::CalendarConnection& c, adapters::CalendarClient& client, json& credentials) {
    json channels = json::array();
    const std::int64_t ttl = push_ttl_seconds(c.kind);
    const std::int64_t expires = epoch_seconds(clock_.now()) + ttl;
    const std::string address = options_.public_origin + "/v1/calendars/" + c.kind + "/notifications?connection=" + c.id;
    try {
        if (auto* google = dynamic_cast<adapters::GoogleCalendarClient*>(&client)) {
            for (const auto& cal : c.calendars) {
                const auto channel = google->watch(cal.href, address, push_secret("google", c.id), static_cast<int>(ttl));
                channels.push_back({{"id", channel.id}, {"resource_id", channel.resource_id}});
            }
        } else if (auto* graph = dynamic_cast<adapters::MsGraphClient*>(&client)) {
            channels.push_back({{"subscription", graph->subscribe(address, push_secret("microsoft", c.id), expires)}});
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "slotwise-server: no push channel for calendar connection %s (polling continues): %s\n",
                     c.id.c_str(), e.what());
        stop_push(client, channels);  // the ones made before the failure
        return;
    }
    if (channels.empty()) return;
    credentials["push"] = channels;
    credentials["push_expires_at"] = expires;
}

void CalendarOAuth::stop_push(adapters::CalendarClient& client, const json& push) {
    if (!push.is_array()) return;
    for (const auto& p : push) {
        try {
            if (auto* google = dynamic_cast<adapters::GoogleCalendarClient*>(&client))
                google->stop_channel({p.value("id", std::string()), p.value("resource_id", std::string())});
            else if (auto* graph = dynamic_cast<adapters::MsGraphClient*>(&client))
                graph->unsubscribe(p.value("subscription", std::string()));
        } catch (const std::exception& e) {
            std::fprintf(stderr, "slotwise-server: stopping a calendar push channel failed: %s\n", e.what());
        }
    }
}

void CalendarOAuth::renew_push_if_due(const records::CalendarConnection& c, adapters::CalendarClient& client,
                                      const json& credentials) {
    const std::int64_t left = credentials.value("push_expires_at", std::int64_t{0}) - epoch_seconds(clock_.now());
    if (credentials.contains("push") && left > push_ttl_seconds(c.kind) / 2) return;
    json fresh = json::object();
    register_push(c, client, fresh);
    if (!fresh.contains("push")) return;  // the next sync tries again
    stop_push(client, credentials.value("push", json::array()));
    change_credentials(c.id, [&](json& stored) {
        stored["push"] = fresh["push"];
        stored["push_expires_at"] = fresh["push_expires_at"];
    });
}

void CalendarOAuth::change_credentials(const std::string& connection_id, const std::function<void(json&)>& change) {
    auto s = store_.session();
    in_transaction(*s, std::nullopt, [&] {
        const auto sealed = records::connection_credentials(*s, connection_id);
        if (!sealed) return;  // not stored yet (the callback) or removed meanwhile
        const auto opened = open_sealed(credentials_key_, *sealed, connection_id);
        json current = opened ? json::parse(*opened, nullptr, false) : json::object();
        if (!current.is_object()) current = json::object();
        change(current);
        records::update_connection_credentials(*s, connection_id, seal(credentials_key_, current.dump(), connection_id));
    });
}

std::string CalendarOAuth::push_secret(const std::string& kind, const std::string& connection_id) const {
    return hmac_sha256_hex(state_key_, "push " + kind + " " + connection_id);
}

bool CalendarOAuth::notified(const std::string& kind, const std::string& connection_id, const std::string& secret) {
    if (!oauth_kind(kind) || connection_id.empty() || connection_id.size() > 100) return false;
    if (!constant_time_equal(secret, push_secret(kind, connection_id))) return false;
    if (auto* queue = job_queue_.load())
        queue->enqueue({kCalendarSyncKind, "calendar.sync:" + connection_id + ":push" + random_token(6),
                        {{"connection_id", connection_id}}, clock_.now(), 3});
    return true;
}

}  // namespace slotwise::server::domain
