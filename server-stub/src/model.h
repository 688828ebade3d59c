// The server's own records. Engine-facing fields keep the engine's names so
// that a snapshot is assembled from them without renaming.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "instant.h"

namespace slotwise::server {

using nlohmann::json;

struct ServiceConfig {
    std::string id, name, schedule = "default";
    bool active = true;
    std::vector<int> durations;
    int buffer_before_minutes = 0, buffer_after_minutes = 0;
    std::optional<int> slot_interval_minutes;
    int min_notice_minutes = 0;
    std::optional<int> max_advance_days;
    std::int64_t price_amount = 0;
    std::string currency;
    json cancellation_policy = "flexible";  // a policy name or a list of tiers
    bool is_virtual = false, requires_confirmation = false;
};

struct ProviderConfig {
    std::string id, name, kind, time_zone;
    bool active = true;
    std::optional<std::string> bio, photo_url;
    json schedules = json::object();  // name -> {"weekly": [...], "overrides": [...]}
    std::vector<ServiceConfig> services;
    // The PUT document's `booking_limits`; unset: the server's default.
    std::optional<int> open_bookings_per_client, pending_expiry_minutes;

    const ServiceConfig* service(const std::string& service_id) const {
        for (const auto& s : services)
            if (s.id == service_id) return &s;
        return nullptr;
    }
};

struct Interval {
    Seconds start, end;
};

// The interval a booking of `duration_minutes` at `start` occupies, buffers included.
inline Interval occupied_interval(const ServiceConfig& service, Seconds start, int duration_minutes) {
    return {start - service.buffer_before_minutes * kMinute,
            start + (duration_minutes + service.buffer_after_minutes) * kMinute};
}

// The busy time the engine's SLOT_TAKEN rule looks at for such a booking:
// its occupied interval. Empty when the engine refuses the booking before
// that rule (no such service, a duration it does not offer), so that no
// nonsense interval reaches the database.
inline Interval slot_taken_window(const ServiceConfig* service, Seconds start, std::optional<int> duration_minutes) {
    if (!service) return {start, start};
    const auto& offered = service->durations;
    if (duration_minutes && std::find(offered.begin(), offered.end(), *duration_minutes) == offered.end())
        return {start, start};
    return occupied_interval(*service, start, duration_minutes.value_or(offered.front()));
}

struct Client {
    std::string name, email;
    std::optional<std::string> phone;
};

// Statuses that block time and count as a client's open bookings.
inline bool is_open_status(const std::string& status) {
    return status == "HELD" || status == "PENDING" || status == "CONFIRMED";
}

struct Booking {
    std::string id, provider_id, service_id, status;
    Seconds start = 0, end = 0, occupied_start = 0, occupied_end = 0;
    int duration_minutes = 0;
    Client client;
    std::optional<std::string> client_time_zone, notes, meeting_link;
    std::string manage_token_sha256;
    std::int64_t price_amount = 0;
    std::string currency;
    json cancellation_policy;
    Seconds created_at = 0, updated_at = 0;
    std::optional<Seconds> cancelled_at;
    std::optional<std::string> cancellation_reason, cancelled_by;
    std::optional<std::int64_t> refund_amount;
    std::string client_key;                     // the normalised address (client_address.h)
    std::optional<Seconds> expires_at;          // a PENDING request lapses then
    std::optional<std::int64_t> refund_ceiling; // set by a reschedule: at most this refund on a client cancel

    // A PENDING request past its expiry is EXPIRED, whether or not the
    // housekeeping has written that yet.
    bool overdue(Seconds now) const { return status == "PENDING" && expires_at && *expires_at <= now; }
};

// Request bodies after shape checks (not yet checked against any provider).
struct BookingRequest {
    std::string provider, service, start_text;
    Seconds start = 0;
    std::optional<int> duration_minutes;
    Client client;
    std::optional<std::string> notes, time_zone;
};

struct RescheduleRequest {
    std::string start_text;
    Seconds start = 0;
    std::optional<int> duration_minutes;
};

}  // namespace slotwise::server
