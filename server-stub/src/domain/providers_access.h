// Who reaches which provider, and a provider's configuration read back in
// the shape its PUT takes (api.md part 2, "Accounts, sessions and who may do
// what").
#pragma once

#include "domain/actor.h"
#include "domain/domain_error.h"
#include "domain/model.h"
#include "store/store.h"

namespace slotwise::server::domain {

// The PUT /v1/providers/{id} document of a stored configuration: a GET
// followed by a PUT of it changes nothing. Optional members appear only when
// set, so that an absent one stays absent (and keeps the server's default).
json provider_put_document(const ProviderConfig& provider);

// Whether the actor reaches this provider (actor.h's rule on the stored
// owner); false too for a provider that does not exist or was deleted.
bool reaches_stored_provider(Session& s, const Actor& actor, const std::string& provider_id);
// The answer for a provider that does not exist, and, word for word, for one
// the caller does not reach (api.md part 2: 404, never 403).
DomainError unknown_provider(const std::string& provider_id);
// The same, as the answer to anyone it does not reach: 404 UNKNOWN_PROVIDER,
// exactly as for a provider that does not exist.
void reach_provider_or_throw(Session& s, const Actor& actor, const std::string& provider_id);

// The plan's limit (is_plan, accounts_requests.h); providers the operator
// configures are not limited.
void check_plan_or_throw(const std::string& plan, const ProviderConfig& provider);

}  // namespace slotwise::server::domain
