#include "store/stripe_account_records.h"

namespace slotwise::server::records {

std::string stripe_account_aad(const std::string& provider_id, const char* column) {
    return "provider_stripe_accounts:" + provider_id + ":" + column;
}

std::optional<ProviderStripeAccount> provider_stripe_account(Session& s, const std::string& provider_id) {
    const auto rows = s.query(
        "SELECT provider_id, secret_key_sealed, secret_key_last4, publishable_key, webhook_secret_sealed, livemode, created_at, "
        "updated_at FROM provider_stripe_accounts WHERE provider_id = $1",
        {provider_id});
    if (rows.empty()) return std::nullopt;
    const auto& r = rows[0];
    ProviderStripeAccount a;
    a.provider_id = r.get<std::string>("provider_id");
    a.secret_key_sealed = r.get<std::string>("secret_key_sealed");
    a.secret_key_last4 = r.get<std::string>("secret_key_last4");
    a.publishable_key = r.get<std::string>("publishable_key");
    a.webhook_secret_sealed = r.value("webhook_secret_sealed");
    a.livemode = r.get<std::int64_t>("livemode") != 0;
    a.created_at = timestamp_from_epoch(r.get<std::int64_t>("created_at"));
    a.updated_at = timestamp_from_epoch(r.get<std::int64_t>("updated_at"));
    return a;
}

void put_provider_stripe_account(Session& s, const ProviderStripeAccount& a) {
    s.exec("INSERT INTO provider_stripe_accounts (provider_id, secret_key_sealed, secret_key_last4, publishable_key, "
           "webhook_secret_sealed, livemode, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) "
           "ON CONFLICT (provider_id) DO UPDATE SET secret_key_sealed = excluded.secret_key_sealed, "
           "secret_key_last4 = excluded.secret_key_last4, publishable_key = excluded.publishable_key, "
           "webhook_secret_sealed = excluded.webhook_secret_sealed, livemode = excluded.livemode, updated_at = excluded.updated_at",
           {a.provider_id, a.secret_key_sealed, a.secret_key_last4, a.publishable_key,
            a.webhook_secret_sealed ? SqlValue(*a.webhook_secret_sealed) : SqlValue(nullptr), std::int64_t{a.livemode ? 1 : 0},
            epoch_seconds(a.updated_at)});
}

bool delete_provider_stripe_account(Session& s, const std::string& provider_id) {
    return s.exec("DELETE FROM provider_stripe_accounts WHERE provider_id = $1", {provider_id}) > 0;
}

bool any_provider_stripe_webhook_secret(Session& s) {
    return !s.query("SELECT 1 AS one FROM provider_stripe_accounts WHERE webhook_secret_sealed IS NOT NULL LIMIT 1").empty();
}

}  // namespace slotwise::server::records
