#include "domain/stripe_accounts.h"

#include <utility>

namespace slotwise::server::domain {

StripeAccounts::StripeAccounts(Store& store, adapters::StripeOptions base, std::string operator_publishable_key,
                               std::string operator_webhook_secret)
    : store_(store),
      base_(std::move(base)),
      operator_publishable_key_(std::move(operator_publishable_key)),
      operator_webhook_secret_(std::move(operator_webhook_secret)) {}

std::optional<StripeAccount> StripeAccounts::for_provider(std::string_view /*provider_id*/) const {
    // Provider-entered keys are read here once they can be stored.
    (void)store_;
    if (base_.secret_key.empty()) return std::nullopt;
    StripeAccount account;
    account.source = StripeAccount::Source::operator_environment;
    account.secret_key = base_.secret_key;
    account.publishable_key = operator_publishable_key_;
    account.webhook_secret = operator_webhook_secret_;
    return account;
}

adapters::StripeClient StripeAccounts::client(const StripeAccount& account) const {
    adapters::StripeOptions options = base_;
    options.secret_key = account.secret_key;
    return adapters::StripeClient(std::move(options));
}

std::vector<std::string> StripeAccounts::webhook_secrets(std::string_view /*claimed_provider_id*/) const {
    std::vector<std::string> secrets;
    if (!operator_webhook_secret_.empty()) secrets.push_back(operator_webhook_secret_);
    return secrets;
}

bool StripeAccounts::webhook_possible() const { return !operator_webhook_secret_.empty(); }

}  // namespace slotwise::server::domain
