// Who owns a provider, and an account's plan (issue 11, items 4 and 5;
// migrations 007 and 008). Written once for both backends, like records.h.
#pragma once

#include <optional>
#include <string>

#include "store/store.h"

namespace slotwise::server::records {

struct ProviderOwnership {
    std::optional<std::string> owner_account_id;  // none: a provider the operator made
    bool deleted = false;                         // its account was deleted (migration 008)
};
// The provider's row whether or not it is deleted; nullopt when there is none.
std::optional<ProviderOwnership> provider_ownership(Session& s, const std::string& provider_id);
void set_provider_owner(Session& s, const std::string& provider_id, const std::string& account_id);

// The plan of a live account ("free" or "paid"); nullopt when there is none.
std::optional<std::string> account_plan(Session& s, const std::string& account_id);
// False when there is no live account with this id.
bool set_account_plan(Session& s, const std::string& account_id, const std::string& plan);

}  // namespace slotwise::server::records
