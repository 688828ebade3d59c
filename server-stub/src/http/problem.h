// RFC 9457 problem documents, and the domain's error vocabulary for the
// server's files. Which status a domain error answers with is decided in one
// place, http/api_mapping.cpp; this file only writes the document.
#pragma once

#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "domain/domain_error.h"

namespace slotwise::server {

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

}  // namespace slotwise::server
