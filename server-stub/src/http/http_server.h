// An HTTP/1.1 server on Boost.Beast and Boost.Asio (http_server.cpp is the
// one file that includes them): a few I/O threads serve every connection
// asynchronously; requests whose handling may block (the database) run on a
// bounded pool of worker threads. Reading enforces the limits of
// request_head.h, timeouts and connection caps; what a request means is the
// RequestHandler's business.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "http/client_address.h"
#include "http/request_head.h"

namespace slotwise::server::http {

struct Request {
    RequestHead head;
    std::map<std::string, std::string> query;
    std::string body;
    // The client's address: the peer's, or with the peer a trusted proxy the
    // one its X-Forwarded-For names (client_address.h decides).
    std::string remote;
    std::optional<std::string> field(std::string_view lowercase_name) const { return head.field(lowercase_name); }
};

struct Response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    // The whole representation; [offset, offset + length) is sent (a range).
    std::shared_ptr<const std::string> body;
    std::size_t offset = 0;
    std::size_t length = 0;
    bool head_only = false;  // HEAD or 304: the header describes a body that is not sent
    bool close = false;

    void set_body(std::string text) {
        length = text.size();
        offset = 0;
        body = std::make_shared<const std::string>(std::move(text));
    }
    std::size_t bytes_sent() const { return head_only ? 0 : length; }
};

// A request is either answered at once on the I/O thread (cheap: static
// files, preflights, refusals) or by work that runs on a worker thread.
struct Dispatch {
    std::optional<Response> now;
    std::function<Response()> later;
};

class RequestHandler {
public:
    virtual ~RequestHandler() = default;
    virtual Dispatch handle(std::shared_ptr<Request> request) = 0;
    // The answer to a request refused while reading (its path may be empty).
    virtual Response refusal(const Refusal& refusal, const std::string& path) = 0;
    // Called once per answered request, after the answer was written.
    virtual void answered(const Request& request, const Response& response, std::chrono::steady_clock::duration took) = 0;
};

struct ServerOptions {
    std::string host = "127.0.0.1";
    int port = 8080;
    std::size_t io_threads = 0;     // 0: one per core
    // Blocking work of one address running at once, on threads shared fairly
    // between addresses; a few more threads are kept for newcomers.
    std::size_t workers = 16;
    std::size_t max_queued = 4096;  // blocking work queued or running; beyond it 503
    // Of one address; beyond it 503 too. Below the per-address connection cap
    // (each connection has one request in the server at a time), so that it
    // bites before the connections run out; room for a burst of 100 at once.
    std::size_t max_queued_per_address = 100;
    std::chrono::milliseconds header_timeout{10000};
    std::chrono::milliseconds idle_timeout{5000};
    std::size_t max_connections = 15000;
    std::size_t max_connections_per_address = 128;
    // Peers whose X-Forwarded-For is believed; they are also exempt from the
    // per-address connection cap, since every client behind them shares it.
    TrustedProxies trusted_proxies;

    // Threads for blocking work: `workers` and the newcomers' reserve.
    std::size_t worker_threads() const;
};

class HttpServer {
public:
    HttpServer(RequestHandler& handler, ServerOptions options);
    ~HttpServer();
    // Binds and listens; false with a message on stderr when it cannot.
    bool bind();
    int port() const;
    // The accept backlog passed to listen() and where it comes from.
    int backlog() const;
    const std::string& backlog_source() const;
    std::size_t max_connections() const;
    // Serves until stop(); returns after in-flight requests have been answered.
    void serve();
    // Stops accepting and closes idle connections; safe from any thread.
    void stop();

    struct Impl;  // public only so that the connections inside http_server.cpp can name it

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace slotwise::server::http
