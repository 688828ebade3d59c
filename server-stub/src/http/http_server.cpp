// The one file that includes Boost.Beast and Boost.Asio. Each connection is a
// small state machine on its own strand: wait for bytes without holding a
// buffer (an idle connection costs a socket and a timer), scan the head with
// request_head.h, read the body under its limit and deadline, hand the
// request to the RequestHandler, write the answer with Beast, then wait for
// the next request or close.
#include "http/http_server.h"

#include "http/fair_queue.h"

#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>
#include <tuple>
#include <unordered_map>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace slotwise::server::http {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;

// Bytes a client may take per second to send a body or read an answer, on top
// of a fixed allowance: a slow link passes, one byte per second does not.
constexpr std::size_t kMinBytesPerSecond = 1024;
constexpr std::chrono::seconds kWriteAllowance{10};
// The database's own bounds end a request's work within seconds; this also
// covers writing its answer.
constexpr std::chrono::seconds kHandlingAllowance{60};
// After an answer that closes the connection, unread request bytes are read
// and dropped for a moment (up to this much), so that closing does not reset
// the connection before the client has read the answer.
// A client that streams a large body at loopback speed sends a megabyte
// before its event loop gets to the answer; a reset then would discard the
// answer unread in its socket. Dropping bytes costs a read, not memory.
constexpr std::chrono::seconds kLingerTime{2};
constexpr std::size_t kLingerBytes = 16 * 1024 * 1024;
// How long a worker that answered a keep-alive request waits on the socket
// for the connection's next one (Connection::serve_on_worker); a request that
// needs the worker cuts the wait short. A client that sends its requests one
// after another has the next one there within a fraction of this, even on
// the benchmark's loaded 2 cores; a connection that stays quiet costs a
// worker no more than this.
constexpr int kNextRequestWaitMs = 10;
// File descriptors kept free of connections: database, log and listening sockets.
constexpr std::size_t kDescriptorReserve = 256;

std::chrono::milliseconds at_min_rate(std::size_t bytes) {
    return std::chrono::milliseconds(bytes * 1000 / kMinBytesPerSecond);
}

class Connection;
// The connection whose next request the worker on this thread is reading.
thread_local const Connection* worker_reads_for = nullptr;
// Bytes read from a socket, until a connection has taken them.
thread_local std::array<char, 16 * 1024> read_buffer;

}  // namespace

struct HttpServer::Impl {
    Impl(RequestHandler& handler, ServerOptions options);

    RequestHandler& handler;
    ServerOptions options;
    int listen_backlog = 0;
    std::string backlog_source;
    int bound_port = -1;
    // Every accepted socket's: a connection takes its socket back with it
    // after a worker's wait.
    tcp listen_protocol = tcp::v4();
    std::atomic<bool> draining{false};

    // Open connections: counts per address, and the idle ones by age, oldest
    // first (the first to go when the global cap is reached).
    std::mutex registry_mutex;
    std::unordered_map<std::string, std::size_t> per_address;
    std::size_t open = 0;
    std::uint64_t accepted = 0;
    std::map<std::uint64_t, std::weak_ptr<Connection>> idle;  // by accept order

    asio::io_context io;
    // The accept handler and stop() run on any I/O thread and both use the
    // acceptor and these timers, which are not safe for concurrent use (an
    // accept restarted while stop() closed the acceptor crashed the server).
    asio::strand<asio::io_context::executor_type> control{asio::make_strand(io)};
    tcp::acceptor acceptor{control};
    asio::steady_timer accept_retry{control};
    asio::steady_timer drain_deadline{control};
    FairWorkQueue workers;

    void accept();
    bool admit(const std::shared_ptr<Connection>& connection);
    void release(Connection& connection);
    void set_idle(const std::shared_ptr<Connection>& connection, bool idle_now);
    void release_locked(Connection& connection);
};

namespace {

class Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(HttpServer::Impl& server, tcp::socket socket, std::string remote)
        : server_(server), socket_(std::move(socket)), timer_(socket_.get_executor()), remote_(std::move(remote)) {}
    ~Connection() { server_.release(*this); }

    const std::string& remote() const { return remote_; }

    void start() {
        error_code ec;
        socket_.non_blocking(true, ec);
        socket_.set_option(tcp::no_delay(true), ec);
        request_started_ = SteadyClock::now();
        arm(request_started_ + server_.options.header_timeout);
        wait_readable();
    }

