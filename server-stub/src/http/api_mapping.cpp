#include "http/api_mapping.h"

#include "domain/booking_json.h"
#include "http/problem.h"

namespace slotwise::server::http {

using domain::ErrorKind;

int status_of(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::invalid_input: return 400;
        case ErrorKind::unauthenticated: return 401;
        case ErrorKind::forbidden: return 403;
        case ErrorKind::not_found: return 404;
        case ErrorKind::conflict: return 409;
        case ErrorKind::gone: return 410;
        case ErrorKind::too_large: return 413;
        case ErrorKind::refused: return 422;
        case ErrorKind::rate_limited: return 429;
        case ErrorKind::unavailable: return 503;
        case ErrorKind::internal: return 500;
    }
    return 500;
}

namespace {

Response with_body(int status, std::string content_type, std::string body,
                   std::vector<std::pair<std::string, std::string>> headers = {}) {
    Response r;
    r.status = status;
    r.headers = std::move(headers);
    r.headers.emplace_back("Content-Type", std::move(content_type));
    r.set_body(std::move(body));
    return r;
}

nlohmann::json booking_document(const BookingView& view) {
    return {{"booking", booking_json(view.booking, view.manage_token)}};
}

}  // namespace

Response problem_response(const domain::DomainError& error) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (error.retry_after) headers.emplace_back("Retry-After", std::to_string(*error.retry_after));
    if (error.challenge) headers.emplace_back("WWW-Authenticate", *error.challenge);
    const int status = status_of(error.kind);
    return with_body(status, "application/problem+json", problem_body(status, error.code, error.what(), error.extensions),
                     std::move(headers));
}

Response http_problem(int status, const std::string& code, const std::string& detail) {
    return with_body(status, "application/problem+json", problem_body(status, code, detail));
}

Response json_response(int status, const nlohmann::json& document) {
    return with_body(status, "application/json", document.dump());
}

Response booking_response(const BookingView& booking) {
    return json_response(booking.manage_token ? 201 : 200, booking_document(booking));
}

Response created_or_replayed(const BookingOutcome& outcome) {
    if (const auto* created = std::get_if<BookingView>(&outcome)) return booking_response(*created);
    const auto& kept = std::get<KeptAnswer>(outcome);
    return with_body(kept.status, kept.status >= 400 ? "application/problem+json" : "application/json", kept.body,
                     {{"Idempotent-Replayed", "true"}});
}

Response provider_response(const SavedProvider& saved) { return json_response(saved.created ? 201 : 200, saved.document); }

Response booking_list_response(const BookingList& list) {
    nlohmann::json bookings = nlohmann::json::array();
    for (const Booking& b : list.bookings) bookings.push_back(booking_json(b));
    return json_response(200, {{"provider", list.provider_id},
                               {"from", format_date(list.from)},
                               {"to", format_date(list.to)},
                               {"bookings", std::move(bookings)}});
}

Response snapshot_response(const SnapshotDocument& snapshot) {
    return with_body(200, "application/json", snapshot.json_text);
}

Response slots_response(const SlotList& slots) { return with_body(200, "application/json", slots.json_text); }

Response calendar_response(const CalendarFile& file) {
    return with_body(200, "text/calendar; charset=utf-8", file.text,
                     {{"Content-Disposition", "attachment; filename=\"" + file.file_name + "\""}});
}

Response health_response(const HealthReport& health) {
    return json_response(200, {{"status", "ok"}, {"database", health.database}, {"jobs", jobs::to_json(health.jobs)}});
}

KeptAnswer KeptAsAnswered::created(const BookingView& booking) const {
    const Response r = booking_response(booking);
    return {r.status, *r.body};
}

KeptAnswer KeptAsAnswered::refused(const domain::DomainError& refusal) const {
    const Response r = problem_response(refusal);
    return {r.status, *r.body};
}

}  // namespace slotwise::server::http
