// Cancellation refunds (engine.md, "Cancellation refund"): integer
// arithmetic only, rounding down.
#pragma once

#include "slotwise/error.h"
#include "slotwise/time.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace slotwise {

enum class NamedPolicy { flexible, moderate, strict };

// "flexible", "moderate", "strict" (case-sensitive); nullopt for anything else.
std::optional<NamedPolicy> parse_named_policy(std::string_view text) noexcept;
std::string_view to_string(NamedPolicy policy) noexcept;

struct RefundTier {
    int hours_before = 0;  // 0..87600
    int percent = 0;       // 0..100
};

using RefundPolicy = std::variant<NamedPolicy, std::vector<RefundTier>>;

enum class CancelledBy { client, provider, no_show };

// "client", "provider", "no_show"; nullopt for anything else.
std::optional<CancelledBy> parse_cancelled_by(std::string_view text) noexcept;

inline constexpr std::int64_t max_tier_hours_before = 87600;
inline constexpr std::int64_t max_tier_percent = 100;
inline constexpr std::int64_t max_price = 1'000'000'000'000;

// A refund policy known to obey engine.md: a named one, or tiers within
// their bounds. Checking it needs no refund on made-up dates.
class CancellationPolicy {
public:
    // Tiers as a caller holds them, before their bounds are checked.
    struct Tier {
        std::int64_t hours_before = 0;
        std::int64_t percent = 0;
    };

    CancellationPolicy(NamedPolicy policy) noexcept : rule_(policy) {}

    // INVALID_QUERY with path "" (the policy itself) for an unknown name.
    static Result<CancellationPolicy> named(std::string_view name);
    // Any number of tiers, possibly none. INVALID_QUERY with a path relative
    // to the policy, e.g. "/1/percent".
    static Result<CancellationPolicy> from_tiers(const std::vector<Tier>& tiers);

    const RefundPolicy& rule() const noexcept { return rule_; }

private:
    explicit CancellationPolicy(RefundPolicy rule) : rule_(std::move(rule)) {}
    RefundPolicy rule_;
};

// A policy as engine.md writes it in JSON: a name or a list of
// {"hours_before", "percent"}. Errors are INVALID_QUERY with paths relative
// to `policy` ("" for the value itself), exactly as the refund operation
// reports them under "/policy".
Result<CancellationPolicy> parse_cancellation_policy(const nlohmann::json& policy);

// Percent of the price refunded when cancelled `before_start` ahead of the
// start (negative once the start has passed).
int refund_percent(const RefundPolicy& policy, Minutes before_start, CancelledBy by) noexcept;

// The refund in minor units for a price of 0..10^12 minor units.
std::int64_t refund_amount(const RefundPolicy& policy, std::int64_t price, Instant start, Instant cancelled_at,
                           CancelledBy by) noexcept;

// The same with the price checked: INVALID_QUERY at "/price" outside 0..10^12.
Result<std::int64_t> refund(const CancellationPolicy& policy, std::int64_t price, Instant start,
                            Instant cancelled_at, CancelledBy by = CancelledBy::client);

}  // namespace slotwise
