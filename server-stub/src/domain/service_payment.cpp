#include "domain/service_payment.h"

#include "domain/domain_error.h"

namespace slotwise::server {

std::string_view to_string(PaymentMode mode) noexcept {
    switch (mode) {
        case PaymentMode::none: return "none";
        case PaymentMode::full: return "full";
        case PaymentMode::deposit: return "deposit";
    }
    return "none";
}

std::optional<PaymentMode> payment_mode_from_name(std::string_view name) noexcept {
    if (name == "none") return PaymentMode::none;
    if (name == "full") return PaymentMode::full;
    if (name == "deposit") return PaymentMode::deposit;
    return std::nullopt;
}

std::int64_t amount_due_up_front(const ServicePayment& payment, std::int64_t price_amount) noexcept {
    switch (payment.mode) {
        case PaymentMode::none: return 0;
        case PaymentMode::full: return price_amount;
        case PaymentMode::deposit: return payment.deposit_amount;
    }
    return 0;
}

std::optional<std::int64_t> stripe_minimum_charge(std::string_view currency) noexcept {
    struct Minimum {
        std::string_view currency;
        std::int64_t amount;
    };
    static constexpr Minimum kMinimums[] = {{"USD", 50}, {"EUR", 50},  {"GBP", 30},  {"CHF", 50},   {"AUD", 50},
                                            {"CAD", 50}, {"DKK", 250}, {"NOK", 300}, {"SEK", 300},  {"PLN", 200},
                                            {"CZK", 1500}, {"JPY", 50}, {"NZD", 50}, {"HKD", 400}, {"SGD", 50}};
    for (const auto& m : kMinimums)
        if (m.currency == currency) return m.amount;
    return std::nullopt;
}

namespace domain {

namespace {

DomainError payment_error(const char* code, std::string detail) {
    return DomainError(ErrorKind::invalid_input, code, std::move(detail));
}

void reject_unknown(const nlohmann::json& object, std::initializer_list<const char*> known, const std::string& where) {
    for (const auto& item : object.items()) {
        bool ok = false;
        for (const char* k : known) ok = ok || item.key() == k;
        if (!ok) throw invalid_input(where + "/" + item.key() + " is not a known field");
    }
}

}  // namespace

ServicePayment parse_service_payment(const nlohmann::json& service, const std::string& where, std::int64_t price_amount,
                                     const std::string& price_currency) {
    ServicePayment payment;
    const auto it = service.find("payment");
    if (it == service.end() || it->is_null()) return payment;
    const std::string at = where + "/payment";
    if (!it->is_object()) throw invalid_input(at + " must be {mode, deposit?}");
    reject_unknown(*it, {"mode", "deposit"}, at);
    const auto mode = it->find("mode");
    const auto parsed = mode != it->end() && mode->is_string() ? payment_mode_from_name(mode->get<std::string>()) : std::nullopt;
    if (!parsed) throw invalid_input(at + "/mode must be none, full or deposit");
    payment.mode = *parsed;
    const auto deposit = it->find("deposit");
    const bool has_deposit = deposit != it->end() && !deposit->is_null();
    if (payment.mode != PaymentMode::deposit) {
        if (has_deposit) throw invalid_input(at + "/deposit is only for mode deposit");
        if (payment.mode == PaymentMode::full) {
            if (price_amount <= 0) throw payment_error("PAYMENT_WITHOUT_PRICE", at + "/mode full needs a price above 0");
            if (const auto minimum = stripe_minimum_charge(price_currency); minimum && price_amount < *minimum)
                throw payment_error("PAYMENT_AMOUNT_TOO_SMALL", where + "/price/amount is under Stripe's minimum charge of " +
                                                                    std::to_string(*minimum) + " in " + price_currency);
        }
        return payment;
    }
    if (!has_deposit || !deposit->is_object()) throw invalid_input(at + "/deposit must be {amount, currency} for mode deposit");
    reject_unknown(*deposit, {"amount", "currency"}, at + "/deposit");
    const auto amount = deposit->find("amount");
    if (amount == deposit->end() || !amount->is_number_integer() || amount->get<std::int64_t>() <= 0)
        throw invalid_input(at + "/deposit/amount must be an integer above 0 (minor units)");
    const auto currency = deposit->find("currency");
    if (currency == deposit->end() || !currency->is_string()) throw invalid_input(at + "/deposit/currency must be an ISO 4217 code like EUR");
    payment.deposit_amount = amount->get<std::int64_t>();
    payment.deposit_currency = currency->get<std::string>();
    if (payment.deposit_currency != price_currency)
        throw payment_error("PAYMENT_CURRENCY_MISMATCH", at + "/deposit/currency must be the price's currency, " + price_currency);
    if (payment.deposit_amount > price_amount)
        throw payment_error("PAYMENT_DEPOSIT_EXCEEDS_PRICE", at + "/deposit/amount must not be above the price, " + std::to_string(price_amount));
    if (const auto minimum = stripe_minimum_charge(price_currency); minimum && payment.deposit_amount < *minimum)
        throw payment_error("PAYMENT_AMOUNT_TOO_SMALL",
                            at + "/deposit/amount is under Stripe's minimum charge of " + std::to_string(*minimum) + " in " + price_currency);
    return payment;
}

nlohmann::json service_payment_json(const ServicePayment& payment) {
    if (payment.mode == PaymentMode::none) return nullptr;
    nlohmann::json out = {{"mode", std::string(to_string(payment.mode))}};
    if (payment.mode == PaymentMode::deposit)
        out["deposit"] = {{"amount", payment.deposit_amount}, {"currency", payment.deposit_currency}};
    return out;
}

}  // namespace domain
}  // namespace slotwise::server
