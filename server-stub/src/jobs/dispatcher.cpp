#include "jobs/dispatcher.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include "metrics/server_metrics.h"

namespace slotwise::server::jobs {
namespace {

// Log lines stay one line each, whatever a database or handler error holds.
std::string one_line(std::string text) {
    for (char& c : text)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (text.size() > 500) text.resize(500);
    return text;
}

void log(const std::string& message) { std::fprintf(stderr, "slotwise-server: jobs: %s\n", one_line(message).c_str()); }

std::mt19937_64& random_engine() {
    thread_local std::mt19937_64 engine{std::random_device{}()};
    return engine;
}

// Unique among the processes sharing a database, also after a restart with
// the same pid.
std::string make_process_id() {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
    char suffix[9];
    std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(random_engine()() & 0xffffffffu));
    return std::string(host) + ":" + std::to_string(getpid()) + ":" + suffix;
}


std::string period_key(const std::string& kind, Timestamp start) {
    return kind + "@" + date::format("%FT%TZ", start);
}

Timestamp period_start(Timestamp now, std::chrono::seconds period) {
    const auto count = period.count();
    const auto t = now.time_since_epoch().count();
    return Timestamp{std::chrono::seconds{t - ((t % count) + count) % count}};
}

}  // namespace

Dispatcher::Dispatcher(JobQueue& queue, DispatcherOptions options)
    : queue_(queue), options_(options), process_id_(make_process_id()) {
    if (options_.lease < std::chrono::seconds(2)) options_.lease = std::chrono::seconds(2);
}

Dispatcher::~Dispatcher() { stop(); }

void Dispatcher::handle(const std::string& kind, JobHandler handler) { handlers_[kind] = std::move(handler); }

void Dispatcher::every(const std::string& kind, std::chrono::seconds period, std::function<void()> work) {
    periods_[kind] = std::max(period, std::chrono::seconds(1));
    handle(kind, [work = std::move(work)](const Job&) {
        work();
        return JobOutcome::done();
    });
}

void Dispatcher::start() {
    if (options_.threads <= 0 || handlers_.empty()) return;
    const bool postgres = queue_.store().backend() == "postgres";
    // $1 now, then the kinds this process can run; the claim adds the
    // lease's end and owner after them (PostgreSQL must see every parameter used).
    const auto kinds = [this](std::size_t first_kind) {
        std::string list;
        for (std::size_t i = 0; i < handlers_.size(); ++i) list += (i ? ", $" : "$") + std::to_string(first_kind + i);
        return "kind IN (" + list + ")";
    };
    // Due work is a queued job whose time has come or a running one whose
    // lease lapsed. Each of the two is found through its own partial index,
    // in that index's order, one row each: one OR over both would collect
    // every due row and sort them, and a booking storm leaves thousands due,
    // so each claim cost more the longer the queue grew (a quadratic drain
    // that took the database's time from the bookings themselves).
    const auto candidate = [&](const char* state, const char* due_column, std::size_t first_kind, bool lock) {
        return std::string("SELECT id, run_at FROM jobs WHERE state = '") + state + "' AND " + due_column +
               " <= $1 AND " + kinds(first_kind) + " ORDER BY " + due_column + " LIMIT 1" +
               (lock && postgres ? " FOR UPDATE SKIP LOCKED" : "");
    };
    const auto oldest_due = [&](std::size_t first_kind, bool lock) {
        return "SELECT id FROM (SELECT * FROM (" + candidate("queued", "run_at", first_kind, lock) +
               ") AS queued UNION ALL SELECT * FROM (" + candidate("running", "lease_until", first_kind, lock) +
               ") AS lapsed) AS due ORDER BY run_at LIMIT 1";
    };
    due_sql_ = oldest_due(2, false);
    claim_sql_ = "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = $3, lease_until = $2, "
                 "updated_at = $1 WHERE id IN (" + oldest_due(4, true) + ") RETURNING id, kind, key, payload, attempts, max_attempts, run_at";
    // The current period of every recurring job; the processes agree on its key.
    const auto now = queue_.now();
    for (const auto& [kind, period] : periods_) {
        try {
            // Due now, not at the period's start: a job never waited before it existed.
            queue_.enqueue({kind, period_key(kind, period_start(now, period)), nlohmann::json::object(), now, 3});
        } catch (const std::exception& e) {
            log("cannot enqueue " + kind + ": " + e.what());
        }
    }
    queue_.on_enqueue([this] {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            ++wakeups_;
        }
        wake_.notify_all();
    });
    for (int i = 1; i <= options_.threads; ++i) threads_.emplace_back([this, i] { work(i); });
    threads_.emplace_back([this] { monitor(); });
}

