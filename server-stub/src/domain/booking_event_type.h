// The kinds of booking events and their names (api.md's webhook event
// names). Apart from booking_events.h so that request parsing, which the
// fuzz target links alone, can name them without the job queue.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace slotwise::server::domain {

// payment_refunded: a refund Stripe reported succeeded (domain/payments.h);
// webhooks only, no mail or text.
enum class BookingEventType { created, confirmed, declined, cancelled, rescheduled, expired, completed, no_show, payment_succeeded, payment_refunded };

inline constexpr std::array<std::pair<BookingEventType, std::string_view>, 10> kBookingEventNames{{
    {BookingEventType::created, "booking.created"},
    {BookingEventType::confirmed, "booking.confirmed"},
    {BookingEventType::declined, "booking.declined"},
    {BookingEventType::cancelled, "booking.cancelled"},
    {BookingEventType::rescheduled, "booking.rescheduled"},
    {BookingEventType::expired, "booking.expired"},
    {BookingEventType::completed, "booking.completed"},
    {BookingEventType::no_show, "booking.no_show"},
    {BookingEventType::payment_succeeded, "payment.succeeded"},
    {BookingEventType::payment_refunded, "payment.refunded"},
}};

// "booking.created", ...
inline std::string_view event_name(BookingEventType type) noexcept {
    for (const auto& [t, name] : kBookingEventNames)
        if (t == type) return name;
    return "booking.unknown";
}

inline std::optional<BookingEventType> event_type_from_name(std::string_view name) noexcept {
    for (const auto& [t, n] : kBookingEventNames)
        if (n == name) return t;
    return std::nullopt;
}

// Every type, in the order of the enum.
inline const std::vector<BookingEventType>& all_event_types() {
    static const std::vector<BookingEventType> types = [] {
        std::vector<BookingEventType> out;
        for (const auto& entry : kBookingEventNames) out.push_back(entry.first);
        return out;
    }();
    return types;
}

}  // namespace slotwise::server::domain
