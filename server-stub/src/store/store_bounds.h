// How long a request may wait for the database, in one place. A wait past
// these bounds ends in a StoreError, which the HTTP layer answers with 503
// DATABASE_UNAVAILABLE and Retry-After: a client learns within seconds that
// it should retry, instead of hanging behind a stuck lock holder or a frozen
// database.
#pragma once

#include <chrono>

namespace slotwise::server::bounds {

using std::chrono::milliseconds;

// Waiting for a write lock: a provider's advisory lock (PostgreSQL
// lock_timeout) or the database's write lock (SQLite: this process's writer
// queue plus the busy timeout, together).
inline constexpr milliseconds kLockWait{3000};
// One statement on the server (PostgreSQL statement_timeout).
inline constexpr milliseconds kStatement{4000};
// One round trip as the client sees it, the server's own timeouts included:
// the only bound that holds when the server is frozen and enforces nothing.
inline constexpr milliseconds kRoundTrip{5000};
// Opening a connection (libpq connect_timeout, whole seconds, at least 2).
inline constexpr milliseconds kConnect{3000};
// After a wait for a write lock passed kLockWait, requests for the same lock
// fail at once for this long instead of queueing for another kLockWait.
inline constexpr milliseconds kLockRetryPause{1000};
// After a connection to PostgreSQL timed out or broke, new requests fail at
// once for this long instead of each waiting a bound of its own.
inline constexpr milliseconds kReconnectPause{1000};
// A transaction left idle this long (its server process frozen or gone)
// is ended by PostgreSQL, which frees the provider it had locked.
inline constexpr milliseconds kIdleInTransaction{10000};
// Migrations may rewrite large tables and wait for each other when several
// processes start at once.
inline constexpr milliseconds kMigrationLockWait{60000};
inline constexpr milliseconds kMigrationRoundTrip{300000};

}  // namespace slotwise::server::bounds