void Dispatcher::stop() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stopping_ && threads_.empty()) return;
        stopping_ = true;
    }
    wake_.notify_all();
    queue_.on_enqueue(nullptr);
    for (auto& t : threads_) t.join();
    threads_.clear();
}

// True when stopping.
bool Dispatcher::wait(std::chrono::milliseconds timeout, std::uint64_t seen_wakeups) {
    std::unique_lock<std::mutex> lock(mutex_);
    wake_.wait_for(lock, timeout, [&] { return stopping_ || wakeups_ != seen_wakeups; });
    return stopping_;
}

void Dispatcher::work(int index) {
    const std::string owner = process_id_ + "/" + std::to_string(index);
    bool idle = true;
    auto quiet_until = std::chrono::steady_clock::time_point{};
    for (;;) {
        std::uint64_t seen;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (stopping_) return;
            seen = wakeups_;
        }
        std::optional<Claimed> claimed;
        try {
            // An idle worker first looks without taking a write lock: an idle
            // server costs the database one read per poll, not a commit.
            claimed = claim(owner, idle);
        } catch (const std::exception& e) {
            // One line per worker per 10 s while the database is away, not one per poll.
            if (std::chrono::steady_clock::now() >= quiet_until) {
                log(std::string("claiming a job failed: ") + e.what());
                quiet_until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
            }
        }
        idle = !claimed;
        if (claimed) run(*claimed, index);
        else if (wait(options_.poll, seen)) return;
    }
}

std::optional<Dispatcher::Claimed> Dispatcher::claim(const std::string& owner, bool look_first) {
    const auto now = queue_.now();
    SqlParams look = {epoch_seconds(now)};
    for (const auto& entry : handlers_) look.push_back(entry.first);
    auto s = queue_.store().session();
    if (look_first && s->read_all({{due_sql_, look}})[0].empty()) return std::nullopt;
    SqlParams params = {epoch_seconds(now), epoch_seconds(now + options_.lease), owner};
    params.insert(params.end(), look.begin() + 1, look.end());
    return in_transaction(*s, std::nullopt, [&]() -> std::optional<Claimed> {
        const SqlRows rows = s->query(claim_sql_, params);
        if (rows.empty()) return std::nullopt;
        const SqlRow& r = rows[0];
        Claimed c;
        c.owner = owner;
        c.job.id = r.get<std::int64_t>("id");
        c.job.kind = r.get<std::string>("kind");
        c.job.key = r.get<std::string>("key");
        c.job.payload = payload_from_storage(c.job.key, r.get_optional<std::string>("payload").value_or("{}"));
        if (c.job.payload.is_discarded()) c.job.payload = nullptr;
        c.job.attempt = r.get<int>("attempts");
        c.job.max_attempts = r.get<int>("max_attempts");
        c.job.run_at = r.get<Timestamp>("run_at");
        // A run still open is one whose process lost its lease (died or stalled).
        s->exec("UPDATE job_runs SET outcome = 'abandoned' WHERE job_id = $1 AND outcome = 'running'", {c.job.id});
        const SqlRows run = s->query(
            "INSERT INTO job_runs (job_id, attempt, worker, started_at, lease_until, outcome) "
            "VALUES ($1, $2, $3, $4, $5, 'running') RETURNING id",
            {c.job.id, std::int64_t{c.job.attempt}, owner, epoch_seconds(now), epoch_seconds(now + options_.lease)});
        c.run_id = run.empty() ? 0 : run[0].get<std::int64_t>("id");
        return c;
    });
}

