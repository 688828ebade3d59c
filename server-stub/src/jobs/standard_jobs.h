// The server's own job kinds: the expiry of a booking, the recurring
// housekeeping, and the `probe` that tests and operators use to check the
// pipeline.
#pragma once

#include "jobs/dispatcher.h"

namespace slotwise::server {
class BookingService;
class SharedLimits;
}  // namespace slotwise::server

namespace slotwise::server::jobs {

// Marks a HELD or PENDING booking EXPIRED once its expires_at has passed.
// Enqueued in the transaction that inserts the booking. When a later change
// brings expires_at forward (a reschedule to an earlier start), that
// transaction enqueues one more, keyed by the new time: the first job, due
// later, then finds the booking already EXPIRED.
Statement booking_expiry_statement(const std::string& booking_id, Timestamp expires_at, Timestamp now);
Statement moved_booking_expiry_statement(const std::string& booking_id, Timestamp expires_at, Timestamp now);

struct StandardJobOptions {
    bool probe = false;  // register `probe` (--enable-probe-jobs)
    std::chrono::seconds idempotency_purge_every{600};
    std::chrono::seconds limits_purge_every{300};
    std::chrono::seconds prune_every{3600};
    std::chrono::seconds keep_finished{7 * 86400};  // done jobs and their runs
};

void register_standard_jobs(Dispatcher& dispatcher, JobQueue& queue, BookingService& service, SharedLimits& limits,
                            const StandardJobOptions& options);

}  // namespace slotwise::server::jobs
