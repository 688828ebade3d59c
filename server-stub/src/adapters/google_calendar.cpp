#include "adapters/google_calendar.h"

#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include "adapters/calendar_event_text.h"
#include "support/crypto.h"

namespace slotwise::server::adapters {

namespace {

using nlohmann::json;

using calendar_json::excerpt;
using calendar_json::str;

// Google's error reason ("fullSyncRequired", "duplicate", "rateLimitExceeded").
std::string reason_of(const std::string& body) {
    const auto j = json::parse(body, nullptr, false);
    if (!j.is_object() || !j.contains("error") || !j["error"].is_object()) return "";
    const auto& errors = j["error"].value("errors", json::array());
    return errors.is_array() && !errors.empty() ? str(errors[0], "reason") : "";
}

[[noreturn]] void fail(const HttpResponse& r, const std::string& what) {
    const std::string detail = what + ": " + (r.status == 0 ? r.error : std::to_string(r.status) + " " + excerpt(r.body));
    if (r.status == 0 || r.status >= 500 || r.status == 429) throw CalendarError(CalendarFailure::unreachable, detail);
    const std::string reason = reason_of(r.body);
    if (r.status == 403 && (reason == "rateLimitExceeded" || reason == "userRateLimitExceeded"))
        throw CalendarError(CalendarFailure::unreachable, detail);
    if (r.status == 401 || r.status == 403) throw CalendarError(CalendarFailure::auth_failed, detail);
    if (r.status == 410 && reason == "fullSyncRequired") throw CalendarError(CalendarFailure::sync_token_expired, detail);
    if (r.status == 412 || r.status == 409) throw CalendarError(CalendarFailure::precondition_failed, detail);
    if (r.status == 404 || r.status == 410) throw CalendarError(CalendarFailure::not_found, detail);
    throw CalendarError(CalendarFailure::rejected, detail);
}

json parse_ok(const HttpResponse& r, const std::string& what) {
    if (!r.ok()) fail(r, what);
    auto j = json::parse(r.body, nullptr, false);
    if (!j.is_object()) throw CalendarError(CalendarFailure::rejected, what + ": the answer is not a JSON object");
    return j;
}

std::string event_path(const std::string& calendar_id, const std::string& event_id) {
    return "calendars/" + percent_encode(calendar_id) + "/events/" + percent_encode(event_id);
}

// One Google event as the iCalendar text busy_from_ics reads; nullopt when
// its times cannot be read (it then blocks nothing rather than guessing).
std::optional<std::string> event_ics(const json& item) {
    BusyEvent e;
    e.uid = str(item, "iCalUID").empty() ? str(item, "id") : str(item, "iCalUID");
    const json start = item.value("start", json::object()), end = item.value("end", json::object());
    if (start.contains("date")) {
        e.start_date = ics_date(str(start, "date"));
        e.end_date = ics_date(str(end, "date"));
        if (!e.start_date || !e.end_date) return std::nullopt;
    } else {
        const auto s = parse_rfc3339(str(start, "dateTime")), en = parse_rfc3339(str(end, "dateTime"));
        if (!s || !en || *en < *s) return std::nullopt;
        e.start = *s;
        e.end = *en;
    }
    e.transparent = str(item, "transparency") == "transparent";
    e.tentative = str(item, "status") == "tentative";
    return busy_event_ics(e);
}

}  // namespace

OAuthEndpoints google_oauth_endpoints(const std::string& oauth_base) {
    OAuthEndpoints e;
    if (oauth_base.empty()) {
        e.authorize_url = "https://accounts.google.com/o/oauth2/v2/auth";
        e.token_url = "https://oauth2.googleapis.com/token";
        e.revoke_url = "https://oauth2.googleapis.com/revoke";
    } else {
        e.authorize_url = oauth_base + "/o/oauth2/v2/auth";
        e.token_url = oauth_base + "/token";
        e.revoke_url = oauth_base + "/revoke";
    }
    e.scope = "https://www.googleapis.com/auth/calendar";
    e.extra_authorize_params = {{"access_type", "offline"}, {"prompt", "consent"}};
    return e;
}

std::string google_event_id(const std::string& uid) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(uid.data(), uid.size(), digest, &len, EVP_sha256(), nullptr);
    // base32hex (RFC 4648 section 7) of 20 bytes: 32 characters of 0-9a-v,
    // the alphabet Google accepts for client-chosen event ids.
    static const char* alphabet = "0123456789abcdefghijklmnopqrstuv";
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (unsigned i = 0; i < 20; ++i) {
        buffer = (buffer << 8) | digest[i];
        bits += 8;
        while (bits >= 5) {
            out += alphabet[(buffer >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    return out;
}

GoogleCalendarClient::GoogleCalendarClient(std::string api_base, std::shared_ptr<BearerSession> session)
    : api_base_(std::move(api_base)), session_(std::move(session)) {}

HttpResponse GoogleCalendarClient::call(const std::string& method, const std::string& path_and_query, const std::string& body,
                                        const std::optional<std::string>& if_match) {
    HttpRequest request;
    request.method = method;
    request.url = api_base_ + "/calendar/v3/" + path_and_query;
    request.headers = {{"Accept", "application/json"}};
    return calendar_json::send(*session_, std::move(request), body, if_match, "Google");
}

std::vector<RemoteCalendar> GoogleCalendarClient::list_calendars() {
    std::vector<RemoteCalendar> out;
    std::string page;
    for (int guard = 0; guard < 100; ++guard) {
        const json j = parse_ok(call("GET", "users/me/calendarList?maxResults=250" + (page.empty() ? "" : "&pageToken=" + percent_encode(page)), "", std::nullopt),
                                "calendarList.list");
        for (const auto& item : j.value("items", json::array())) {
            const std::string role = str(item, "accessRole");
            if (str(item, "id").empty() || role == "freeBusyReader") continue;
            out.push_back({str(item, "id"), str(item, "summary"), role == "owner" || role == "writer"});
        }
        page = str(j, "nextPageToken");
        if (page.empty()) break;
    }
    return out;
}

ChangeSet GoogleCalendarClient::changes(const std::string& calendar_href, const std::string& token) {
    ChangeSet set;
    set.full = token.empty();
    std::string page;
    // A page cap keeps a misbehaving service from holding a sync job forever.
    for (int guard = 0; guard < 1000; ++guard) {
        std::string query = "calendars/" + percent_encode(calendar_href) + "/events?singleEvents=true&maxResults=250";
        if (!page.empty()) query += "&pageToken=" + percent_encode(page);
        else if (!token.empty()) query += "&syncToken=" + percent_encode(token);
        const json j = parse_ok(call("GET", query, "", std::nullopt), "events.list");
        for (const auto& item : j.value("items", json::array())) {
            const std::string id = str(item, "id");
            if (id.empty()) continue;
            const std::string href = event_path(calendar_href, id);
            if (str(item, "status") == "cancelled") {
                if (!set.full) set.removed.push_back(href);
                continue;
            }
            if (auto ics = event_ics(item)) set.changed.push_back({href, str(item, "etag"), std::move(*ics)});
            else if (!set.full) set.removed.push_back(href);  // unreadable now: whatever it blocked before is stale
        }
        page = str(j, "nextPageToken");
        if (page.empty()) {
            set.next_token = str(j, "nextSyncToken");
            return set;
        }
    }
    throw CalendarError(CalendarFailure::unreachable, "events.list: too many pages");
}

WrittenEvent GoogleCalendarClient::put_event(const std::string& calendar_href, const std::string& uid, const std::string& ics,
                                             const std::optional<std::string>& if_match) {
    const auto own = read_own_event(ics);
    if (!own) throw CalendarError(CalendarFailure::rejected, "put_event: the iCalendar text has no readable VEVENT");
    const std::string id = google_event_id(uid);
    json body = {{"id", id},
                 {"iCalUID", uid},
                 {"summary", own->summary},
                 {"description", own->description},
                 {"start", {{"dateTime", rfc3339_utc(own->start)}}},
                 {"end", {{"dateTime", rfc3339_utc(own->end)}}},
                 {"transparency", "opaque"},
                 {"status", own->tentative ? "tentative" : "confirmed"}};
    if (!own->location.empty()) body["location"] = own->location;
    const HttpResponse r = if_match ? call("PUT", event_path(calendar_href, id), body.dump(), if_match)
                                    : call("POST", "calendars/" + percent_encode(calendar_href) + "/events", body.dump(), std::nullopt);
    const json made = parse_ok(r, if_match ? "events.update" : "events.insert");
    return {event_path(calendar_href, str(made, "id").empty() ? id : str(made, "id")), str(made, "etag")};
}

void GoogleCalendarClient::delete_event(const std::string& event_href, const std::optional<std::string>& if_match) {
    const HttpResponse r = call("DELETE", event_href, "", if_match);
    if (r.ok() || r.status == 404 || r.status == 410) return;
    fail(r, "events.delete");
}

GoogleCalendarClient::Channel GoogleCalendarClient::watch(const std::string& calendar_id, const std::string& address,
                                                          const std::string& token, int ttl_seconds) {
    // Channel ids must be unique per project, for all time.
    const std::string id = "sw-" + random_token(16);
    const json body = {{"id", id}, {"type", "web_hook"}, {"address", address}, {"token", token},
                       {"params", {{"ttl", std::to_string(ttl_seconds)}}}};
    const json made = parse_ok(call("POST", "calendars/" + percent_encode(calendar_id) + "/events/watch", body.dump(), std::nullopt),
                               "events.watch");
    return {str(made, "id"), str(made, "resourceId")};
}

void GoogleCalendarClient::stop_channel(const Channel& channel) {
    const json body = {{"id", channel.id}, {"resourceId", channel.resource_id}};
    const HttpResponse r = call("POST", "channels/stop", body.dump(), std::nullopt);
    if (r.ok() || r.status == 404) return;
    fail(r, "channels.stop");
}

}  // namespace slotwise::server::adapters
