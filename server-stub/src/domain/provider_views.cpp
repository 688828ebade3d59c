#include "domain/provider_views.h"

#include <variant>

#include "domain/booking_status.h"
#include "domain/domain_error.h"
#include "domain/providers_access.h"
#include "store/provider_view_records.h"
#include "store/records.h"
#include "support/crypto.h"

namespace slotwise::server::domain {
namespace {

// "account:acc_1" → "account": the dashboard says who acted, not which credential.
std::string actor_kind(const std::string& stored) { return stored.substr(0, stored.find(':')); }

// "booking.no-show" and "booking.no_show" alike → "no_show".
std::string action_name(const std::string& stored) {
    std::string name = stored.rfind("booking.", 0) == 0 ? stored.substr(8) : stored;
    for (char& c : name)
        if (c == '-') c = '_';
    return name;
}

json detail_json(const std::string& text) {
    if (text.empty()) return json::object();
    json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
    return parsed.is_discarded() ? json::object() : parsed;
}

}  // namespace

BookingHistory ProviderViews::booking_history(const Actor& actor, const std::string& booking_id) {
    if (!acts_for_provider(kind_of(actor)))
        throw DomainError(ErrorKind::not_found, "UNKNOWN_BOOKING", "no booking " + booking_id);
    auto s = store_.session();
    auto found = records::load_booking(*s, booking_id);
    if (!found || !reaches_stored_provider(*s, actor, found->provider_id))
        throw DomainError(ErrorKind::not_found, "UNKNOWN_BOOKING", "no booking " + booking_id);
    BookingHistory out;
    out.booking = std::move(*found);
    const Timestamp now = clock_.now();
    // The booking list's rule (BookingService::as_of): a lapsed hold or
    // request reads EXPIRED before the housekeeping writes it.
    const auto lapsed = transition(out.booking.status, BookingAction::expire, ActorKind::system, out.booking.moment(now));
    if (const auto* to = std::get_if<BookingStatus>(&lapsed)) out.booking.status = *to;
    for (auto& e : records::booking_audit(*s, booking_id))
        out.entries.push_back({e.at, actor_kind(e.actor), action_name(e.action), detail_json(e.detail)});
    return out;
}

ClientList ProviderViews::clients(const Actor& actor, const std::string& provider_id) {
    auto s = store_.session();
    reach_provider_or_throw(*s, actor, provider_id);
    const auto counted = records::no_show_counts(*s, provider_id);
    ClientList out{provider_id, {}};
    for (auto& row : records::provider_clients(*s, provider_id, clock_.now())) {
        ClientSummary c;
        c.name = std::move(row.name);
        c.email = std::move(row.email);
        c.bookings = row.bookings;
        c.upcoming = row.upcoming;
        c.completed = row.completed;
        c.no_shows = row.no_shows;
        c.cancelled = row.cancelled;
        c.first_start = row.first_start;
        c.last_start = row.last_start;
        c.next_start = row.next_start;
        // The lock-out's own record, under the hash it is kept by (records.cpp count_no_show).
        if (const auto it = counted.find(sha256_hex(row.client_key)); it != counted.end()) c.lockout_no_shows = it->second;
        c.locked_out = c.lockout_no_shows > 0;
        out.clients.push_back(std::move(c));
    }
    return out;
}

}  // namespace slotwise::server::domain
