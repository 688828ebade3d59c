#include "store/payment_records.h"

namespace slotwise::server::records {

void save_service_payments(Session& s, const ProviderConfig& provider) {
    s.exec("DELETE FROM service_payments WHERE provider_id = $1", {provider.id});
    for (const auto& service : provider.services) {
        if (service.payment.mode == PaymentMode::none) continue;
        const bool deposit = service.payment.mode == PaymentMode::deposit;
        s.exec("INSERT INTO service_payments (provider_id, service_id, mode, deposit_amount, deposit_currency) "
               "VALUES ($1, $2, $3, $4, $5)",
               {provider.id, service.id, std::string(to_string(service.payment.mode)),
                deposit ? SqlValue(service.payment.deposit_amount) : SqlValue(nullptr),
                deposit ? SqlValue(service.payment.deposit_currency) : SqlValue(nullptr)});
    }
}

void load_service_payments(Session& s, ProviderConfig& provider) {
    const auto rows = s.query("SELECT service_id, mode, deposit_amount, deposit_currency FROM service_payments WHERE provider_id = $1",
                              {provider.id});
    for (const auto& row : rows) {
        const std::string service_id = row.get<std::string>("service_id");
        for (auto& service : provider.services) {
            if (service.id != service_id) continue;
            service.payment.mode = payment_mode_from_name(row.get<std::string>("mode")).value_or(PaymentMode::none);
            if (service.payment.mode == PaymentMode::deposit) {
                service.payment.deposit_amount = row.get_optional<std::int64_t>("deposit_amount").value_or(0);
                service.payment.deposit_currency = row.value("deposit_currency").value_or("");
            }
        }
    }
}

}  // namespace slotwise::server::records
