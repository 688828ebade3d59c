#include "jobs/standard_jobs.h"

#include <algorithm>
#include <thread>

#include "domain/booking_service.h"
#include "store/records.h"
#include "store/shared_limits.h"

namespace slotwise::server::jobs {
namespace {

constexpr const char* kBookingExpire = "booking.expire";

JobOutcome expire_booking(Store& store, const Job& job, Timestamp now) {
    if (!job.payload.is_object() || !job.payload.contains("booking_id") || !job.payload["booking_id"].is_string())
        return JobOutcome::fail("the payload has no booking_id");
    const std::string booking_id = job.payload["booking_id"].get<std::string>();
    auto s = store.session();
    const auto found = records::load_booking(*s, booking_id);
    // Gone, or confirmed, cancelled, verified without a new expiry: nothing
    // left to expire.
    if (!found || !found->expires_at) return JobOutcome::done();
    // Whether a HELD hold or a PENDING request lapses is the transition
    // table's expiry row; one not yet due is looked at again then (a hold
    // verified into a request has a later expiry).
    if (!domain::lapsed(found->status, found->moment(now))) {
        if (*found->expires_at > now && domain::lapsed(found->status, found->moment(*found->expires_at)))
            return JobOutcome::not_before(*found->expires_at);
        return JobOutcome::done();
    }
    // Under the provider's write lock, as the locked insert expires overdue
    // requests, so that only one of them audits the expiry.
    in_transaction(*s, found->provider_id, [&] {
        auto b = records::load_booking(*s, booking_id);
        if (!b || !domain::lapsed(b->status, b->moment(now))) return;
        const BookingStatus before = b->status;
        b->status = domain::transition_or_throw(before, domain::BookingAction::expire, domain::ActorKind::system,
                                                b->moment(now));
        b->updated_at = now;
        if (records::update_booking(*s, *b, before))
            records::audit(*s, now, std::string(domain::audit_name(domain::ActorKind::system)), "booking.expire",
                           "booking", booking_id, {{"from", std::string(to_string(before))}, {"job", job.id}});
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
