#include "domain/accounts_requests.h"
#include "domain/providers_access.h"

#include <algorithm>

#include "domain/notification_settings.h"
#include "store/ownership_records.h"

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
                {"requires_confirmation", s.requires_confirmation},
                {"reminders", s.reminders},
                {"review_request_after_minutes", s.review_request_after_minutes ? json(*s.review_request_after_minutes) : json()}};
    if (s.slot_interval_minutes) out["slot_interval_minutes"] = *s.slot_interval_minutes;
    if (s.max_advance_days) out["max_advance_days"] = *s.max_advance_days;
    if (s.verify_client_email) out["verify_client_email"] = true;  // absent and false are the same to PUT
    if (s.payment.mode != PaymentMode::none) out["payment"] = service_payment_json(s.payment);  // absent and none likewise
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
    if (p.address) out["address"] = *p.address;
    // Whole, with the defaults filled in, so that a form shows what is in force.
    out["notifications"] = notification_settings_document(notification_settings_of(p.notifications));
    json limits = json::object();
    if (p.open_bookings_per_client) limits["open_bookings_per_client"] = *p.open_bookings_per_client;
    if (p.pending_expiry_minutes) limits["pending_expiry_minutes"] = *p.pending_expiry_minutes;
    if (!limits.empty()) out["booking_limits"] = std::move(limits);
    return out;
}

DomainError unknown_provider(const std::string& provider_id) {
    return DomainError(ErrorKind::not_found, "UNKNOWN_PROVIDER", "no provider " + provider_id);
}

bool reaches_stored_provider(Session& s, const Actor& actor, const std::string& provider_id) {
    const auto ownership = records::provider_ownership(s, provider_id);
    if (!ownership || ownership->deleted) return false;
    if (const auto* link = std::get_if<ProviderLink>(&actor)) return link->provider_id == provider_id;
    return reaches_provider(actor, ownership->owner_account_id);
}

void reach_provider_or_throw(Session& s, const Actor& actor, const std::string& provider_id) {
    if (!reaches_stored_provider(s, actor, provider_id))
        throw unknown_provider(provider_id);
}


void check_plan_or_throw(const std::string& plan, const ProviderConfig& provider) {
    if (plan != "free") return;
    const auto active = std::count_if(provider.services.begin(), provider.services.end(),
                                      [](const ServiceConfig& service) { return service.active; });
    if (active > 1)
        throw DomainError(ErrorKind::refused, "PLAN_LIMIT",
                          "the free plan allows one active service per provider; this configuration has " +
                              std::to_string(active) + " (set the others \"active\": false, or ask for the paid plan)")
            .with_extension("plan", "\"free\"")
            .with_extension("active_services_allowed", "1");
}

}  // namespace slotwise::server::domain
