#include "http/http_api.h"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "domain/clock.h"
#include "http/access_log.h"
#include "domain/accounts_requests.h"
#include "domain/actor.h"
#include "http/api_mapping.h"
#include "http/compression.h"
#include "http/exchange_recorder.h"
#include "http/openapi_document.h"
#include "http/http_server.h"
#include "http/static_files.h"
#include "domain/request_parsing.h"
#include "domain/push_subscriptions.h"
#include "domain/payments.h"
#include "metrics/server_metrics.h"

namespace slotwise::server {
namespace {

using domain::Actor;
using domain::BookingAction;
using domain::Visitor;
// The server's types and the mapping of domain answers (http/api_mapping.h).
using namespace http;

// API answers smaller than this go out as they are: gzip would cost more
// than it saves.
constexpr std::size_t kMinGzipBytes = 1024;
// zlib's fast end: a few percent larger than level 9 at a fraction of the time.
constexpr int kApiGzipLevel = 1;

// Who may call a route; CORS, caching and authentication follow from it.
enum class Access {
    public_data,    // the widget's reads: CORS open, cacheable, no personal data, no credential
    public_client,  // the widget's bookings: CORS open, no-store; a client proves itself by manage token
    provider,       // a provider's credential (Authorization: Bearer), no CORS, no-store
    operator_only,  // the operator token alone, no CORS, no-store
    sign_in,        // asking for a code and signing in: no credential, no CORS, no-store, same-origin when a browser says so
    account,        // an account's session or API key (the use case says which), no CORS, no-store
    link,           // a signed link from a mail is the credential: no CORS, no-store
};

enum class Action { put_provider, get_provider, list_bookings, snapshot, slots, create_booking, calendar, get_booking, reschedule,
                    cancel, confirm, decline, complete, no_show,
                    // Accounts (api.md part 2), grouped: auth routes and API keys.
                    request_code, sign_in, sign_out, sign_out_everywhere, list_sessions, me, create_api_key,
                    list_api_keys, revoke_api_key,
                    // Client email verification (issue 11).
                    verify,
                    // Ownership, plans and data rights (README "Ownership, plans and data rights").
                    export_account, delete_account, erase_client, set_plan,
                    // Webhooks (issue 12): endpoints, their delivery log, redelivery.
                    create_webhook, list_webhooks, update_webhook, delete_webhook, webhook_deliveries, redeliver_webhook,
                    // The provider's confirm and decline links (notifications/action_links.h).
                    show_action_link, use_action_link,
                    // Web Push (README "Web Push"): the VAPID key, an account's browser subscriptions.
                    vapid_public_key, subscribe_push, list_push_subscriptions, unsubscribe_push,
                    // Payments (issue 16): Stripe's signed events.
                    stripe_webhook,
                    // Calendars (issue 15): connections, their sync, the secret feed.
                    connect_calendar, list_calendars, update_calendar, delete_calendar, sync_calendar,
                    create_calendar_feed, calendar_feed,
                    // Google and Microsoft calendars (issue 15): the OAuth callback, push notifications.
                    calendar_oauth_callback, google_calendar_notification, microsoft_calendar_notification,
                    // The dashboard's views (domain/provider_views.h): a booking's history, the provider's clients.
                    booking_history, list_clients,
                    // docs/openapi.json as built into the server.
                    openapi,
                    // Payments (issue 16): the provider's own Stripe keys.
                    put_provider_stripe, get_provider_stripe, delete_provider_stripe };

// A path pattern's segments after /v1/: literals, or "{provider}" (any
// non-empty segment), "{booking}" (a booking id) and "{booking}.ics".
struct Route {
    const char* method;
    std::vector<const char*> segments;
    Access access;
    Action action;
    // A valid provider credential makes the caller the provider's side here
    // too (a booking is cancelled by its client or by its provider).
    bool provider_acts_too = false;
};

// The routes of api.md part 1 and `decline` of part 2, each with its
// access class, declared once. A path that matches none (or a method a path
// does not take) is 404.
const std::vector<Route>& routes() {
    static const std::vector<Route> table = {
        {"PUT", {"providers", "{provider}"}, Access::provider, Action::put_provider},
        {"GET", {"providers", "{provider}"}, Access::provider, Action::get_provider},
        {"GET", {"providers", "{provider}", "bookings"}, Access::provider, Action::list_bookings},
        {"GET", {"providers", "{provider}", "snapshot"}, Access::public_data, Action::snapshot},
        {"GET", {"providers", "{provider}", "slots"}, Access::public_data, Action::slots},
        {"POST", {"bookings"}, Access::public_client, Action::create_booking},
        {"GET", {"bookings", "{booking}.ics"}, Access::public_client, Action::calendar},
        {"GET", {"bookings", "{booking}"}, Access::public_client, Action::get_booking},
        {"POST", {"bookings", "{booking}", "reschedule"}, Access::public_client, Action::reschedule},
        {"POST", {"bookings", "{booking}", "cancel"}, Access::public_client, Action::cancel, true},
        {"POST", {"bookings", "{booking}", "confirm"}, Access::provider, Action::confirm},
        {"POST", {"bookings", "{booking}", "decline"}, Access::provider, Action::decline},
        {"POST", {"bookings", "{booking}", "complete"}, Access::provider, Action::complete},
        {"POST", {"bookings", "{booking}", "no-show"}, Access::provider, Action::no_show},
        // Accounts: sign-in by emailed code, sessions, API keys.
        {"POST", {"auth", "email-code"}, Access::sign_in, Action::request_code},
        {"POST", {"auth", "session"}, Access::sign_in, Action::sign_in},
        {"DELETE", {"auth", "session"}, Access::account, Action::sign_out},
        {"DELETE", {"auth", "sessions"}, Access::account, Action::sign_out_everywhere},
        {"GET", {"auth", "sessions"}, Access::account, Action::list_sessions},
        {"GET", {"me"}, Access::account, Action::me},
        {"POST", {"api-keys"}, Access::account, Action::create_api_key},
        {"GET", {"api-keys"}, Access::account, Action::list_api_keys},
        {"DELETE", {"api-keys", "{key}"}, Access::account, Action::revoke_api_key},
        // Client email verification (issue 11): the client of a HELD booking
        // enters the code mailed to them.
        {"POST", {"bookings", "{booking}", "verify"}, Access::public_client, Action::verify},
        // Data rights and plans: the account's export and deletion, the
        // operator's erasure of a client and setting of a plan.
        {"GET", {"me", "export"}, Access::account, Action::export_account},
        {"DELETE", {"me"}, Access::account, Action::delete_account},
        {"POST", {"clients", "erase"}, Access::operator_only, Action::erase_client},
        {"PUT", {"accounts", "{account}", "plan"}, Access::operator_only, Action::set_plan},
        // Webhooks: the provider's own, like its configuration.
        {"POST", {"providers", "{provider}", "webhooks"}, Access::provider, Action::create_webhook},
        {"GET", {"providers", "{provider}", "webhooks"}, Access::provider, Action::list_webhooks},
        {"PATCH", {"providers", "{provider}", "webhooks", "{webhook}"}, Access::provider, Action::update_webhook},
        {"DELETE", {"providers", "{provider}", "webhooks", "{webhook}"}, Access::provider, Action::delete_webhook},
        {"GET", {"providers", "{provider}", "webhooks", "{webhook}", "deliveries"}, Access::provider, Action::webhook_deliveries},
        {"POST", {"providers", "{provider}", "webhooks", "{webhook}", "deliveries", "{delivery}", "redeliver"}, Access::provider,
         Action::redeliver_webhook},
        // A link from the provider's "request waiting" mail: GET shows, only POST acts.
        {"GET", {"booking-actions", "{link}"}, Access::link, Action::show_action_link},
        {"POST", {"booking-actions", "{link}"}, Access::link, Action::use_action_link},
        // Web Push: the dashboard's applicationServerKey, and its subscriptions.
        {"GET", {"push", "vapid-public-key"}, Access::public_data, Action::vapid_public_key},
        {"POST", {"me", "push-subscriptions"}, Access::account, Action::subscribe_push},
        {"GET", {"me", "push-subscriptions"}, Access::account, Action::list_push_subscriptions},
        {"DELETE", {"me", "push-subscriptions", "{subscription}"}, Access::account, Action::unsubscribe_push},
        // Stripe's events: like a mail's signed link, the Stripe-Signature over the raw body is the credential.
        {"POST", {"payments", "stripe", "webhook"}, Access::link, Action::stripe_webhook},
        // Calendars: the provider's own, like its webhooks; the feed's secret URL is its credential.
        {"POST", {"providers", "{provider}", "calendars"}, Access::provider, Action::connect_calendar},
        {"GET", {"providers", "{provider}", "calendars"}, Access::provider, Action::list_calendars},
        {"PATCH", {"providers", "{provider}", "calendars", "{calendar}"}, Access::provider, Action::update_calendar},
        {"DELETE", {"providers", "{provider}", "calendars", "{calendar}"}, Access::provider, Action::delete_calendar},
        {"POST", {"providers", "{provider}", "calendars", "{calendar}", "sync"}, Access::provider, Action::sync_calendar},
        {"POST", {"providers", "{provider}", "calendar-feed"}, Access::provider, Action::create_calendar_feed},
        {"GET", {"calendar-feeds", "{feed}.ics"}, Access::link, Action::calendar_feed},
        // The dashboard's views: one booking with its audit trail; the clients counted from the bookings.
        {"GET", {"bookings", "{booking}", "history"}, Access::provider, Action::booking_history},
        {"GET", {"providers", "{provider}", "clients"}, Access::provider, Action::list_clients},
        // No credential: the state the service hands back is the proof (domain/calendar_oauth.h).
        {"GET", {"calendars", "oauth", "callback"}, Access::link, Action::calendar_oauth_callback},
        // Push from Google (watch channels) and Graph (subscriptions): the connection's secret is the proof.
        {"POST", {"calendars", "google", "notifications"}, Access::link, Action::google_calendar_notification},
        {"POST", {"calendars", "microsoft", "notifications"}, Access::link, Action::microsoft_calendar_notification},
        // The API described in OpenAPI 3.1: public and cacheable like a snapshot.
        {"GET", {"openapi.json"}, Access::public_data, Action::openapi},
        // The provider's own Stripe account: the keys go in, never come out.
        {"PUT", {"providers", "{provider}", "stripe"}, Access::provider, Action::put_provider_stripe},
        {"GET", {"providers", "{provider}", "stripe"}, Access::provider, Action::get_provider_stripe},
        {"DELETE", {"providers", "{provider}", "stripe"}, Access::provider, Action::delete_provider_stripe},
    };
    return table;
}

bool is_public(Access access) { return access == Access::public_data || access == Access::public_client; }
bool needs_credential(Access access) {
    return access == Access::provider || access == Access::operator_only || access == Access::account;
}
bool changes_state(const std::string& method) { return method != "GET" && method != "HEAD"; }

std::vector<std::string> segments_after_v1(const std::string& path) {
    std::vector<std::string> out;
    std::size_t start = 4;  // after "/v1/"
    while (true) {
        const std::size_t slash = path.find('/', start);
        out.push_back(path.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
        if (slash == std::string::npos) return out;
        start = slash + 1;
    }
}

bool is_booking_id(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
    return true;
}

bool under_v1(const std::string& path) { return path.rfind("/v1/", 0) == 0; }

bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// A route's match: the route and the id its path names.
struct Match {
    const Route* route = nullptr;
    std::string id;  // the provider or booking id
};

// Matches a path's segments against a pattern. Loosely, any segment fills
// a placeholder (to classify any path, for its headers); strictly, ids must
// be well-formed (to route it).
bool matches(const Route& route, const std::vector<std::string>& s, bool strict, std::string* id) {
    if (route.segments.size() != s.size()) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const std::string pattern = route.segments[i];
        if (pattern[0] != '{') {
            if (s[i] != pattern) return false;
            continue;
        }
        std::string value = s[i];
        if (ends_with(pattern, ".ics")) {
            if (strict && (value.size() <= 4 || !ends_with(value, ".ics"))) return false;
            if (ends_with(value, ".ics")) value.resize(value.size() - 4);
        }
        if (strict && pattern == "{provider}" && value.empty()) return false;
        if (strict && pattern != "{provider}" && !is_booking_id(value)) return false;
        if (id) *id = value;
    }
    return true;
}

Match match(const std::string& method, const std::string& path) {
    if (!under_v1(path)) return {};
    const auto s = segments_after_v1(path);
    for (const Route& route : routes()) {
        std::string id;
        if (method == route.method && matches(route, s, /*strict=*/true, &id)) return {&route, std::move(id)};
    }
    return {};
}

// The access class of a path whatever its method: the headers of every
// answer under /v1/ (404s, refusals and preflights included) follow from it.
std::optional<Access> path_access(const std::string& path) {
    if (!under_v1(path)) return std::nullopt;
    const auto s = segments_after_v1(path);
    for (const Route& route : routes())
        if (matches(route, s, /*strict=*/false, nullptr)) return route.access;
    return std::nullopt;
}

// What an answered request is called outside: the exchange record's key into
// docs/openapi.json (`pattern`: the route it matched, "/v1/bookings/{booking}",
// "/healthz", "/metrics", or "" when none did) and its series in /metrics
// (`metrics_class`: the same pattern, or for a method the path does not take
// the pattern of the path's route, "static" or "unmatched"; never the raw
// path, so that ids do not become series of their own). One scan of the
// route table serves both.
struct RouteNames {
    std::string pattern, metrics_class;
};

std::string pattern_of(const Route& route) {
    std::string pattern = "/v1";
    for (const char* segment : route.segments) pattern += std::string("/") + segment;
    return pattern;
}

RouteNames route_names(const std::string& method, const std::string& path) {
    const std::string verb = method == "HEAD" ? "GET" : method;
    if (path == "/healthz" || path == "/metrics") return {verb == "GET" ? path : "", path};
    if (!under_v1(path)) return {"", path.rfind('/', 0) == 0 ? "static" : "unmatched"};  // empty: refused before its path was read
    const auto s = segments_after_v1(path);
    const Route* exact = nullptr;
    const Route* same_path = nullptr;
    for (const Route& route : routes()) {
        if (!matches(route, s, /*strict=*/true, nullptr)) continue;
        if (verb == route.method) {
            exact = &route;
            break;
        }
        if (!same_path) same_path = &route;
    }
    if (exact) {
        std::string pattern = pattern_of(*exact);
        return {pattern, pattern};
    }
    return {"", same_path ? pattern_of(*same_path) : "unmatched"};
}

// CORS is open on the widget's paths, and only on well-formed ones.
bool cors_open(const std::string& path) {
    const auto access = path_access(path);
    if (!access || !is_public(*access)) return false;
    for (const auto& segment : segments_after_v1(path))
        if (segment.empty()) return false;
    return true;
}

// Snapshots and slots carry no personal data and keep their caching; every
// other /v1/ answer may hold a client's data or a manage token.
bool must_not_store(const std::string& path) {
    return under_v1(path) && path_access(path) != Access::public_data;
}

bool compressible(const std::string& content_type) {
    return content_type.rfind("text/", 0) == 0 || content_type.find("json") != std::string::npos;
}

std::string header_value(const Response& r, const std::string& name) {
    for (const auto& [n, v] : r.headers)
        if (n == name) return v;
    return "";
}

DomainError database_unavailable(const std::string& detail) {
    return DomainError(ErrorKind::unavailable, "DATABASE_UNAVAILABLE", detail).retry_after_seconds(1);
}

std::optional<std::string> token_param(const Request& req) {
    const auto it = req.query.find("token");
    if (it == req.query.end()) return std::nullopt;
    return it->second;
}

bool starts_with_bearer(const std::string& value) {
    static const std::string prefix = "bearer ";
    if (value.size() <= prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(value[i])) != prefix[i]) return false;
    return true;
}

http::ServerOptions http_server_options(const HttpOptions& o) {
    http::ServerOptions s;
    s.host = o.host;
    s.port = o.port;
    s.io_threads = o.io_threads;
    s.workers = o.workers;
    s.max_queued_per_address = o.max_queued_per_address;
    s.header_timeout = o.header_timeout;
    s.idle_timeout = o.idle_timeout;
    s.max_connections = o.max_connections;
    s.max_connections_per_address = o.max_connections_per_address;
    s.trusted_proxies = o.trusted_proxies;
    return s;
}

}  // namespace

