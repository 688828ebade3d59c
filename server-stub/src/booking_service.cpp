// Bookings: the locked insert, idempotency, and the life of a booking.
#include "booking_service.h"

#include <algorithm>

#include "booking_json.h"
#include "crypto.h"
#include "engine_calls.h"
#include "records.h"
#include "request_parsing.h"
#include "zone_time.h"

namespace slotwise::server {
namespace {

// Busy intervals that can touch a booking starting at `t`: the occupied
// interval reaches at most one day before it and two days after.
constexpr Seconds kBusyBefore = 2 * kDay, kBusyAfter = 3 * kDay;

std::string lowercase(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

Reply json_reply(int status, const json& body) { return Reply{status, body.dump(), "application/json", {}}; }

ApiError invalid_transition(const Booking& b, const std::string& action) {
    return ApiError(409, "INVALID_TRANSITION", "cannot " + action + " a booking that is " + b.status);
}

}  // namespace

BookingService::BookingService(Store& store, const Clock& clock, ServiceOptions options)
    : store_(store), clock_(clock), options_(std::move(options)) {
    if (options_.meeting_base_url.empty() || options_.meeting_base_url.back() != '/') options_.meeting_base_url += '/';
}

std::string BookingService::new_meeting_link() const {
    return options_.meeting_base_url + "slotwise-" + random_token(20);  // 160 random bits
}

Reply BookingService::create_booking(const std::optional<std::string>& key, std::string_view body) {
    if (!key) throw ApiError(400, "IDEMPOTENCY_KEY_MISSING", "POST /v1/bookings needs an Idempotency-Key header");
    if (!is_valid_idempotency_key(*key))
        throw ApiError(400, "INVALID_REQUEST", "Idempotency-Key must be 1..255 visible ASCII characters");
    const json parsed = parse_json_body(body);
    const BookingRequest request = parse_booking_request(parsed);
    // The fingerprint is of the parsed document, so key order and spacing do not matter.
    const std::string fingerprint = sha256_hex(parsed.dump());
    const std::string owner = random_token(16);

    auto s = store_.session();
    for (int attempt = 0;; ++attempt) {
        const Seconds now = clock_.now();
        if (records::claim_idempotency_key(*s, *key, fingerprint, owner, now)) break;
        auto seen = records::load_idempotency_key(*s, *key);
        if (!seen) continue;  // purged meanwhile: claim again
        const bool expired = seen->created_at <= now - options_.idempotency_ttl;
        const bool abandoned = seen->state == "IN_FLIGHT" && seen->created_at <= now - options_.idempotency_lease;
        if (expired || abandoned) {
            if (records::take_over_idempotency_key(*s, *key, *seen, fingerprint, owner, now)) break;
            if (attempt < 3) continue;
        }
        if (seen->request_sha256 != fingerprint)
            throw ApiError(422, "IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used with a different body");
        if (seen->state != "DONE") {
            ApiError e(409, "IDEMPOTENCY_KEY_IN_FLIGHT", "a request with this Idempotency-Key is still running");
            e.headers.emplace_back("Retry-After", "1");
            throw e;
        }
        Reply replay{seen->status.value_or(200), seen->response.value_or(""), "application/json", {}};
        if (replay.status >= 400) replay.content_type = "application/problem+json";
        replay.headers.emplace_back("Idempotent-Replayed", "true");
        return replay;
    }
    s.reset();

    try {
        return book(request, *key, owner);
    } catch (const ApiError& e) {
        // A refusal is the request's answer too: the same key replays it.
        auto s2 = store_.session();
        records::finish_idempotency_key(*s2, *key, owner, e.status, problem_body(e), clock_.now());
        throw;
    } catch (...) {
        try {
            auto s2 = store_.session();
            records::release_idempotency_key(*s2, *key, owner);
        } catch (...) {
        }
        throw;
    }
}

Reply BookingService::book(const BookingRequest& r, const std::string& key, const std::string& owner) {
    const Seconds now = clock_.now_minute();
    const std::string email = lowercase(r.client.email);
    // The configuration is read before the lock, to keep the locked part
    // short; a provider PUT racing a booking is ordered either way.
    const auto provider = records::load_provider(*store_.session(), r.provider);
    if (!provider) throw ApiError(404, "UNKNOWN_PROVIDER", "no provider " + r.provider);
    const ServiceConfig* service = provider->service(r.service);
    if (!service) throw ApiError(404, "UNKNOWN_SERVICE", "no service " + r.service);
    Reply reply;
    try {
        store_.write(r.provider, [&](Session& tx) {
            engine_validate(*provider, records::busy(tx, r.provider, r.start - kBusyBefore, r.start + kBusyAfter),
                            r.service, r.start, r.duration_minutes, now);
            if (records::no_show_count(tx, r.provider, email) > 0 &&
                local_date(provider->time_zone, r.start) == local_date(provider->time_zone, now))
                throw ApiError(422, "CLIENT_LOCKED_OUT", "after a no-show, same-day bookings with this provider are closed");
            if (service->requires_confirmation && records::open_pending_count(tx, r.provider, email) >= options_.pending_cap)
                throw ApiError(422, "TOO_MANY_PENDING", "this client already has the maximum of open PENDING bookings");

            Booking b;
            b.id = "bk_" + random_token(15);
            const std::string manage_token = random_token(20);
            b.manage_token_sha256 = sha256_hex(manage_token);
            b.provider_id = r.provider;
            b.service_id = r.service;
            b.status = service->requires_confirmation ? "PENDING" : "CONFIRMED";
            b.duration_minutes = r.duration_minutes.value_or(service->durations.front());
            b.start = r.start;
            b.end = r.start + b.duration_minutes * kMinute;
            b.occupied_start = b.start - service->buffer_before_minutes * kMinute;
            b.occupied_end = b.end + service->buffer_after_minutes * kMinute;
            b.client = r.client;
            b.client.email = email;
            b.client_time_zone = r.time_zone;
            b.notes = r.notes;
            if (service->is_virtual && b.status == "CONFIRMED") b.meeting_link = new_meeting_link();
            b.price_amount = service->price_amount;
            b.currency = service->currency;
            b.cancellation_policy = service->cancellation_policy;
            b.created_at = b.updated_at = clock_.now();
            records::insert_booking(tx, b);
            records::remember_client(tx, r.provider, b.client);
            records::audit(tx, b.created_at, "client", "booking.create", "booking", b.id,
                           {{"status", b.status}, {"start", format_instant(b.start)}, {"idempotency_key", key}});
            reply = json_reply(201, {{"booking", booking_json(b, manage_token)}});
            // Same transaction as the insert: an acknowledged booking always replays.
            if (!records::finish_idempotency_key(tx, key, owner, reply.status, reply.body, clock_.now()))
                throw ApiError(409, "IDEMPOTENCY_KEY_IN_FLIGHT", "this Idempotency-Key was taken over by another request");
        });
    } catch (const OverlapError&) {
        throw ApiError(409, "SLOT_TAKEN", "the slot is taken");
    }
    return reply;
}

Booking BookingService::authorized_booking(Session& s, const std::string& booking_id,
                                           const std::optional<std::string>& token) {
    if (!token || token->empty()) throw ApiError(401, "TOKEN_REQUIRED", "the manage token is missing (?token=)");
    auto b = records::load_booking(s, booking_id);
    // The hash is compared even for an unknown booking, so timing tells nothing.
    const bool match = constant_time_equal(sha256_hex(*token), b ? b->manage_token_sha256 : std::string(64, '0'));
    if (!b) throw ApiError(404, "UNKNOWN_BOOKING", "no booking " + booking_id);
    if (!match) throw ApiError(403, "INVALID_TOKEN", "the manage token does not match this booking");
    return *b;
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
        Booking b = *records::load_booking(*s, booking_id);
        if (b.status != "PENDING" && b.status != "CONFIRMED") throw invalid_transition(b, "cancel");
        const std::string before = b.status;
        b.status = "CANCELLED";
        b.cancelled_at = clock_.now_minute();
        b.cancelled_by = "client";
        b.cancellation_reason = reason;
        b.refund_amount = engine_refund(b, *b.cancelled_at, "client");
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
    const Seconds now = clock_.now_minute();
    try {
        return in_transaction(*s, provider_id, [&] {
            Booking b = *records::load_booking(*s, booking_id);
            if (b.status != "PENDING" && b.status != "CONFIRMED") throw invalid_transition(b, "reschedule");
            auto provider = records::load_provider(*s, b.provider_id);
            const ServiceConfig* service = provider ? provider->service(b.service_id) : nullptr;
            if (!service) throw ApiError(422, "SERVICE_INACTIVE", "the booked service is no longer offered");
            const int duration = r.duration_minutes.value_or(b.duration_minutes);
            // The booking's own time does not block its new time.
            engine_validate(*provider, records::busy(*s, b.provider_id, r.start - kBusyBefore, r.start + kBusyAfter, b.id),
                            b.service_id, r.start, duration, now);
            const Seconds old_start = b.start;
            b.duration_minutes = duration;
            b.start = r.start;
            b.end = r.start + duration * kMinute;
            b.occupied_start = b.start - service->buffer_before_minutes * kMinute;
            b.occupied_end = b.end + service->buffer_after_minutes * kMinute;
            b.updated_at = clock_.now();
            if (!records::update_booking(*s, b, b.status)) throw invalid_transition(b, "reschedule");
            records::audit(*s, b.updated_at, "client", "booking.reschedule", "booking", b.id,
                           {{"from", format_instant(old_start)}, {"to", format_instant(b.start)}});
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
        Booking b = *found;
        const std::string before = b.status;
        const Seconds now = clock_.now_minute();
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
                b.refund_amount = engine_refund(b, now, "no_show");
                records::count_no_show(*s, b.provider_id, b.client.email, now);
            }
        } else if (action == "cancel") {
            if (b.status != "PENDING" && b.status != "CONFIRMED") throw invalid_transition(b, action);
            b.status = "CANCELLED";
            b.cancelled_at = now;
            b.cancelled_by = "provider";
            b.cancellation_reason = reason;
            b.refund_amount = engine_refund(b, now, "provider");
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
