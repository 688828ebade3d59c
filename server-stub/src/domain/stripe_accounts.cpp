#include "domain/stripe_accounts.h"

#include <utility>

#include "store/stripe_account_records.h"
#include "support/crypto.h"

namespace slotwise::server::domain {

StripeAccounts::StripeAccounts(Store& store, adapters::StripeOptions base, std::string operator_publishable_key,
                               std::string operator_webhook_secret, std::string sealing_key)
    : store_(store),
      base_(std::move(base)),
      operator_publishable_key_(std::move(operator_publishable_key)),
      operator_webhook_secret_(std::move(operator_webhook_secret)),
      sealing_key_(std::move(sealing_key)) {}

std::optional<StripeAccount> StripeAccounts::operator_account() const {
    if (base_.secret_key.empty()) return std::nullopt;
    StripeAccount account;
    account.source = StripeAccount::Source::operator_environment;
    account.secret_key = base_.secret_key;
    account.publishable_key = operator_publishable_key_;
    account.webhook_secret = operator_webhook_secret_;
    return account;
}

std::optional<StripeAccount> StripeAccounts::for_provider(std::string_view provider_id) const {
    if (sealing_key_.empty()) return operator_account();
    auto s = store_.session();
    return for_provider(*s, provider_id);
}

std::optional<StripeAccount> StripeAccounts::for_provider(Session& s, std::string_view provider_id) const {
    if (sealing_key_.empty()) return operator_account();
    const std::string id(provider_id);
    const auto row = records::provider_stripe_account(s, id);
    if (!row) return operator_account();
    const auto secret = open_sealed(sealing_key_, row->secret_key_sealed, records::stripe_account_aad(id, "secret_key"));
    if (!secret) return std::nullopt;
    StripeAccount account;
    account.source = StripeAccount::Source::provider;
    account.secret_key = *secret;
    account.publishable_key = row->publishable_key;
    if (row->webhook_secret_sealed) {
        const auto hook = open_sealed(sealing_key_, *row->webhook_secret_sealed, records::stripe_account_aad(id, "webhook_secret"));
        if (hook) account.webhook_secret = *hook;
    }
    return account;
}

adapters::StripeOptions StripeAccounts::options_with(const std::string& secret_key) const {
    adapters::StripeOptions options = base_;
    options.secret_key = secret_key;
    return options;
}

adapters::StripeClient StripeAccounts::client(const StripeAccount& account) const {
    return adapters::StripeClient(options_with(account.secret_key));
}

std::vector<std::string> StripeAccounts::webhook_secrets(std::string_view claimed_provider_id) const {
    std::vector<std::string> secrets;
    if (!operator_webhook_secret_.empty()) secrets.push_back(operator_webhook_secret_);
    if (claimed_provider_id.empty() || sealing_key_.empty()) return secrets;
    // Only the provider's own account: the operator's secret is tried above already.
    if (const auto account = for_provider(claimed_provider_id);
        account && account->source == StripeAccount::Source::provider && !account->webhook_secret.empty())
        secrets.push_back(account->webhook_secret);
    return secrets;
}

bool StripeAccounts::webhook_possible() const {
    if (!operator_webhook_secret_.empty()) return true;
    if (sealing_key_.empty()) return false;
    auto s = store_.session();
    return records::any_provider_stripe_webhook_secret(*s);
}

}  // namespace slotwise::server::domain