    // Closes the connection when it is still between requests (the global
    // cap, or a drain); safe from any thread.
    void shed() {
        asio::post(socket_.get_executor(), [self = shared_from_this()] {
            std::lock_guard<std::mutex> owner(self->worker_owner_);
            if (self->phase_ == Phase::idle || self->phase_ == Phase::head) self->close();
        });
    }

    // Guarded by the server's registry mutex.
    bool registered = false;
    bool in_idle_list = false;
    std::uint64_t accept_order = 0;

private:
    enum class Phase { idle, head, body, handling, writing, lingering, closed };

    // Sets the connection's deadline. The timer is only moved when it would
    // fire too late: a keep-alive request moves the deadline four times
    // (header, handling, write, idle), each later than the one before, so
    // the timer usually stays as it is, fires once per idle timeout and is
    // set again to the deadline then in force.
    void arm(SteadyClock::time_point deadline) {
        deadline_ = deadline;
        if (timer_pending_ && timer_.expiry() <= deadline) return;
        timer_pending_ = true;
        timer_.expires_at(deadline);
        timer_.async_wait([self = shared_from_this()](error_code ec) {
            if (ec) return;  // cancelled: closed, or replaced by an earlier deadline
            std::lock_guard<std::mutex> owner(self->worker_owner_);
            self->timer_pending_ = false;
            if (self->phase_ == Phase::closed) return;
            if (self->deadline_ > SteadyClock::now()) return self->arm(self->deadline_);
            // While a worker makes the answer the connection belongs to it.
            if (self->phase_ == Phase::handling) return;
            self->close();
        });
    }

