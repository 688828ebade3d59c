#include "slotwise/refund.h"

#include <algorithm>
#include <string>

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

std::string range_message(std::int64_t max) { return "must be an integer from 0 to " + std::to_string(max); }

}  // namespace

std::optional<NamedPolicy> parse_named_policy(std::string_view text) noexcept {
    if (text == "flexible") return NamedPolicy::flexible;
    if (text == "moderate") return NamedPolicy::moderate;
    if (text == "strict") return NamedPolicy::strict;
    return std::nullopt;
}

std::string_view to_string(NamedPolicy policy) noexcept {
    switch (policy) {
        case NamedPolicy::flexible: return "flexible";
        case NamedPolicy::moderate: return "moderate";
        case NamedPolicy::strict: return "strict";
    }
    return "flexible";
}

std::optional<CancelledBy> parse_cancelled_by(std::string_view text) noexcept {
    if (text == "client") return CancelledBy::client;
    if (text == "provider") return CancelledBy::provider;
    if (text == "no_show") return CancelledBy::no_show;
    return std::nullopt;
}

Result<CancellationPolicy> CancellationPolicy::named(std::string_view name) {
    const auto policy = parse_named_policy(name);
    if (!policy) return Error{ErrorCode::invalid_query, "expected flexible, moderate, strict or a list of tiers", ""};
    return CancellationPolicy(*policy);
}

Result<CancellationPolicy> CancellationPolicy::from_tiers(const std::vector<Tier>& tiers) {
    std::vector<RefundTier> checked;
    checked.reserve(tiers.size());
    for (std::size_t i = 0; i < tiers.size(); ++i) {
        const std::string path = "/" + std::to_string(i);
        if (tiers[i].hours_before < 0 || tiers[i].hours_before > max_tier_hours_before)
            return Error{ErrorCode::invalid_query, range_message(max_tier_hours_before), path + "/hours_before"};
        if (tiers[i].percent < 0 || tiers[i].percent > max_tier_percent)
            return Error{ErrorCode::invalid_query, range_message(max_tier_percent), path + "/percent"};
        checked.push_back({static_cast<int>(tiers[i].hours_before), static_cast<int>(tiers[i].percent)});
    }
    return CancellationPolicy(RefundPolicy{std::move(checked)});
}

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

Result<std::int64_t> refund(const CancellationPolicy& policy, std::int64_t price, Instant start,
                            Instant cancelled_at, CancelledBy by) {
    if (price < 0 || price > max_price) return Error{ErrorCode::invalid_query, range_message(max_price), "/price"};
    return refund_amount(policy.rule(), price, start, cancelled_at, by);
}

}  // namespace slotwise
