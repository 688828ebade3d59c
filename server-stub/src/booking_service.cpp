// The life of a booking after it is made: reading it, its calendar file,
// cancel, reschedule and the provider's transitions. Making it is in
// locked_insert.cpp.
#include "booking_service.h"


#include "booking_json.h"
#include "client_address.h"
#include "crypto.h"
#include "engine_calls.h"
#include "records.h"
#include "request_parsing.h"

namespace slotwise::server {
namespace {

ApiError invalid_transition(const Booking& b, const std::string& action) {
    return ApiError(409, "INVALID_TRANSITION", "cannot " + action + " a booking that is " + b.status);
}

// A booking stored before migration 004 may not have its key yet.
std::string client_key_of(const Booking& b) { return b.client_key.empty() ? client_key(b.client.email) : b.client_key; }

// A client cancel refunds what the policy gives now, but never more than a
// cancel at the time of an earlier reschedule would have.
std::int64_t client_refund(const Booking& b, Instant at) {
    const std::int64_t policy = engine_refund(b, at, slotwise::CancelledBy::client);
    return b.refund_ceiling ? std::min(policy, *b.refund_ceiling) : policy;
}

}  // namespace

BookingService::BookingService(Store& store, const Clock& clock, ServiceOptions options)
    : store_(store),
      clock_(clock),
      options_(std::move(options)),
      locked_inserts_([this](const std::vector<BookingJob*>& jobs) { run_booking_batch(jobs); }) {
    if (options_.meeting_base_url.empty() || options_.meeting_base_url.back() != '/') options_.meeting_base_url += '/';
}

Booking BookingService::as_of_now(Booking b) const {
    if (b.overdue(clock_.now())) b.status = "EXPIRED";
    return b;
}

std::string BookingService::new_meeting_link() const {
    return options_.meeting_base_url + "slotwise-" + random_token(20);  // 160 random bits
}

Booking BookingService::authorized_booking(Session& s, const std::string& booking_id,
                                           const std::optional<std::string>& token) {
    if (!token || token->empty()) throw ApiError(401, "TOKEN_REQUIRED", "the manage token is missing (?token=)");
    auto b = records::load_booking(s, booking_id);
    // The hash is compared even for an unknown booking, so timing tells nothing.
    const bool match = constant_time_equal(sha256_hex(*token), b ? b->manage_token_sha256 : std::string(64, '0'));
    if (!b) throw ApiError(404, "UNKNOWN_BOOKING", "no booking " + booking_id);
    if (!match) throw ApiError(403, "INVALID_TOKEN", "the manage token does not match this booking");
    return as_of_now(*b);
}

Reply BookingService::get_booking(const std::string& booking_id, const std::optional<std::string>& token) {
    auto s = store_.session();
    return json_reply(200, {{"booking", booking_json(authorized_booking(*s, booking_id, token))}});
}

Reply BookingService::booking_calendar(const std::string& booking_id, const std::optional<std::string>& token) {
    auto s = store_.session();
    const Booking b = authorized_booking(*s, booking_id, token);
    auto provider = records::load_provider(*s, b.provider_id);
    Reply reply{200, booking_ics(b, provider ? &*provider : nullptr, clock_.now()), "text/calendar; charset=utf-8", {}};
    reply.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + b.id + ".ics\"");
    return reply;
}

Reply BookingService::cancel_booking(const std::string& booking_id, const std::optional<std::string>& token,
                                     std::string_view body) {
    const auto reason = parse_cancel_reason(parse_json_body(body, /*empty_is_object=*/true));
    auto s = store_.session();
    authorized_booking(*s, booking_id, token);
    return in_transaction(*s, std::nullopt, [&] {
        Booking b = as_of_now(*records::load_booking(*s, booking_id));
        if (b.status != "PENDING" && b.status != "CONFIRMED") throw invalid_transition(b, "cancel");
        const std::string before = b.status;
        b.status = "CANCELLED";
        b.cancelled_at = clock_.now_minute();
        b.cancelled_by = "client";
        b.cancellation_reason = reason;
        b.refund_amount = client_refund(b, *b.cancelled_at);
        b.updated_at = clock_.now();
        if (!records::update_booking(*s, b, before)) throw invalid_transition(b, "cancel");
        records::audit(*s, b.updated_at, "client", "booking.cancel", "booking", b.id,
                       {{"from", before}, {"refund", *b.refund_amount}});
        return json_reply(200, {{"booking", booking_json(b)}});
    });
}

