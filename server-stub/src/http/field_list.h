// Header fields whose value is a comma-separated list (RFC 9110 5.6.1):
// Accept-Encoding, If-None-Match, ... One splitter for all of them.
#pragma once

#include <string_view>

namespace slotwise::server::http {

// Calls `visit` with each non-empty element of `value`, surrounding spaces
// and tabs removed, until `visit` returns true; returns whether one did.
template <class Visit>
bool any_list_element(std::string_view value, Visit&& visit) {
    std::size_t start = 0;
    while (start < value.size()) {
        std::size_t comma = value.find(',', start);
        if (comma == std::string_view::npos) comma = value.size();
        std::string_view element = value.substr(start, comma - start);
        start = comma + 1;
        while (!element.empty() && (element.front() == ' ' || element.front() == '\t')) element.remove_prefix(1);
        while (!element.empty() && (element.back() == ' ' || element.back() == '\t')) element.remove_suffix(1);
        if (!element.empty() && visit(element)) return true;
    }
    return false;
}

}  // namespace slotwise::server::http
