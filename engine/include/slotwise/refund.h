// Cancellation refunds (engine.md, "Cancellation refund"): integer
// arithmetic only, rounding down.
#pragma once

#include "slotwise/time.h"

#include <cstdint>
#include <variant>
#include <vector>

namespace slotwise {

enum class NamedPolicy { flexible, moderate, strict };

struct RefundTier {
    int hours_before = 0;  // 0..87600
    int percent = 0;       // 0..100
};

using RefundPolicy = std::variant<NamedPolicy, std::vector<RefundTier>>;

enum class CancelledBy { client, provider, no_show };

// Percent of the price refunded when cancelled `before_start` ahead of the
// start (negative once the start has passed).
int refund_percent(const RefundPolicy& policy, Minutes before_start, CancelledBy by) noexcept;

// The refund in minor units for a price of 0..10^12 minor units.
std::int64_t refund_amount(const RefundPolicy& policy, std::int64_t price, Instant start, Instant cancelled_at,
                           CancelledBy by) noexcept;

}  // namespace slotwise
