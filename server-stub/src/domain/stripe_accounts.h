// Whose Stripe account takes a provider's payments (api.md "Payments
// (Stripe)", issue 16). A provider may enter their own keys, stored sealed;
// otherwise the operator's keys from the environment apply
// (SLOTWISE_STRIPE_SECRET_KEY, SLOTWISE_STRIPE_PUBLISHABLE_KEY,
// SLOTWISE_STRIPE_WEBHOOK_SECRET). Every Stripe call of the booking flow,
// the refunds and the reconciliation asks here for the provider's account,
// so that money always goes to the account the provider chose.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/stripe_client.h"
#include "store/store.h"

namespace slotwise::server::domain {

struct StripeAccount {
    enum class Source { provider, operator_environment };
    Source source = Source::operator_environment;
    std::string secret_key;       // sk_... or rk_...; never logged, never shown again
    std::string publishable_key;  // pk_...; the widget's Stripe.js needs it
    std::string webhook_secret;   // whsec_...; may be empty for a provider who has not set up the endpoint yet
};

class StripeAccounts {
public:
    // `base` carries the API base, timeouts and outgoing HTTP rules; its
    // secret_key is the operator's (empty when the operator has none).
    // `sealing_key`: 32 bytes from ServerKeys (kStripeKeysSalt), the key the
    // providers' own secrets are sealed with (domain/provider_stripe.*);
    // empty: providers' own keys are not read.
    StripeAccounts(Store& store, adapters::StripeOptions base, std::string operator_publishable_key,
                   std::string operator_webhook_secret, std::string sealing_key = {});

    // The account that takes this provider's payments: the provider's own
    // when entered, else the operator's; nullopt when neither has a secret
    // key (a paid service then cannot be booked: PAYMENT_NOT_AVAILABLE), and
    // when the provider's own keys no longer open (the server secret
    // changed): their money must never silently go to the operator instead.
    // Read from the database on every call (one row by key), so that a PUT
    // or DELETE in any server process counts at once in every other.
    std::optional<StripeAccount> for_provider(std::string_view provider_id) const;
    // The same within the caller's session (inside its transaction).
    std::optional<StripeAccount> for_provider(Session& s, std::string_view provider_id) const;
    // The operator's account from the environment, whoever the provider is.
    std::optional<StripeAccount> operator_account() const;

    // A client speaking for `account`, with the operator's API base and limits.
    adapters::StripeClient client(const StripeAccount& account) const;

    // The secrets a webhook event may be signed with, tried in turn: the
    // operator's, then the provider's named by the event's metadata (only
    // a valid signature by that provider's own secret makes the claim true).
    std::vector<std::string> webhook_secrets(std::string_view claimed_provider_id) const;

    // Whether any account could sign a webhook (the operator's or any
    // provider's has a webhook secret): the webhook route answers 404
    // PAYMENTS_NOT_CONFIGURED while this is false.
    bool webhook_possible() const;

    // The API options (base, timeouts, outgoing rules) with `secret_key`.
    adapters::StripeOptions options_with(const std::string& secret_key) const;

private:
    Store& store_;
    adapters::StripeOptions base_;
    std::string operator_publishable_key_;
    std::string operator_webhook_secret_;
    std::string sealing_key_;
};

// The HKDF salt and info of the key that seals providers' own Stripe secrets.
inline constexpr const char* kStripeKeysSalt = "slotwise stripe accounts v1";
inline constexpr const char* kStripeKeysInfo = "provider secrets";

}  // namespace slotwise::server::domain
