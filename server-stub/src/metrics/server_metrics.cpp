#include "metrics/server_metrics.h"

#include <algorithm>
#include <mutex>

#include "jobs/job_queue.h"
#include "metrics/registry.h"
#include "store/store.h"

namespace slotwise::server::metrics {
namespace {

using slotwise::metrics::Counter;
using slotwise::metrics::Family;
using slotwise::metrics::Gauge;
using slotwise::metrics::Histogram;
using slotwise::metrics::Registry;

// The delivery channels and the job kinds that deliver for them.
struct Channel {
    std::string_view kind, channel;
};
constexpr Channel kChannels[] = {
    {"mail.send", "mail"}, {"sms.send", "sms"}, {"push.send", "push"}, {"webhook.deliver", "webhook"}};

struct ServerMetrics {
    Registry registry;
    Family<Counter>& requests = registry.counter(
        "slotwise_http_requests_total", "HTTP requests answered, by route (the route table's pattern), method and status class.",
        {"route", "method", "status"});
    Family<Histogram>& request_seconds = registry.histogram(
        "slotwise_http_request_duration_seconds",
        "Time from a request's arrival to the last byte of its answer, by route and method.", {"route", "method"},
        {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
    Family<Counter>& bookings_created = registry.counter(
        "slotwise_bookings_created_total", "Bookings created through the API, by the status they were created in.", {"status"});
    Family<Counter>& booking_refusals = registry.counter(
        "slotwise_booking_refusals_total", "Booking requests refused, by problem code (SLOT_TAKEN, INVALID_INPUT, ...).", {"code"});
    Family<Counter>& booking_replays = registry.counter(
        "slotwise_booking_idempotent_replays_total", "Booking requests answered again from an earlier Idempotency-Key.");
    Family<Counter>& booking_changes = registry.counter(
        "slotwise_booking_changes_total", "Changes made to existing bookings through the API, by change.", {"change"});
    Family<Counter>& job_runs = registry.counter(
        "slotwise_job_runs_total", "Job attempts finished, by job kind and outcome (done, retry, dead, later, lease_lost).",
        {"kind", "outcome"});
    Family<Counter>& job_failures = registry.counter(
        "slotwise_job_failures_total", "Job attempts that failed (retried later or dead), by job kind.", {"kind"});
    Family<Counter>& deliveries = registry.counter(
        "slotwise_notification_deliveries_total",
        "Notification jobs finished as done, by channel (mail, sms, push, webhook); includes deliberate skips such as a disabled endpoint.",
        {"channel"});
    Family<Counter>& delivery_failures = registry.counter(
        "slotwise_notification_delivery_failures_total",
        "Notification attempts that failed (to be retried, or given up), by channel.", {"channel"});
    Family<Counter>& payment_webhooks = registry.counter(
        "slotwise_payment_webhooks_total",
        "Stripe webhook events received, by outcome (payment_succeeded, duplicate, ignored, or the refusal's problem code).",
        {"outcome"});
    Family<Counter>& payments_failed = registry.counter(
        "slotwise_payments_failed_total", "Payments that Stripe reported failed (payment_intent.payment_failed, first receipt).");
    Family<Gauge>& jobs = registry.gauge("slotwise_jobs", "Jobs in the database by state, read at scrape time.", {"state"});
    Family<Gauge>& oldest_due_job = registry.gauge(
        "slotwise_jobs_oldest_due_age_seconds",
        "How long the oldest due job (queued past its run_at, or running under a lapsed lease) has waited; 0 when none.");
    Family<Gauge>& calendar_connections = registry.gauge(
        "slotwise_calendar_connections", "Connected calendars by sync status (pending, ok, error).", {"status"});
    Family<Gauge>& calendar_sync_lag = registry.gauge(
        "slotwise_calendar_sync_lag_seconds",
        "Now minus the oldest last successful sync among connected calendars (a never-synced one counts from its connection); 0 when none.");
    Family<Gauge>& pool_sessions = registry.gauge(
        "slotwise_db_pool_sessions", "Database sessions of this process's pool, by state (in_use, idle).", {"state"});
    Family<Gauge>& pool_capacity = registry.gauge(
        "slotwise_db_pool_capacity_sessions", "Sessions the pool keeps open when idle (--db-pool); more open on demand.");
    Family<Gauge>& scrape_seconds = registry.gauge(
        "slotwise_metrics_database_read_duration_seconds", "Time this scrape spent reading the database for its gauges.");
    Family<Counter>& scrape_errors = registry.counter(
        "slotwise_metrics_database_read_errors_total", "Scrapes whose database reads failed (their gauges kept the last values).");

    std::mutex scrape_mutex;  // one scrape sets and renders the gauges at a time

    ServerMetrics() {
        // Series an alert watches exist from the start, at 0: a rate over a
        // series that appears only with its first failure misses that failure.
        for (const auto& c : kChannels) {
            deliveries.with({c.channel});
            delivery_failures.with({c.channel});
        }
        booking_replays.with({});
        payments_failed.with({});
        scrape_errors.with({});
        for (const char* state : {"queued", "running", "dead"}) jobs.with({state});
        oldest_due_job.with({});
        calendar_sync_lag.with({});
        for (const char* state : {"in_use", "idle"}) pool_sessions.with({state});
        pool_capacity.with({});
    }
};

ServerMetrics& the() {
    static ServerMetrics metrics;
    return metrics;
}

std::string_view method_label(std::string_view method) {
    for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
        if (method == known) return known;
    return "other";  // methods come from the request: never a label of their own
}

std::string_view status_class(int status) {
    static constexpr std::string_view classes[] = {"1xx", "2xx", "3xx", "4xx", "5xx"};
    if (status < 100 || status > 599) return "other";
    return classes[status / 100 - 1];
}

}  // namespace

void request_answered(std::string_view route, std::string_view method, int status, std::chrono::steady_clock::duration took) {
    ServerMetrics& m = the();
    const std::string_view verb = method_label(method);
    m.requests.with({route, verb, status_class(status)}).inc();
    m.request_seconds.with({route, verb}).observe(std::chrono::duration<double>(took).count());
}

void booking_created(std::string_view status) { the().bookings_created.with({status}).inc(); }
void booking_refused(std::string_view code) { the().booking_refusals.with({code}).inc(); }
void booking_replayed() { the().booking_replays.with({}).inc(); }
void booking_changed(std::string_view change) { the().booking_changes.with({change}).inc(); }

void job_finished(std::string_view kind, std::string_view outcome) {
    ServerMetrics& m = the();
    m.job_runs.with({kind, outcome}).inc();
    const bool failed = outcome == "retry" || outcome == "dead";
    if (failed) m.job_failures.with({kind}).inc();
    for (const auto& c : kChannels) {
        if (c.kind != kind) continue;
        if (outcome == "done") m.deliveries.with({c.channel}).inc();
        else if (failed) m.delivery_failures.with({c.channel}).inc();
    }
}

void payment_webhook(std::string_view outcome) {
    ServerMetrics& m = the();
    m.payment_webhooks.with({outcome}).inc();
    if (outcome == "payment_failed") m.payments_failed.with({}).inc();
}

std::string scrape(Store& store, Timestamp now) {
    ServerMetrics& m = the();
    std::lock_guard<std::mutex> lock(m.scrape_mutex);
    // Read before this scrape takes a session of its own, which would count as in use.
    const PoolUse pool = store.pool_use();
    const auto started = std::chrono::steady_clock::now();
    try {
        auto s = store.session();
        const jobs::JobHealth health = jobs::read_health(*s, now);
        m.jobs.with({"queued"}).set(static_cast<double>(health.queued));
        m.jobs.with({"running"}).set(static_cast<double>(health.running));
        m.jobs.with({"dead"}).set(static_cast<double>(health.dead));
        m.oldest_due_job.with({}).set(static_cast<double>(health.oldest_due_lag_seconds));
        const auto rows = s->query(
            "SELECT status, COUNT(*) AS n, MIN(COALESCE(last_sync_at, created_at)) AS oldest FROM calendar_connections "
            "GROUP BY status");
        std::int64_t oldest = epoch_seconds(now);
        // A status no connection has any more reads 0, not its last count.
        for (const char* status : {"pending", "ok", "error"}) m.calendar_connections.with({status}).set(0);
        for (const SqlRow& r : rows) {
            m.calendar_connections.with({r.get<std::string>("status")}).set(static_cast<double>(r.get<std::int64_t>("n")));
            if (auto o = r.get_optional<std::int64_t>("oldest")) oldest = std::min(oldest, *o);
        }
        m.calendar_sync_lag.with({}).set(static_cast<double>(std::max<std::int64_t>(0, epoch_seconds(now) - oldest)));
    } catch (const std::exception&) {
        m.scrape_errors.with({}).inc();
    }
    m.scrape_seconds.with({}).set(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    m.pool_sessions.with({"in_use"}).set(static_cast<double>(pool.in_use));
    m.pool_sessions.with({"idle"}).set(static_cast<double>(pool.idle));
    m.pool_capacity.with({}).set(static_cast<double>(pool.capacity));
    return m.registry.render();
}

}  // namespace slotwise::server::metrics
