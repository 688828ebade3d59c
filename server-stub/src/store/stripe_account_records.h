// The SQL of providers' own Stripe accounts (migration 020). Only sealed
// secrets pass through here; sealing and opening are the domain's
// (domain/provider_stripe.*, domain/stripe_accounts.*). Transactions are
// the caller's.
#pragma once

#include <optional>
#include <string>

#include "store/store.h"

namespace slotwise::server::records {

struct ProviderStripeAccount {
    std::string provider_id;
    std::string secret_key_sealed;
    std::string secret_key_last4;
    std::string publishable_key;
    std::optional<std::string> webhook_secret_sealed;
    bool livemode = false;
    Timestamp created_at{}, updated_at{};
};

// The associated data a column of this provider's row is sealed with.
std::string stripe_account_aad(const std::string& provider_id, const char* column);

std::optional<ProviderStripeAccount> provider_stripe_account(Session& s, const std::string& provider_id);
// Inserts or replaces the provider's row (created_at kept on a replace).
void put_provider_stripe_account(Session& s, const ProviderStripeAccount& account);
// False when there was none.
bool delete_provider_stripe_account(Session& s, const std::string& provider_id);
// Whether any provider's account has a webhook signing secret.
bool any_provider_stripe_webhook_secret(Session& s);

}  // namespace slotwise::server::records
