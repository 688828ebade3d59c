// Stripe's webhook signatures (https://docs.stripe.com/webhooks#verify-manually):
// `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=...][,v0=...]`,
// the HMAC keyed by the endpoint secret exactly as written (the "whsec_..."
// text, not decoded) over "<t>.<raw body>". Pure: no I/O, the clock is a
// parameter.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace slotwise::server::adapters {

enum class StripeSignatureStatus {
    valid,
    malformed,        // no header, no single t=, a t= that is not a number
    no_v1,            // no v1 entry (v0 and other schemes are not ours to trust)
    outside_tolerance,  // t more than the tolerance before or after now
    mismatch,         // no v1 entry is the body's signature under this secret
};
std::string_view to_string(StripeSignatureStatus status) noexcept;

struct StripeSignatureCheck {
    StripeSignatureStatus status = StripeSignatureStatus::malformed;
    std::int64_t timestamp = 0;  // t=, when it could be read
    bool ok() const { return status == StripeSignatureStatus::valid; }
};

// Stripe's default tolerance (its libraries' DEFAULT_TOLERANCE).
constexpr std::int64_t kStripeSignatureTolerance = 300;

// Checks `header` against the raw `body` bytes as they arrived. Every v1
// entry is tried (Stripe sends two while an endpoint secret is being rolled);
// each comparison takes the same time whatever the bytes. Unlike Stripe's
// libraries, a timestamp too far in the future is refused as well: a clock
// that far off is a fault to notice, and a signature made for later must not
// stay usable until then.
StripeSignatureCheck verify_stripe_signature(std::string_view header, std::string_view body, std::string_view secret,
                                             std::int64_t now_unix, std::int64_t tolerance_seconds = kStripeSignatureTolerance);

// "t=<t>,v1=<hex>": what Stripe would send for `body` at `timestamp` (tests
// and the test tools).
std::string stripe_signature_header(std::string_view secret, std::int64_t timestamp, std::string_view body);

}  // namespace slotwise::server::adapters
