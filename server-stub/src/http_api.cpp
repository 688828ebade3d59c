#include "http_api.h"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <vector>

#include "clock.h"
#include "http/access_log.h"
#include "http/compression.h"
#include "http/http_server.h"
#include "http/static_files.h"
#include "request_parsing.h"

namespace slotwise::server {
namespace {

using http::Dispatch;
using http::Refusal;
using http::Request;
using http::Response;

// API answers smaller than this go out as they are: gzip would cost more
// than it saves.
constexpr std::size_t kMinGzipBytes = 1024;
// zlib's fast end: a few percent larger than level 9 at a fraction of the time.
constexpr int kApiGzipLevel = 1;

enum class Action { none, put_provider, list_bookings, snapshot, slots, create_booking, calendar, get_booking,
                    reschedule, client_or_provider_cancel, provider_transition };

struct Route {
    Action action = Action::none;
    std::string id;
    std::string verb;  // the provider transition
    bool needs_admin = false;
};

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

// The routes of api.md part 1; a path that matches none (or a method a path
// does not take) is 404, as before.
Route match(const std::string& method, const std::string& path) {
    if (!under_v1(path)) return {};
    const auto s = segments_after_v1(path);
    if (s[0] == "providers" && s.size() >= 2 && !s[1].empty()) {
        if (s.size() == 2 && method == "PUT") return {Action::put_provider, s[1], "", true};
        if (s.size() == 3 && method == "GET") {
            if (s[2] == "bookings") return {Action::list_bookings, s[1], "", true};
            if (s[2] == "snapshot") return {Action::snapshot, s[1], "", false};
            if (s[2] == "slots") return {Action::slots, s[1], "", false};
        }
        return {};
    }
    if (s[0] != "bookings") return {};
    if (s.size() == 1 && method == "POST") return {Action::create_booking, "", "", false};
    if (s.size() == 2 && method == "GET") {
        const std::string& id = s[1];
        if (id.size() > 4 && id.compare(id.size() - 4, 4, ".ics") == 0 && is_booking_id(id.substr(0, id.size() - 4)))
            return {Action::calendar, id.substr(0, id.size() - 4), "", false};
        if (is_booking_id(id)) return {Action::get_booking, id, "", false};
        return {};
    }
    if (s.size() == 3 && method == "POST" && is_booking_id(s[1])) {
        if (s[2] == "reschedule") return {Action::reschedule, s[1], "", false};
        if (s[2] == "cancel") return {Action::client_or_provider_cancel, s[1], "", false};
        if (s[2] == "confirm" || s[2] == "complete" || s[2] == "no-show") return {Action::provider_transition, s[1], s[2], true};
    }
    return {};
}

// The widget's paths (CORS open): /v1/providers/X/(snapshot|slots) and
// /v1/bookings[/X[.ics|/cancel|/reschedule]].
bool is_public_path(const std::string& path) {
    if (!under_v1(path)) return false;
    const auto s = segments_after_v1(path);
    for (const auto& segment : s)
        if (segment.empty()) return false;
    if (s[0] == "providers") return s.size() == 3 && (s[2] == "snapshot" || s[2] == "slots");
    if (s[0] != "bookings") return false;
    return s.size() <= 2 || (s.size() == 3 && (s[2] == "cancel" || s[2] == "reschedule"));
}

// Snapshots and slots carry no personal data and keep their caching; every
// other /v1/ answer may hold a client's data or a manage token.
bool must_not_store(const std::string& path) {
    if (!under_v1(path)) return false;
    const auto s = segments_after_v1(path);
    return !(s.size() == 3 && s[0] == "providers" && (s[2] == "snapshot" || s[2] == "slots"));
}

bool compressible(const std::string& content_type) {
    return content_type.rfind("text/", 0) == 0 || content_type.find("json") != std::string::npos;
}

std::string header_value(const Response& r, const std::string& name) {
    for (const auto& [n, v] : r.headers)
        if (n == name) return v;
    return "";
}

Response problem_response(const ApiError& e) {
    Response r;
    r.status = e.status;
    r.headers = e.headers;
    r.headers.emplace_back("Content-Type", "application/problem+json");
    r.set_body(problem_body(e));
    return r;
}

ApiError with_header(ApiError e, std::string name, std::string value) {
    e.headers.emplace_back(std::move(name), std::move(value));
    return e;
}

ApiError database_unavailable(const std::string& detail) {
    return with_header(ApiError(503, "DATABASE_UNAVAILABLE", detail), "Retry-After", "1");
}

Response from_reply(Reply reply) {
    Response r;
    r.status = reply.status;
    r.headers = std::move(reply.headers);
    r.headers.emplace_back("Content-Type", reply.content_type);
    r.set_body(std::move(reply.body));
    return r;
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

}  // namespace

struct HttpApi::Impl : http::RequestHandler {
    explicit Impl(HttpOptions opts) : options(std::move(opts)), server(*this, server_options(options)) {
        if (!options.web_root.empty()) files = std::make_unique<http::StaticFiles>(options.web_root);
        if (options.access_log != "off") {
            log = options.access_log == "-" ? stdout : std::fopen(options.access_log.c_str(), "a");
            if (!log) throw std::runtime_error("cannot open access log " + options.access_log);
            std::setvbuf(log, nullptr, _IOLBF, 0);
        }
    }
    ~Impl() override {
        if (log && log != stdout) std::fclose(log);
    }

