#include "domain/booking_events.h"

#include <stdexcept>

#include "domain/booking_json.h"
#include "jobs/job_queue.h"
#include "support/crypto.h"

namespace slotwise::server::domain {
namespace {

// Events of one booking are many and a job can fail for good: a dead
// fan-out is visible in /healthz and job_runs, and its jobs are idempotent,
// so an operator may requeue it.
constexpr int kFanOutAttempts = 10;

}  // namespace

std::string BookingEvent::id() const { return "evt_" + booking_id + "_" + std::to_string(sequence); }

nlohmann::json to_json(const BookingEvent& event) {
    nlohmann::json j = {{"type", event_name(event.type)},
                        {"booking_id", event.booking_id},
                        {"sequence", event.sequence},
                        {"occurred_at", format_timestamp(event.occurred_at)},
                        {"occurred_at_epoch", epoch_seconds(event.occurred_at)},
                        {"actor", event.actor},
                        {"booking", event.booking}};
    if (event.previous_start) j["previous_start"] = format_instant(*event.previous_start);
    if (event.previous_end) j["previous_end"] = format_instant(*event.previous_end);
    if (event.webhooks_only) j["webhooks_only"] = true;
    return j;
}

BookingEvent booking_event_from_json(const nlohmann::json& payload) {
    auto instant = [](const nlohmann::json& text, const char* what) {
        auto parsed = text.is_string() ? parse_instant(text.get<std::string>()) : std::nullopt;
        if (!parsed) throw std::invalid_argument(std::string("booking event: ") + what + " is not an instant");
        return *parsed;
    };
    if (!payload.is_object()) throw std::invalid_argument("booking event: not an object");
    BookingEvent e;
    const auto type = event_type_from_name(payload.value("type", ""));
    if (!type) throw std::invalid_argument("booking event: unknown type " + payload.value("type", std::string("(none)")));
    e.type = *type;
    e.booking_id = payload.value("booking_id", "");
    if (e.booking_id.empty()) throw std::invalid_argument("booking event: no booking_id");
    e.sequence = payload.value("sequence", 0);
    e.occurred_at = timestamp_from_epoch(payload.value("occurred_at_epoch", std::int64_t{0}));
    e.actor = payload.value("actor", "system");
    e.booking = payload.value("booking", nlohmann::json::object());
    if (payload.contains("previous_start")) e.previous_start = instant(payload["previous_start"], "previous_start");
    if (payload.contains("previous_end")) e.previous_end = instant(payload["previous_end"], "previous_end");
    e.webhooks_only = payload.value("webhooks_only", false);
    return e;
}

Statement booking_event_statement(Booking& booking, BookingEventType type, std::string_view actor, Timestamp now,
                                  std::optional<Interval> previous_time, bool webhooks_only) {
    // `created` is a booking's first event, whatever came before it (a
    // HELD booking's hold made none); every later event counts up.
    if (type != BookingEventType::created) ++booking.event_sequence;
    BookingEvent event;
    event.type = type;
    event.booking_id = booking.id;
    event.sequence = booking.event_sequence;
    event.occurred_at = now;
    event.actor = std::string(actor);
    event.booking = booking_json(booking);
    event.webhooks_only = webhooks_only;
    if (previous_time) {
        event.previous_start = previous_time->start;
        event.previous_end = previous_time->end;
    }
    return jobs::enqueue_statement({kBookingEventJob,
                                    std::string(kBookingEventJob) + ":" + booking.id + ":" + std::to_string(event.sequence),
                                    to_json(event), now, kFanOutAttempts},
                                   now);
}

std::string manage_token_key(const ServerKeys& keys) { return keys.derive("slotwise bookings v1", "manage token"); }

std::string seal_manage_token(std::string_view key, const std::string& booking_id, std::string_view token) {
    return seal(key, token, "manage token " + booking_id);
}

std::optional<std::string> open_manage_token(std::string_view key, const Booking& booking) {
    if (!booking.manage_token_sealed || key.size() != 32) return std::nullopt;
    auto token = open_sealed(key, *booking.manage_token_sealed, "manage token " + booking.id);
    // A token that does not hash to the stored one would be a broken link.
    if (!token || !constant_time_equal(sha256_hex(*token), booking.manage_token_sha256)) return std::nullopt;
    return token;
}

}  // namespace slotwise::server::domain
