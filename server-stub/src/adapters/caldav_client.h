// CalendarClient over CalDAV (RFC 4791) with HTTP Basic auth, on the
// http_client's libcurl and its guard: the URL is what a provider typed, so
// loopback and private addresses are refused unless --allow-private-targets.
//
// Discovery (list_calendars) copes with a server root, a principal or a
// calendar URL, and with /.well-known/caldav (RFC 6764): current-user-principal
// -> calendar-home-set -> PROPFIND Depth 1, keeping calendars that take
// VEVENTs. changes() uses sync-collection (RFC 6578) and falls back, for a
// server without it, to the CTag (getctag) plus a calendar-query over a time
// range, fetching data with calendar-multiget either way. Every href given
// out (calendars, objects, `removed`) is an absolute URL. Credentials go only
// to the origin of the URL a call was given (the typed URL, a calendar, an
// event), and during discovery to where the server redirects or points over
// https; never to an href on another origin over plain http.
//
// In the fallback, a `full` answer is the whole collection within the
// query's time range (set_query_window), not events outside it. Only Basic
// auth. One object serves one thread at a time: it keeps the current call's
// origin.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <slotwise/time.h>

#include "adapters/calendar_client.h"
#include "adapters/http_client.h"

namespace slotwise::server::adapters {

class CaldavClient final : public CalendarClient {
public:
    CaldavClient(std::string url, std::string username, std::string password, HttpClientOptions options);

    std::vector<RemoteCalendar> list_calendars() override;
    ChangeSet changes(const std::string& calendar_href, const std::string& token) override;
    WrittenEvent put_event(const std::string& calendar_href, const std::string& uid, const std::string& ics,
                           const std::optional<std::string>& if_match) override;
    void delete_event(const std::string& event_href, const std::optional<std::string>& if_match) override;

    // The time range of the calendar-query fallback: sync's own window, on
    // the server's clock. Unset: 7 days back to 450 ahead of the system clock.
    void set_query_window(Instant from, Instant to) { query_window_ = std::make_pair(from, to); }

private:
    HttpResponse send(const std::string& method, const std::string& url, const std::string& body,
                      std::vector<std::pair<std::string, std::string>> headers, std::size_t max_bytes);
    // With `final_url`, redirects are followed (discovery only) and the URL answered is put there.
    HttpResponse propfind(const std::string& url, int depth, const std::string& props, std::string* final_url);
    std::vector<RemoteCalendar> calendars_in(const std::string& home);
    ChangeSet sync_collection(const std::string& calendar, const std::string& token, bool& unsupported);
    ChangeSet by_ctag(const std::string& calendar, const std::string& token);
    std::vector<RemoteObject> multiget(const std::string& calendar, const std::vector<std::string>& hrefs,
                                       std::vector<std::string>& missing);
    std::string current_etag(const std::string& url);
    void use_origin_of(const std::string& url);

    std::string url_;
    std::string origin_;  // scheme://host[:port] that credentials may go to in the current call
    std::string authorization_;
    HttpClientOptions options_;
    std::optional<std::pair<Instant, Instant>> query_window_;
};

}  // namespace slotwise::server::adapters
