// The errors of the use cases, free of HTTP: a kind (what went wrong, in the
// caller's terms), a stable code (documented, api.md), a detail for people
// and what the caller needs to act on it. http/api_mapping.* turns one into
// a status code and an RFC 9457 problem document; nothing else does.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace slotwise::server::domain {

enum class ErrorKind {
    invalid_input,    // the request is malformed or out of range
    unauthenticated,  // no credential, or one that proves nothing
    forbidden,        // a credential, but not one for this
    not_found,        // no such thing (or none this actor may see)
    conflict,         // the state of things does not allow it now
    gone,             // it existed but is no longer usable
    too_large,        // the request is larger than accepted
    refused,          // well-formed, but a rule of the domain refuses it
    rate_limited,     // too many attempts; retry later
    unavailable,      // a dependency (the database) cannot answer now
    internal,         // a fault of the server
};

struct DomainError : std::runtime_error {
    DomainError(ErrorKind kind, std::string code, std::string detail)
        : std::runtime_error(std::move(detail)), kind(kind), code(std::move(code)) {}

    ErrorKind kind;
    std::string code;
    // Seconds after which trying again may succeed.
    std::optional<int> retry_after;
    // The credential scheme the caller should present ("Bearer"), when the
    // error is about a missing or invalid one of that scheme.
    std::optional<std::string> challenge;
    // Further members for the caller, each a JSON-encoded value (e.g. the
    // engine's `path` of a refused configuration).
    std::vector<std::pair<std::string, std::string>> extensions;

    DomainError& retry_after_seconds(int seconds) {
        retry_after = seconds;
        return *this;
    }
    DomainError& with_challenge(std::string scheme) {
        challenge = std::move(scheme);
        return *this;
    }
    DomainError& with_extension(std::string name, std::string json_value) {
        extensions.emplace_back(std::move(name), std::move(json_value));
        return *this;
    }
};

inline DomainError invalid_input(std::string detail) {
    return DomainError(ErrorKind::invalid_input, "INVALID_REQUEST", std::move(detail));
}

}  // namespace slotwise::server::domain

namespace slotwise::server {
// The server's layers speak of domain errors by their short names.
using domain::DomainError;
using domain::ErrorKind;
using domain::invalid_input;
}  // namespace slotwise::server
