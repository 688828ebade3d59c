// Who reaches which provider, and a provider's configuration read back in
// the shape its PUT takes (api.md part 2, "Accounts, sessions and who may do
// what").
#pragma once

#include "domain/model.h"

namespace slotwise::server::domain {

// The PUT /v1/providers/{id} document of a stored configuration: a GET
// followed by a PUT of it changes nothing. Optional members appear only when
// set, so that an absent one stays absent (and keeps the server's default).
json provider_put_document(const ProviderConfig& provider);

}  // namespace slotwise::server::domain
