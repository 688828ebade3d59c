// The one place where the domain's answers become HTTP: a domain error's
// status code, problem document (RFC 9457) and headers; a result's status,
// content type and body. http_api.cpp answers only through these.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "domain/domain_error.h"
#include "http/http_server.h"

namespace slotwise::server::http {

int status_of(domain::ErrorKind kind);

// application/problem+json with Retry-After when the error says when to
// retry and WWW-Authenticate when it names the credential to present.
Response problem_response(const domain::DomainError& error);

// A JSON document with the given status.
Response json_response(int status, const nlohmann::json& document);
// A JSON document already serialised (the engine's slots answer).
Response json_text_response(int status, std::string text);

}  // namespace slotwise::server::http
