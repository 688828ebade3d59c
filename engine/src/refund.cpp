#include "slotwise/refund.h"

#include <algorithm>

namespace slotwise {
namespace {

constexpr Minutes day{24 * 60};

int named_percent(NamedPolicy policy, Minutes before) {
    switch (policy) {
        case NamedPolicy::flexible: return before >= day ? 100 : 0;
        case NamedPolicy::moderate: return before >= 5 * day ? 100 : before >= day ? 50 : 0;
        case NamedPolicy::strict: return before >= 14 * day ? 50 : 0;
    }
    return 0;
}

int tier_percent(const std::vector<RefundTier>& tiers, Minutes before) {
    int best = 0;
    for (const auto& tier : tiers)
        if (Minutes{tier.hours_before * 60} <= before) best = std::max(best, tier.percent);
    return best;
}

}  // namespace

int refund_percent(const RefundPolicy& policy, Minutes before_start, CancelledBy by) noexcept {
    if (by == CancelledBy::provider) return 100;
    if (by == CancelledBy::no_show) return 0;
    if (const auto* named = std::get_if<NamedPolicy>(&policy)) return named_percent(*named, before_start);
    return tier_percent(*std::get_if<std::vector<RefundTier>>(&policy), before_start);
}

std::int64_t refund_amount(const RefundPolicy& policy, std::int64_t price, Instant start, Instant cancelled_at,
                           CancelledBy by) noexcept {
    // price <= 10^12, so price * 100 fits comfortably in 64 bits.
    return price * refund_percent(policy, start - cancelled_at, by) / 100;
}

}  // namespace slotwise
