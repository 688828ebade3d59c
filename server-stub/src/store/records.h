// The server's SQL, written once for both backends (see store.h). Each
// function is one small query or statement; transactions are the caller's.
// A `*_statement` function only builds its statement, for a caller that
// sends several in one pipeline (Session::query_all); the `*_from` function
// beside it reads that statement's rows.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "domain/model.h"
#include "store/store.h"

namespace slotwise::server::records {

// Replaces a provider's configuration; true when the provider is new.
bool put_provider(Session& s, const ProviderConfig& p, Timestamp now);
std::optional<ProviderConfig> load_provider(Session& s, const std::string& provider_id);
// Bumped by every put_provider; nullopt when there is no such provider.
std::optional<std::int64_t> provider_revision(Session& s, const std::string& provider_id);
Statement provider_revision_statement(const std::string& provider_id);
std::optional<std::int64_t> revision_from(const SqlRows& rows);
std::int64_t provider_count(Session& s);

// Occupied intervals that overlap [from, to) of the bookings that block time
// at `now` (blocks_time, migration 005; a hold or request past its expiry does not).
std::vector<Interval> busy(Session& s, const std::string& provider_id, Instant from, Instant to, Timestamp now,
                           const std::string& except_booking_id = "");
Statement busy_statement(Dialect dialect, const std::string& provider_id, Instant from, Instant to, Timestamp now,
                         const std::string& except_booking_id = "");
// The intervals that block time; `overdue_seen`, when given, is set when
// the window also holds a hold or request past its expiry that the database
// has not marked EXPIRED yet (expire_overdue_statements).
std::vector<Interval> busy_from(const SqlRows& rows, bool* overdue_seen = nullptr);

Statement insert_booking_statement(const Booking& b);
// The columns a Booking is read from, and the reading of such a row.
const char* booking_columns();
Booking booking_from(const SqlRow& r);
std::optional<Booking> load_booking(Session& s, const std::string& booking_id);
// Writes back the mutable parts of a booking (status, times, cancellation,
// meeting link) when it still has `expected_status`; false when it changed meanwhile.
bool update_booking(Session& s, const Booking& b, BookingStatus expected_status);
// The bookings starting in [from, to) whose status as read at `now` is one
// of `statuses` (any when empty), by start, at most 10,000.
std::vector<Booking> list_bookings(Session& s, const std::string& provider_id, Instant from, Instant to,
                                   const std::vector<BookingStatus>& statuses, Timestamp now);

// What a client's next booking with a provider depends on, counted on the
// client's normalised address (client_address.h) at `now`.
struct ClientStanding {
    std::int64_t no_shows = 0;
    std::int64_t open_pending = 0;  // PENDING requests not yet expired
    std::int64_t open = 0;          // future HELD, PENDING (not expired) and CONFIRMED bookings
};
Statement client_standing_statement(const std::string& provider_id, const std::string& client_key, Timestamp now);
ClientStanding client_standing_from(const SqlRows& rows);
ClientStanding client_standing(Session& s, const std::string& provider_id, const std::string& client_key, Timestamp now);
// The lock-out's record holds only a hash of the client's key.
void count_no_show(Session& s, const std::string& provider_id, const std::string& client_key, Timestamp at);

// Marks HELD and PENDING bookings past their expiry EXPIRED (of one provider, or of
// all), each with an audit entry. Run them in this order, in one transaction.
std::vector<Statement> expire_overdue_statements(const std::optional<std::string>& provider_id, Timestamp now);
// Fills the client key of bookings written before migration 004 and moves
// the old clients table's no-show counts to client_no_shows; the number of
// rows changed. `key_of` is client_key (ICU stays out of this file).
std::int64_t backfill_client_keys(Session& s, const std::function<std::string(const std::string&)>& key_of);

Statement audit_statement(Timestamp at, const std::string& actor, const std::string& action, const std::string& entity,
                          const std::string& entity_id, const json& detail);
void audit(Session& s, Timestamp at, const std::string& actor, const std::string& action, const std::string& entity,
           const std::string& entity_id, const json& detail);

// The answer stored under an Idempotency-Key, in the transaction that made it.
// Only sealed forms are stored (see locked_insert.cpp): the key's SHA-256, an
// HMAC of the request, the answer encrypted under a key derived from the
// Idempotency-Key.
struct IdempotencyRecord {
    std::string request_sha256;
    int status = 0;
    std::string response;
    Timestamp created_at{};
};
Statement idempotency_key_statement(const std::string& key);
// The one boolean a statement such as Session::try_lock_statement answers.
bool flag_from(const SqlRows& rows);
std::optional<IdempotencyRecord> idempotency_record_from(const SqlRows& rows);
// Stores an answer under `key`, replacing a record created at or before
// `expired_at`. The caller has read the key under a lock that keeps other
// writers of it out, and found no live record.
Statement store_answer_statement(const std::string& key, const IdempotencyRecord& answer, Timestamp expired_at);
std::int64_t purge_idempotency_keys(Session& s, Timestamp older_than);

}  // namespace slotwise::server::records