    static http::ServerOptions server_options(const HttpOptions& o) {
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
        return s;
    }

    HttpOptions options;
    http::HttpServer server;
    std::unique_ptr<http::StaticFiles> files;
    FILE* log = nullptr;
    // Set once by ready(), before is_ready; read by request threads after it.
    std::atomic<bool> is_ready{false};
    BookingService* service = nullptr;
    SharedLimits* limits = nullptr;
    std::optional<OperatorToken> token;
    std::mutex credential_mutex;

    Dispatch handle(std::shared_ptr<Request> req) override {
        const std::string& path = req->head.path;
        const std::string method = req->head.method == "HEAD" ? "GET" : req->head.method;
        if (method == "OPTIONS") return {path == "*" ? server_options(*req) : preflight(*req), {}};
        if (path == "/healthz" && method == "GET") {
            if (!is_ready) return {finish(problem_response(database_unavailable("the database is not reachable yet")), *req), {}};
            return {std::nullopt, [this, req] { return finish(guarded([this] { return from_reply(service->health()); }), *req); }};
        }
        if (under_v1(path)) {
            Route route = match(method, path);
            if (route.action == Action::none) return {finish(not_found(), *req), {}};
            if (!is_ready) return {finish(problem_response(database_unavailable("the database is not reachable yet")), *req), {}};
            return {std::nullopt, [this, req, route = std::move(route)] {
                        return finish(guarded([&] { return from_reply(call(*req, route)); }), *req);
                    }};
        }
        if (files && method == "GET")
            if (auto file = files->serve(req->head)) return {std::move(*file), {}};
        return {finish(not_found(), *req), {}};
    }

    Response refusal(const Refusal& refusal, const std::string& path) override {
        Response r = problem_response(ApiError(refusal.status, refusal.code, refusal.detail));
        decorate(r, path);
        return r;
    }

    void answered(const Request& req, const Response& res, std::chrono::steady_clock::duration took) override {
        if (!log) return;
        std::fputs(http::access_log_line({Clock::system_seconds(), req.remote, req.head.method, req.head.path, res.status,
                                          res.bytes_sent(), took})
                       .c_str(),
                   log);
    }

    static Response not_found() { return problem_response(ApiError(404, "NOT_FOUND", "no such resource")); }

    // OPTIONS * asks about the server, not a resource (RFC 9110 9.3.7): the
    // methods it serves, and no CORS (no browser sends it).
    Response server_options(const Request& req) {
        Response r;
        r.status = 204;
        r.headers = {{"Allow", "GET, HEAD, POST, PUT, OPTIONS"}};
        return finish(std::move(r), req);
    }

    Response preflight(const Request& req) {
        if (!is_public_path(req.head.path)) return finish(not_found(), req);
        Response r;
        r.status = 204;
        r.headers = {{"Access-Control-Allow-Methods", "GET, POST, OPTIONS"},
                     {"Access-Control-Allow-Headers", "Content-Type, Idempotency-Key"},
                     {"Access-Control-Max-Age", "600"}};
        decorate(r, req.head.path);
        return r;
    }

