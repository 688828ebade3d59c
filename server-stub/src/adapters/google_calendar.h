// The Google Calendar API v3 as a CalendarClient (calendar_client.h), over
// OAuth 2.0 (oauth_client.h):
// - list_calendars: calendarList.list, paged; writable when the accessRole
//   is owner or writer;
// - changes: events.list with singleEvents=true (Google expands recurring
//   events into instances, moved and cancelled ones included, so each
//   instance is one object), paged with nextPageToken; nextSyncToken is the
//   token, syncToken asks for what changed since, deleted events come as
//   status "cancelled"; 410 (fullSyncRequired) is sync_token_expired;
// - put_event: events.insert with an id derived from the UID (base32hex of
//   its SHA-256, so the same booking always names the same event) and
//   iCalUID = the UID; 409 duplicate is precondition_failed; with if_match,
//   events.update with If-Match (412 is precondition_failed);
// - delete_event: events.delete, If-Match when given; 404 and 410 (already
//   deleted) are success.
// An object's href is the API path "calendars/{calendarId}/events/{eventId}".
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "adapters/calendar_client.h"
#include "adapters/oauth_client.h"

namespace slotwise::server::adapters {

// Google's endpoints. An empty base means the real services
// (accounts.google.com for the consent, oauth2.googleapis.com for tokens);
// a base (a test server) serves /o/oauth2/v2/auth, /token and /revoke.
OAuthEndpoints google_oauth_endpoints(const std::string& oauth_base);
inline const char* kGoogleApiBase = "https://www.googleapis.com";

// The event id the client gives Google for an iCalendar UID.
std::string google_event_id(const std::string& uid);

class GoogleCalendarClient final : public CalendarClient {
public:
    GoogleCalendarClient(std::string api_base, std::shared_ptr<BearerSession> session);

    std::vector<RemoteCalendar> list_calendars() override;
    ChangeSet changes(const std::string& calendar_href, const std::string& token) override;
    WrittenEvent put_event(const std::string& calendar_href, const std::string& uid, const std::string& ics,
                           const std::optional<std::string>& if_match) override;
    void delete_event(const std::string& event_href, const std::optional<std::string>& if_match) override;

    // Push (events.watch): Google POSTs to `address` (https, a valid
    // certificate) with X-Goog-Channel-Token = `token` on every change,
    // until the channel expires (at most `ttl_seconds`) or is stopped.
    struct Channel {
        std::string id, resource_id;
    };
    Channel watch(const std::string& calendar_id, const std::string& address, const std::string& token, int ttl_seconds);
    void stop_channel(const Channel& channel);

private:
    HttpResponse call(const std::string& method, const std::string& path_and_query, const std::string& body,
                      const std::optional<std::string>& if_match);
    std::string api_base_;
    std::shared_ptr<BearerSession> session_;
};

}  // namespace slotwise::server::adapters
