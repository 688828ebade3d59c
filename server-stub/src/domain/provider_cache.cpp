#include "domain/provider_cache.h"

#include <stdexcept>

#include "store/records.h"
#include "domain/snapshot.h"

namespace slotwise::server {
namespace {
constexpr std::size_t kMaxEntries = 10000;
}

std::shared_ptr<const LoadedProvider> ProviderCache::get(Session& s, const std::string& provider_id) {
    for (int attempt = 0; attempt < 5; ++attempt) {
        const auto revision = records::provider_revision(s, provider_id);
        if (!revision) return nullptr;
        if (auto entry = latest(provider_id); entry && entry->revision == *revision) return entry;
        // The three reads of a load are not one snapshot of the database: a
        // PUT between them shows as a changed revision, and the load is redone.
        auto config = records::load_provider(s, provider_id);
        if (!config || records::provider_revision(s, provider_id) != revision) continue;
        auto parsed = typed_snapshot(*config);
        if (!parsed) throw std::runtime_error("stored configuration of " + provider_id + " rejected by the engine");
        std::string members = configuration_members(*config);
        auto loaded = std::make_shared<const LoadedProvider>(
            LoadedProvider{std::move(*config), std::move(*parsed), std::move(members), *revision});
        std::lock_guard<std::mutex> lock(mutex_);
        if (entries_.size() >= kMaxEntries) entries_.clear();
        entries_[provider_id] = loaded;
        return loaded;
    }
    throw StoreError("the configuration of provider " + provider_id + " keeps changing");
}

std::shared_ptr<const LoadedProvider> ProviderCache::latest(const std::string& provider_id) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(provider_id);
    return it != entries_.end() ? it->second : nullptr;
}

}  // namespace slotwise::server