    void wait_readable() {
        socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](error_code ec) {
            if (ec) return self->close();
            self->on_readable();
        });
    }

    void on_readable() {
        if (phase_ == Phase::closed) return;
        error_code ec;
        const std::size_t n = socket_.read_some(asio::buffer(read_buffer), ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) return wait_readable();
        if (ec || n == 0) return close();
        received(n);
    }

    // The first `n` bytes of read_buffer came in.
    void received(std::size_t n) {
        if (phase_ == Phase::lingering) {
            lingered_ += n;
            return lingered_ > kLingerBytes ? close() : wait_readable();
        }
        if (phase_ == Phase::idle) {
            phase_ = Phase::head;
            if (!first_request_) {
                request_started_ = SteadyClock::now();
                arm(request_started_ + server_.options.header_timeout);
            }
        }
        first_request_ = false;
        in_.append(read_buffer.data(), n);
        advance();
    }

    void advance() {
        if (phase_ == Phase::head) {
            HeadScan scan = scan_request_head(in_);
            if (scan.outcome == HeadScan::incomplete) return wait_readable();
            request_ = std::make_shared<Request>();
            request_->head = std::move(scan.head);
            request_->remote = client_address();
            if (scan.outcome == HeadScan::refused) return refuse(*scan.refusal);
            in_.erase(0, scan.consumed);
            server_.set_idle(shared_from_this(), false);
            request_->query = parse_query(request_->head.query_string);
            if (!request_->head.has_body()) return dispatch();
            phase_ = Phase::body;
            body_started_ = SteadyClock::now();
            chunked_ = ChunkedDecoder();
            if (request_->head.expect_continue && in_.empty()) return send_continue();
        }
        read_body();
    }

    std::string client_address() const {
        if (server_.options.trusted_proxies.empty()) return remote_;
        std::vector<std::string_view> forwarded_for;
        for (const auto& [name, value] : request_->head.fields)
            if (name == "x-forwarded-for") forwarded_for.emplace_back(value);
        return server_.options.trusted_proxies.client(remote_, forwarded_for);
    }

    void send_continue() {
        static const char interim[] = "HTTP/1.1 100 Continue\r\n\r\n";
        arm(body_started_ + server_.options.header_timeout);
        asio::async_write(socket_, asio::buffer(interim, sizeof interim - 1),
                          [self = shared_from_this()](error_code ec, std::size_t) {
                              if (ec) return self->close();
                              self->read_body();
                          });
    }

    void read_body() {
        RequestHead& head = request_->head;
        std::string& body = request_->body;
        std::size_t expected = head.content_length;
        if (head.chunked) {
            std::size_t consumed = 0;
            const auto status = chunked_.feed(in_, body, consumed);
            in_.erase(0, consumed);
            if (status == ChunkedDecoder::failed) return refuse(*chunked_.refusal());
            if (status == ChunkedDecoder::done) return dispatch();
            expected = body.size();
        } else {
            const std::size_t take = std::min(in_.size(), head.content_length - body.size());
            body.append(in_, 0, take);
            in_.erase(0, take);
            if (body.size() == head.content_length) return dispatch();
        }
        arm(body_started_ + server_.options.header_timeout + at_min_rate(expected));
        wait_readable();
    }

    void dispatch() {
        Dispatch dispatch;
        try {
            dispatch = server_.handler.handle(request_);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "slotwise-server: internal error: %s\n", e.what());
            dispatch.now = server_.handler.refusal({500, "INTERNAL_ERROR", "internal error"}, request_->head.path);
        }
        if (dispatch.now) return write(std::move(*dispatch.now));
        // The deadline covers the work and the write. Phase and deadline are
        // set before the job is submitted: a worker may start it at once.
        arm(SteadyClock::now() + kHandlingAllowance);
        phase_ = Phase::handling;
        if (worker_reads_for == this) {
            next_work_ = std::move(dispatch.later);
            return;
        }
        // Run here, on this I/O thread, when a worker would start the job at
        // once anyway, and while another I/O thread stays free to accept,
        // read and answer cheap requests even if this job's database is slow.
        // Fair between clients, not between proxies: the forwarded address.
        const std::string client = request_->remote;
        if (server_.options.io_threads > 1 && server_.workers.start_here(client, server_.options.io_threads - 1)) {
            Response response = answer(dispatch.later);
            server_.workers.finished_here(client);
            return write(std::move(response), Writer::here);
        }
        hand_to_worker(std::move(dispatch.later));
    }

    // The worker owns the connection until its answer is written and the
    // next read started: no read is pending, so only the timer and shed()
    // may run on the strand meanwhile, and they wait for worker_owner_.
    // The answer thus leaves, and the connection goes on, without
    // waking an I/O thread.
    void hand_to_worker(std::function<Response()> work) {
        const auto admission = server_.workers.submit(
            request_->remote, [self = shared_from_this(), work = std::move(work),
                               guard = asio::make_work_guard(socket_.get_executor())]() mutable {
                self->serve_on_worker(std::move(work));
            });
        if (admission == FairWorkQueue::Admission::accepted) return;
        const char* detail = admission == FairWorkQueue::Admission::address_busy
                                 ? "too many requests from this address are waiting or running; retry later"
                                 : "the server is busy; retry later";
        Response busy = server_.handler.refusal({503, "SERVER_BUSY", detail}, request_->head.path);
        busy.headers.emplace_back("Retry-After", "1");
        write(std::move(busy));
    }

    // Makes the answer and writes it; then, while no other request waits for
    // a worker, waits a moment for this connection's next request and serves
    // it here too. A client that sends its requests one after another thus
    // costs no hand-over between threads per request (an I/O thread woken to
    // read it, a worker woken to run it), as with a thread per connection;
    // a connection that stays quiet goes back to costing only its socket.
    void serve_on_worker(std::function<Response()> work) {
        // The address the queue counts this job under: the next request on
        // the connection may come from another client (through a proxy).
        const std::string address = request_->remote;
        for (;;) {
            Response response = answer(work);
            std::unique_lock<std::mutex> owner(worker_owner_);
            write(std::move(response), Writer::worker);
            if (!std::exchange(next_on_worker_, false)) return;
            bool may_go_on = false;
            std::size_t bytes = 0;
            const Next next = next_request_arrives(address, may_go_on, bytes);
            if (next == Next::none) return wait_readable();
            if (next == Next::closed) return close();
            worker_reads_for = this;
            received(bytes);
            worker_reads_for = nullptr;
            // Otherwise answered at once, waiting for more bytes, or closed:
            // the strand has the connection again.
            if (!next_work_) return;
            work = std::exchange(next_work_, nullptr);
            if (!may_go_on || request_->remote != address || server_.workers.others_waiting())
                return hand_to_worker(std::move(work));
        }
    }

    enum class Next { none, bytes, closed };

    // Waits for the connection's next request and reads its first bytes
    // into read_buffer (`bytes`). None at once when a request waits for a
    // worker, and as soon as one comes that only this worker could start.
    // `may_go_on`: whether the queue lets this worker serve it itself.
    //
    // Meanwhile the socket is out of the I/O threads' epoll set: asio
    // registers it edge-triggered for reading, so each request's arrival
    // would also wake an I/O thread with nothing to do (about one wake-up per
    // request under load). It goes back in after the read, since a socket
    // added with bytes waiting fires at once all the same.
    Next next_request_arrives(const std::string& address, bool& may_go_on, std::size_t& bytes) {
        const int give_up = server_.workers.begin_connection_wait(address);
        if (give_up < 0) return Next::none;
        Next next = Next::none;
        error_code ec;
        const int fd = socket_.release(ec);
        if (!ec) {
            std::array<pollfd, 2> descriptors{{{fd, POLLIN, 0}, {give_up, POLLIN, 0}}};
            if (::poll(descriptors.data(), descriptors.size(), kNextRequestWaitMs) > 0 && descriptors[0].revents != 0 &&
                descriptors[1].revents == 0) {
                const ssize_t n = ::recv(fd, read_buffer.data(), read_buffer.size(), 0);
                if (n > 0) {
                    bytes = static_cast<std::size_t>(n);
                    next = Next::bytes;
                } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
                    next = Next::closed;
                }
            }
            socket_.assign(server_.listen_protocol, fd, ec);
            if (ec) {
                ::close(fd);
                next = Next::closed;
            } else {
                socket_.non_blocking(true, ec);
            }
        }
        may_go_on = server_.workers.end_connection_wait(give_up, address);
        return next;
    }

    Response answer(const std::function<Response()>& work) {
        try {
            return work();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "slotwise-server: internal error: %s\n", e.what());
            return server_.handler.refusal({500, "INTERNAL_ERROR", "internal error"}, request_->head.path);
        }
    }

    void refuse(const Refusal& refusal) {
        server_.set_idle(shared_from_this(), false);
        Response response = server_.handler.refusal(refusal, request_->head.path);
        response.close = true;
        write(std::move(response));
    }

    // Who writes: an I/O thread on the connection's strand (asynchronously),
    // the worker thread that made the answer (holding worker_owner_), or an
    // I/O thread that made it on the strand (both at once when the socket
    // takes it, and then go on with the connection themselves).
    enum class Writer { io, worker, here };

    void write(Response response, Writer writer = Writer::io) {
        if (phase_ == Phase::closed) return;
        phase_ = Phase::writing;
        response_ = std::move(response);
        response_.close = response_.close || !request_->head.keep_alive || server_.draining;
        auto message = std::make_shared<bhttp::response<bhttp::span_body<const char>>>();
        message->version(request_->head.minor_version == 0 ? 10 : 11);
        message->result(static_cast<unsigned>(response_.status));
        for (const auto& [name, value] : response_.headers) message->insert(name, value);
        message->set("X-Content-Type-Options", "nosniff");
        message->set("Referrer-Policy", "no-referrer");
        if (response_.status != 204 && response_.status != 304 && response_.status >= 200)
            message->content_length(response_.length);
        if (!response_.head_only && response_.body && response_.length)
            message->body() = {response_.body->data() + response_.offset, response_.length};
        message->keep_alive(!response_.close);
        auto serializer = std::make_shared<bhttp::response_serializer<bhttp::span_body<const char>>>(*message);
        if (writer != Writer::io) {
            error_code ec;
            while (!ec && !serializer->is_done()) bhttp::write_some(socket_, *serializer, ec);
            if (serializer->is_done() || (ec != asio::error::would_block && ec != asio::error::try_again))
                return written(ec, writer);
        }
        arm(SteadyClock::now() + kWriteAllowance + at_min_rate(response_.bytes_sent()));
        bhttp::async_write(socket_, *serializer, [self = shared_from_this(), message, serializer](error_code ec, std::size_t) {
            self->written(ec, Writer::io);
        });
    }

    void written(error_code ec, Writer writer) {
        server_.handler.answered(*request_, response_, SteadyClock::now() - request_started_);
        if (ec) return close();
        if (response_.close) return linger();
        request_.reset();
        response_ = Response();
        if (in_.empty() && in_.capacity() > 4096) std::string().swap(in_);
        phase_ = Phase::idle;
        server_.set_idle(shared_from_this(), true);
        if (server_.draining) return close();
        if (!in_.empty()) {  // a pipelined request
            phase_ = Phase::head;
            request_started_ = SteadyClock::now();
            arm(request_started_ + server_.options.header_timeout);
            // Through the strand's queue, not a direct call: an answer made
            // and written here calls written() from within advance(), and a
            // buffer of pipelined requests must not nest that deeper and deeper.
            return asio::post(socket_.get_executor(), [self = shared_from_this()] {
                if (self->phase_ != Phase::closed) self->advance();
            });
        }
        arm(SteadyClock::now() + server_.options.idle_timeout);
        // The worker that wrote the answer decides how to wait (serve_on_worker).
        if (writer == Writer::worker) next_on_worker_ = true;
        else wait_readable();
    }

    void linger() {
        phase_ = Phase::lingering;
        in_.clear();
        request_.reset();
        error_code ec;
        socket_.shutdown(tcp::socket::shutdown_send, ec);
        if (ec) return close();
        arm(SteadyClock::now() + kLingerTime);
        wait_readable();
    }

    void close() {
        if (phase_ == Phase::closed) return;
        phase_ = Phase::closed;
        error_code ec;
        timer_.cancel();
        socket_.close(ec);
        server_.release(*this);
    }

    HttpServer::Impl& server_;
    tcp::socket socket_;
    asio::steady_timer timer_;
    // On the strand: the deadline in force, and whether the timer waits.
    SteadyClock::time_point deadline_;
    bool timer_pending_ = false;
    std::string remote_;
    std::atomic<Phase> phase_{Phase::idle};
    // Held by a worker from its answer's write to the next read, and by the
    // strand's handlers that may run meanwhile (the timer's, shed()'s): the
    // worker goes on with the connection off the strand.
    std::mutex worker_owner_;
    // Set by the worker's written() for serve_on_worker, and by the dispatch()
    // of a request that worker read; both under worker_owner_.
    bool next_on_worker_ = false;
    std::function<Response()> next_work_;
    bool first_request_ = true;
    std::string in_;  // received, not yet consumed
    SteadyClock::time_point request_started_, body_started_;
    std::shared_ptr<Request> request_;
    ChunkedDecoder chunked_;
    Response response_;
    std::size_t lingered_ = 0;
};