struct HttpApi::Impl : http::RequestHandler {
    explicit Impl(HttpOptions opts) : options(std::move(opts)), server(*this, http_server_options(options)) {
        if (!options.web_root.empty()) files = std::make_unique<http::StaticFiles>(options.web_root);
        if (options.access_log != "off") {
            log = options.access_log == "-" ? stdout : std::fopen(options.access_log.c_str(), "a");
            if (!log) throw std::runtime_error("cannot open access log " + options.access_log);
            std::setvbuf(log, nullptr, _IOLBF, 0);
        }
        if (!options.record_exchanges.empty()) recorder = std::make_unique<http::ExchangeRecorder>(options.record_exchanges);
    }
    ~Impl() override {
        if (log && log != stdout) std::fclose(log);
    }

    HttpOptions options;
    http::HttpServer server;
    std::unique_ptr<http::StaticFiles> files;
    FILE* log = nullptr;
    std::unique_ptr<http::ExchangeRecorder> recorder;  // --record-exchanges, a testing aid
    // Set once by ready(), before is_ready; read by request threads after it.
    std::atomic<bool> is_ready{false};
    BookingService* service = nullptr;
    SharedLimits* limits = nullptr;
    domain::AccountService* accounts = nullptr;
    domain::WebhookService* webhooks = nullptr;
    notifications::ActionLinkDesk* action_links = nullptr;
    domain::PushSubscriptions* push = nullptr;
    domain::PaymentService* payments = nullptr;
    domain::CalendarService* calendars = nullptr;
    domain::ProviderViews* views = nullptr;
    domain::CalendarOAuth* calendar_oauth = nullptr;
    domain::ProviderStripe* provider_stripe = nullptr;
    std::optional<OperatorToken> token;
    std::mutex credential_mutex;
    const http::KeptAsAnswered keeper;

