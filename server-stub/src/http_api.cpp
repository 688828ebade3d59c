#include "http_api.h"

#include <httplib.h>
#include <zlib.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <regex>
#include <memory>
#include <unordered_map>

#include "crypto.h"
#include "request_parsing.h"

namespace slotwise::server {
namespace {

using SteadyClock = std::chrono::steady_clock;
thread_local SteadyClock::time_point request_started;

// Token buckets per client address (in this process).
class RateLimiter {
public:
    RateLimiter(double per_second, double burst) : rate_(per_second), burst_(burst) {}
    // Seconds to wait, 0 when the request may go ahead.
    int admit(const std::string& address) {
        if (rate_ <= 0) return 0;
        const auto now = SteadyClock::now();
        std::lock_guard<std::mutex> lock(mutex_);
        if (buckets_.size() > 100000) buckets_.clear();  // bounded memory under address floods
        auto [it, fresh] = buckets_.try_emplace(address, Bucket{burst_, now});
        Bucket& b = it->second;
        if (!fresh) {
            b.tokens = std::min(burst_, b.tokens + std::chrono::duration<double>(now - b.last).count() * rate_);
            b.last = now;
        }
        if (b.tokens >= 1) {
            b.tokens -= 1;
            return 0;
        }
        return std::max(1, static_cast<int>(std::ceil((1 - b.tokens) / rate_)));
    }

private:
    struct Bucket {
        double tokens;
        SteadyClock::time_point last;
    };
    double rate_, burst_;
    std::mutex mutex_;
    std::unordered_map<std::string, Bucket> buckets_;
};

const std::regex kPublicPath(R"(/v1/providers/[^/]+/(snapshot|slots)|/v1/bookings(/[^/]+(\.ics|/cancel|/reschedule)?)?)");

bool is_public_path(const std::string& path) { return std::regex_match(path, kPublicPath); }

void allow_cross_origin(httplib::Response& res) {
    res.set_header("Access-Control-Allow-Origin", "*");
    res.set_header("Access-Control-Expose-Headers", "Idempotent-Replayed, Retry-After, Location");
}

std::string default_code(int status) {
    switch (status) {
        case 400: return "INVALID_REQUEST";
        case 401: return "UNAUTHORIZED";
        case 404: return "NOT_FOUND";
        case 405: return "METHOD_NOT_ALLOWED";
        case 413: return "PAYLOAD_TOO_LARGE";
        case 414: return "URI_TOO_LONG";
        case 416: return "RANGE_NOT_SATISFIABLE";
        case 503: return "UNAVAILABLE";
        default: return status >= 500 ? "INTERNAL_ERROR" : "INVALID_REQUEST";
    }
}

// Static files gzipped once per content, not per request: cpp-httplib would
// otherwise brotli-compress every response at its slowest setting (~350 ms
// for the widget bundle), which a cold page load cannot afford.
class StaticGzipCache {
public:
    using Bytes = std::shared_ptr<const std::string>;

    // The gzip form of `body` served at `path`; nullptr if zlib fails.
    Bytes gzip(const std::string& path, const Bytes& body) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            const auto it = entries_.find(path);
            if (it != entries_.end() && *it->second.original == *body) return it->second.compressed;
        }
        Bytes compressed = compress(*body);
        if (!compressed) return nullptr;
        std::lock_guard<std::mutex> lock(mutex_);
        entries_[path] = {body, compressed};
        return compressed;
    }

private:
    static Bytes compress(const std::string& in) {
        z_stream z{};
        if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) return nullptr;
        auto out = std::make_shared<std::string>(deflateBound(&z, in.size()) + 32, '\0');
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
        z.avail_in = static_cast<uInt>(in.size());
        z.next_out = reinterpret_cast<Bytef*>(out->data());
        z.avail_out = static_cast<uInt>(out->size());
        const int status = deflate(&z, Z_FINISH);
        out->resize(z.total_out);
        deflateEnd(&z);
        return status == Z_STREAM_END ? out : nullptr;
    }

    struct Entry {
        Bytes original;
        Bytes compressed;
    };
    std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;
};

