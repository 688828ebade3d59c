// The one place where the domain's answers become HTTP: a domain error's
// status code, problem document (RFC 9457) and headers; each use case's
// result as status, content type and body. http_api.cpp answers only
// through these.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "domain/booking_service.h"
#include "domain/domain_error.h"
#include "http/http_server.h"

namespace slotwise::server::http {

int status_of(domain::ErrorKind kind);

// application/problem+json with Retry-After when the error says when to
// retry and WWW-Authenticate when it names the credential to present.
Response problem_response(const domain::DomainError& error);
// A problem the HTTP layer finds itself (framing, limits), with its status.
Response http_problem(int status, const std::string& code, const std::string& detail);

Response json_response(int status, const nlohmann::json& document);

// The results of the use cases.
Response booking_response(const BookingView& booking);  // 200, or 201 with the manage token of a new booking
Response created_or_replayed(const BookingOutcome& outcome);
Response provider_response(const SavedProvider& saved);
Response booking_list_response(const BookingList& list);
Response snapshot_response(const SnapshotDocument& snapshot);
Response slots_response(const SlotList& slots);
Response calendar_response(const CalendarFile& file);
Response health_response(const HealthReport& health);

// How a booking request's answer is kept under its Idempotency-Key: as this
// mapping renders it, so that a replay is the first answer byte for byte.
class KeptAsAnswered : public AnswerKeeper {
public:
    KeptAnswer created(const BookingView& booking) const override;
    KeptAnswer refused(const domain::DomainError& refusal) const override;
};

}  // namespace slotwise::server::http