    Dispatch handle(std::shared_ptr<Request> req) override {
        const std::string& path = req->head.path;
        const std::string method = req->head.method == "HEAD" ? "GET" : req->head.method;
        if (method == "OPTIONS") return {path == "*" ? server_options(*req) : preflight(*req), {}};
        if (path == "/healthz" && method == "GET") {
            if (!is_ready) return {finish(problem_response(database_unavailable("the database is not reachable yet")), *req), {}};
            return {std::nullopt, [this, req] {
                        return finish(guarded([&] { return health_response(service->health(Visitor{req->remote})); }), *req);
                    }};
        }
        if (path == "/metrics" && method == "GET") {
            if (!is_ready) return {finish(problem_response(database_unavailable("the database is not reachable yet")), *req), {}};
            return {std::nullopt, [this, req] { return finish(guarded([&] { return operator_metrics(*req); }), *req); }};
        }
        if (under_v1(path)) {
            Match found = match(method, path);
            if (!found.route) return {finish(not_found(), *req), {}};
            if (!is_ready) return {finish(problem_response(database_unavailable("the database is not reachable yet")), *req), {}};
            return {std::nullopt, [this, req, found = std::move(found)] {
                        return finish(guarded([&] { return call(*req, found); }), *req);
                    }};
        }
        if (files && method == "GET")
            if (auto file = files->serve(req->head)) return {std::move(*file), {}};
        return {finish(not_found(), *req), {}};
    }

