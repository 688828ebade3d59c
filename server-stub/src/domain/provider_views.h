// The dashboard's read-only views of a provider's bookings (issue 14):
// one booking with its history from the audit log, and the provider's
// clients counted from its bookings with the lock-out the server applies.
// Each takes an Actor; an account reaches only its own providers' bookings
// and clients, and anything else is answered as if it did not exist (404
// UNKNOWN_BOOKING / UNKNOWN_PROVIDER, as the other booking routes do).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/actor.h"
#include "domain/clock.h"
#include "domain/model.h"
#include "store/store.h"

namespace slotwise::server::domain {

struct HistoryEntry {
    Timestamp at{};
    // Who, by kind only ("client", "account", "api_key", "link", "admin",
    // "system"): the audit log's ids of accounts, keys and links stay in it.
    std::string actor;
    std::string action;  // "create", "verify", "confirm", "decline", "cancel", "complete", "no_show", "reschedule", "expire"
    json detail;         // as stored: e.g. {"from": "PENDING", "to": "CONFIRMED"}
};
struct BookingHistory {
    Booking booking;  // as a reader sees it now (a lapsed request reads EXPIRED)
    std::vector<HistoryEntry> entries;
};

struct ClientSummary {
    std::string name, email;
    std::int64_t bookings = 0, upcoming = 0, completed = 0, no_shows = 0, cancelled = 0;
    std::optional<Instant> first_start, last_start, next_start;
    // The no-shows the lock-out counts (client_no_shows: kept when bookings
    // are erased) and whether it applies: after a no-show, same-day bookings
    // with this provider are refused (CLIENT_LOCKED_OUT, locked_insert.cpp).
    std::int64_t lockout_no_shows = 0;
    bool locked_out = false;
};
struct ClientList {
    std::string provider_id;
    std::vector<ClientSummary> clients;
};

class ProviderViews {
public:
    ProviderViews(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

    BookingHistory booking_history(const Actor& actor, const std::string& booking_id);
    ClientList clients(const Actor& actor, const std::string& provider_id);

private:
    Store& store_;
    const Clock& clock_;
};

}  // namespace slotwise::server::domain
