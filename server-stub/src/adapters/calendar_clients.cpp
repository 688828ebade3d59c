#include "adapters/calendar_clients.h"

// TEMPORARY until branch cal-caldav is merged: without its files the
// server builds with no calendar kind at all.
#if __has_include("adapters/caldav_client.h")
#define SLOTWISE_HAVE_CALDAV 1
#include "adapters/caldav_client.h"
#include "domain/calendar_busy.h"
#endif

namespace slotwise::server::adapters {

domain::CalendarClientFactory calendar_client_factory(HttpClientOptions http) {
    return [http](const records::CalendarConnection& c, const nlohmann::json& credentials) -> std::unique_ptr<CalendarClient> {
#ifdef SLOTWISE_HAVE_CALDAV
        if (c.kind == "caldav")
            return std::make_unique<CaldavClient>(c.url.value_or(""), credentials.value("username", std::string()),
                                                  credentials.value("password", std::string()), http);
#else
        (void)credentials;
#endif
        throw CalendarError(CalendarFailure::rejected, "no client for calendar kind \"" + c.kind + "\"");
    };
}

domain::IcsExpander ics_expander() {
    return [](const std::string& ics, Instant from, Instant to, const slotwise::TimeZone& zone) {
#ifndef SLOTWISE_HAVE_CALDAV
        (void)ics, (void)from, (void)to, (void)zone;
        return domain::ExpandedObject{{}, {}, true};
#else
        const domain::CalendarBusy found = domain::busy_from_ics(ics, from, to, zone);
        domain::ExpandedObject out;
        out.busy.reserve(found.spans.size());
        for (const auto& span : found.spans) out.busy.push_back({span.start, span.end});
        out.uids = found.uids;
        out.unreadable = found.skipped > 0;
        return out;
#endif
    };
}

}  // namespace slotwise::server::adapters
