#include "store/ownership_records.h"

namespace slotwise::server::records {

std::optional<ProviderOwnership> provider_ownership(Session& s, const std::string& provider_id) {
    const auto rows = s.query("SELECT owner_account_id, deleted_at FROM providers WHERE id = $1", {provider_id});
    if (rows.empty()) return std::nullopt;
    return ProviderOwnership{rows[0].value("owner_account_id"), rows[0].get_optional<std::int64_t>("deleted_at").has_value()};
}

void set_provider_owner(Session& s, const std::string& provider_id, const std::string& account_id) {
    s.exec("UPDATE providers SET owner_account_id = $2 WHERE id = $1", {provider_id, account_id});
}

std::optional<std::string> account_plan(Session& s, const std::string& account_id) {
    const auto rows = s.query("SELECT plan FROM accounts WHERE id = $1 AND deleted_at IS NULL", {account_id});
    if (rows.empty()) return std::nullopt;
    return rows[0].get<std::string>("plan");
}

bool set_account_plan(Session& s, const std::string& account_id, const std::string& plan) {
    return s.exec("UPDATE accounts SET plan = $2 WHERE id = $1 AND deleted_at IS NULL", {account_id, plan}) == 1;
}

}  // namespace slotwise::server::records
