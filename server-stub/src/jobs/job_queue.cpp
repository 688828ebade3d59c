#include "jobs/job_queue.h"

#include <atomic>
#include <memory>

#include "support/crypto.h"

namespace slotwise::server::jobs {

const char* to_string(JobState state) noexcept {
    switch (state) {
        case JobState::queued: return "queued";
        case JobState::running: return "running";
        case JobState::done: return "done";
        case JobState::dead: return "dead";
    }
    return "queued";
}

namespace {

constexpr std::string_view kSealedPrefix = "sealed:v1:";

// Set once at start, before any job is queued, and never changed: readers
// need no lock, only the pointer's publication.
std::atomic<const std::string*> payload_key{nullptr};

std::string associated_data(const std::string& job_key) { return "job payload " + job_key; }

}  // namespace

void seal_payloads_with(std::string key32) {
    static std::unique_ptr<const std::string> kept;  // lives until exit: handlers may still be reading it
    if (payload_key.load() || key32.size() != 32) return;
    kept = std::make_unique<const std::string>(std::move(key32));
    payload_key.store(kept.get());
}

std::string stored_payload(const std::string& job_key, const nlohmann::json& payload) {
    const std::string* key = payload_key.load();
    if (!key) return payload.dump();
    return std::string(kSealedPrefix) + seal(*key, payload.dump(), associated_data(job_key));
}

nlohmann::json payload_from_storage(const std::string& job_key, const std::string& stored) {
    if (stored.compare(0, kSealedPrefix.size(), kSealedPrefix) != 0) return nlohmann::json::parse(stored, nullptr, false);
    const std::string* key = payload_key.load();
    auto opened = key ? open_sealed(*key, stored.substr(kSealedPrefix.size()), associated_data(job_key)) : std::nullopt;
    if (!opened) return nlohmann::json(nlohmann::json::value_t::discarded);
    return nlohmann::json::parse(*opened, nullptr, false);
}

Statement enqueue_statement(const NewJob& job, Timestamp now) {
    return {"INSERT INTO jobs (kind, key, payload, state, run_at, attempts, max_attempts, created_at, updated_at) "
            "VALUES ($1, $2, $3, 'queued', $4, 0, $5, $6, $6) ON CONFLICT (key) DO NOTHING",
            {job.kind, job.key, stored_payload(job.key, job.payload), epoch_seconds(job.run_at),
             std::int64_t{std::max(1, job.max_attempts)}, epoch_seconds(now)}};
}

JobHealth read_health(Session& s, Timestamp now) {
    // Each count and minimum has a partial index of its own (006_jobs.sql).
    const auto rows = s.query(
        "SELECT (SELECT COUNT(*) FROM jobs WHERE state = 'queued') AS queued, "
        "(SELECT COUNT(*) FROM jobs WHERE state = 'running') AS running, "
        "(SELECT COUNT(*) FROM jobs WHERE state = 'dead') AS dead, "
        "(SELECT MIN(run_at) FROM jobs WHERE state = 'queued' AND run_at <= $1) AS oldest_due, "
        "(SELECT MIN(lease_until) FROM jobs WHERE state = 'running' AND lease_until <= $1) AS oldest_lapsed",
        {epoch_seconds(now)});
    JobHealth h;
    if (rows.empty()) return h;
    const SqlRow& r = rows[0];
    h.queued = r.get<std::int64_t>("queued");
    h.running = r.get<std::int64_t>("running");
    h.dead = r.get<std::int64_t>("dead");
    std::optional<std::int64_t> oldest = r.get_optional<std::int64_t>("oldest_due");
    if (auto lapsed = r.get_optional<std::int64_t>("oldest_lapsed"); lapsed && (!oldest || *lapsed < *oldest))
        oldest = lapsed;
    if (oldest) h.oldest_due_lag_seconds = std::max<std::int64_t>(0, epoch_seconds(now) - *oldest);
    return h;
}

nlohmann::json to_json(const JobHealth& h) {
    return {{"oldest_due_lag_seconds", h.oldest_due_lag_seconds}, {"queued", h.queued}, {"running", h.running},
            {"dead", h.dead}};
}

bool JobQueue::enqueue(const NewJob& job) {
    auto s = store_.session();
    const bool added = in_transaction(*s, std::nullopt, [&] { return s->exec(enqueue_statement(job, clock_())) == 1; });
    if (added) notify();
    return added;
}

void JobQueue::on_enqueue(std::function<void()> listener) {
    std::lock_guard<std::mutex> lock(mutex_);
    listener_ = std::move(listener);
}

void JobQueue::notify() {
    std::function<void()> listener;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        listener = listener_;
    }
    if (listener) listener();
}

JobHealth JobQueue::health() {
    auto s = store_.session();
    return read_health(*s, clock_());
}

}  // namespace slotwise::server::jobs