Reply BookingService::reschedule_booking(const std::string& booking_id, const std::optional<std::string>& token,
                                         std::string_view body) {
    const RescheduleRequest r = parse_reschedule_request(parse_json_body(body));
    auto s = store_.session();
    const std::string provider_id = authorized_booking(*s, booking_id, token).provider_id;
    const Instant now = clock_.now_minute();
    try {
        return in_transaction(*s, provider_id, [&] {
            Booking b = as_of_now(*records::load_booking(*s, booking_id));
            if (b.status != "PENDING" && b.status != "CONFIRMED") throw invalid_transition(b, "reschedule");
            const auto provider = providers_.get(*s, b.provider_id);
            const ServiceConfig* service = provider ? provider->config.service(b.service_id) : nullptr;
            if (!service) throw ApiError(422, "SERVICE_INACTIVE", "the booked service is no longer offered");
            const int duration = r.duration_minutes.value_or(b.duration_minutes);
            // The booking's own time does not block its new time.
            const Interval window = slot_taken_window(service, r.start, duration);
            engine_validate(provider->engine_snapshot,
                            records::busy(*s, b.provider_id, window.start, window.end, clock_.now(), b.id),
                            b.service_id, r.start, duration, now);
            // The same-day lock-out applies to a moved booking as to a new one.
            const TimeZone& zone = *provider->engine_snapshot.zone;
            if (records::client_standing(*s, b.provider_id, client_key_of(b), clock_.now()).no_shows > 0 &&
                zone.local_date(r.start) == zone.local_date(now))
                throw ApiError(422, "CLIENT_LOCKED_OUT", "after a no-show, same-day bookings with this provider are closed");
            // What a cancel would refund now caps every later cancel: moving
            // the booking later must not buy back a refund the policy has
            // already withdrawn.
            b.refund_ceiling = client_refund(b, now);
            if (b.expires_at) b.expires_at = std::min<Timestamp>(*b.expires_at, r.start);
            // Requests past their expiry that the busy read left out are
            // marked EXPIRED, so that the database's overlap backstop agrees.
            for (const auto& st : records::expire_overdue_statements(b.provider_id, clock_.now())) s->exec(st);
            const Instant old_start = b.start;
            b.duration_minutes = duration;
            b.start = r.start;
            b.end = r.start + Minutes{duration};
            const Interval occupied = occupied_interval(*service, b.start, duration);
            b.occupied_start = occupied.start;
            b.occupied_end = occupied.end;
            b.updated_at = clock_.now();
            if (!records::update_booking(*s, b, b.status)) throw invalid_transition(b, "reschedule");
            records::audit(*s, b.updated_at, "client", "booking.reschedule", "booking", b.id,
                           {{"from", format_instant(old_start)}, {"to", format_instant(b.start)},
                            {"refund_ceiling", *b.refund_ceiling}});
            return json_reply(200, {{"booking", booking_json(b)}});
        });
    } catch (const OverlapError&) {
        throw ApiError(409, "SLOT_TAKEN", "the slot is taken");
    }
}

Reply BookingService::provider_transition(const std::string& booking_id, const std::string& action,
                                          std::string_view body) {
    const auto reason = parse_cancel_reason(parse_json_body(body, /*empty_is_object=*/true));
    auto s = store_.session();
    return in_transaction(*s, std::nullopt, [&] {
        auto found = records::load_booking(*s, booking_id);
        if (!found) throw ApiError(404, "UNKNOWN_BOOKING", "no booking " + booking_id);
        Booking b = as_of_now(*found);
        const std::string before = b.status;
        const Instant now = clock_.now_minute();
        if (action == "confirm") {
            if (b.status != "PENDING") throw invalid_transition(b, action);
            b.status = "CONFIRMED";
            auto provider = records::load_provider(*s, b.provider_id);
            const ServiceConfig* service = provider ? provider->service(b.service_id) : nullptr;
            if (service && service->is_virtual && !b.meeting_link) b.meeting_link = new_meeting_link();
        } else if (action == "complete" || action == "no-show") {
            if (b.status != "CONFIRMED") throw invalid_transition(b, action);
            if (now < b.start) throw ApiError(409, "INVALID_TRANSITION", "the appointment has not started yet");
            b.status = action == "complete" ? "COMPLETED" : "NO_SHOW";
            if (action == "no-show") {
                b.refund_amount = engine_refund(b, now, slotwise::CancelledBy::no_show);
                records::count_no_show(*s, b.provider_id, client_key_of(b), now);
            }
        } else if (action == "cancel") {
            if (b.status != "PENDING" && b.status != "CONFIRMED") throw invalid_transition(b, action);
            b.status = "CANCELLED";
            b.cancelled_at = now;
            b.cancelled_by = "provider";
            b.cancellation_reason = reason;
            b.refund_amount = engine_refund(b, now, slotwise::CancelledBy::provider);
        } else {
            throw ApiError(404, "NOT_FOUND", "no such transition");
        }
        b.updated_at = clock_.now();
        if (!records::update_booking(*s, b, before)) throw invalid_transition(b, action);
        records::audit(*s, b.updated_at, "admin", "booking." + action, "booking", b.id, {{"from", before}, {"to", b.status}});
        return json_reply(200, {{"booking", booking_json(b)}});
    });
}

}  // namespace slotwise::server
