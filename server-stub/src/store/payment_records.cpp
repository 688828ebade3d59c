#include "store/payment_records.h"

#include <map>

namespace slotwise::server::records {
namespace {

constexpr const char* kPaymentColumns =
    "booking_id, mode, amount, currency, intent_id, client_secret, status, amount_received, refunded_amount, expires_at, last_error";
constexpr const char* kRefundColumns = "id, booking_id, amount, currency, reason, status, created_at";

BookingPayment payment_from(const SqlRow& r) {
    BookingPayment p;
    p.mode = r.get<std::string>("mode");
    p.amount = r.get<std::int64_t>("amount");
    p.currency = r.get<std::string>("currency");
    p.intent_id = r.value("intent_id");
    p.client_secret = r.value("client_secret");
    p.status = r.get<std::string>("status");
    p.amount_received = r.get<std::int64_t>("amount_received");
    p.refunded_amount = r.get<std::int64_t>("refunded_amount");
    p.expires_at = r.get<Timestamp>("expires_at");
    p.last_error = r.value("last_error");
    return p;
}

PaymentRefund refund_from(const SqlRow& r) {
    return {r.get<std::string>("id"),     r.get<std::string>("currency"), r.get<std::string>("status"),
            r.get<std::string>("reason"), r.get<std::int64_t>("amount"),  r.get<Timestamp>("created_at")};
}

}  // namespace

Statement insert_payment_statement(const Booking& b, Timestamp now) {
    const BookingPayment& p = *b.payment;
    return {"INSERT INTO payments (booking_id, provider_id, mode, amount, currency, status, expires_at, created_at, updated_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
            {b.id, b.provider_id, p.mode, p.amount, p.currency, p.status, epoch_seconds(p.expires_at), epoch_seconds(now)}};
}

std::optional<BookingPayment> load_payment(Session& s, const std::string& booking_id) {
    const auto rows = s.query(std::string("SELECT ") + kPaymentColumns + " FROM payments WHERE booking_id = $1", {booking_id});
    if (rows.empty()) return std::nullopt;
    BookingPayment p = payment_from(rows[0]);
    for (const auto& r : s.query(std::string("SELECT ") + kRefundColumns + " FROM refunds WHERE booking_id = $1 ORDER BY created_at, id",
                                 {booking_id}))
        p.refunds.push_back(refund_from(r));
    return p;
}

void attach_payments(Session& s, std::vector<Booking>& bookings, const std::string& provider_id, Instant from, Instant to) {
    if (bookings.empty()) return;
    const SqlParams range = {provider_id, epoch_seconds(from), epoch_seconds(to)};
    const std::string of_range = " JOIN bookings b ON b.id = x.booking_id WHERE b.provider_id = $1 AND b.start_at >= $2 AND b.start_at < $3";
    std::map<std::string, BookingPayment> found;
    std::string columns;
    for (std::string_view rest = kPaymentColumns; !rest.empty();) {
        const auto comma = rest.find(", ");
        columns += (columns.empty() ? "x." : ", x.") + std::string(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 2);
    }
    for (const auto& r : s.query("SELECT " + columns + " FROM payments x" + of_range, range))
        found.emplace(r.get<std::string>("booking_id"), payment_from(r));
    if (found.empty()) return;
    for (const auto& r : s.query("SELECT x.id, x.booking_id, x.amount, x.currency, x.reason, x.status, x.created_at FROM refunds x" +
                                     of_range + " ORDER BY x.created_at, x.id",
                                 range))
        if (auto it = found.find(r.get<std::string>("booking_id")); it != found.end()) it->second.refunds.push_back(refund_from(r));
    for (Booking& b : bookings)
        if (auto it = found.find(b.id); it != found.end()) b.payment = it->second;
}

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
