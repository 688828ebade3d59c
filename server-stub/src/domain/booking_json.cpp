#include "domain/booking_json.h"

#include <chrono>

#include "domain/calendar_invite.h"

namespace slotwise::server {

json payment_json(const BookingPayment& p, const std::optional<PaymentWidget>& widget) {
    json refunds = json::array();
    for (const PaymentRefund& r : p.refunds)
        refunds.push_back({{"id", r.id},
                           {"amount", r.amount},
                           {"currency", r.currency},
                           {"status", r.status},
                           {"reason", r.reason},
                           {"created_at", format_timestamp(r.created_at)}});
    json j = {{"mode", p.mode},
              {"amount", p.amount},
              {"currency", p.currency},
              {"status", p.status},
              {"expires_at", format_timestamp(p.expires_at)},
              {"amount_received", p.amount_received},
              {"refunded_amount", p.refunded_amount},
              {"refunds", std::move(refunds)}};
    if (widget) {
        j["client_secret"] = widget->client_secret;
        j["publishable_key"] = widget->publishable_key;
    }
    return j;
}

json booking_json(const Booking& b, const std::optional<std::string>& manage_token, const std::optional<PaymentWidget>& widget) {
    json client = {{"name", b.client.name}, {"email", b.client.email}};
    if (b.client.phone) client["phone"] = *b.client.phone;
    json j = {{"id", b.id},
              {"provider", b.provider_id},
              {"service", b.service_id},
              {"start", format_instant(b.start)},
              {"end", format_instant(b.end)},
              {"duration_minutes", b.duration_minutes},
              {"status", std::string(to_string(b.status))},
              {"client", client},
              {"price", {{"amount", b.price_amount}, {"currency", b.currency}}},
              {"created_at", format_timestamp(b.created_at)}};
    if (b.meeting_link) j["meeting_link"] = *b.meeting_link;
    // Until when the client may enter the mailed code.
    if (b.status == BookingStatus::held && b.expires_at) j["expires_at"] = format_timestamp(*b.expires_at);
    if (b.notes) j["notes"] = *b.notes;
    if (b.client_time_zone) j["time_zone"] = *b.client_time_zone;
    if (b.cancelled_at) j["cancelled_at"] = format_instant(*b.cancelled_at);
    if (b.cancelled_by) j["cancelled_by"] = *b.cancelled_by;
    if (b.cancelled_at) j["cancellation_reason"] = b.cancellation_reason ? json(*b.cancellation_reason) : json(nullptr);
    // What actually goes back (api.md's `refund`, the engine's policy applied
    // to what was paid). A booking that ended without money taken keeps the
    // field, as 0 with paid: false, so that no reader speaks of a refund.
    if (b.refund_amount)
        j["refund"] = {{"amount", *b.refund_amount}, {"currency", b.currency}, {"paid", true}};
    else if (b.status == BookingStatus::cancelled || b.status == BookingStatus::declined || b.status == BookingStatus::no_show)
        j["refund"] = {{"amount", 0}, {"currency", b.currency}, {"paid", false}};
    if (b.payment) j["payment"] = payment_json(*b.payment, widget);
    if (manage_token) j["manage_token"] = *manage_token;
    return j;
}

std::string booking_ics(const Booking& b, const ProviderConfig* provider, Timestamp now) {
    BookingInviteOptions options;
    options.sequence = b.event_sequence;
    options.method = InviteMethod::publish;
    options.stamp = now;
    std::string description;
    if (provider) {
        const auto* service = provider->service(b.service_id);
        description = (service ? service->name : b.service_id) + " with " + provider->name;
    }
    if (b.meeting_link) description += (description.empty() ? "" : "\n") + ("Join: " + *b.meeting_link);
    options.description = description;
    return render_ics(booking_invite(b, provider, options));
}

}  // namespace slotwise::server
