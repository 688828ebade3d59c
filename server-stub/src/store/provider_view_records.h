// The SQL behind the dashboard's read-only views of a provider's bookings
// (domain/provider_views.h): a booking's audit trail and the provider's
// clients counted from its bookings. Reads only; written once for both backends.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/model.h"
#include "store/store.h"

namespace slotwise::server::records {

struct AuditEntry {
    Timestamp at{};
    std::string actor, action;
    std::string detail;  // JSON text as stored (may be empty)
};
// The audit log's entries about one booking, oldest first (by id: entries
// written in one second keep their order), at most 500.
std::vector<AuditEntry> booking_audit(Session& s, const std::string& booking_id);

// One client of a provider: the bookings under one normalised address
// (client_address.h), counted by status as a reader sees it at `now`.
struct ClientRow {
    std::string client_key;
    std::string name, email;  // from the client's latest booking
    std::int64_t bookings = 0, upcoming = 0, completed = 0, no_shows = 0, cancelled = 0;
    std::optional<Instant> first_start, last_start, next_start;
};
// A provider's clients, the most recent first, at most 5,000.
std::vector<ClientRow> provider_clients(Session& s, const std::string& provider_id, Timestamp now);
// The no-show records the lock-out reads (client_no_shows), by the hash of
// the client key they are kept under.
std::map<std::string, std::int64_t> no_show_counts(Session& s, const std::string& provider_id);

}  // namespace slotwise::server::records
