// The one error type the use cases throw. The HTTP layer turns it into an
// RFC 9457 problem+json answer; `code` is the stable, documented identifier.
#pragma once

#include <cctype>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace slotwise::server {

struct ApiError : std::runtime_error {
    ApiError(int status, std::string code, std::string detail)
        : std::runtime_error(detail), status(status), code(std::move(code)) {}
    int status;
    std::string code;
    // Extra members of the problem document (JSON-encoded values).
    std::vector<std::pair<std::string, std::string>> extensions;
    // Extra response headers (e.g. Retry-After).
    std::vector<std::pair<std::string, std::string>> headers;
};

inline ApiError bad_request(const std::string& detail) { return ApiError(400, "INVALID_REQUEST", detail); }

// {"type": "/errors/slot-taken", "title": "Slot taken", "status": 409, "code": "SLOT_TAKEN", "detail": ...}
inline std::string problem_body(int status, const std::string& code, const std::string& detail,
                                const std::vector<std::pair<std::string, std::string>>& extensions = {}) {
    std::string slug, title;
    for (std::size_t i = 0; i < code.size(); ++i) {
        const char c = code[i];
        slug += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        title += c == '_' ? ' ' : i == 0 ? c : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    nlohmann::json j = {{"type", "/errors/" + slug}, {"title", title}, {"status", status}, {"code", code},
                        {"detail", detail}};
    for (const auto& [key, value] : extensions) j[key] = nlohmann::json::parse(value, nullptr, false);
    // Details may quote client input; replacing invalid UTF-8 keeps the answer valid JSON.
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

inline std::string problem_body(const ApiError& e) { return problem_body(e.status, e.code, e.what(), e.extensions); }

}  // namespace slotwise::server
