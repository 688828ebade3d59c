// One line of the access log: a JSON object and a newline, whatever bytes
// the request carried (long, full of quotes and backslashes, not UTF-8).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include <slotwise/time.h>

namespace slotwise::server::http {

struct AccessLogEntry {
    Timestamp at;
    std::string_view remote, method;
    // Without the query string: it can carry a manage token.
    std::string_view path;
    int status = 0;
    std::size_t bytes = 0;
    std::chrono::steady_clock::duration took{};
};

// The method is cut to 16 bytes and the path to 256, so that a line stays
// short; bytes that are not UTF-8 become U+FFFD.
std::string access_log_line(const AccessLogEntry& entry);

}  // namespace slotwise::server::http
