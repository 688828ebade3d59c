// For the benchmark only (built with -DSLOTWISE_BENCH_HTTPLIB_LAYER=ON as
// slotwise-server-httplib): the HttpServer interface of http/http_server.h on
// Debian's cpp-httplib 0.11, configured as the last cpp-httplib server was
// (commit 0f4d3f1: one pool thread per open connection, keep-alive of 5 s and
// 1000 requests, 10 s read and write timeouts, TCP_NODELAY). Everything else
// in the binary is today's server, so bench.sh can compare the HTTP layers
// alone. Deferred work runs on the httplib thread that read the request, as
// the old server ran every request. None of issue 9's protections (fair
// queue, connection caps, smuggling checks) are here: never serve with it.
#include "http/http_server.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <exception>
#include <thread>

namespace slotwise::server::http {

struct HttpServer::Impl {
    Impl(RequestHandler& handler, ServerOptions options) : handler(handler), options(std::move(options)) {}

    RequestHandler& handler;
    ServerOptions options;
    httplib::Server server;
    int bound_port = -1;
    const std::string backlog_source = "cpp-httplib (CPPHTTPLIB_LISTEN_BACKLOG)";

    void serve_request(const httplib::Request& in, httplib::Response& out);
};

namespace {

std::string lowercase(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

// The request as the Beast layer hands it over; httplib has already parsed
// and percent-decoded the path and read the body.
std::shared_ptr<Request> request_of(const httplib::Request& in) {
    auto request = std::make_shared<Request>();
    RequestHead& head = request->head;
    head.method = in.method;
    head.target = in.target;
    head.path = in.path;
    if (const auto question = in.target.find('?'); question != std::string::npos)
        head.query_string = in.target.substr(question + 1);
    head.minor_version = in.version == "HTTP/1.0" ? 0 : 1;
    head.fields.reserve(in.headers.size());
    for (const auto& [name, value] : in.headers) head.fields.emplace_back(lowercase(name), value);
    head.authority = in.get_header_value("Host");
    head.content_length = in.body.size();
    head.keep_alive = lowercase(in.get_header_value("Connection")) != "close";
    request->query = parse_query(head.query_string);
    request->body = in.body;
    request->remote = in.remote_addr;
    return request;
}

void send(const Response& response, httplib::Response& out) {
    out.status = response.status;
    for (const auto& [name, value] : response.headers) out.set_header(name, value);
    out.set_header("X-Content-Type-Options", "nosniff");
    out.set_header("Referrer-Policy", "no-referrer");
    if (response.body && response.length) out.body.assign(*response.body, response.offset, response.length);
    if (response.close) out.set_header("Connection", "close");
}

}  // namespace

void HttpServer::Impl::serve_request(const httplib::Request& in, httplib::Response& out) {
    const auto started = std::chrono::steady_clock::now();
    const auto request = request_of(in);
    Response response;
    try {
        Dispatch dispatch = handler.handle(request);
        response = dispatch.now ? std::move(*dispatch.now) : dispatch.later();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "slotwise-server: internal error: %s\n", e.what());
        response = handler.refusal({500, "INTERNAL_ERROR", "internal error"}, request->head.path);
    }
    send(response, out);
    // httplib writes after this returns; the log's duration ends a little early.
    handler.answered(*request, response, std::chrono::steady_clock::now() - started);
}

// One thread per open connection, whoever's: no reserve for newcomers.
std::size_t ServerOptions::worker_threads() const { return std::max<std::size_t>(1, workers); }

HttpServer::HttpServer(RequestHandler& handler, ServerOptions options)
    : impl_(std::make_shared<Impl>(handler, std::move(options))) {
    Impl& s = *impl_;
    const std::size_t threads = std::max<std::size_t>(1, s.options.workers);
    s.server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    s.server.set_keep_alive_max_count(1000);
    s.server.set_keep_alive_timeout(5);
    s.server.set_read_timeout(10);
    s.server.set_write_timeout(10);
    s.server.set_tcp_nodelay(true);
    s.server.set_payload_max_length(kMaxApiBodyBytes);
    const auto serve = [&s](const httplib::Request& in, httplib::Response& out) { s.serve_request(in, out); };
    s.server.Get(".*", serve);
    s.server.Post(".*", serve);
    s.server.Put(".*", serve);
    s.server.Patch(".*", serve);
    s.server.Delete(".*", serve);
    s.server.Options(".*", serve);
    // Answers httplib makes itself (400, 413, 404 for an unknown method) as problems.
    s.server.set_error_handler([&s](const httplib::Request& in, httplib::Response& out) {
        if (!out.body.empty()) return;
        send(s.handler.refusal({out.status, out.status == 413 ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST", "refused by the HTTP layer"},
                               in.path),
             out);
    });
}

HttpServer::~HttpServer() = default;

bool HttpServer::bind() {
    Impl& s = *impl_;
    if (s.options.port == 0) {
        s.bound_port = s.server.bind_to_any_port(s.options.host);
    } else if (s.server.bind_to_port(s.options.host, s.options.port)) {
        s.bound_port = s.options.port;
    }
    if (s.bound_port <= 0) {
        std::fprintf(stderr, "slotwise-server: cannot listen on %s:%d\n", s.options.host.c_str(), s.options.port);
        return false;
    }
    return true;
}

int HttpServer::port() const { return impl_->bound_port; }
int HttpServer::backlog() const { return CPPHTTPLIB_LISTEN_BACKLOG; }
const std::string& HttpServer::backlog_source() const { return impl_->backlog_source; }
std::size_t HttpServer::max_connections() const { return impl_->options.workers; }
void HttpServer::serve() { impl_->server.listen_after_bind(); }
void HttpServer::stop() { impl_->server.stop(); }

}  // namespace slotwise::server::http
