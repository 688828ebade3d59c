// A provider's own Stripe account (issue 16 item 5): the keys entered in the
// dashboard, checked against Stripe before they are kept, stored sealed,
// never shown again; without them the operator's account (the environment)
// takes the provider's payments. Each use case takes an Actor; an account
// reaches only its own providers (404 UNKNOWN_PROVIDER otherwise, as for a
// provider that does not exist). No HTTP here.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "domain/actor.h"
#include "domain/clock.h"
#include "domain/stripe_accounts.h"
#include "store/store.h"

namespace slotwise::server::domain {

// What GET/PUT /v1/providers/{id}/stripe answer: which account takes the
// provider's payments, and only what may be shown of it.
struct ProviderStripeView {
    enum class Source { provider, operator_environment, none };
    Source source = Source::none;
    std::string publishable_key;   // public by design (Stripe.js); empty when unknown
    std::string secret_key_last4;  // the provider's own key only
    bool webhook_secret_set = false;
    std::optional<bool> livemode;  // from the keys' prefixes, when known
    std::string webhook_url;       // where Stripe's dashboard must send events
};

class ProviderStripe {
public:
    // `sealing_key`: the same 32 bytes StripeAccounts opens with
    // (ServerKeys::derive(kStripeKeysSalt, kStripeKeysInfo)); `webhook_url`:
    // the public address of POST /v1/payments/stripe/webhook.
    ProviderStripe(Store& store, const Clock& clock, const StripeAccounts& accounts, std::string sealing_key,
                   std::string webhook_url);

    // PUT {"secret_key": "sk_..."|"rk_...", "publishable_key": "pk_...",
    // "webhook_secret"?: "whsec_..." | null}. Throws DomainError:
    // invalid_input INVALID_REQUEST (with the member's path), refused
    // STRIPE_KEYS_MISMATCHED (test and live keys together),
    // STRIPE_KEY_REJECTED (Stripe refused the secret key), unavailable
    // STRIPE_UNAVAILABLE (Stripe could not be asked; nothing was saved).
    ProviderStripeView put(const Actor& actor, const std::string& provider_id, std::string_view body);
    ProviderStripeView get(const Actor& actor, const std::string& provider_id);
    // The provider's own keys are forgotten; the operator's apply again.
    void remove(const Actor& actor, const std::string& provider_id);

private:
    ProviderStripeView view_of(Session& s, const std::string& provider_id) const;

    Store& store_;
    const Clock& clock_;
    const StripeAccounts& accounts_;
    std::string sealing_key_;
    std::string webhook_url_;
};

}  // namespace slotwise::server::domain
