// slotwise-server: flags, signals, start. See server-stub/README.md.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include <condition_variable>
#include <mutex>

#include "booking_service.h"
#include "crypto.h"
#include "http_api.h"

using namespace slotwise::server;

namespace {

const char* kUsage = R"(usage: slotwise-server [options]
  --db URL                  sqlite:PATH (default sqlite:data/slotwise.db) or postgres://...
  --listen HOST:PORT        default 127.0.0.1:8080; port 0 picks a free port
  --web-root DIR            serve static files from DIR at /
  --demo                    create a demo provider when the database has none
  --threads N               HTTP workers (one per open connection); default max(16, 8 x cores)
  --db-pool N               database connections kept open; default = threads
  --rate-limit R:BURST      POSTs per second per client address (default 2:20; 0 = off)
  --pending-cap N           open PENDING bookings per client and provider (default 3)
  --meeting-base-url URL    base of virtual meeting links (default https://meet.jit.si/)
  --access-log -|off|PATH   JSON access log (default - = stdout)
environment: SLOTWISE_ADMIN_TOKEN (generated and printed when unset),
             SLOTWISE_NOW (start the server's clock at this instant; tests and demos)
)";

[[noreturn]] void usage_error(const std::string& message) {
    std::fprintf(stderr, "slotwise-server: %s\n%s", message.c_str(), kUsage);
    std::exit(2);
}

int to_int(const std::string& flag, const std::string& value) {
    try {
        std::size_t used = 0;
        const int n = std::stoi(value, &used);
        if (used == value.size() && n >= 0) return n;
    } catch (const std::exception&) {
    }
    usage_error(flag + " needs a non-negative integer");
}

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // one access-log line at a time, even into a pipe
    std::string db = "sqlite:data/slotwise.db", listen = "127.0.0.1:8080";
    bool demo = false;
    HttpOptions http;
    ServiceOptions service_options;
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    http.threads = std::max<std::size_t>(16, 8 * cores);
    std::size_t pool = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage_error(flag + " needs a value");
            return argv[++i];
        };
        if (flag == "--db") db = value();
        else if (flag == "--listen") listen = value();
        else if (flag == "--web-root") http.web_root = value();
        else if (flag == "--demo") demo = true;
        else if (flag == "--threads") http.threads = std::max(1, to_int(flag, value()));
        else if (flag == "--db-pool") pool = std::max(1, to_int(flag, value()));
        else if (flag == "--pending-cap") service_options.pending_cap = to_int(flag, value());
        else if (flag == "--meeting-base-url") service_options.meeting_base_url = value();
        else if (flag == "--access-log") http.access_log = value();
        else if (flag == "--rate-limit") {
            const std::string v = value();
            const auto colon = v.find(':');
            http.rate_per_second = to_int(flag, v.substr(0, colon));
            http.rate_burst = colon == std::string::npos ? std::max(1.0, http.rate_per_second) : to_int(flag, v.substr(colon + 1));
        } else if (flag == "--help" || flag == "-h") {
            std::fputs(kUsage, stdout);
            return 0;
        } else usage_error("unknown option " + flag);
    }
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos) usage_error("--listen needs HOST:PORT");
    http.host = listen.substr(0, colon);
    if (http.host.size() > 2 && http.host.front() == '[' && http.host.back() == ']') http.host = http.host.substr(1, http.host.size() - 2);
    http.port = to_int("--listen", listen.substr(colon + 1));
    if (pool == 0) pool = http.threads;

    // Signals go to one thread that asks the server to stop; workers never see them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    std::optional<Seconds> start_clock;
    if (const char* now = std::getenv("SLOTWISE_NOW"); now && *now) {
        start_clock = parse_instant(now);
        if (!start_clock) usage_error("SLOTWISE_NOW must be an instant like 2026-12-01T08:00:00Z");
    }
    const Clock clock(start_clock);
    bool generated_token = false;
    if (const char* token = std::getenv("SLOTWISE_ADMIN_TOKEN"); token && *token) http.admin_token = token;
    else {
        http.admin_token = random_token(24);
        generated_token = true;
    }

    std::unique_ptr<Store> store;
    try {
        if (db.rfind("sqlite:", 0) == 0) {
            const std::filesystem::path parent = std::filesystem::path(db.substr(7)).parent_path();
            if (!parent.empty()) std::filesystem::create_directories(parent);
        }
        store = open_store(db, pool);
        store->migrate();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "slotwise-server: %s\n", e.what());
        return 1;
    }
    BookingService service(*store, clock, service_options);
    std::optional<std::string> demo_provider;
    if (demo) demo_provider = service.create_demo_provider_if_empty();
    service.purge_expired_idempotency_keys();

    HttpApi api(service, http);
    if (!api.bind()) {
        std::fprintf(stderr, "slotwise-server: cannot listen on %s\n", listen.c_str());
        return 1;
    }
    const std::string host = http.host.find(':') != std::string::npos ? "[" + http.host + "]" : http.host;
    const std::string url = "http://" + host + ":" + std::to_string(api.port());
    std::printf("slotwise-server: database %s (%s), %zu workers\n", store->backend().c_str(),
                db.rfind("sqlite:", 0) == 0 ? db.c_str() : "postgres", http.threads);
    if (generated_token) std::printf("slotwise-server: admin token (SLOTWISE_ADMIN_TOKEN was unset): %s\n", http.admin_token.c_str());
    if (demo_provider) std::printf("slotwise-server: created demo provider '%s'\n", demo_provider->c_str());
    if (demo) std::printf("slotwise-server: demo page %s/  (snapshot: %s/v1/providers/demo/snapshot)\n", url.c_str(), url.c_str());
    std::printf("slotwise-server: listening on %s\n", url.c_str());
    std::fflush(stdout);

    std::mutex mutex;
    std::condition_variable stopped;
    bool stopping = false;
    std::thread signal_thread([&] {
        int sig = 0;
        sigwait(&signals, &sig);
        api.stop();
    });
    std::thread housekeeping([&] {
        std::unique_lock<std::mutex> lock(mutex);
        while (!stopped.wait_for(lock, std::chrono::minutes(10), [&] { return stopping; })) {
            try {
                service.purge_expired_idempotency_keys();
            } catch (const std::exception& e) {
                std::fprintf(stderr, "slotwise-server: purge failed: %s\n", e.what());
            }
        }
    });

    api.serve();  // returns once stopped and in-flight requests are done
    {
        std::lock_guard<std::mutex> lock(mutex);
        stopping = true;
    }
    stopped.notify_all();
    housekeeping.join();
    // If the server stopped for another reason, release the signal thread.
    pthread_kill(signal_thread.native_handle(), SIGTERM);
    signal_thread.join();
    std::printf("slotwise-server: stopped\n");
    return 0;
}
