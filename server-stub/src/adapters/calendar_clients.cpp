#include "adapters/calendar_clients.h"

#include "adapters/caldav_client.h"

namespace slotwise::server::adapters {

std::unique_ptr<CalendarClient> make_calendar_client(const std::string& kind, const std::optional<std::string>& url,
                                                     const nlohmann::json& credentials, const HttpClientOptions& http,
                                                     std::optional<std::pair<Instant, Instant>> query_window) {
    if (kind == "caldav") {
        auto client = std::make_unique<CaldavClient>(url.value_or(""), credentials.value("username", std::string()),
                                                     credentials.value("password", std::string()), http);
        if (query_window) client->set_query_window(query_window->first, query_window->second);
        return client;
    }
    throw CalendarError(CalendarFailure::rejected, "no client for calendar kind \"" + kind + "\"");
}

}  // namespace slotwise::server::adapters
