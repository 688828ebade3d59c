#include "jobs/standard_jobs.h"

#include <algorithm>
#include <thread>

#include "domain/booking_service.h"
#include "store/records.h"
#include "store/shared_limits.h"

namespace slotwise::server::jobs {
namespace {

constexpr const char* kBookingExpire = "booking.expire";

JobOutcome expire_booking(BookingService& service, const Job& job) {
    if (!job.payload.is_object() || !job.payload.contains("booking_id") || !job.payload["booking_id"].is_string())
        return JobOutcome::fail("the payload has no booking_id");
    if (auto later = service.expire_if_lapsed(domain::System{}, job.payload["booking_id"].get<std::string>()))
        return JobOutcome::not_before(*later);
    return JobOutcome::done();
}

// {sleep_ms, fail_until_attempt, fail_always, fail_permanently}: sleeps, then
// fails as asked.
JobOutcome probe(const Job& job) {
    const auto& p = job.payload;
    auto integer = [&](const char* name) -> std::int64_t {
        return p.is_object() && p.contains(name) && p[name].is_number_integer() ? p[name].get<std::int64_t>() : 0;
    };
    auto flag = [&](const char* name) { return p.is_object() && p.contains(name) && p[name].is_boolean() && p[name].get<bool>(); };
    std::this_thread::sleep_for(std::chrono::milliseconds(std::clamp<std::int64_t>(integer("sleep_ms"), 0, 60'000)));
    if (flag("fail_permanently")) return JobOutcome::fail("probe: failing permanently as asked");
    if (flag("fail_always") || job.attempt < integer("fail_until_attempt"))
        return JobOutcome::retry_later("probe: failing as asked on attempt " + std::to_string(job.attempt));
    return JobOutcome::done();
}

}  // namespace

namespace {
Statement expiry_statement(const std::string& booking_id, std::string key, Timestamp expires_at, Timestamp now) {
    return enqueue_statement({kBookingExpire, std::move(key), nlohmann::json{{"booking_id", booking_id}}, expires_at,
                              kDefaultMaxAttempts},
                             now);
}
}  // namespace

Statement booking_expiry_statement(const std::string& booking_id, Timestamp expires_at, Timestamp now) {
    return expiry_statement(booking_id, std::string(kBookingExpire) + ":" + booking_id, expires_at, now);
}

Statement moved_booking_expiry_statement(const std::string& booking_id, Timestamp expires_at, Timestamp now) {
    return expiry_statement(booking_id,
                            std::string(kBookingExpire) + ":" + booking_id + "@" + format_timestamp(expires_at),
                            expires_at, now);
}

void register_standard_jobs(Dispatcher& dispatcher, JobQueue& queue, BookingService& service, SharedLimits& limits,
                            const StandardJobOptions& options) {
    dispatcher.handle(kBookingExpire, [&service](const Job& job) { return expire_booking(service, job); });
    dispatcher.every("idempotency.purge", options.idempotency_purge_every, [&service] { service.purge_expired_idempotency_keys(); });
    dispatcher.every("limits.purge", options.limits_purge_every, [&limits] { limits.purge_expired(); });
    // Done jobs and their runs go after a while; dead jobs stay for operators.
    dispatcher.every("jobs.prune", options.prune_every, [&queue, keep = options.keep_finished] {
        const auto cutoff = epoch_seconds(queue.now() - keep);
        auto s = queue.store().session();
        s->exec("DELETE FROM job_runs WHERE finished_at < $1 AND job_id IN (SELECT id FROM jobs WHERE state = 'done')",
                {cutoff});
        s->exec("DELETE FROM jobs WHERE state = 'done' AND updated_at < $1", {cutoff});
    });
    if (options.probe) dispatcher.handle("probe", probe);
}

}  // namespace slotwise::server::jobs
