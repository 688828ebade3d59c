#include "store/push_records.h"

namespace slotwise::server::records {

namespace {

constexpr const char* kColumns = "p.id, p.account_id, p.endpoint, p.p256dh, p.auth, p.created_at, p.user_agent";

PushSubscriptionRow row_from(const SqlRow& r) {
    return {r.get<std::string>("id"),       r.get<std::string>("account_id"), r.get<std::string>("endpoint"),
            r.get<std::string>("p256dh"),   r.get<std::string>("auth"),       r.get<Timestamp>("created_at"),
            r.get_optional<std::string>("user_agent")};
}

std::vector<PushSubscriptionRow> rows_from(const SqlRows& rows) {
    std::vector<PushSubscriptionRow> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(row_from(r));
    return out;
}

SqlValue optional_text(const std::optional<std::string>& v) { return v ? SqlValue(*v) : SqlValue(nullptr); }

}  // namespace

PushSubscriptionRow upsert_push_subscription(Session& s, const PushSubscriptionRow& row) {
    s.exec("INSERT INTO push_subscriptions (id, account_id, endpoint, p256dh, auth, created_at, user_agent)"
           " VALUES ($1, $2, $3, $4, $5, $6, $7)"
           " ON CONFLICT (account_id, endpoint) DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth,"
           " user_agent = excluded.user_agent",
           {row.id, row.account_id, row.endpoint, row.p256dh, row.auth, epoch_seconds(row.created_at), optional_text(row.user_agent)});
    const auto rows = s.query(std::string("SELECT ") + kColumns + " FROM push_subscriptions p WHERE p.account_id = $1 AND p.endpoint = $2",
                              {row.account_id, row.endpoint});
    if (rows.empty()) throw StoreError("a push subscription vanished while it was being stored");
    return row_from(rows[0]);
}

std::vector<PushSubscriptionRow> push_subscriptions_of(Session& s, const std::string& account_id) {
    return rows_from(s.query(std::string("SELECT ") + kColumns +
                                 " FROM push_subscriptions p WHERE p.account_id = $1 ORDER BY p.created_at, p.id",
                             {account_id}));
}

nlohmann::json push_subscription_documents(Session& s, const std::string& account_id) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& row : push_subscriptions_of(s, account_id))
        out.push_back({{"id", row.id},
                       {"endpoint", row.endpoint},
                       {"created_at", format_timestamp(row.created_at)},
                       {"user_agent", row.user_agent ? nlohmann::json(*row.user_agent) : nlohmann::json()}});
    return out;
}

std::optional<PushSubscriptionRow> push_subscription(Session& s, const std::string& id) {
    const auto rows = s.query(std::string("SELECT ") + kColumns + " FROM push_subscriptions p WHERE p.id = $1", {id});
    if (rows.empty()) return std::nullopt;
    return row_from(rows[0]);
}

bool delete_push_subscription(Session& s, const std::string& account_id, const std::string& id) {
    return s.exec("DELETE FROM push_subscriptions WHERE id = $1 AND account_id = $2", {id, account_id}) == 1;
}

void forget_push_subscription(Session& s, const std::string& id, const std::string& endpoint) {
    s.exec("DELETE FROM push_subscriptions WHERE id = $1 AND endpoint = $2", {id, endpoint});
}

std::vector<PushSubscriptionRow> push_subscriptions_of_provider_owner(Session& s, const std::string& provider_id) {
    return rows_from(s.query(std::string("SELECT ") + kColumns +
                                 " FROM providers pr JOIN accounts a ON a.id = pr.owner_account_id AND a.deleted_at IS NULL"
                                 " JOIN push_subscriptions p ON p.account_id = a.id"
                                 " WHERE pr.id = $1 ORDER BY p.created_at, p.id",
                             {provider_id}));
}

}  // namespace slotwise::server::records
