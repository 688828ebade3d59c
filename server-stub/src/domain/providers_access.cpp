#include "domain/providers_access.h"

namespace slotwise::server::domain {
namespace {

json service_put_document(const ServiceConfig& s) {
    json out = {{"id", s.id},
                {"name", s.name},
                {"schedule", s.schedule},
                {"active", s.active},
                {"durations", s.durations},
                {"buffer_before_minutes", s.buffer_before_minutes},
                {"buffer_after_minutes", s.buffer_after_minutes},
                {"min_notice_minutes", s.min_notice_minutes},
                {"price", {{"amount", s.price_amount}, {"currency", s.currency}}},
                {"cancellation_policy", s.cancellation_policy},
                {"virtual", s.is_virtual},
                {"requires_confirmation", s.requires_confirmation}};
    if (s.slot_interval_minutes) out["slot_interval_minutes"] = *s.slot_interval_minutes;
    if (s.max_advance_days) out["max_advance_days"] = *s.max_advance_days;
    return out;
}

}  // namespace

json provider_put_document(const ProviderConfig& p) {
    json services = json::array();
    for (const ServiceConfig& s : p.services) services.push_back(service_put_document(s));
    json out = {{"name", p.name},         {"kind", p.kind},           {"time_zone", p.time_zone},
                {"active", p.active},     {"schedules", p.schedules}, {"services", std::move(services)}};
    if (p.bio) out["bio"] = *p.bio;
    if (p.photo_url) out["photo_url"] = *p.photo_url;
    json limits = json::object();
    if (p.open_bookings_per_client) limits["open_bookings_per_client"] = *p.open_bookings_per_client;
    if (p.pending_expiry_minutes) limits["pending_expiry_minutes"] = *p.pending_expiry_minutes;
    if (!limits.empty()) out["booking_limits"] = std::move(limits);
    return out;
}

}  // namespace slotwise::server::domain
