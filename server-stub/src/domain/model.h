// The server's own records. Engine-facing fields keep the engine's names so
// that a snapshot is assembled from them without renaming; times are the
// engine's types (slotwise/time.h): booking times are Instants, moments the
// server records to the second are Timestamps.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <slotwise/snapshot.h>
#include <slotwise/time.h>

#include "domain/booking_status.h"
#include "domain/service_payment.h"

namespace slotwise::server {

using nlohmann::json;

// A reminder of a service's bookings (api.md "Reminders"): N minutes before
// the start, by these channels ("email", "sms", "push").
struct Reminder {
    int before_minutes = 0;
    std::vector<std::string> channels;

    bool operator==(const Reminder& other) const {
        return before_minutes == other.before_minutes && channels == other.channels;
    }
};
inline void to_json(json& j, const Reminder& r) { j = {{"before_minutes", r.before_minutes}, {"channels", r.channels}}; }
inline void from_json(const json& j, Reminder& r) {
    j.at("before_minutes").get_to(r.before_minutes);
    j.at("channels").get_to(r.channels);
}
// What a service reminds when its document says nothing: by email 48 h and 1 h ahead.
inline std::vector<Reminder> default_reminders() { return {{2880, {"email"}}, {60, {"email"}}}; }
inline constexpr int kDefaultReviewRequestAfterMinutes = 120;

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
    // A booking is HELD until its client enters the code mailed to them
    // (POST /v1/bookings/{id}/verify); an unverified hold lapses.
    bool verify_client_email = false;
    std::vector<Reminder> reminders = default_reminders();
    // Minutes after the end of a COMPLETED booking; none: no review request.
    std::optional<int> review_request_after_minutes = kDefaultReviewRequestAfterMinutes;
    // Paid up front through Stripe, in full or as a deposit (domain/service_payment.h).
    ServicePayment payment;
};

struct ProviderConfig {
    std::string id, name, kind, time_zone;
    bool active = true;
    std::optional<std::string> bio, photo_url;
    // Where in-person appointments take place (free text, shown to visitors and in mails).
    std::optional<std::string> address;
    // The PUT document's `notifications`, as given (domain/notification_settings.h reads it); null: the defaults.
    json notifications;
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

// Busy time is the engine's Interval of Instants.
using slotwise::Interval;

// The interval a booking of `duration_minutes` at `start` occupies, buffers included.
inline Interval occupied_interval(const ServiceConfig& service, Instant start, int duration_minutes) {
    return {start - Minutes{service.buffer_before_minutes},
            start + Minutes{duration_minutes + service.buffer_after_minutes}};
}

// The busy time the engine's SLOT_TAKEN rule looks at for such a booking:
// its occupied interval. Empty when the engine refuses the booking before
// that rule (no such service, a duration it does not offer), so that no
// nonsense interval reaches the database.
inline Interval slot_taken_window(const ServiceConfig* service, Instant start, std::optional<int> duration_minutes) {
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

using domain::BookingStatus;

// A refund asked of Stripe for a paid booking (migration 017, table refunds).
struct PaymentRefund {
    std::string id, currency, status, reason;
    std::int64_t amount = 0;
    Timestamp created_at{};
};

// What a paid booking asks for and what Stripe has taken (migration 017,
// table payments). `client_secret` lets the payer's browser confirm the
// intent: booking_json never shows it unless handed a PaymentWidget.
struct BookingPayment {
    std::string mode;  // "full" | "deposit"
    std::int64_t amount = 0;
    std::string currency;
    std::string status;  // creating, requires_payment_method, processing, succeeded, canceled, failed
    Timestamp expires_at{};
    std::int64_t amount_received = 0, refunded_amount = 0;
    std::optional<std::string> intent_id, client_secret, last_error;
    std::vector<PaymentRefund> refunds;
};

// What Stripe.js in the client's browser needs to take the card: shown only
// in the answer that creates the booking (and its replay) and to the
// booking's client while it is HELD.
struct PaymentWidget {
    std::string client_secret, publishable_key;
};

struct Booking {
    std::string id, provider_id, service_id;
    BookingStatus status = BookingStatus::pending;
    Instant start{}, end{}, occupied_start{}, occupied_end{};
    int duration_minutes = 0;
    Client client;
    std::optional<std::string> client_time_zone, notes, meeting_link;
    std::string manage_token_sha256;
    std::int64_t price_amount = 0;
    std::string currency;
    json cancellation_policy;
    Timestamp created_at{}, updated_at{};
    std::optional<Instant> cancelled_at;
    std::optional<std::string> cancellation_reason, cancelled_by;
    std::optional<std::int64_t> refund_amount;
    std::string client_key;                     // the normalised address (client_address.h)
    // A HELD hold or a PENDING request lapses then: a Timestamp, as it counts from the
    // clock reading at which the request was made.
    std::optional<Timestamp> expires_at;
    std::optional<std::int64_t> refund_ceiling; // set by a reschedule: at most this refund on a client cancel
    std::optional<std::string> client_locale;   // the widget's locale: the language of the client's mails
    // Numbers the booking's events (domain/booking_events.h): 0 for the first.
    int event_sequence = 0;
    // The manage token sealed with the server's key (domain/server_keys.h), for later mails' manage links.
    std::optional<std::string> manage_token_sealed;
    // The booking's payment (a paid service's), read with the booking.
    std::optional<BookingPayment> payment;

    // What the "when" of a transition of this booking looks at (booking_status.h).
    domain::TransitionMoment moment(Timestamp now) const { return {now, start, expires_at}; }
};

// Request bodies after shape checks (not yet checked against any provider).
struct BookingRequest {
    std::string provider, service, start_text;
    Instant start{};
    std::optional<int> duration_minutes;
    Client client;
    std::optional<std::string> notes, time_zone;
    // The widget's locale (BCP 47, e.g. "de-AT"): the language of the mails.
    std::optional<std::string> locale;
};

// POST /v1/bookings/{id}/verify: the code mailed to the client.
struct VerifyRequest {
    std::string code;
};

struct RescheduleRequest {
    std::string start_text;
    Instant start{};
    std::optional<int> duration_minutes;
};

}  // namespace slotwise::server
