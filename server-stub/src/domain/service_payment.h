// A service's payment setting (api.md "Payments (Stripe)"):
// `"payment": {"mode": "none" | "full" | "deposit", "deposit": {"amount", "currency"}?}`.
// Parsed with the service's price, since a deposit is judged against it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace slotwise::server {

enum class PaymentMode { none, full, deposit };
std::string_view to_string(PaymentMode mode) noexcept;
std::optional<PaymentMode> payment_mode_from_name(std::string_view name) noexcept;

struct ServicePayment {
    PaymentMode mode = PaymentMode::none;
    std::int64_t deposit_amount = 0;  // minor units; only for deposit
    std::string deposit_currency;     // the price's currency; only for deposit

    bool operator==(const ServicePayment& other) const {
        return mode == other.mode && deposit_amount == other.deposit_amount && deposit_currency == other.deposit_currency;
    }
};

// What a booking of a service priced `price_amount` asks for up front: the
// price, the deposit, or 0 for none.
std::int64_t amount_due_up_front(const ServicePayment& payment, std::int64_t price_amount) noexcept;

// Stripe's smallest charge in a currency's minor units, where Stripe lists
// one (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts);
// nullopt for currencies we have no figure for.
std::optional<std::int64_t> stripe_minimum_charge(std::string_view currency) noexcept;

namespace domain {

// Reads the `payment` member of one service document (absent or null: none).
// `where` is the service's JSON pointer ("/services/2"). Throws DomainError
// invalid_input: INVALID_REQUEST for the shape; PAYMENT_WITHOUT_PRICE (a paid
// mode on a free service), PAYMENT_CURRENCY_MISMATCH (a deposit in another
// currency than the price), PAYMENT_DEPOSIT_EXCEEDS_PRICE,
// PAYMENT_AMOUNT_TOO_SMALL (under Stripe's minimum charge, which Stripe would
// refuse at booking time).
ServicePayment parse_service_payment(const nlohmann::json& service, const std::string& where, std::int64_t price_amount,
                                     const std::string& price_currency);

// The document PUT takes and GET echoes; null for none (absent and none are the same to PUT).
nlohmann::json service_payment_json(const ServicePayment& payment);

}  // namespace domain
}  // namespace slotwise::server
