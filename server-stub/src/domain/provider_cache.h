// Providers' configurations read once per process. A booking needs its
// provider's configuration and the engine's typed snapshot of it; loading
// those takes three queries and a reading of the stored schedules, checking
// that a cached copy is current takes one indexed read of the provider's
// revision.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <slotwise/snapshot.h>

#include "domain/model.h"
#include "store/store.h"

namespace slotwise::server {

struct LoadedProvider {
    ProviderConfig config;
    slotwise::Snapshot engine_snapshot;  // without busy intervals
    std::string snapshot_members;        // configuration_members(config), for the public snapshot
    std::int64_t revision = 0;
};

class ProviderCache {
public:
    // The provider as stored now, or nullptr when there is none. Reads the
    // database; throws StoreError when it cannot, and std::runtime_error when
    // the engine rejects a stored configuration.
    std::shared_ptr<const LoadedProvider> get(Session& s, const std::string& provider_id);
    // The cached entry, whatever its revision; nullptr when there is none.
    // No I/O: the caller checks the revision it reads against it.
    std::shared_ptr<const LoadedProvider> latest(const std::string& provider_id);

private:
    std::mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<const LoadedProvider>> entries_;
};

}  // namespace slotwise::server