// The kernel's ceiling for a listen backlog (listen() clamps to it anyway),
// and where the figure came from.
std::pair<int, std::string> system_max_backlog() {
    std::ifstream in("/proc/sys/net/core/somaxconn");
    int value = 0;
    if (in >> value && value > 0) return {value, "net.core.somaxconn"};
    return {asio::socket_base::max_listen_connections, "SOMAXCONN"};
}

}  // namespace

HttpServer::Impl::Impl(RequestHandler& handler, ServerOptions opts)
    : handler(handler),
      options(std::move(opts)),
      workers(options.workers, options.max_queued, options.max_queued_per_address) {
    if (options.io_threads == 0) options.io_threads = std::max(1u, std::thread::hardware_concurrency());
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
        const std::size_t descriptors = static_cast<std::size_t>(limit.rlim_cur);
        const std::size_t usable = descriptors > 2 * kDescriptorReserve ? descriptors - kDescriptorReserve : descriptors / 2;
        options.max_connections = std::max<std::size_t>(1, std::min(options.max_connections, usable));
    }
}

void HttpServer::Impl::accept() {
    acceptor.async_accept(asio::make_strand(io), [this](error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
        if (ec) {
            // Out of descriptors (or a transient error): try again shortly rather than spin.
            accept_retry.expires_after(std::chrono::milliseconds(50));
            accept_retry.async_wait([this](error_code wait_ec) {
                if (!wait_ec) accept();
            });
            return;
        }
        error_code endpoint_ec;
        const tcp::endpoint peer = socket.remote_endpoint(endpoint_ec);
        if (!endpoint_ec) {
            auto connection = std::make_shared<Connection>(*this, std::move(socket), peer.address().to_string());
            // Refused connections close as `connection` goes out of scope.
            if (admit(connection)) asio::dispatch(socket.get_executor(), [connection] { connection->start(); });
        }
        accept();
    });
}

