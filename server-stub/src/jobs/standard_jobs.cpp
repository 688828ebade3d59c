#include "jobs/standard_jobs.h"

#include <algorithm>
#include <thread>

#include "domain/booking_service.h"
#include "store/shared_limits.h"

namespace slotwise::server::jobs {
namespace {

constexpr const char* kBookingExpire = "booking.expire";

JobOutcome expire_booking(Store& store, const Job& job, Timestamp now) {
    if (!job.payload.is_object() || !job.payload.contains("booking_id") || !job.payload["booking_id"].is_string())
        return JobOutcome::fail("the payload has no booking_id");
    const std::string booking_id = job.payload["booking_id"].get<std::string>();
    auto s = store.session();
    const auto rows = s->query("SELECT provider_id, status, expires_at FROM bookings WHERE id = $1", {booking_id});
    // Confirmed, cancelled or gone in the meantime: nothing left to expire.
    if (rows.empty() || rows[0].is_null("expires_at")) return JobOutcome::done();
    const auto provider_id = rows[0].get<std::string>("provider_id");
    const auto status = rows[0].get<std::string>("status");
    if (status != "PENDING" && status != "HELD") return JobOutcome::done();
    const auto expires_at = rows[0].get<Timestamp>("expires_at");
    if (expires_at > now) return JobOutcome::not_before(expires_at);
    // Under the provider's write lock, as the locked insert expires overdue
    // requests, so that only one of them audits the expiry.
    in_transaction(*s, provider_id, [&] {
        const bool changed =
            s->exec("UPDATE bookings SET status = 'EXPIRED', updated_at = $2 WHERE id = $1 AND status IN ('PENDING', 'HELD') "
                    "AND expires_at <= $2",
                    {booking_id, epoch_seconds(now)}) == 1;
        if (changed)
            s->exec("INSERT INTO audit_log (at, actor, action, entity, entity_id, detail) "
                    "VALUES ($1, 'system', 'booking.expire', 'booking', $2, $3)",
                    {epoch_seconds(now), booking_id, nlohmann::json{{"from", status}, {"job", job.id}}.dump()});
    });
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
    dispatcher.handle(kBookingExpire, [&queue](const Job& job) { return expire_booking(queue.store(), job, queue.now()); });
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
