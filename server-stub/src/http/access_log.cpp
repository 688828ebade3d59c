#include "http/access_log.h"

#include <nlohmann/json.hpp>

namespace slotwise::server::http {

std::string access_log_line(const AccessLogEntry& e) {
    // An ordered_json keeps the fields in the order a reader expects.
    const nlohmann::ordered_json line = {
        {"time", format_timestamp(e.at)},
        {"remote", e.remote},
        {"method", e.method.substr(0, 16)},
        {"path", e.path.substr(0, 256)},
        {"status", e.status},
        {"bytes", e.bytes},
        {"ms", std::chrono::duration<double, std::milli>(e.took).count()}};
    return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace slotwise::server::http