void Dispatcher::run(const Claimed& claimed, int index) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        in_flight_[index] = {claimed.job.id, claimed.run_id, claimed.owner,
                             std::chrono::steady_clock::now() + options_.lease / 3};
    }
    JobOutcome outcome;
    if (claimed.job.attempt > claimed.job.max_attempts) {
        // Its earlier attempts never finished: their processes died with it
        // (a job that crashes its process must not crash every process).
        outcome = JobOutcome::fail("the lease lapsed on attempt " + std::to_string(claimed.job.attempt - 1) +
                                   " of " + std::to_string(claimed.job.max_attempts) + " (its process died or stalled)");
    } else {
        try {
            outcome = handlers_.at(claimed.job.kind)(claimed.job);
        } catch (const std::exception& e) {
            outcome = JobOutcome::retry_later(e.what());
        } catch (...) {
            outcome = JobOutcome::retry_later("unknown error");
        }
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        in_flight_.erase(index);
    }
    try {
        finish(claimed, outcome);
    } catch (const std::exception& e) {
        // The lease lapses and another attempt follows: jobs run at least once.
        log("finishing job " + std::to_string(claimed.job.id) + " failed: " + e.what());
    }
}

std::chrono::seconds Dispatcher::backoff(int attempt) const {
    const int doublings = std::clamp(attempt - 1, 0, 40);
    const double ceiling = std::min<double>(static_cast<double>(options_.backoff_cap.count()),
                                            static_cast<double>(options_.backoff_base.count()) * std::pow(2.0, doublings));
    std::uniform_real_distribution<double> jitter(0.0, std::max(0.0, ceiling));
    // Whole seconds, as every instant in the database; rounded up so that a
    // retry never comes earlier than its draw.
    return std::chrono::seconds{static_cast<std::int64_t>(std::ceil(jitter(random_engine()) / 1000.0))};
}

std::optional<Statement> Dispatcher::next_period_statement(const std::string& kind, Timestamp now) const {
    const auto found = periods_.find(kind);
    if (found == periods_.end()) return std::nullopt;
    const auto next = period_start(now, found->second) + found->second;
    return enqueue_statement({kind, period_key(kind, next), nlohmann::json::object(), next, 3}, now);
}