bool compressible(const std::string& content_type) {
    return content_type.rfind("text/", 0) == 0 || content_type.find("javascript") != std::string::npos ||
           content_type.find("json") != std::string::npos || content_type.find("svg") != std::string::npos ||
           content_type == "application/wasm";
}

// Sends `body` through a content provider, which cpp-httplib does not
// compress again; gzip from the cache when the client accepts it.
void send_static(StaticGzipCache& cache, const httplib::Request& req, httplib::Response& res) {
    StaticGzipCache::Bytes body = std::make_shared<const std::string>(std::move(res.body));
    res.body.clear();
    const std::string type = res.get_header_value("Content-Type");
    res.headers.erase("Content-Type");
    if (compressible(type) && req.ranges.empty()) {
        res.set_header("Vary", "Accept-Encoding");
        if (req.get_header_value("Accept-Encoding").find("gzip") != std::string::npos) {
            if (auto gz = cache.gzip(req.path, body)) {
                body = std::move(gz);
                res.set_header("Content-Encoding", "gzip");
            }
        }
    }
    res.set_content_provider(body->size(), type, [body](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
        return sink.write(body->data() + offset, length);
    });
}

bool hashed_name(const std::string& path) {
    // name.<8+ hex>.ext
    static const std::regex pattern(R"(.*\.[0-9a-f]{8,}\.[A-Za-z0-9]+$)");
    return std::regex_match(path, pattern);
}

Query query_of(const httplib::Request& req) {
    Query q;
    for (const auto& [key, value] : req.params) q.emplace(key, value);
    return q;
}

std::optional<std::string> header(const httplib::Request& req, const char* name) {
    if (!req.has_header(name)) return std::nullopt;
    return req.get_header_value(name);
}

std::optional<std::string> token_param(const httplib::Request& req) {
    if (!req.has_param("token")) return std::nullopt;
    return req.get_param_value("token");
}

std::string json_escape(const std::string& s) { return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

}  // namespace

struct HttpApi::Impl {
    Impl(BookingService& service, HttpOptions options)
        : service(service), options(std::move(options)), limiter(this->options.rate_per_second, this->options.rate_burst) {}

    BookingService& service;
    HttpOptions options;
    RateLimiter limiter;
    StaticGzipCache static_gzip;
    httplib::Server server;
    FILE* log = nullptr;
    int bound_port = -1;

    bool is_admin(const httplib::Request& req) const {
        const std::string value = req.get_header_value("Authorization");
        const std::string prefix = "Bearer ";
        if (value.size() <= prefix.size() || value.compare(0, prefix.size(), prefix) != 0) return false;
        return constant_time_equal(value.substr(prefix.size()), options.admin_token);
    }

    void send(httplib::Response& res, const Reply& reply) {
        res.status = reply.status;
        for (const auto& [name, value] : reply.headers) res.set_header(name, value);
        res.set_content(reply.body, reply.content_type.c_str());
    }

    void send_problem(httplib::Response& res, const ApiError& e) {
        res.status = e.status;
        for (const auto& [name, value] : e.headers) res.set_header(name, value);
        res.set_content(problem_body(e), "application/problem+json");
    }

    // Runs one use case; every failure becomes a problem answer.
    template <class UseCase>
    httplib::Server::Handler handle(bool needs_admin, UseCase use_case) {
        return [this, needs_admin, use_case](const httplib::Request& req, httplib::Response& res) {
            if (is_public_path(req.path)) allow_cross_origin(res);
            try {
                if (needs_admin && !is_admin(req)) {
                    ApiError e(401, "UNAUTHORIZED", "this endpoint needs Authorization: Bearer <admin token>");
                    e.headers.emplace_back("WWW-Authenticate", "Bearer");
                    throw e;
                }
                send(res, use_case(req));
            } catch (const ApiError& e) {
                send_problem(res, e);
            } catch (const nlohmann::json::exception& e) {
                send_problem(res, bad_request(std::string("the request does not have the expected shape: ") + e.what()));
            } catch (const StoreError& e) {
                std::fprintf(stderr, "slotwise-server: database error: %s\n", e.what());
                ApiError problem(503, "DATABASE_UNAVAILABLE", "the database is busy or unavailable; retry later");
                problem.headers.emplace_back("Retry-After", "1");
                send_problem(res, problem);
            } catch (const std::exception& e) {
                std::fprintf(stderr, "slotwise-server: internal error: %s\n", e.what());
                send_problem(res, ApiError(500, "INTERNAL_ERROR", "internal error"));
            }
        };
    }

