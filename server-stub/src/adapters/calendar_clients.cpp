#include "adapters/calendar_clients.h"

// TEMPORARY until branch cal-caldav is merged: without its client the
// server builds with no calendar kind at all.
#if __has_include("adapters/caldav_client.h")
#define SLOTWISE_HAVE_CALDAV 1
#include "adapters/caldav_client.h"
#endif

namespace slotwise::server::adapters {

std::unique_ptr<CalendarClient> make_calendar_client(const std::string& kind, const std::optional<std::string>& url,
                                                     const nlohmann::json& credentials, const HttpClientOptions& http) {
#ifdef SLOTWISE_HAVE_CALDAV
    if (kind == "caldav")
        return std::make_unique<CaldavClient>(url.value_or(""), credentials.value("username", std::string()),
                                              credentials.value("password", std::string()), http);
#else
    (void)url, (void)credentials, (void)http;
#endif
    throw CalendarError(CalendarFailure::rejected, "no client for calendar kind \"" + kind + "\"");
}

}  // namespace slotwise::server::adapters
