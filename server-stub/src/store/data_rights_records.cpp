#include "store/data_rights_records.h"

#include "store/calendar_records.h"
#include "store/records.h"
#include "store/webhook_records.h"
#include "support/crypto.h"

namespace slotwise::server::records {
namespace {

// What an erased booking keeps of its client: nothing. The manage token
// hash becomes a value no SHA-256 has the form of, so no token matches it.
const char* kAnonymised =
    "client_name = 'Erased', client_email = 'erased@invalid', client_phone = NULL, client_time_zone = NULL, "
    "notes = NULL, cancellation_reason = NULL, meeting_link = NULL, client_key = '', "
    "manage_token_sha256 = 'erased', updated_at = $2";

json time_or_null(const SqlRow& row, const char* column) {
    const auto t = row.get_optional<Timestamp>(column);
    return t ? json(format_timestamp(*t)) : json(nullptr);
}

}  // namespace

std::optional<json> account_document(Session& s, const std::string& account_id) {
    const auto rows =
        s.query("SELECT id, email, plan, created_at FROM accounts WHERE id = $1 AND deleted_at IS NULL", {account_id});
    if (rows.empty()) return std::nullopt;
    const SqlRow& r = rows[0];
    return json{{"id", r.get<std::string>("id")},
                {"email", r.get<std::string>("email")},
                {"plan", r.get<std::string>("plan")},
                {"created_at", format_timestamp(r.get<Timestamp>("created_at"))}};
}

std::vector<std::string> live_owned_providers(Session& s, const std::string& account_id) {
    std::vector<std::string> ids;
    for (const auto& row :
         s.query("SELECT id FROM providers WHERE owner_account_id = $1 AND deleted_at IS NULL ORDER BY id", {account_id}))
        ids.push_back(row.get<std::string>("id"));
    return ids;
}

std::vector<Booking> all_bookings(Session& s, const std::string& provider_id) {
    std::vector<Booking> out;
    for (const auto& row : s.query(std::string("SELECT ") + booking_columns() +
                                       " FROM bookings WHERE provider_id = $1 ORDER BY start_at, id",
                                   {provider_id}))
        out.push_back(booking_from(row));
    return out;
}

json audit_entries(Session& s, const std::string& provider_id) {
    json out = json::array();
    for (const auto& row :
         s.query("SELECT at, actor, action, entity, entity_id, detail FROM audit_log WHERE "
                 "(entity = 'provider' AND entity_id = $1) OR "
                 "(entity = 'booking' AND entity_id IN (SELECT id FROM bookings WHERE provider_id = $1)) ORDER BY id",
                 {provider_id})) {
        const auto detail = row.value("detail");
        out.push_back({{"at", format_timestamp(row.get<Timestamp>("at"))},
                       {"actor", row.get<std::string>("actor")},
                       {"action", row.get<std::string>("action")},
                       {"entity", row.get<std::string>("entity")},
                       {"entity_id", row.get<std::string>("entity_id")},
                       {"detail", detail ? json::parse(*detail, nullptr, false) : json(nullptr)}});
    }
    return out;
}

json session_documents(Session& s, const std::string& account_id) {
    json out = json::array();
    for (const auto& row : s.query("SELECT id, created_at, last_seen_at, idle_expires_at, absolute_expires_at, ended_at, "
                                   "user_agent FROM sessions WHERE account_id = $1 ORDER BY created_at, id",
                                   {account_id}))
        out.push_back({{"id", row.get<std::string>("id")},
                       {"created_at", time_or_null(row, "created_at")},
                       {"last_seen_at", time_or_null(row, "last_seen_at")},
                       {"idle_expires_at", time_or_null(row, "idle_expires_at")},
                       {"absolute_expires_at", time_or_null(row, "absolute_expires_at")},
                       {"ended_at", time_or_null(row, "ended_at")},
                       {"user_agent", row.value("user_agent") ? json(*row.value("user_agent")) : json(nullptr)}});
    return out;
}

json api_key_documents(Session& s, const std::string& account_id) {
    json out = json::array();
    for (const auto& row : s.query("SELECT id, name, created_at, last_used_at, revoked_at FROM api_keys "
                                   "WHERE account_id = $1 ORDER BY created_at, id",
                                   {account_id}))
        out.push_back({{"id", row.get<std::string>("id")},
                       {"name", row.get<std::string>("name")},
                       {"created_at", time_or_null(row, "created_at")},
                       {"last_used_at", time_or_null(row, "last_used_at")},
                       {"revoked_at", time_or_null(row, "revoked_at")}});
    return out;
}

std::int64_t open_future_bookings(Session& s, const std::string& provider_id, Timestamp now) {
    return s.query("SELECT COUNT(*) AS open_bookings FROM bookings WHERE provider_id = $1 AND blocks_time <> 0 "
                   "AND start_at > $2 AND (status <> 'PENDING' OR expires_at IS NULL OR expires_at > $2)",
                   {provider_id, epoch_seconds(now)})[0]
        .get<std::int64_t>("open_bookings");
}

std::int64_t anonymise_provider_bookings(Session& s, const std::string& provider_id, Timestamp now) {
    return s.exec(std::string("UPDATE bookings SET ") + kAnonymised + " WHERE provider_id = $1",
                  {provider_id, epoch_seconds(now)});
}

std::int64_t anonymise_client_bookings(Session& s, const std::string& client_key, const std::string& email,
                                       Timestamp now) {
    forget_client_webhook_messages(s, client_key, email);
    return s.exec(std::string("UPDATE bookings SET ") + kAnonymised +
                      " WHERE client_key = $1 OR (client_key IS NULL AND lower(client_email) = $3)",
                  {client_key, epoch_seconds(now), email});
}

std::int64_t delete_provider_no_shows(Session& s, const std::string& provider_id) {
    return s.exec("DELETE FROM client_no_shows WHERE provider_id = $1", {provider_id});
}

std::int64_t delete_client_no_shows(Session& s, const std::string& client_key) {
    return s.exec("DELETE FROM client_no_shows WHERE client_key_sha256 = $1", {sha256_hex(client_key)});
}

std::int64_t clear_provider_audit_details(Session& s, const std::string& provider_id) {
    return s.exec("UPDATE audit_log SET detail = NULL WHERE entity = 'provider' AND entity_id = $1 AND "
                  "action IN ('provider.create', 'provider.replace')",
                  {provider_id});
}

void mark_provider_deleted(Session& s, const std::string& provider_id, Timestamp now) {
    delete_provider_webhooks(s, provider_id);
    delete_provider_calendars(s, provider_id);
    s.exec("DELETE FROM schedules WHERE provider_id = $1", {provider_id});
    s.exec("DELETE FROM services WHERE provider_id = $1", {provider_id});
    s.exec("DELETE FROM service_payments WHERE provider_id = $1", {provider_id});
    s.exec("DELETE FROM provider_stripe_accounts WHERE provider_id = $1", {provider_id});
    s.exec("UPDATE providers SET name = 'Deleted', bio = NULL, photo_url = NULL, active = 0, deleted_at = $2, "
           "updated_at = $2, revision = revision + 1 WHERE id = $1",
           {provider_id, epoch_seconds(now)});
}

bool delete_account(Session& s, const std::string& account_id, Timestamp now) {
    s.exec("DELETE FROM sessions WHERE account_id = $1", {account_id});
    s.exec("DELETE FROM api_keys WHERE account_id = $1", {account_id});
    s.exec("DELETE FROM push_subscriptions WHERE account_id = $1", {account_id});
    s.exec("DELETE FROM email_challenges WHERE email = (SELECT email FROM accounts WHERE id = $1)", {account_id});
    return s.exec("UPDATE accounts SET deleted_at = $2, email = 'deleted:' || id WHERE id = $1 AND deleted_at IS NULL",
                  {account_id, epoch_seconds(now)}) == 1;
}

}  // namespace slotwise::server::records