bool HttpServer::Impl::admit(const std::shared_ptr<Connection>& connection) {
    std::shared_ptr<Connection> shed;
    {
        std::lock_guard<std::mutex> lock(registry_mutex);
        if (draining) return false;
        auto [count, fresh] = per_address.try_emplace(connection->remote(), 0);
        if (count->second >= options.max_connections_per_address && !options.trusted_proxies.trusts(connection->remote()))
            return false;
        if (open >= options.max_connections) {
            while (!idle.empty() && !shed) {
                shed = idle.begin()->second.lock();
                if (shed) release_locked(*shed);
                else idle.erase(idle.begin());
            }
            if (!shed) {
                if (count->second == 0) per_address.erase(count);
                return false;
            }
        }
        ++count->second;
        ++open;
        connection->registered = true;
        connection->in_idle_list = true;
        connection->accept_order = ++accepted;
        idle.emplace(connection->accept_order, connection);
    }
    if (shed) shed->shed();
    return true;
}

void HttpServer::Impl::release_locked(Connection& connection) {
    if (!connection.registered) return;
    connection.registered = false;
    if (connection.in_idle_list) idle.erase(connection.accept_order);
    connection.in_idle_list = false;
    --open;
    const auto count = per_address.find(connection.remote());
    if (count != per_address.end() && --count->second == 0) per_address.erase(count);
    if (draining && open == 0) asio::post(control, [this] { drain_deadline.cancel(); });
}

