// Microsoft Graph v1.0 calendars (Outlook, Microsoft 365) as a
// CalendarClient (calendar_client.h), over OAuth 2.0 (oauth_client.h):
// - list_calendars: GET /me/calendars, paged by @odata.nextLink; writable
//   is canEdit;
// - changes: GET /me/calendars/{id}/calendarView/delta over a window (from
//   30 days back to 400 days ahead; a calendarView expands series into
//   occurrences, so each occurrence is one object), following
//   @odata.nextLink; the token is the @odata.deltaLink URL; removed events
//   come as "@removed"; 410 (syncStateNotFound, resync) is
//   sync_token_expired;
// - put_event: POST /me/calendars/{id}/events carrying the UID twice: as
//   transactionId (a retried POST makes no second event) and as a
//   single-value extended property, which is how the event is found again
//   for an update (PATCH with If-Match; 412 is precondition_failed);
// - delete_event: DELETE /me/events/{id}; 404 is success.
// An object's href is "me/events/{id}". Times are asked for in UTC
// (Prefer: outlook.timezone="UTC").
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "adapters/calendar_client.h"
#include "adapters/oauth_client.h"

namespace slotwise::server::adapters {

// The identity platform's endpoints under `oauth_base` (empty: the real
// https://login.microsoftonline.com/common). Microsoft has no per-app
// revocation endpoint, so revoke_url stays empty.
OAuthEndpoints microsoft_oauth_endpoints(const std::string& oauth_base);
inline const char* kMicrosoftGraphBase = "https://graph.microsoft.com";
// The extended property that carries the UID (a fixed GUID of this app).
inline const char* kGraphUidProperty = "String {8f3c2a61-5d0e-4b7a-9c1f-2e6d4a9b7c31} Name SlotwiseUid";

class MsGraphClient final : public CalendarClient {
public:
    // `now` (Unix seconds) places the window of the first delta query.
    MsGraphClient(std::string graph_base, std::shared_ptr<BearerSession> session, std::function<std::int64_t()> now);

    std::vector<RemoteCalendar> list_calendars() override;
    ChangeSet changes(const std::string& calendar_href, const std::string& token) override;
    WrittenEvent put_event(const std::string& calendar_href, const std::string& uid, const std::string& ics,
                           const std::optional<std::string>& if_match) override;
    void delete_event(const std::string& event_href, const std::optional<std::string>& if_match) override;

    // Push (POST /subscriptions on /me/events): Graph first validates
    // `notification_url` (it must echo ?validationToken= as text/plain
    // within 10 s), then POSTs changes carrying `client_state`, until
    // `expires_at` (Unix seconds; at most about three days for events).
    // Returns the subscription id.
    std::string subscribe(const std::string& notification_url, const std::string& client_state, std::int64_t expires_at);
    void unsubscribe(const std::string& subscription_id);

private:
    HttpResponse call(const std::string& method, const std::string& url, const std::string& body,
                      const std::optional<std::string>& if_match);
    std::string graph_base_;
    std::shared_ptr<BearerSession> session_;
    std::function<std::int64_t()> now_;
};

}  // namespace slotwise::server::adapters
