#include "store/provider_view_records.h"

#include "domain/booking_status.h"

namespace slotwise::server::records {
namespace {

// A hold or request past its expiry reads as EXPIRED (records.cpp applies
// the same rule to the booking list), whether or not the housekeeping has
// written that yet.
std::string lapsed_sql(const std::string& now) {
    std::string statuses;
    for (BookingStatus status : domain::lapsing_statuses())
        statuses += (statuses.empty() ? "'" : ", '") + std::string(to_string(status)) + "'";
    return "(status IN (" + statuses + ") AND expires_at <= " + now + ")";
}

}  // namespace

std::vector<AuditEntry> booking_audit(Session& s, const std::string& booking_id) {
    std::vector<AuditEntry> out;
    for (const auto& r : s.query("SELECT at, actor, action, detail FROM audit_log WHERE entity = 'booking' AND "
                                 "entity_id = $1 ORDER BY id LIMIT 500",
                                 {booking_id}))
        out.push_back({r.get<Timestamp>("at"), r.get<std::string>("actor"), r.get<std::string>("action"),
                       r.value("detail").value_or("")});
    return out;
}

std::vector<ClientRow> provider_clients(Session& s, const std::string& provider_id, Timestamp now) {
    const std::string lapsed = lapsed_sql("$2");
    const std::string open = "(status IN ('PENDING', 'CONFIRMED') AND start_at > $2 AND NOT COALESCE(" + lapsed + ", FALSE))";
    // The name and address shown are the latest booking's: a client who
    // corrected a typo is shown as they wrote it last.
    const std::string latest = "FROM bookings x WHERE x.provider_id = $1 AND x.client_key = b.client_key "
                               "ORDER BY x.created_at DESC, x.id DESC LIMIT 1";
    const std::string sql =
        "SELECT b.client_key AS client_key, (SELECT x.client_name " + latest + ") AS name, "
        "(SELECT x.client_email " + latest + ") AS email, COUNT(*) AS bookings, "
        "SUM(CASE WHEN " + open + " THEN 1 ELSE 0 END) AS upcoming, "
        "SUM(CASE WHEN status = 'COMPLETED' THEN 1 ELSE 0 END) AS completed, "
        "SUM(CASE WHEN status = 'NO_SHOW' THEN 1 ELSE 0 END) AS no_shows, "
        "SUM(CASE WHEN status IN ('CANCELLED', 'DECLINED') THEN 1 ELSE 0 END) AS cancelled, "
        "MIN(start_at) AS first_start, MAX(CASE WHEN start_at <= $2 THEN start_at END) AS last_start, "
        "MIN(CASE WHEN " + open + " THEN start_at END) AS next_start "
        "FROM bookings b WHERE b.provider_id = $1 AND b.client_key IS NOT NULL GROUP BY b.client_key "
        "ORDER BY MAX(b.start_at) DESC, b.client_key LIMIT 5000";
    std::vector<ClientRow> out;
    for (const auto& r : s.query(sql, {provider_id, epoch_seconds(now)})) {
        ClientRow c;
        c.client_key = r.get<std::string>("client_key");
        c.name = r.value("name").value_or("");
        c.email = r.value("email").value_or("");
        c.bookings = r.get<std::int64_t>("bookings");
        c.upcoming = r.get_optional<std::int64_t>("upcoming").value_or(0);
        c.completed = r.get_optional<std::int64_t>("completed").value_or(0);
        c.no_shows = r.get_optional<std::int64_t>("no_shows").value_or(0);
        c.cancelled = r.get_optional<std::int64_t>("cancelled").value_or(0);
        c.first_start = r.get_optional<Instant>("first_start");
        c.last_start = r.get_optional<Instant>("last_start");
        c.next_start = r.get_optional<Instant>("next_start");
        out.push_back(std::move(c));
    }
    return out;
}

std::map<std::string, std::int64_t> no_show_counts(Session& s, const std::string& provider_id) {
    std::map<std::string, std::int64_t> out;
    for (const auto& r : s.query("SELECT client_key_sha256, no_show_count FROM client_no_shows WHERE provider_id = $1",
                                 {provider_id}))
        out[r.get<std::string>("client_key_sha256")] = r.get<std::int64_t>("no_show_count");
    return out;
}

}  // namespace slotwise::server::records
