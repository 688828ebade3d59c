// The server's SQL, written once for both backends (see store.h). Each
// function is one small query or statement; transactions are the caller's.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model.h"
#include "store.h"

namespace slotwise::server::records {

// Replaces a provider's configuration; true when the provider is new.
bool put_provider(Session& s, const ProviderConfig& p, Seconds now);
std::optional<ProviderConfig> load_provider(Session& s, const std::string& provider_id);
std::int64_t provider_count(Session& s);

// Occupied intervals of PENDING/CONFIRMED bookings that overlap [from, to).
std::vector<Interval> busy(Session& s, const std::string& provider_id, Seconds from, Seconds to,
                           const std::string& except_booking_id = "");

void insert_booking(Session& s, const Booking& b);
std::optional<Booking> load_booking(Session& s, const std::string& booking_id);
// Writes back the mutable parts of a booking (status, times, cancellation,
// meeting link) when it still has `expected_status`; false when it changed meanwhile.
bool update_booking(Session& s, const Booking& b, const std::string& expected_status);
std::vector<Booking> list_bookings(Session& s, const std::string& provider_id, Seconds from, Seconds to,
                                   const std::vector<std::string>& statuses);

std::int64_t open_pending_count(Session& s, const std::string& provider_id, const std::string& email);
std::int64_t no_show_count(Session& s, const std::string& provider_id, const std::string& email);
void remember_client(Session& s, const std::string& provider_id, const Client& c);
void count_no_show(Session& s, const std::string& provider_id, const std::string& email, Seconds at);

void audit(Session& s, Seconds at, const std::string& actor, const std::string& action, const std::string& entity,
           const std::string& entity_id, const json& detail);

struct IdempotencyRecord {
    std::string request_sha256, state, owner;
    std::optional<int> status;
    std::optional<std::string> response;
    Seconds created_at = 0;
};
// Inserts an IN_FLIGHT record; false when the key already has one.
bool claim_idempotency_key(Session& s, const std::string& key, const std::string& request_sha256,
                           const std::string& owner, Seconds now);
std::optional<IdempotencyRecord> load_idempotency_key(Session& s, const std::string& key);
// Takes over a record that expired or whose owner vanished (crash); false if
// someone else changed it first.
bool take_over_idempotency_key(Session& s, const std::string& key, const IdempotencyRecord& seen,
                               const std::string& request_sha256, const std::string& owner, Seconds now);
// Stores the answer; false when `owner` no longer holds the key.
bool finish_idempotency_key(Session& s, const std::string& key, const std::string& owner, int status,
                            const std::string& response, Seconds now);
void release_idempotency_key(Session& s, const std::string& key, const std::string& owner);
std::int64_t purge_idempotency_keys(Session& s, Seconds older_than);

}  // namespace slotwise::server::records
