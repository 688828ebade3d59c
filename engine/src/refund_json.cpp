// A cancellation policy read from JSON: the shape here, the bounds in
// CancellationPolicy.
#include "slotwise/refund.h"

#include "json_reader.h"

namespace slotwise {

using json_reader::child_path;
using json_reader::json;
using json_reader::Reader;

Result<CancellationPolicy> parse_cancellation_policy(const json& policy) {
    if (policy.is_string()) return CancellationPolicy::named(policy.get_ref<const std::string&>());
    Reader r(ErrorCode::invalid_query);
    const auto* tiers = r.array(policy, "");
    if (!tiers) return r.take_error();
    std::vector<CancellationPolicy::Tier> read;
    read.reserve(tiers->size());
    for (std::size_t i = 0; i < tiers->size(); ++i) {
        const std::string path = child_path("", i);
        const auto* tier = r.object((*tiers)[i], path);
        const json* hours = tier ? r.member(*tier, "hours_before", path, true) : nullptr;
        const json* percent = hours ? r.member(*tier, "percent", path, true) : nullptr;
        const auto h = percent ? r.integer_for_range(*hours, child_path(path, "hours_before"), 0, max_tier_hours_before)
                               : std::nullopt;
        const auto p = h ? r.integer_for_range(*percent, child_path(path, "percent"), 0, max_tier_percent) : std::nullopt;
        if (!p) return r.take_error();
        read.push_back({*h, *p});
    }
    return CancellationPolicy::from_tiers(read);
}

}  // namespace slotwise
