// The payment settings of services (migration 017, table service_payments):
// one row per service whose mode is not none, written and read with the
// provider's configuration.
#pragma once

#include "domain/model.h"
#include "store/store.h"

namespace slotwise::server::records {

// Replaces the provider's rows by those of `provider.services`; inside the caller's transaction.
void save_service_payments(Session& s, const ProviderConfig& provider);
// Fills `payment` of each of `provider.services` (none where there is no row).
void load_service_payments(Session& s, ProviderConfig& provider);

}  // namespace slotwise::server::records
