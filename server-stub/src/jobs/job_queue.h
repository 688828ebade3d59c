// Putting jobs in the `jobs` table (the outbox) and reading its state.
//
// enqueue_statement() is for the caller that changes something and owes a
// job for it: it runs the statement inside its own transaction, so the job
// exists exactly when the change does. A unique key per logical job makes a
// second enqueue of the same job a no-op (ON CONFLICT (key) DO NOTHING), even
// after the first has run.
#pragma once

#include <functional>
#include <mutex>
#include <optional>

#include "store/store.h"
#include "jobs/job.h"

namespace slotwise::server::jobs {

constexpr int kDefaultMaxAttempts = 10;

struct NewJob {
    std::string kind;
    std::string key;  // one per logical job, e.g. "booking.expire:bk_..."
    nlohmann::json payload = nlohmann::json::object();
    Timestamp run_at{};
    int max_attempts = kDefaultMaxAttempts;
};

Statement enqueue_statement(const NewJob& job, Timestamp now);

// Payloads at rest. Jobs carry what their handlers need: a mail's text with
// a client's manage link or a sign-in code, a client's name and phone. Once
// a key is set (at start, from the server's keys, the same in every process
// on one database), every payload is stored sealed (AES-256-GCM, the job's
// key as associated data) and opened only when the job is claimed. Plain
// JSON payloads (rows written before, or by an operator) are still read.
void seal_payloads_with(std::string key32);
std::string stored_payload(const std::string& job_key, const nlohmann::json& payload);
// The payload, or a discarded value when it cannot be opened (another key).
nlohmann::json payload_from_storage(const std::string& job_key, const std::string& stored);

// What /healthz and the lag log line show.
struct JobHealth {
    std::int64_t queued = 0, running = 0, dead = 0;
    // How long the oldest job that is due (queued and past its run_at, or
    // running under a lapsed lease) has waited; 0 when none is.
    std::int64_t oldest_due_lag_seconds = 0;
};
JobHealth read_health(Session& s, Timestamp now);
nlohmann::json to_json(const JobHealth& health);

class JobQueue {
public:
    JobQueue(Store& store, JobClock clock) : store_(store), clock_(std::move(clock)) {}

    // Enqueues in a transaction of its own; true when the key was new.
    bool enqueue(const NewJob& job);
    // Called after every enqueue through this queue (the dispatcher's wake-up).
    void on_enqueue(std::function<void()> listener);
    // A local enqueue by statement (enqueue_statement) may tell the dispatcher here.
    void notify();
    JobHealth health();

    Store& store() { return store_; }
    Timestamp now() const { return clock_(); }

private:
    Store& store_;
    JobClock clock_;
    std::mutex mutex_;
    std::function<void()> listener_;
};

}  // namespace slotwise::server::jobs
