// Runs due jobs in this process (README.md in this folder).
//
// Worker threads claim one due job at a time under a lease (PostgreSQL: FOR
// UPDATE SKIP LOCKED, so processes never wait for each other's claims;
// SQLite: one UPDATE ... RETURNING under its write lock). A monitor thread
// renews the leases of running handlers and watches the lag of the oldest due
// job. A job whose lease lapses (its process died) is claimed again; every
// attempt is a row of job_runs.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "jobs/job_queue.h"

namespace slotwise::server::jobs {

struct DispatcherOptions {
    int threads = 2;  // 0: this process runs no jobs (it still enqueues them)
    std::chrono::milliseconds poll{1000};
    std::chrono::seconds lease{60};
    // Retry delay before attempt n+1: uniform in [0, min(cap, base * 2^(n-1))].
    std::chrono::milliseconds backoff_base{10'000};
    std::chrono::milliseconds backoff_cap{3'600'000};
    // A log line when the oldest due job has waited longer than this.
    std::chrono::seconds lag_warning{300};
    std::chrono::milliseconds lag_check{5'000};
};

class Dispatcher {
public:
    Dispatcher(JobQueue& queue, DispatcherOptions options);
    ~Dispatcher();
    Dispatcher(const Dispatcher&) = delete;
    Dispatcher& operator=(const Dispatcher&) = delete;

    // Registration happens before start().
    void handle(const std::string& kind, JobHandler handler);
    // `work` once per `period` across all processes: a job keyed by the
    // period's start, whose end (done or dead) enqueues the next period's.
    void every(const std::string& kind, std::chrono::seconds period, std::function<void()> work);

    void start();
    // Claims nothing more; running handlers finish (or their lease lapses
    // and another process takes their job over).
    void stop();

    const std::string& process_id() const { return process_id_; }

private:
    struct Claimed {
        Job job;
        std::int64_t run_id = 0;
        std::string owner;
    };
    struct InFlight {
        std::int64_t job_id = 0, run_id = 0;
        std::string owner;
        std::chrono::steady_clock::time_point renew_at;
    };

    void work(int index);
    void monitor();
    std::optional<Claimed> claim(const std::string& owner, bool look_first);
    void run(const Claimed& claimed, int index);
    void finish(const Claimed& claimed, const JobOutcome& outcome);
    void renew_leases();
    void check_lag();
    std::optional<Statement> next_period_statement(const std::string& kind, Timestamp now) const;
    std::chrono::seconds backoff(int attempt) const;
    bool wait(std::chrono::milliseconds timeout, std::uint64_t seen_wakeups);

    JobQueue& queue_;
    DispatcherOptions options_;
    std::string process_id_;
    std::map<std::string, JobHandler> handlers_;
    std::map<std::string, std::chrono::seconds> periods_;
    std::string claim_sql_, due_sql_;  // built at start() from the registered kinds

    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::uint64_t wakeups_ = 0;
    std::map<int, InFlight> in_flight_;
    std::vector<std::thread> threads_;
};

}  // namespace slotwise::server::jobs
