// The vocabulary of durable jobs (README.md in this folder): what a job is,
// what a handler answers, and where "now" comes from.
#pragma once

#include <slotwise/time.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace slotwise::server::jobs {

// Jobs read "now" only through this, so that the server's clock (which a test
// or demo may start at SLOTWISE_NOW) decides when a job is due.
using JobClock = std::function<Timestamp()>;

// The life of a job: queued -> running -> done, or back to queued for a retry,
// or dead after its last attempt (last_error kept). A running job whose lease
// lapsed (its process died) is claimed again by whoever comes next.
enum class JobState { queued, running, done, dead };
const char* to_string(JobState state) noexcept;

// What a handler gets: one claimed attempt of a job.
struct Job {
    std::int64_t id = 0;
    std::string kind;
    std::string key;
    nlohmann::json payload;
    int attempt = 0;  // 1 for the first run
    int max_attempts = 0;
    Timestamp run_at{};  // when it was due
};

// A handler's answer. Throwing counts as retry_later(what()).
struct JobOutcome {
    enum class Kind {
        done,
        retry,  // a transient failure: again after a backoff (or at `at`, when set), dead after max_attempts
        fail,   // a permanent failure: dead now
        later,  // not due yet after all: queued again at `at`, the attempt not counted
    };
    Kind kind = Kind::done;
    std::string error;
    std::optional<Timestamp> at;

    static JobOutcome done() { return {}; }
    static JobOutcome retry_later(std::string error) { return {Kind::retry, std::move(error), std::nullopt}; }
    // A retry on the handler's own schedule (webhooks: Standard Webhooks' gaps), not the queue's backoff.
    static JobOutcome retry_at(Timestamp at, std::string error) { return {Kind::retry, std::move(error), at}; }
    static JobOutcome fail(std::string error) { return {Kind::fail, std::move(error), std::nullopt}; }
    static JobOutcome not_before(Timestamp at) { return {Kind::later, "", at}; }
};

using JobHandler = std::function<JobOutcome(const Job&)>;

}  // namespace slotwise::server::jobs
