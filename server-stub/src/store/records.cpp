#include "store/records.h"
#include "store/payment_records.h"

#include "support/crypto.h"

namespace slotwise::server::records {
namespace {

SqlValue text_or_null(const std::optional<std::string>& v) { return v ? SqlValue(*v) : SqlValue(nullptr); }
SqlValue int_or_null(const std::optional<std::int64_t>& v) { return v ? SqlValue(*v) : SqlValue(nullptr); }
SqlValue small_int_or_null(const std::optional<int>& v) { return v ? SqlValue(std::int64_t{*v}) : SqlValue(nullptr); }
std::int64_t flag(bool b) { return b ? 1 : 0; }
SqlValue notifications_or_null(const json& document) { return document.is_null() ? SqlValue(nullptr) : SqlValue(document.dump()); }
constexpr Days kMaxOccupied{3};  // duration + both buffers, each at most 1440 minutes
SqlValue seconds_or_null(const std::optional<Timestamp>& t) { return t ? SqlValue(epoch_seconds(*t)) : SqlValue(nullptr); }

const char* kBookingColumns =
    "id, provider_id, service_id, status, start_at, end_at, duration_minutes, occupied_start, occupied_end, "
    "client_email, client_name, client_phone, client_time_zone, notes, meeting_link, manage_token_sha256, "
    "price_amount, currency, cancellation_policy, created_at, updated_at, cancelled_at, cancelled_by, "
    "cancellation_reason, refund_amount, client_key, expires_at, refund_ceiling, client_locale, event_sequence, "
    "manage_token_sealed";

// A booking past its expiry that the transition table lets lapse (a HELD
// hold or a PENDING request), even before the housekeeping marks it EXPIRED:
// the statuses come from the table's expiry rows (domain::lapsing_statuses),
// so this SQL and the table cannot disagree. `now` is a placeholder.
std::string lapsed_sql(const std::string& now) {
    std::string statuses;
    for (BookingStatus status : domain::lapsing_statuses())
        statuses += (statuses.empty() ? "'" : ", '") + std::string(to_string(status)) + "'";
    return "(status IN (" + statuses + ") AND expires_at <= " + now + ")";
}

// Of the bookings that block time (the column blocks_time, migration 005),
// one that no longer does: one that has lapsed.
std::string overdue_column() { return "CASE WHEN " + lapsed_sql("$now") + " THEN 1 ELSE 0 END AS overdue"; }

// `sql` with the placeholder `$now` as `$n`.
std::string with_now(std::string sql, int n) {
    const std::string placeholder = "$" + std::to_string(n);
    for (std::size_t at; (at = sql.find("$now")) != std::string::npos;) sql.replace(at, 4, placeholder);
    return sql;
}


}  // namespace

const char* booking_columns() { return kBookingColumns; }

Booking booking_from(const SqlRow& r) {
    Booking b;
    b.id = r.get<std::string>("id");
    b.provider_id = r.get<std::string>("provider_id");
    b.service_id = r.get<std::string>("service_id");
    const std::string status_text = r.get<std::string>("status");
    const auto status = domain::booking_status_from(status_text);
    if (!status) throw std::runtime_error("booking " + b.id + " has an unknown status in the database: " + status_text);
    b.status = *status;
    b.start = r.get<Instant>("start_at");
    b.end = r.get<Instant>("end_at");
    b.duration_minutes = r.get<int>("duration_minutes");
    b.occupied_start = r.get<Instant>("occupied_start");
    b.occupied_end = r.get<Instant>("occupied_end");
    b.client.email = r.get<std::string>("client_email");
    b.client.name = r.get<std::string>("client_name");
    b.client.phone = r.value("client_phone");
    b.client_time_zone = r.value("client_time_zone");
    b.notes = r.value("notes");
    b.meeting_link = r.value("meeting_link");
    b.manage_token_sha256 = r.get<std::string>("manage_token_sha256");
    b.price_amount = r.get<std::int64_t>("price_amount");
    b.currency = r.get<std::string>("currency");
    b.cancellation_policy = json::parse(r.get<std::string>("cancellation_policy"));
    b.created_at = r.get<Timestamp>("created_at");
    b.updated_at = r.get<Timestamp>("updated_at");
    b.cancelled_at = r.get_optional<Instant>("cancelled_at");
    b.cancelled_by = r.value("cancelled_by");
    b.cancellation_reason = r.value("cancellation_reason");
    b.refund_amount = r.get_optional<std::int64_t>("refund_amount");
    b.client_key = r.value("client_key").value_or("");
    b.expires_at = r.get_optional<Timestamp>("expires_at");
    b.refund_ceiling = r.get_optional<std::int64_t>("refund_ceiling");
    b.client_locale = r.value("client_locale");
    b.event_sequence = r.get<int>("event_sequence");
    b.manage_token_sealed = r.value("manage_token_sealed");
    return b;
}

bool put_provider(Session& s, const ProviderConfig& p, Timestamp now) {
    const bool created = s.query("SELECT 1 FROM providers WHERE id = $1", {p.id}).empty();
    if (created) {
        s.exec("INSERT INTO providers (id, name, kind, time_zone, bio, photo_url, active, created_at, updated_at, "
               "open_bookings_per_client, pending_expiry_minutes, address, notifications) "
               "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11, $12)",
               {p.id, p.name, p.kind, p.time_zone, text_or_null(p.bio), text_or_null(p.photo_url), flag(p.active), epoch_seconds(now),
                small_int_or_null(p.open_bookings_per_client), small_int_or_null(p.pending_expiry_minutes),
                text_or_null(p.address), notifications_or_null(p.notifications)});
    } else {
        s.exec("UPDATE providers SET name = $2, kind = $3, time_zone = $4, bio = $5, photo_url = $6, active = $7, "
               "updated_at = $8, revision = revision + 1, open_bookings_per_client = $9, pending_expiry_minutes = $10, "
               "address = $11, notifications = $12 WHERE id = $1",
               {p.id, p.name, p.kind, p.time_zone, text_or_null(p.bio), text_or_null(p.photo_url), flag(p.active), epoch_seconds(now),
                small_int_or_null(p.open_bookings_per_client), small_int_or_null(p.pending_expiry_minutes),
                text_or_null(p.address), notifications_or_null(p.notifications)});
    }
    s.exec("DELETE FROM schedules WHERE provider_id = $1", {p.id});
    s.exec("DELETE FROM services WHERE provider_id = $1", {p.id});
    for (const auto& item : p.schedules.items()) {
        s.exec("INSERT INTO schedules (provider_id, name, weekly, overrides) VALUES ($1, $2, $3, $4)",
               {p.id, item.key(), item.value().at("weekly").dump(), item.value().at("overrides").dump()});
    }
    std::int64_t position = 0;
    for (const auto& v : p.services) {
        s.exec("INSERT INTO services (provider_id, id, position, name, schedule, active, durations, "
               "buffer_before_minutes, buffer_after_minutes, slot_interval_minutes, min_notice_minutes, "
               "max_advance_days, price_amount, currency, cancellation_policy, virtual, requires_confirmation, "
               "verify_client_email, reminders, review_request_after_minutes) "
               "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
               {p.id, v.id, position++, v.name, v.schedule, flag(v.active), json(v.durations).dump(),
                std::int64_t{v.buffer_before_minutes}, std::int64_t{v.buffer_after_minutes},
                v.slot_interval_minutes ? SqlValue(std::int64_t{*v.slot_interval_minutes}) : SqlValue(nullptr),
                std::int64_t{v.min_notice_minutes},
                v.max_advance_days ? SqlValue(std::int64_t{*v.max_advance_days}) : SqlValue(nullptr), v.price_amount,
                v.currency, v.cancellation_policy.dump(), flag(v.is_virtual), flag(v.requires_confirmation),
                flag(v.verify_client_email), json(v.reminders).dump(),
                v.review_request_after_minutes ? SqlValue(std::int64_t{*v.review_request_after_minutes}) : SqlValue(nullptr)});
    }
    save_service_payments(s, p);
    return created;
}

std::optional<ProviderConfig> load_provider(Session& s, const std::string& provider_id) {
    auto rows = s.query("SELECT id, name, kind, time_zone, bio, photo_url, active, open_bookings_per_client, "
                        "pending_expiry_minutes, address, notifications FROM providers WHERE id = $1 AND deleted_at IS NULL",
                        {provider_id});
    if (rows.empty()) return std::nullopt;
    const auto& r = rows[0];
    ProviderConfig p;
    p.id = r.get<std::string>("id");
    p.name = r.get<std::string>("name");
    p.kind = r.get<std::string>("kind");
    p.time_zone = r.get<std::string>("time_zone");
    p.bio = r.value("bio");
    p.photo_url = r.value("photo_url");
    p.active = r.get<bool>("active");
    p.open_bookings_per_client = r.get_optional<int>("open_bookings_per_client");
    p.pending_expiry_minutes = r.get_optional<int>("pending_expiry_minutes");
    p.address = r.value("address");
    if (auto notifications = r.value("notifications")) p.notifications = json::parse(*notifications);
    for (const auto& row : s.query("SELECT name, weekly, overrides FROM schedules WHERE provider_id = $1 ORDER BY name",
                                   {provider_id}))
        p.schedules[row.get<std::string>("name")] = {{"weekly", json::parse(row.get<std::string>("weekly"))},
                                                     {"overrides", json::parse(row.get<std::string>("overrides"))}};
    for (const auto& row :
         s.query("SELECT id, name, schedule, active, durations, buffer_before_minutes, buffer_after_minutes, "
                 "slot_interval_minutes, min_notice_minutes, max_advance_days, price_amount, currency, "
                 "cancellation_policy, virtual, requires_confirmation, verify_client_email, reminders, "
                 "review_request_after_minutes FROM services "
                 "WHERE provider_id = $1 "
                 "ORDER BY position",
                 {provider_id})) {
        ServiceConfig v;
        v.id = row.get<std::string>("id");
        v.name = row.get<std::string>("name");
        v.schedule = row.get<std::string>("schedule");
        v.active = row.get<bool>("active");
        v.durations = json::parse(row.get<std::string>("durations")).get<std::vector<int>>();
        v.buffer_before_minutes = row.get<int>("buffer_before_minutes");
        v.buffer_after_minutes = row.get<int>("buffer_after_minutes");
        v.slot_interval_minutes = row.get_optional<int>("slot_interval_minutes");
        v.min_notice_minutes = row.get<int>("min_notice_minutes");
        v.max_advance_days = row.get_optional<int>("max_advance_days");
        v.price_amount = row.get<std::int64_t>("price_amount");
        v.currency = row.get<std::string>("currency");
        v.cancellation_policy = json::parse(row.get<std::string>("cancellation_policy"));
        v.is_virtual = row.get<bool>("virtual");
        v.requires_confirmation = row.get<bool>("requires_confirmation");
        v.verify_client_email = row.get<bool>("verify_client_email");
        v.reminders = json::parse(row.get<std::string>("reminders")).get<std::vector<Reminder>>();
        v.review_request_after_minutes = row.get_optional<int>("review_request_after_minutes");
        p.services.push_back(std::move(v));
    }
    load_service_payments(s, p);
    return p;
}

Statement provider_revision_statement(const std::string& provider_id) {
    return {"SELECT revision FROM providers WHERE id = $1 AND deleted_at IS NULL", {provider_id}};
}

std::optional<std::int64_t> revision_from(const SqlRows& rows) {
    if (rows.empty()) return std::nullopt;
    return rows[0].get<std::int64_t>("revision");
}

std::optional<std::int64_t> provider_revision(Session& s, const std::string& provider_id) {
    return revision_from(s.query(provider_revision_statement(provider_id)));
}

std::int64_t provider_count(Session& s) {
    return s.query("SELECT COUNT(*) AS providers FROM providers")[0].get<std::int64_t>("providers");
}

// The busy times of the provider's outside calendars (migration 015) count
// as bookings do, in the snapshots and in every check of a new or moved
// booking; they are never overdue. Their spans may be long (a week away),
// hence no lower bound on their start.
const std::string kCalendarBusyUnion =
    " UNION ALL SELECT busy_start AS occupied_start, busy_end AS occupied_end, 0 AS overdue FROM calendar_busy "
    "WHERE provider_id = $1 AND busy_start < $3 AND busy_end > $2";

Statement busy_statement(Dialect dialect, const std::string& provider_id, Instant from, Instant to, Timestamp now,
                         const std::string& except_booking_id) {
    // Every open booking in the window, each with a flag for a hold or
    // request past its expiry: it blocks nothing, but the database's
    // backstop still sees it until it is marked EXPIRED (busy_from).
    // PostgreSQL: the GiST index of the overlap backstop answers exactly
    // this. A plan cached for any provider and range stays right with it,
    // where a B-tree range plan depends on fresh statistics.
    if (dialect == Dialect::postgres)
        return {"SELECT occupied_start, occupied_end, " + with_now(overdue_column(), 5) +
                    " FROM bookings WHERE provider_id = $1 AND blocks_time = 1 "
                    "AND occupied && tstzrange(to_timestamp($2), to_timestamp($3), '[)') AND id <> $4" +
                    kCalendarBusyUnion,
                {provider_id, epoch_seconds(from), epoch_seconds(to), except_booking_id, epoch_seconds(now)}};
    // SQLite: an occupied interval is at most 3 days long (see the
    // migration), so a lower bound on occupied_start keeps this an index
    // range scan.
    return {"SELECT occupied_start, occupied_end, " + with_now(overdue_column(), 6) +
                " FROM bookings WHERE provider_id = $1 AND blocks_time = 1 "
                "AND occupied_start < $3 AND occupied_start > $5 AND occupied_end > $2 AND id <> $4" +
                kCalendarBusyUnion,
            {provider_id, epoch_seconds(from), epoch_seconds(to), except_booking_id, epoch_seconds(from - kMaxOccupied),
             epoch_seconds(now)}};
}

std::vector<Interval> busy_from(const SqlRows& rows, bool* overdue_seen) {
    std::vector<Interval> out;
    out.reserve(rows.size());
    for (const auto& r : rows) {
        if (!r.get<bool>("overdue")) out.push_back({r.get<Instant>("occupied_start"), r.get<Instant>("occupied_end")});
        else if (overdue_seen) *overdue_seen = true;
    }
    return out;
}

std::vector<Interval> busy(Session& s, const std::string& provider_id, Instant from, Instant to, Timestamp now,
                           const std::string& except_booking_id) {
    return busy_from(s.query(busy_statement(s.dialect(), provider_id, from, to, now, except_booking_id)));
}

Statement insert_booking_statement(const Booking& b) {
    return {std::string("INSERT INTO bookings (") + kBookingColumns +
                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, "
                "$21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31)",
            {b.id, b.provider_id, b.service_id, std::string(to_string(b.status)), epoch_seconds(b.start), epoch_seconds(b.end),
             std::int64_t{b.duration_minutes}, epoch_seconds(b.occupied_start), epoch_seconds(b.occupied_end), b.client.email, b.client.name, text_or_null(b.client.phone),
             text_or_null(b.client_time_zone), text_or_null(b.notes), text_or_null(b.meeting_link),
             b.manage_token_sha256, b.price_amount, b.currency, b.cancellation_policy.dump(), epoch_seconds(b.created_at),
             epoch_seconds(b.updated_at), seconds_or_null(b.cancelled_at), text_or_null(b.cancelled_by), text_or_null(b.cancellation_reason),
             int_or_null(b.refund_amount), b.client_key, seconds_or_null(b.expires_at), int_or_null(b.refund_ceiling),
             text_or_null(b.client_locale), std::int64_t{b.event_sequence}, text_or_null(b.manage_token_sealed)}};
}

std::optional<Booking> load_booking(Session& s, const std::string& booking_id) {
    auto rows = s.query(std::string("SELECT ") + kBookingColumns + " FROM bookings WHERE id = $1", {booking_id});
    if (rows.empty()) return std::nullopt;
    Booking b = booking_from(rows[0]);
    b.payment = load_payment(s, booking_id);
    return b;
}

bool update_booking(Session& s, const Booking& b, BookingStatus expected_status) {
    return s.exec("UPDATE bookings SET status = $2, start_at = $3, end_at = $4, duration_minutes = $5, "
                  "occupied_start = $6, occupied_end = $7, meeting_link = $8, updated_at = $9, cancelled_at = $10, "
                  "cancelled_by = $11, cancellation_reason = $12, refund_amount = $13, expires_at = $15, "
                  "refund_ceiling = $16, event_sequence = $17 WHERE id = $1 AND status = $14",
                  {b.id, std::string(to_string(b.status)), epoch_seconds(b.start), epoch_seconds(b.end), std::int64_t{b.duration_minutes},
                   epoch_seconds(b.occupied_start), epoch_seconds(b.occupied_end), text_or_null(b.meeting_link),
                   epoch_seconds(b.updated_at), seconds_or_null(b.cancelled_at), text_or_null(b.cancelled_by),
                   text_or_null(b.cancellation_reason), int_or_null(b.refund_amount), std::string(to_string(expected_status)),
                   seconds_or_null(b.expires_at), int_or_null(b.refund_ceiling), std::int64_t{b.event_sequence}}) == 1;
}

std::vector<Booking> list_bookings(Session& s, const std::string& provider_id, Instant from, Instant to,
                                   const std::vector<BookingStatus>& statuses, Timestamp now) {
    // The filter is on the status a reader sees (a hold or request past its
    // expiry reads as EXPIRED), and comes before the LIMIT, so that a filter
    // never drops rows the limit let through.
    std::string sql = std::string("SELECT ") + kBookingColumns +
                      " FROM bookings WHERE provider_id = $1 AND start_at >= $2 AND start_at < $3";
    SqlParams params = {provider_id, epoch_seconds(from), epoch_seconds(to)};
    if (!statuses.empty()) {
        // PostgreSQL refuses a parameter that no statement uses.
        params.emplace_back(std::in_place_type<std::int64_t>, epoch_seconds(now));
        sql += " AND CASE WHEN " + lapsed_sql("$4") + " THEN 'EXPIRED' ELSE status END IN (";
        for (std::size_t i = 0; i < statuses.size(); ++i) {
            sql += (i ? ", $" : "$") + std::to_string(params.size() + 1);
            params.emplace_back(std::in_place_type<std::string>, to_string(statuses[i]));
        }
        sql += ")";
    }
    sql += " ORDER BY start_at, id LIMIT 10000";
    std::vector<Booking> out;
    for (const auto& r : s.query(sql, params)) out.push_back(booking_from(r));
    attach_payments(s, out, provider_id, from, to);
    return out;
}

Statement client_standing_statement(const std::string& provider_id, const std::string& client_key, Timestamp now) {
    // One walk over the client's bookings with the provider, by the index
    // bookings_by_client, whose predicate this query repeats word for word.
    // The test is written `blocks_time <> 0` on purpose: it does not imply
    // the overlap backstop's partial GiST index (blocks_time = 1), which
    // PostgreSQL, on stale statistics, would otherwise walk for all of the
    // provider's bookings.
    return {"SELECT (SELECT no_show_count FROM client_no_shows WHERE provider_id = $1 AND client_key_sha256 = $3) "
            "AS no_shows, COALESCE(SUM(CASE WHEN status = 'PENDING' THEN 1 ELSE 0 END), 0) AS open_pending, "
            "COUNT(*) AS open_bookings "
            "FROM bookings WHERE client_key = $2 AND provider_id = $1 AND start_at > $4 AND "
            "blocks_time <> 0 AND NOT COALESCE(" + lapsed_sql("$4") + ", FALSE)",
            {provider_id, client_key, sha256_hex(client_key), epoch_seconds(now)}};
}

ClientStanding client_standing_from(const SqlRows& rows) {
    if (rows.empty()) return {};
    const SqlRow& r = rows[0];
    return {r.get_optional<std::int64_t>("no_shows").value_or(0), r.get<std::int64_t>("open_pending"),
            r.get<std::int64_t>("open_bookings")};
}

ClientStanding client_standing(Session& s, const std::string& provider_id, const std::string& client_key, Timestamp now) {
    return client_standing_from(s.query(client_standing_statement(provider_id, client_key, now)));
}

void count_no_show(Session& s, const std::string& provider_id, const std::string& client_key, Timestamp at) {
    s.exec("INSERT INTO client_no_shows (provider_id, client_key_sha256, no_show_count, last_no_show_at) "
           "VALUES ($1, $2, 1, $3) ON CONFLICT (provider_id, client_key_sha256) DO UPDATE SET "
           "no_show_count = client_no_shows.no_show_count + 1, last_no_show_at = excluded.last_no_show_at",
           {provider_id, sha256_hex(client_key), epoch_seconds(at)});
}

std::vector<Statement> expire_overdue_statements(const std::optional<std::string>& provider_id, Timestamp now) {
    // The audit rows first: the UPDATE changes what selects them.
    const std::string overdue = lapsed_sql("$1") + std::string(provider_id ? " AND provider_id = $2" : "");
    SqlParams params = {epoch_seconds(now)};
    if (provider_id) params.push_back(*provider_id);
    return {{"INSERT INTO audit_log (at, actor, action, entity, entity_id, detail) SELECT CAST($1 AS BIGINT), 'system', "
             "'booking.expire', 'booking', id, '{\"from\":\"' || status || '\"}' FROM bookings WHERE " + overdue,
             params},
            {"UPDATE bookings SET status = 'EXPIRED', updated_at = $1 WHERE " + overdue, params}};
}

std::int64_t backfill_client_keys(Session& s, const std::function<std::string(const std::string&)>& key_of) {
    std::int64_t changed = 0;
    for (const auto& row : s.query("SELECT id, client_email FROM bookings WHERE client_key IS NULL"))
        changed += s.exec("UPDATE bookings SET client_key = $2 WHERE id = $1",
                          {row.get<std::string>("id"), key_of(row.get<std::string>("client_email"))});
    for (const auto& row : s.query("SELECT provider_id, email, no_show_count, last_no_show_at FROM clients")) {
        const auto provider_id = row.get<std::string>("provider_id");
        const auto email = row.get<std::string>("email");
        s.exec("INSERT INTO client_no_shows (provider_id, client_key_sha256, no_show_count, last_no_show_at) "
               "VALUES ($1, $2, $3, $4) ON CONFLICT (provider_id, client_key_sha256) DO UPDATE SET "
               "no_show_count = client_no_shows.no_show_count + excluded.no_show_count, "
               "last_no_show_at = excluded.last_no_show_at",
               {provider_id, sha256_hex(key_of(email)), row.get<std::int64_t>("no_show_count"),
                int_or_null(row.get_optional<std::int64_t>("last_no_show_at"))});
        changed += s.exec("DELETE FROM clients WHERE provider_id = $1 AND email = $2", {provider_id, email});
    }
    return changed;
}

Statement audit_statement(Timestamp at, const std::string& actor, const std::string& action, const std::string& entity,
                          const std::string& entity_id, const json& detail) {
    return {"INSERT INTO audit_log (at, actor, action, entity, entity_id, detail) VALUES ($1, $2, $3, $4, $5, $6)",
            {epoch_seconds(at), actor, action, entity, entity_id, detail.dump()}};
}

void audit(Session& s, Timestamp at, const std::string& actor, const std::string& action, const std::string& entity,
           const std::string& entity_id, const json& detail) {
    s.exec(audit_statement(at, actor, action, entity, entity_id, detail));
}

Statement idempotency_key_statement(const std::string& key_sha256) {
    return {"SELECT request_sha256, status, response, created_at FROM idempotency_keys WHERE key = $1", {key_sha256}};
}

bool flag_from(const SqlRows& rows) { return !rows.empty() && rows[0].get<bool>("acquired"); }

std::optional<IdempotencyRecord> idempotency_record_from(const SqlRows& rows) {
    if (rows.empty()) return std::nullopt;
    const auto& r = rows[0];
    return IdempotencyRecord{r.get<std::string>("request_sha256"), r.get_optional<int>("status").value_or(0),
                             r.value("response").value_or(""), r.get<Timestamp>("created_at")};
}

Statement store_answer_statement(const std::string& key_sha256, const IdempotencyRecord& answer, Timestamp expired_at) {
    // `owner` and `state` remain from the version that claimed keys before
    // answering (see migration 002); every record is DONE now.
    return {"INSERT INTO idempotency_keys (key, request_sha256, state, owner, status, response, created_at, updated_at) "
            "VALUES ($1, $2, 'DONE', '', $3, $4, $5, $5) "
            "ON CONFLICT (key) DO UPDATE SET request_sha256 = excluded.request_sha256, status = excluded.status, "
            "response = excluded.response, created_at = excluded.created_at, updated_at = excluded.updated_at "
            "WHERE idempotency_keys.created_at <= $6",
            {key_sha256, answer.request_sha256, std::int64_t{answer.status}, answer.response,
             epoch_seconds(answer.created_at), epoch_seconds(expired_at)}};
}

std::int64_t purge_idempotency_keys(Session& s, Timestamp older_than) {
    return s.exec("DELETE FROM idempotency_keys WHERE created_at < $1", {epoch_seconds(older_than)});
}

}  // namespace slotwise::server::records