    // CORS on the widget's paths, no-store where personal data may be.
    static void decorate(Response& r, const std::string& path) {
        if (is_public_path(path)) {
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
        } catch (const ApiError& e) {
            return problem_response(e);
        } catch (const nlohmann::json::exception& e) {
            return problem_response(bad_request(std::string("the request does not have the expected shape: ") + e.what()));
        } catch (const StoreError& e) {
            std::fprintf(stderr, "slotwise-server: database error: %s\n", e.what());
            return problem_response(database_unavailable("the database is busy or unavailable; retry later"));
        } catch (const std::exception& e) {
            std::fprintf(stderr, "slotwise-server: internal error: %s\n", e.what());
            return problem_response(ApiError(500, "INTERNAL_ERROR", "internal error"));
        }
    }

    // The bearer credential, checked only when presented; true when valid.
    // Checks from one process are taken in turn, so that guesses sent at once
    // get no more tries than guesses sent one after another. While an address
    // is throttled its credentials are not checked (429
    // TOO_MANY_FAILED_CREDENTIALS). A POST without a valid credential meets
    // the public rate limit before anything is said about its credential.
    bool authorize(const Request& req, const Route& route) {
        const auto authorization = req.field("authorization");
        int wait = 0;
        bool valid = false, failed = false;
        if (authorization) {
            std::lock_guard<std::mutex> in_turn(credential_mutex);
            wait = limits->credential_wait(req.remote);
            if (wait == 0) {
                valid = starts_with_bearer(*authorization) && token->matches(std::string_view(*authorization).substr(7));
                if (!valid) {
                    limits->credential_failed(req.remote);
                    failed = true;
                }
            }
        }
        if (req.head.method == "POST" && !valid)
            if (const int limited = limits->admit_public(req.remote))
                throw with_header(ApiError(429, "RATE_LIMITED", "too many requests from this address; retry later"),
                                  "Retry-After", std::to_string(limited));
        if (wait > 0)
            throw with_header(ApiError(429, "TOO_MANY_FAILED_CREDENTIALS",
                                       "too many failed credentials from this address; retry later"),
                              "Retry-After", std::to_string(wait));
        if (failed)
            throw with_header(ApiError(401, "UNAUTHORIZED", "the bearer token is not valid"), "WWW-Authenticate", "Bearer");
        if (route.needs_admin && !valid)
            throw with_header(ApiError(401, "UNAUTHORIZED", "this endpoint needs Authorization: Bearer <admin token>"),
                              "WWW-Authenticate", "Bearer");
        return valid;
    }

    Reply call(const Request& req, const Route& route) {
        const bool provider = authorize(req, route);
        BookingService& s = *service;
        switch (route.action) {
            case Action::put_provider: return s.put_provider(route.id, req.body);
            case Action::list_bookings: return s.list_bookings(route.id, req.query);
            case Action::snapshot: return s.snapshot(route.id, req.query);
            case Action::slots: return s.slots(route.id, req.query);
            case Action::create_booking: return s.create_booking(req.field("idempotency-key"), req.body);
            case Action::calendar: return s.booking_calendar(route.id, token_param(req));
            case Action::get_booking: return s.get_booking(route.id, token_param(req));
            case Action::reschedule: return s.reschedule_booking(route.id, token_param(req), req.body);
            // A provider cancels with the bearer token, a client with the manage token.
            case Action::client_or_provider_cancel:
                return provider ? s.provider_transition(route.id, "cancel", req.body)
                                : s.cancel_booking(route.id, token_param(req), req.body);
            case Action::provider_transition: return s.provider_transition(route.id, route.verb, req.body);
            case Action::none: break;
        }
        throw ApiError(404, "NOT_FOUND", "no such resource");
    }
};

HttpApi::HttpApi(HttpOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
HttpApi::~HttpApi() = default;

bool HttpApi::bind() {
    if (!impl_->server.bind()) return false;
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

void HttpApi::ready(BookingService& service, SharedLimits& limits, OperatorToken token) {
    impl_->service = &service;
    impl_->limits = &limits;
    impl_->token.emplace(std::move(token));
    impl_->is_ready = true;
}

void HttpApi::serve() { impl_->server.serve(); }
void HttpApi::stop() { impl_->server.stop(); }

}  // namespace slotwise::server
