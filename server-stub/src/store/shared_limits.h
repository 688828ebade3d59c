// Limits that hold across every server process on one database: the public
// rate limit per client address and the throttle on failed credentials.
// Kept in the database (not in process memory) so that running two processes
// behind a load balancer does not double what one address may do.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "store/store.h"

namespace slotwise::server {

struct LimitOptions {
    double public_per_second = 2;  // POSTs per second per client address without a valid credential; 0 = off
    double public_burst = 20;
    int credential_failures = 10;        // failed credentials per address within the window before lock-out
    std::chrono::seconds credential_window{15 * 60};  // the window, and how long a lock-out lasts
};

class SharedLimits {
public:
    SharedLimits(Store& store, LimitOptions options);
    // Seconds the caller must wait before this public request may go ahead; 0 when admitted
    // (the request is counted then).
    int admit_public(const std::string& client_address);
    // Seconds until `client_address` may present a credential again; 0 when it may.
    int credential_wait(const std::string& client_address);
    // Records a failed credential from `client_address`.
    void credential_failed(const std::string& client_address);
    // Deletes buckets that have refilled and counters whose window and
    // lock-out have passed (for the housekeeping timer).
    void purge_expired();

private:
    Store& store_;
    LimitOptions options_;
    std::string admit_sql_, failure_sql_, wait_sql_;
    std::vector<std::string> purge_sql_;
};

}  // namespace slotwise::server