    void routes() {
        server.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) { send(res, service.health()); });
        server.Put(R"(/v1/providers/([^/]+))", handle(true, [this](const httplib::Request& req) {
            return service.put_provider(req.matches[1], req.body);
        }));
        server.Get(R"(/v1/providers/([^/]+)/bookings)", handle(true, [this](const httplib::Request& req) {
            return service.list_bookings(req.matches[1], query_of(req));
        }));
        server.Get(R"(/v1/providers/([^/]+)/snapshot)", handle(false, [this](const httplib::Request& req) {
            return service.snapshot(req.matches[1], query_of(req));
        }));
        server.Get(R"(/v1/providers/([^/]+)/slots)", handle(false, [this](const httplib::Request& req) {
            return service.slots(req.matches[1], query_of(req));
        }));
        server.Post("/v1/bookings", handle(false, [this](const httplib::Request& req) {
            return service.create_booking(header(req, "Idempotency-Key"), req.body);
        }));
        server.Get(R"(/v1/bookings/([A-Za-z0-9_-]+)\.ics)", handle(false, [this](const httplib::Request& req) {
            return service.booking_calendar(req.matches[1], token_param(req));
        }));
        server.Get(R"(/v1/bookings/([A-Za-z0-9_-]+))", handle(false, [this](const httplib::Request& req) {
            return service.get_booking(req.matches[1], token_param(req));
        }));
        server.Post(R"(/v1/bookings/([A-Za-z0-9_-]+)/reschedule)", handle(false, [this](const httplib::Request& req) {
            return service.reschedule_booking(req.matches[1], token_param(req), req.body);
        }));
        // A provider cancels with the bearer token, a client with the manage token.
        server.Post(R"(/v1/bookings/([A-Za-z0-9_-]+)/cancel)", handle(false, [this](const httplib::Request& req) {
            if (req.has_header("Authorization")) {
                if (!is_admin(req)) throw ApiError(401, "UNAUTHORIZED", "the bearer token is not valid");
                return service.provider_transition(req.matches[1], "cancel", req.body);
            }
            return service.cancel_booking(req.matches[1], token_param(req), req.body);
        }));
        server.Post(R"(/v1/bookings/([A-Za-z0-9_-]+)/(confirm|complete|no-show))",
                    handle(true, [this](const httplib::Request& req) {
                        return service.provider_transition(req.matches[1], req.matches[2], req.body);
                    }));
        server.Options(R"(/.*)", [](const httplib::Request& req, httplib::Response& res) {
            if (!is_public_path(req.path)) {
                res.status = 404;
                return;
            }
            allow_cross_origin(res);
            res.set_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
            res.set_header("Access-Control-Allow-Headers", "Content-Type, Idempotency-Key");
            res.set_header("Access-Control-Max-Age", "600");
            res.status = 204;
        });
    }

    void safety() {
        server.set_payload_max_length(kMaxBodyBytes);
        server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
            request_started = SteadyClock::now();
            if (req.method == "POST" && !req.has_header("Authorization")) {
                if (int wait = limiter.admit(req.remote_addr)) {
                    if (is_public_path(req.path)) allow_cross_origin(res);
                    ApiError e(429, "RATE_LIMITED", "too many requests from this address; retry later");
                    e.headers.emplace_back("Retry-After", std::to_string(wait));
                    send_problem(res, e);
                    return httplib::Server::HandlerResponse::Handled;
                }
            }
            return httplib::Server::HandlerResponse::Unhandled;
        });
        // Answers cpp-httplib makes itself (404, 413, 400 for broken HTTP) get a problem body too.
        server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
            if (!res.body.empty()) return;
            if (is_public_path(req.path)) allow_cross_origin(res);
            const std::string detail = res.status == 413 ? "the body exceeds 64 KiB" : "no such resource or malformed request";
            res.set_content(problem_body(res.status, default_code(res.status), detail), "application/problem+json");
        });
        server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
            res.status = 500;
            res.set_content(problem_body(500, "INTERNAL_ERROR", "internal error"), "application/problem+json");
        });
    }

    void access_log() {
        if (options.access_log == "off") return;
        log = options.access_log == "-" ? stdout : std::fopen(options.access_log.c_str(), "a");
        if (!log) throw std::runtime_error("cannot open access log " + options.access_log);
        std::setvbuf(log, nullptr, _IOLBF, 0);
        server.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
            const double ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - request_started).count();
            char line[1024];
            // The query string is left out: it can carry a manage token.
            std::snprintf(line, sizeof line,
                          "{\"time\":\"%s\",\"remote\":%s,\"method\":%s,\"path\":%s,\"status\":%d,\"bytes\":%zu,"
                          "\"ms\":%.3f}\n",
                          format_instant(std::chrono::duration_cast<std::chrono::seconds>(
                                             std::chrono::system_clock::now().time_since_epoch()).count()).c_str(),
                          json_escape(req.remote_addr).c_str(), json_escape(req.method.substr(0, 16)).c_str(),
                          json_escape(req.path.substr(0, 256)).c_str(), res.status, res.body.size(), ms);
            std::fputs(line, log);
        });
    }

    void static_files() {
        if (options.web_root.empty()) return;
        server.set_file_extension_and_mimetype_mapping("wasm", "application/wasm");
        server.set_file_extension_and_mimetype_mapping("mjs", "text/javascript");
        server.set_file_extension_and_mimetype_mapping("js", "text/javascript");
        if (!server.set_mount_point("/", options.web_root))
            throw std::runtime_error("--web-root " + options.web_root + " is not a directory");
        server.set_file_request_handler([this](const httplib::Request& req, httplib::Response& res) {
            res.set_header("Cache-Control", hashed_name(req.path) ? "public, max-age=31536000, immutable" : "no-cache");
            // widget.js, the engine's module and its .wasm are loaded by provider
            // sites on other origins (module scripts and fetch need CORS).
            res.set_header("Access-Control-Allow-Origin", "*");
            send_static(static_gzip, req, res);
        });
    }
};

HttpApi::HttpApi(BookingService& service, HttpOptions options) : impl_(std::make_unique<Impl>(service, std::move(options))) {
    const std::size_t threads = impl_->options.threads;
    impl_->server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    impl_->server.set_keep_alive_max_count(1000);
    impl_->server.set_keep_alive_timeout(5);
    impl_->server.set_read_timeout(10);
    impl_->server.set_write_timeout(10);
    impl_->server.set_tcp_nodelay(true);
    impl_->safety();
    impl_->routes();
    impl_->access_log();
    impl_->static_files();
}

HttpApi::~HttpApi() {
    if (impl_->log && impl_->log != stdout) std::fclose(impl_->log);
}

bool HttpApi::bind() {
    if (impl_->options.port == 0) {
        impl_->bound_port = impl_->server.bind_to_any_port(impl_->options.host);
        return impl_->bound_port > 0;
    }
    if (!impl_->server.bind_to_port(impl_->options.host, impl_->options.port)) return false;
    impl_->bound_port = impl_->options.port;
    return true;
}

int HttpApi::port() const { return impl_->bound_port; }
void HttpApi::serve() { impl_->server.listen_after_bind(); }
void HttpApi::stop() { impl_->server.stop(); }

}  // namespace slotwise::server