void Dispatcher::finish(const Claimed& claimed, const JobOutcome& outcome) {
    const Job& job = claimed.job;
    const auto now = queue_.now();
    JobState state = JobState::done;
    std::string run_outcome = "done";
    int attempts = job.attempt;
    std::optional<Timestamp> run_at;
    switch (outcome.kind) {
        case JobOutcome::Kind::done: break;
        case JobOutcome::Kind::retry:
            if (job.attempt >= job.max_attempts) {
                state = JobState::dead;
                run_outcome = "dead";
            } else {
                state = JobState::queued;
                run_outcome = "retry";
                run_at = outcome.at ? std::max(*outcome.at, now) : now + backoff(job.attempt);
            }
            break;
        case JobOutcome::Kind::fail:
            state = JobState::dead;
            run_outcome = "dead";
            break;
        case JobOutcome::Kind::later:
            state = JobState::queued;
            run_outcome = "later";
            run_at = outcome.at.value_or(now);
            attempts = job.attempt - 1;
            break;
    }
    const SqlValue error = outcome.error.empty() ? SqlValue{nullptr} : SqlValue{outcome.error};
    // Built where used: a SqlValue copied into the parameter lists trips a
    // false -Wmaybe-uninitialized in GCC 12's std::variant.
    auto retry_at = [&]() -> SqlValue { return run_at ? SqlValue{epoch_seconds(*run_at)} : SqlValue{nullptr}; };
    auto s = queue_.store().session();
    const bool held = in_transaction(*s, std::nullopt, [&] {
        // Only the lease's holder finishes: after a lapse the job is someone else's.
        const bool still_held =
            s->exec("UPDATE jobs SET state = $3, run_at = COALESCE($4, run_at), attempts = $5, "
                    "last_error = COALESCE($6, last_error), lease_owner = NULL, lease_until = NULL, updated_at = $7 "
                    "WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
                    {job.id, claimed.owner, to_string(state), retry_at(), std::int64_t{attempts}, error, epoch_seconds(now)}) == 1;
        s->exec("UPDATE job_runs SET finished_at = $2, outcome = $3, error = $4, retry_at = $5 WHERE id = $1",
                {claimed.run_id, epoch_seconds(now), still_held ? run_outcome : std::string("lease_lost"), error,
                 still_held ? retry_at() : SqlValue{nullptr}});
        if (still_held && (state == JobState::done || state == JobState::dead))
            if (auto next = next_period_statement(job.kind, now)) s->exec(*next);
        return still_held;
    });
    metrics::job_finished(job.kind, held ? run_outcome : std::string("lease_lost"));
    if (!held) log("job " + std::to_string(job.id) + " (" + job.kind + ") finished after its lease lapsed; it runs again");
    else if (state == JobState::dead)
        log("job " + std::to_string(job.id) + " (" + job.kind + " " + job.key + ") is dead after attempt " +
            std::to_string(job.attempt) + " of " + std::to_string(job.max_attempts) + ": " + outcome.error);
}

void Dispatcher::monitor() {
    const auto step = std::max(std::chrono::milliseconds(100), std::min<std::chrono::milliseconds>(options_.lease / 6, options_.lag_check));
    auto next_lag_check = std::chrono::steady_clock::now();
    for (;;) {
        {
            std::unique_lock<std::mutex> lock(mutex_);
            if (wake_.wait_for(lock, step, [&] { return stopping_; })) return;
        }
        try {
            renew_leases();
        } catch (const std::exception& e) {
            log(std::string("renewing leases failed: ") + e.what());
        }
        if (std::chrono::steady_clock::now() >= next_lag_check) {
            next_lag_check = std::chrono::steady_clock::now() + options_.lag_check;
            try {
                check_lag();
            } catch (const std::exception& e) {
                log(std::string("reading the job lag failed: ") + e.what());
            }
        }
    }
}

void Dispatcher::renew_leases() {
    std::vector<InFlight> due;
    const auto steady_now = std::chrono::steady_clock::now();
    {
        std::lock_guard<std::mutex> lock(mutex_);
        for (auto& [index, f] : in_flight_)
            if (f.renew_at <= steady_now) {
                due.push_back(f);
                f.renew_at = steady_now + options_.lease / 3;
            }
    }
    if (due.empty()) return;
    const auto until = epoch_seconds(queue_.now() + options_.lease);
    auto s = queue_.store().session();
    in_transaction(*s, std::nullopt, [&] {
        for (const InFlight& f : due) {
            if (s->exec("UPDATE jobs SET lease_until = $1 WHERE id = $2 AND lease_owner = $3 AND state = 'running'",
                        {until, f.job_id, f.owner}) == 1)
                s->exec("UPDATE job_runs SET lease_until = $1 WHERE id = $2", {until, f.run_id});
        }
    });
}

void Dispatcher::check_lag() {
    const JobHealth h = queue_.health();
    if (h.oldest_due_lag_seconds > options_.lag_warning.count())
        log("lag: the oldest due job has waited " + std::to_string(h.oldest_due_lag_seconds) + " s (queued " +
            std::to_string(h.queued) + ", running " + std::to_string(h.running) + ", dead " + std::to_string(h.dead) + ")");
}

}  // namespace slotwise::server::jobs