void HttpServer::Impl::release(Connection& connection) {
    std::lock_guard<std::mutex> lock(registry_mutex);
    release_locked(connection);
}

void HttpServer::Impl::set_idle(const std::shared_ptr<Connection>& connection, bool idle_now) {
    std::lock_guard<std::mutex> lock(registry_mutex);
    if (!connection->registered || connection->in_idle_list == idle_now) return;
    if (idle_now) idle.emplace(connection->accept_order, connection);
    else idle.erase(connection->accept_order);
    connection->in_idle_list = idle_now;
}

std::size_t ServerOptions::worker_threads() const { return FairWorkQueue::threads_for(workers); }

HttpServer::HttpServer(RequestHandler& handler, ServerOptions options)
    : impl_(std::make_shared<Impl>(handler, std::move(options))) {}

HttpServer::~HttpServer() = default;

bool HttpServer::bind() {
    Impl& s = *impl_;
    error_code ec;
    tcp::endpoint endpoint;
    const auto address = asio::ip::make_address(s.options.host, ec);
    if (!ec) {
        endpoint = tcp::endpoint(address, static_cast<unsigned short>(s.options.port));
    } else {
        tcp::resolver resolver(s.io);
        const auto results = resolver.resolve(s.options.host, std::to_string(s.options.port), ec);
        if (ec || results.empty()) {
            std::fprintf(stderr, "slotwise-server: cannot resolve %s: %s\n", s.options.host.c_str(), ec.message().c_str());
            return false;
        }
        endpoint = results.begin()->endpoint();
    }
    s.listen_protocol = endpoint.protocol();
    std::tie(s.listen_backlog, s.backlog_source) = system_max_backlog();
    s.acceptor.open(endpoint.protocol(), ec);
    if (!ec) s.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) s.acceptor.bind(endpoint, ec);
    if (!ec) s.acceptor.listen(s.listen_backlog, ec);
    if (ec) {
        std::fprintf(stderr, "slotwise-server: cannot listen on %s:%d: %s\n", s.options.host.c_str(), s.options.port,
                     ec.message().c_str());
        return false;
    }
    s.bound_port = s.acceptor.local_endpoint().port();
    return true;
}

int HttpServer::port() const { return impl_->bound_port; }
int HttpServer::backlog() const { return impl_->listen_backlog; }
const std::string& HttpServer::backlog_source() const { return impl_->backlog_source; }
std::size_t HttpServer::max_connections() const { return impl_->options.max_connections; }

void HttpServer::serve() {
    Impl& s = *impl_;
    s.accept();
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < s.options.io_threads; ++i) threads.emplace_back([&s] { s.io.run(); });
    s.io.run();
    for (auto& t : threads) t.join();
    s.workers.join();
}

void HttpServer::stop() {
    Impl& s = *impl_;
    asio::post(s.control, [&s] {
        std::vector<std::shared_ptr<Connection>> idle;
        {
            std::lock_guard<std::mutex> lock(s.registry_mutex);
            if (s.draining.exchange(true)) return;
            for (const auto& [order, weak] : s.idle)
                if (auto connection = weak.lock()) idle.push_back(std::move(connection));
            if (s.open > 0) {
                // In-flight requests get this long; then the server stops regardless.
                s.drain_deadline.expires_after(std::chrono::seconds(20));
                s.drain_deadline.async_wait([&s](error_code ec) {
                    if (!ec) s.io.stop();
                });
            }
        }
        error_code ec;
        s.acceptor.close(ec);
        s.accept_retry.cancel();
        for (auto& connection : idle) connection->shed();
    });
}

}  // namespace slotwise::server::http
