// The HTTP face of the booking server: routes, bearer auth, the shared rate
// limit and credential throttle, CORS, security and cache headers, gzip,
// problem answers for every failure, the JSON access log and static files.
// The connection handling (Beast on Asio, limits, timeouts) is
// http/http_server.*; this file knows nothing of sockets.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "domain/accounts.h"
#include "domain/booking_service.h"
#include "domain/calendars.h"
#include "domain/webhooks.h"
#include "http/client_address.h"
#include "notifications/action_links.h"
#include "store/operator_token.h"
#include "store/shared_limits.h"

namespace slotwise::server {
namespace domain {
class CalendarOAuth;
class PushSubscriptions;
class PaymentService;
class ProviderStripe;
class ProviderViews;
}

struct HttpOptions {
    std::string host = "127.0.0.1";
    int port = 8080;
    std::string web_root;             // empty: no static files
    std::size_t io_threads = 0;       // 0: one per core
    std::size_t workers = 16;         // requests of one client address touching the database at once
    std::size_t max_queued_per_address = 100;  // requests queued or running per address; beyond it 503
    std::chrono::milliseconds header_timeout{10000};
    std::chrono::milliseconds idle_timeout{5000};
    std::size_t max_connections = 15000;
    std::size_t max_connections_per_address = 128;
    std::string access_log = "-";     // "-" stdout, "off", or a file path
    std::string record_exchanges;     // a testing aid: append one JSON line per answer to this file (empty: off)
    http::TrustedProxies trusted_proxies;  // --trusted-proxy: whose X-Forwarded-For names the client
    // --metrics-listen HOST:PORT: GET /metrics without credentials on a listener of its own
    // (-1: none; 0 picks a free port).
    std::string metrics_host = "127.0.0.1";
    int metrics_port = -1;

    // Threads that may run database work at once: `workers` and the
    // newcomers' reserve (http::ServerOptions::worker_threads).
    std::size_t worker_threads() const;
};

class HttpApi {
public:
    explicit HttpApi(HttpOptions options);
    ~HttpApi();
    // Binds the port; false (with a message on stderr) if it cannot.
    bool bind();
    int port() const;
    int backlog() const;
    std::string backlog_source() const;
    std::size_t max_connections() const;
    // Until this is called every /v1/ route and /healthz answer 503
    // DATABASE_UNAVAILABLE; the references must outlive serve().
    void ready(BookingService& service, domain::AccountService& accounts, SharedLimits& limits, OperatorToken token);
    // The webhook routes' use cases; called before ready().
    void serve_webhooks(domain::WebhookService& webhooks);
    // The calendar routes' use cases (issue 15); called before ready().
    void serve_calendars(domain::CalendarService& calendars);
    // Google and Microsoft calendars: the OAuth callback and push notifications (before ready()).
    void serve_calendar_oauth(domain::CalendarOAuth& oauth);
    // The confirm and decline links of the provider's mail (before ready()).
    void serve_action_links(notifications::ActionLinkDesk& desk);
    // Web Push's routes; set before ready().
    void set_push_subscriptions(domain::PushSubscriptions& push);
    // Stripe's webhook (api.md "Payments (Stripe)"); before ready(). Unset: the route answers 404.
    void serve_payments(domain::PaymentService& payments);
    // A provider's own Stripe keys (PUT/GET/DELETE /v1/providers/{id}/stripe); before ready(). Unset: 404.
    void serve_provider_stripe(domain::ProviderStripe& stripe);
    // The dashboard's booking history and clients; set before ready().
    void serve_provider_views(domain::ProviderViews& views);
    // GET /metrics (operator token; and on --metrics-listen without one): the text `render` returns.
    void serve_metrics(std::function<std::string()> render);
    // The metrics listener's port once bound (-1 when there is none).
    int metrics_port() const;
    // Serves until stop(); returns after in-flight requests have been answered.
    void serve();
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace slotwise::server
