#include "http/api_mapping.h"

#include "problem.h"

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

Response problem_response(const domain::DomainError& error) {
    Response r;
    r.status = status_of(error.kind);
    if (error.retry_after) r.headers.emplace_back("Retry-After", std::to_string(*error.retry_after));
    if (error.challenge) r.headers.emplace_back("WWW-Authenticate", *error.challenge);
    r.headers.emplace_back("Content-Type", "application/problem+json");
    r.set_body(problem_body(r.status, error.code, error.what(), error.extensions));
    return r;
}

Response json_text_response(int status, std::string text) {
    Response r;
    r.status = status;
    r.headers.emplace_back("Content-Type", "application/json");
    r.set_body(std::move(text));
    return r;
}

Response json_response(int status, const nlohmann::json& document) { return json_text_response(status, document.dump()); }

}  // namespace slotwise::server::http