    Response refusal(const Refusal& refusal, const std::string& path) override {
        Response r = http_problem(refusal.status, refusal.code, refusal.detail);
        decorate(r, path);
        return r;
    }

    void answered(const Request& req, const Response& res, std::chrono::steady_clock::duration took) override {
        const RouteNames names = route_names(req.head.method, req.head.path);
        if (recorder) recorder->record(req, res, names.pattern);
        metrics::request_answered(names.metrics_class, req.head.method, res.status, took);
        if (!log) return;
        std::fputs(http::access_log_line({Clock::system_seconds(), req.remote, req.head.method, req.head.path, res.status,
                                          res.bytes_sent(), took})
                       .c_str(),
                   log);
    }

    static Response not_found() {
        return problem_response(DomainError(ErrorKind::not_found, "NOT_FOUND", "no such resource"));
    }

    // OPTIONS * asks about the server, not a resource (RFC 9110 9.3.7): the
    // methods it serves, and no CORS (no browser sends it).
    Response server_options(const Request& req) {
        Response r;
        r.status = 204;
        r.headers = {{"Allow", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"}};
        return finish(std::move(r), req);
    }

    Response preflight(const Request& req) {
        if (!cors_open(req.head.path)) return finish(not_found(), req);
        Response r;
        r.status = 204;
        r.headers = {{"Access-Control-Allow-Methods", "GET, POST, OPTIONS"},
                     {"Access-Control-Allow-Headers", "Content-Type, Idempotency-Key"},
                     {"Access-Control-Max-Age", "600"}};
        decorate(r, req.head.path);
        return r;
    }

    // CORS on the widget's paths, no-store where personal data may be: both
    // from the access class of the path's route.
    static void decorate(Response& r, const std::string& path) {
        if (cors_open(path)) {
            r.headers.emplace_back("Access-Control-Allow-Origin", "*");
            r.headers.emplace_back("Access-Control-Expose-Headers", "Idempotent-Replayed, Retry-After, Location");
        }
        if (must_not_store(path)) r.headers.emplace_back("Cache-Control", "no-store");
    }

    Response finish(Response r, const Request& req) {
        decorate(r, req.head.path);
        if (r.body && r.length >= kMinGzipBytes && compressible(header_value(r, "Content-Type"))) {
            r.headers.emplace_back("Vary", "Accept-Encoding");
            if (http::accepts_gzip(req.field("accept-encoding").value_or(""))) {
                if (auto gz = http::gzip(std::string_view(*r.body).substr(r.offset, r.length), kApiGzipLevel)) {
                    r.set_body(std::move(*gz));
                    r.headers.emplace_back("Content-Encoding", "gzip");
                }
            }
        }
        r.head_only = req.head.method == "HEAD";
        return r;
    }

    // Runs a use case; every failure becomes a problem answer.
    template <class Work>
    static Response guarded(Work work) {
        try {
            return work();
        } catch (const DomainError& e) {
            return problem_response(e);
        } catch (const nlohmann::json::exception& e) {
            return problem_response(invalid_input(std::string("the request does not have the expected shape: ") + e.what()));
        } catch (const StoreError& e) {
            std::fprintf(stderr, "slotwise-server: database error: %s\n", e.what());
            return problem_response(database_unavailable("the database is busy or unavailable; retry later"));
        } catch (const std::exception& e) {
            std::fprintf(stderr, "slotwise-server: internal error: %s\n", e.what());
            return problem_response(DomainError(ErrorKind::internal, "INTERNAL_ERROR", "internal error"));
        }
    }

    // The credential, checked only when presented: `Authorization: Bearer`
    // with a session token (sws_), an API key (swk_) or the operator token,
    // or else the session cookie where a credential counts. The actor it
    // proves, if valid. While an address is throttled its bearer values are
    // not checked (429 TOO_MANY_FAILED_CREDENTIALS). Operator-token checks
    // from one process are taken in turn, so that guesses sent at once get
    // no more tries than guesses sent one after another; session tokens and
    // keys carry 256 random bits, so their lookups need no turn. A cookie
    // that proves nothing is not a failed credential: browsers send ended
    // sessions' cookies on their own. A POST without a valid credential
    // meets the public rate limit before anything is said about its
    // credential. A state-changing request by cookie must come from this
    // server's own origin (403 CSRF_REJECTED), and so must a sign-in from a
    // browser (no signing someone into an account of another's choosing).
    std::optional<Actor> authenticate(const Request& req, const Route& route) {
        const auto authorization = req.field("authorization");
        const bool credential_counts = needs_credential(route.access) || route.provider_acts_too;
        int wait = 0;
        std::optional<Actor> proven;
        bool failed = false, by_cookie = false;
        if (authorization) {
            const std::string_view presented =
                starts_with_bearer(*authorization) ? std::string_view(*authorization).substr(7) : std::string_view();
            const bool account_token = domain::is_session_token(presented) || domain::is_api_key(presented);
            std::unique_lock<std::mutex> in_turn(credential_mutex, std::defer_lock);
            if (!account_token) in_turn.lock();
            wait = limits->credential_wait(req.remote);
            if (wait == 0) {
                if (account_token) proven = accounts->actor_for_token(presented);
                else if (!presented.empty() && token->matches(presented)) proven = domain::Operator{};
                if (!proven) {
                    limits->credential_failed(req.remote);
                    failed = true;
                }
            }
        } else if (credential_counts) {
            if (const auto cookie = req.field("cookie"))
                if (const auto session_token = domain::session_cookie(*cookie)) {
                    proven = accounts->actor_for_token(*session_token);
                    by_cookie = proven.has_value();
                }
        }
        // Stripe sends its webhooks from a few addresses, in bursts when
        // much happens at once; its signature is checked instead (an HMAC,
        // no cheaper to refuse by a counter).
        if (req.head.method == "POST" && !proven && route.action != Action::stripe_webhook)
            if (const int limited = limits->admit_public(req.remote))
                throw DomainError(ErrorKind::rate_limited, "RATE_LIMITED", "too many requests from this address; retry later")
                    .retry_after_seconds(limited);
        if (wait > 0)
            throw DomainError(ErrorKind::rate_limited, "TOO_MANY_FAILED_CREDENTIALS",
                              "too many failed credentials from this address; retry later")
                .retry_after_seconds(wait);
        if (failed)
            throw DomainError(ErrorKind::unauthenticated, "UNAUTHORIZED", "the bearer token is not valid").with_challenge("Bearer");
        const auto origin = req.field("origin");
        const bool foreign_origin =
            !domain::same_origin(origin.value_or(""), req.head.authority, accounts->public_origin());
        if ((by_cookie && changes_state(req.head.method) && foreign_origin) ||
            (route.access == Access::sign_in && origin && foreign_origin))
            throw DomainError(ErrorKind::forbidden, "CSRF_REJECTED",
                              "a request by session cookie that changes something must come from this server's own pages");
        const bool enough = route.access == Access::operator_only ? proven && std::holds_alternative<domain::Operator>(*proven)
                                                                  : proven.has_value();
        if (needs_credential(route.access) && !enough)
            throw DomainError(ErrorKind::unauthenticated, "UNAUTHORIZED",
                              "this endpoint needs Authorization: Bearer <session token, API key or admin token> or a session cookie")
                .with_challenge("Bearer");
        return proven;
    }

    // Who the caller is, in one place: the provider's side where its
    // credential counts, else the client of the booking the path names by
    // its manage token, else a visitor.
    static Actor resolve_actor(const Request& req, const Match& found, std::optional<Actor> proven) {
        if (proven && (needs_credential(found.route->access) || found.route->provider_acts_too)) return std::move(*proven);
        const bool names_booking = found.route->segments.front() == std::string("bookings") && !found.id.empty();
        if (auto token = token_param(req); token && !token->empty() && names_booking)
            return domain::BookingClient{found.id, std::move(*token), req.remote};
        return Visitor{req.remote};
    }

    Response call(const Request& req, const Match& found) {
        const Actor actor = resolve_actor(req, found, authenticate(req, *found.route));
        BookingService& s = *service;
        const std::string& id = found.id;
        switch (found.route->action) {
            case Action::put_provider: return provider_response(s.put_provider(actor, id, req.body));
            case Action::get_provider: return provider_document_response(s.get_provider(actor, id));
            case Action::list_bookings: return booking_list_response(s.list_bookings(actor, id, req.query));
            case Action::snapshot: return snapshot_response(s.snapshot(actor, id, req.query));
            case Action::slots: return slots_response(s.slots(actor, id, req.query));
            case Action::create_booking:
                return counted_creation([&] { return s.create_booking(actor, req.field("idempotency-key"), req.body, keeper); });
            case Action::calendar: return calendar_response(s.booking_calendar(actor, id));
            case Action::get_booking: return booking_response(s.get_booking(actor, id));
            case Action::reschedule: return counted_change("reschedule", booking_response(s.reschedule_booking(actor, id, req.body)));
            case Action::cancel: return counted_change("cancel", booking_response(s.cancel_booking(actor, id, req.body)));
            case Action::confirm: return transition(actor, id, BookingAction::confirm, req.body);
            case Action::decline: return transition(actor, id, BookingAction::decline, req.body);
            case Action::complete: return transition(actor, id, BookingAction::complete, req.body);
            case Action::no_show: return transition(actor, id, BookingAction::no_show, req.body);
            case Action::request_code: return code_requested_response(accounts->request_code(actor, req.body));
            case Action::sign_in:
                return signed_in_response(accounts->sign_in(actor, req.body, req.field("user-agent")), cookie_secure(req));
            case Action::sign_out:
                accounts->sign_out(actor);
                return signed_out_response(cookie_secure(req));
            case Action::sign_out_everywhere:
                accounts->sign_out_everywhere(actor);
                return signed_out_response(cookie_secure(req));
            case Action::list_sessions: return sessions_response(accounts->list_sessions(actor));
            case Action::me: return me_response(accounts->me(actor));
            case Action::create_api_key: return api_key_response(accounts->create_api_key(actor, req.body));
            case Action::list_api_keys: return api_keys_response(accounts->list_api_keys(actor));
            case Action::revoke_api_key:
                accounts->revoke_api_key(actor, id);
                return no_content();
            case Action::verify: return verified_response(s.verify_booking(actor, id, req.body));
            case Action::export_account: return export_response(s.export_account(actor));
            case Action::delete_account:
                s.delete_account(actor);
                return signed_out_response(cookie_secure(req));
            case Action::erase_client: return erasure_response(s.erase_client(actor, req.body));
            case Action::set_plan: return plan_response(s.set_account_plan(actor, id, req.body));
            case Action::create_webhook: return webhook_response(webhooks->create(actor, id, req.body));
            case Action::list_webhooks: return webhooks_response(webhooks->list(actor, id));
            case Action::update_webhook: return webhook_response(webhooks->update(actor, path_part(req, 1), id, req.body));
            case Action::delete_webhook:
                webhooks->remove(actor, path_part(req, 1), id);
                return no_content();
            case Action::webhook_deliveries:
                return webhook_deliveries_response(webhooks->deliveries(actor, path_part(req, 1), path_part(req, 3), req.query));
            case Action::redeliver_webhook:
                return redelivery_response(webhooks->redeliver(actor, path_part(req, 1), path_part(req, 3), id));
            case Action::show_action_link: return link_answer(action_links_or_throw().show(id, wants_json(req)));
            case Action::use_action_link: return link_answer(action_links_or_throw().act(id, wants_json(req)));
            case Action::vapid_public_key: return json_response(200, {{"public_key", push->vapid_public_key()}});
            case Action::subscribe_push:
                return json_response(201, push_subscription_json(push->subscribe(actor, req.body, req.field("user-agent"))));
            case Action::list_push_subscriptions: {
                nlohmann::json list = nlohmann::json::array();
                for (const auto& subscription : push->list(actor)) list.push_back(push_subscription_json(subscription));
                return json_response(200, {{"subscriptions", list}});
            }
            case Action::unsubscribe_push:
                push->unsubscribe(actor, id);
                return no_content();
            case Action::stripe_webhook:
                if (!payments) throw DomainError(ErrorKind::not_found, "PAYMENTS_NOT_CONFIGURED", "payments are off");
                return stripe_webhook_response(counted_stripe_webhook(req));
            case Action::connect_calendar: return json_response(201, calendars_or_throw().connect(actor, id, req.body));
            case Action::list_calendars: return calendar_connections_response(calendars_or_throw().list(actor, id));
            case Action::update_calendar:
                return calendar_connection_response(calendars_or_throw().update(actor, path_part(req, 1), id, req.body));
            case Action::delete_calendar:
                calendars_or_throw().remove(actor, path_part(req, 1), id);
                return no_content();
            case Action::sync_calendar: {
                const auto [result, connection] = calendars_or_throw().sync_now(actor, path_part(req, 1), path_part(req, 3));
                return calendar_sync_response(result, connection);
            }
            case Action::create_calendar_feed:
                return json_response(201, {{"url", calendars_or_throw().create_feed(actor, id)}});
            case Action::calendar_feed: return calendar_feed_response(calendars_or_throw().feed(id));
            case Action::booking_history: return booking_history_response(views_or_throw().booking_history(actor, id));
            case Action::list_clients: return clients_response(views_or_throw().clients(actor, id));
            case Action::openapi: return openapi_response(req);
            case Action::calendar_oauth_callback: {
                const bool json_wanted = wants_json(req);
                try {
                    return calendar_oauth_done_response(
                        calendar_oauth_or_throw().callback(query_value(req, "code"), query_value(req, "state"), query_value(req, "error")),
                        json_wanted);
                } catch (const DomainError& e) {
                    return calendar_oauth_failed_response(e, json_wanted);
                }
            }
            case Action::google_calendar_notification:
                // Google sends the secret as X-Goog-Channel-Token; a "sync" message only opens the channel.
                if (!calendar_oauth_or_throw().notified("google", query_value(req, "connection").value_or(""),
                                                       req.field("x-goog-channel-token").value_or("")))
                    return not_found();
                return no_content();
            case Action::microsoft_calendar_notification: {
                // Graph checks a new subscription by asking for its token back, before any secret is known to it.
                if (const auto token = query_value(req, "validationToken")) return plain_text_response(200, token->substr(0, 1024));
                const auto body = nlohmann::json::parse(req.body, nullptr, false);
                bool any = false;
                if (body.is_object() && body.contains("value") && body["value"].is_array())
                    for (const auto& n : body["value"])
                        if (n.is_object() && n.contains("clientState") && n["clientState"].is_string())
                            any = calendar_oauth_or_throw().notified("microsoft", query_value(req, "connection").value_or(""),
                                                                     n["clientState"].get<std::string>()) || any;
                if (!any) return not_found();
                return json_response(202, nlohmann::json::object());
            }
            case Action::put_provider_stripe: return provider_stripe_response(provider_stripe_or_throw().put(actor, id, req.body));
            case Action::get_provider_stripe: return provider_stripe_response(provider_stripe_or_throw().get(actor, id));
            case Action::delete_provider_stripe:
                provider_stripe_or_throw().remove(actor, id);
                return no_content();
        }
        return not_found();
    }

    // The path's n-th segment after /v1/ (a route with several ids keeps only the last in Match).
    static std::string path_part(const Request& req, std::size_t n) { return segments_after_v1(req.head.path).at(n); }

    // `Secure` unless the request came over plain HTTP to loopback, where a
    // browser would refuse to send a Secure cookie back.
    bool cookie_secure(const Request& req) const {
        return accounts->public_origin().rfind("https://", 0) == 0 || !domain::loopback_host(req.head.authority);
    }

    domain::CalendarOAuth& calendar_oauth_or_throw() {
        if (!calendar_oauth) throw DomainError(ErrorKind::not_found, "NOT_FOUND", "no such resource");
        return *calendar_oauth;
    }

    static std::optional<std::string> query_value(const Request& req, const std::string& name) {
        const auto it = req.query.find(name);
        if (it == req.query.end()) return std::nullopt;
        return it->second;
    }

    domain::CalendarService& calendars_or_throw() {
        if (!calendars) throw DomainError(ErrorKind::not_found, "NOT_FOUND", "no such resource");
        return *calendars;
    }

    domain::ProviderStripe& provider_stripe_or_throw() {
        if (!provider_stripe) throw DomainError(ErrorKind::not_found, "NOT_FOUND", "no such resource");
        return *provider_stripe;
    }

    domain::ProviderViews& views_or_throw() {
        if (!views) throw DomainError(ErrorKind::not_found, "NOT_FOUND", "no such resource");
        return *views;
    }

    notifications::ActionLinkDesk& action_links_or_throw() {
        if (!action_links) throw DomainError(ErrorKind::not_found, "NOT_FOUND", "no such resource");
        return *action_links;
    }

    // A browser gets the link's HTML pages; a client that asks for JSON and
    // not for HTML gets JSON and problem documents.
    static bool wants_json(const Request& req) {
        const std::string accept = req.field("accept").value_or("");
        return accept.find("json") != std::string::npos && accept.find("text/html") == std::string::npos;
    }

    static Response link_answer(notifications::LinkAnswer answer) {
        Response r;
        r.status = answer.status;
        r.headers = std::move(answer.headers);
        r.set_body(std::move(answer.body));
        return r;
    }

    static nlohmann::json push_subscription_json(const domain::PushSubscriptionView& v) {
        return {{"id", v.id}, {"endpoint", v.endpoint}, {"created_at", format_timestamp(v.created_at)}};
    }

    Response transition(const Actor& actor, const std::string& id, BookingAction action, const std::string& body) {
        return counted_change(domain::to_string(action), booking_response(service->provider_transition(actor, id, action, body)));
    }

    // Metrics (server-stub/README.md "Metrics"): the exposition on the
    // operator token, and the booking and payment outcomes counted from
    // what the use cases answer.
    std::function<std::string()> render_metrics;
    std::unique_ptr<http::RequestHandler> metrics_handler;
    std::unique_ptr<http::HttpServer> metrics_server;
    std::thread metrics_thread;

    Response operator_metrics(const Request& req) {
        // Not a /v1/ route, so not in the table; authenticate() reads only its access class.
        static const Route metrics_route{"GET", {"metrics"}, Access::operator_only, Action::me};
        authenticate(req, metrics_route);
        return scrape();
    }

    static Response metrics_response(std::string text) {
        Response r;
        r.headers = {{"Content-Type", "text/plain; version=0.0.4; charset=utf-8"}, {"Cache-Control", "no-store"}};
        r.set_body(std::move(text));
        return r;
    }

    template <class Work>
    static Response counted_creation(Work work) {
        try {
            const BookingOutcome outcome = work();
            if (const auto* created = std::get_if<BookingView>(&outcome)) metrics::booking_created(domain::to_string(created->booking.status));
            else metrics::booking_replayed();
            return created_or_replayed(outcome);
        } catch (const DomainError& e) {
            metrics::booking_refused(e.code);
            throw;
        }
    }

    static Response counted_change(std::string_view action, Response answer) {
        metrics::booking_changed(action);
        return answer;
    }

    domain::StripeWebhookReceipt counted_stripe_webhook(const Request& req) {
        try {
            auto receipt = payments->receive_stripe_webhook(req.body, req.field("stripe-signature"));
            metrics::payment_webhook(receipt.duplicate ? "duplicate" : receipt.outcome);
            return receipt;
        } catch (const DomainError& e) {
            metrics::payment_webhook(e.code);
            throw;
        }
    }

    // Before ready() there is no database to read the gauges from.
    Response scrape() const {
        if (!is_ready || !render_metrics) return problem_response(database_unavailable("the database is not reachable yet"));
        return metrics_response(render_metrics());
    }

    // The --metrics-listen listener: GET /metrics without credentials (for a
    // scraper on a private network), 404 for anything else.
    struct MetricsListener : http::RequestHandler {
        explicit MetricsListener(const Impl& api) : api(api) {}
        const Impl& api;

        Dispatch handle(std::shared_ptr<Request> req) override {
            if (req->head.path != "/metrics" || (req->head.method != "GET" && req->head.method != "HEAD"))
                return {problem_response(DomainError(ErrorKind::not_found, "NOT_FOUND", "only GET /metrics is served here")), {}};
            return {std::nullopt, [this, req] {
                        Response r = guarded([&] { return api.scrape(); });
                        r.head_only = req->head.method == "HEAD";
                        return r;
                    }};
        }
        Response refusal(const Refusal& refusal, const std::string&) override {
            return http_problem(refusal.status, refusal.code, refusal.detail);
        }
        void answered(const Request&, const Response&, std::chrono::steady_clock::duration) override {}
    };
};

std::size_t HttpOptions::worker_threads() const { return http_server_options(*this).worker_threads(); }

HttpApi::HttpApi(HttpOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
HttpApi::~HttpApi() = default;

bool HttpApi::bind() {
    if (!impl_->server.bind()) return false;
    if (impl_->options.metrics_port >= 0) {
        http::ServerOptions o;
        o.host = impl_->options.metrics_host;
        o.port = impl_->options.metrics_port;
        o.io_threads = 1;
        o.workers = 2;
        impl_->metrics_handler = std::make_unique<Impl::MetricsListener>(*impl_);
        impl_->metrics_server = std::make_unique<http::HttpServer>(*impl_->metrics_handler, o);
        if (!impl_->metrics_server->bind()) return false;
    }
    const std::string& host = impl_->options.host;
    if (impl_->files && host != "0.0.0.0" && host != "::" && !host.empty()) {
        const std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
        impl_->files->set_listen_origin("http://" + shown + ":" + std::to_string(port()));
    }
    return true;
}
int HttpApi::port() const { return impl_->server.port(); }
int HttpApi::backlog() const { return impl_->server.backlog(); }
std::string HttpApi::backlog_source() const { return impl_->server.backlog_source(); }
std::size_t HttpApi::max_connections() const { return impl_->server.max_connections(); }

void HttpApi::ready(BookingService& service, domain::AccountService& accounts, SharedLimits& limits, OperatorToken token) {
    impl_->service = &service;
    impl_->accounts = &accounts;
    impl_->limits = &limits;
    impl_->token.emplace(std::move(token));
    impl_->is_ready = true;
}

void HttpApi::serve_webhooks(domain::WebhookService& webhooks) { impl_->webhooks = &webhooks; }
void HttpApi::serve_action_links(notifications::ActionLinkDesk& desk) { impl_->action_links = &desk; }
void HttpApi::set_push_subscriptions(domain::PushSubscriptions& push) { impl_->push = &push; }
void HttpApi::serve_payments(domain::PaymentService& payments) { impl_->payments = &payments; }
void HttpApi::serve_calendars(domain::CalendarService& calendars) { impl_->calendars = &calendars; }
void HttpApi::serve_provider_views(domain::ProviderViews& views) { impl_->views = &views; }
void HttpApi::serve_calendar_oauth(domain::CalendarOAuth& oauth) { impl_->calendar_oauth = &oauth; }
void HttpApi::serve_provider_stripe(domain::ProviderStripe& stripe) { impl_->provider_stripe = &stripe; }

void HttpApi::serve_metrics(std::function<std::string()> render) { impl_->render_metrics = std::move(render); }
int HttpApi::metrics_port() const { return impl_->metrics_server ? impl_->metrics_server->port() : -1; }

void HttpApi::serve() {
    if (impl_->metrics_server) impl_->metrics_thread = std::thread([this] { impl_->metrics_server->serve(); });
    impl_->server.serve();
    if (impl_->metrics_thread.joinable()) {
        impl_->metrics_server->stop();
        impl_->metrics_thread.join();
    }
}
// The metrics listener stops when serve() returns.
void HttpApi::stop() { impl_->server.stop(); }

}  // namespace slotwise::server
