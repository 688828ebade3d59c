#include "adapters/ms_graph.h"

#include <nlohmann/json.hpp>

#include "adapters/calendar_event_text.h"

namespace slotwise::server::adapters {

namespace {

using nlohmann::json;

using calendar_json::excerpt;
using calendar_json::str;

[[noreturn]] void fail(const HttpResponse& r, const std::string& what) {
    const std::string detail = what + ": " + (r.status == 0 ? r.error : std::to_string(r.status) + " " + excerpt(r.body));
    if (r.status == 0 || r.status >= 500 || r.status == 429) throw CalendarError(CalendarFailure::unreachable, detail);
    if (r.status == 401 || r.status == 403) throw CalendarError(CalendarFailure::auth_failed, detail);
    if (r.status == 410) throw CalendarError(CalendarFailure::sync_token_expired, detail);
    if (r.status == 412 || r.status == 409) throw CalendarError(CalendarFailure::precondition_failed, detail);
    if (r.status == 404) throw CalendarError(CalendarFailure::not_found, detail);
    throw CalendarError(CalendarFailure::rejected, detail);
}

json parse_ok(const HttpResponse& r, const std::string& what) {
    if (!r.ok()) fail(r, what);
    auto j = json::parse(r.body, nullptr, false);
    if (!j.is_object()) throw CalendarError(CalendarFailure::rejected, what + ": the answer is not a JSON object");
    return j;
}

// Graph's dateTimeTimeZone; asked for in UTC, an offset-less time is UTC.
std::optional<std::int64_t> graph_time(const json& t) {
    const std::string zone = str(t, "timeZone");
    if (!zone.empty() && zone != "UTC" && zone != "Etc/UTC") return std::nullopt;
    return parse_rfc3339(str(t, "dateTime"));
}

std::optional<std::string> event_ics(const json& item) {
    BusyEvent e;
    e.uid = !str(item, "transactionId").empty() ? str(item, "transactionId") : !str(item, "iCalUId").empty() ? str(item, "iCalUId") : str(item, "id");
    const auto s = graph_time(item.value("start", json::object())), en = graph_time(item.value("end", json::object()));
    if (!s || !en || *en < *s) return std::nullopt;
    if (item.value("isAllDay", false)) {
        // An all-day event is midnight to midnight of its days (UTC as
        // asked); the days, not the instants, are what it blocks.
        e.start_date = str(item["start"], "dateTime").substr(0, 10);
        e.end_date = str(item["end"], "dateTime").substr(0, 10);
        e.start_date = ics_date(*e.start_date);
        e.end_date = ics_date(*e.end_date);
        if (!e.start_date || !e.end_date) return std::nullopt;
    } else {
        e.start = *s;
        e.end = *en;
    }
    const std::string show = str(item, "showAs");
    e.transparent = show == "free" || show == "workingElsewhere";
    e.tentative = show == "tentative";
    e.cancelled = item.value("isCancelled", false);
    return busy_event_ics(e);
}

std::string graph_local(std::int64_t t) {
    std::string s = rfc3339_utc(t);
    s.pop_back();  // the Z: the zone is named apart
    return s;
}

}  // namespace

OAuthEndpoints microsoft_oauth_endpoints(const std::string& oauth_base) {
    const std::string base = oauth_base.empty() ? "https://login.microsoftonline.com" : oauth_base;
    OAuthEndpoints e;
    e.authorize_url = base + "/common/oauth2/v2.0/authorize";
    e.token_url = base + "/common/oauth2/v2.0/token";
    e.scope = "offline_access Calendars.ReadWrite";
    e.extra_authorize_params = {{"response_mode", "query"}};
    return e;
}

MsGraphClient::MsGraphClient(std::string graph_base, std::shared_ptr<BearerSession> session, std::function<std::int64_t()> now)
    : graph_base_(std::move(graph_base)), session_(std::move(session)), now_(std::move(now)) {}

HttpResponse MsGraphClient::call(const std::string& method, const std::string& url, const std::string& body,
                                 const std::optional<std::string>& if_match) {
    HttpRequest request;
    request.method = method;
    request.url = url.rfind("http", 0) == 0 ? url : graph_base_ + "/v1.0/" + url;
    request.headers = {{"Accept", "application/json"}, {"Prefer", "outlook.timezone=\"UTC\", odata.maxpagesize=100"}};
    return calendar_json::send(*session_, std::move(request), body, if_match, "Microsoft");
}

std::vector<RemoteCalendar> MsGraphClient::list_calendars() {
    std::vector<RemoteCalendar> out;
    std::string url = "me/calendars";
    for (int guard = 0; guard < 100 && !url.empty(); ++guard) {
        const json j = parse_ok(call("GET", url, "", std::nullopt), "GET /me/calendars");
        for (const auto& item : j.value("value", json::array()))
            if (!str(item, "id").empty()) out.push_back({str(item, "id"), str(item, "name"), item.value("canEdit", false)});
        url = str(j, "@odata.nextLink");
    }
    return out;
}

ChangeSet MsGraphClient::changes(const std::string& calendar_href, const std::string& token) {
    ChangeSet set;
    set.full = token.empty();
    std::string url = token;
    if (url.empty()) {
        const std::int64_t now = now_();
        url = "me/calendars/" + percent_encode(calendar_href) + "/calendarView/delta?startDateTime=" +
              percent_encode(rfc3339_utc(now - 30 * 86400)) + "&endDateTime=" + percent_encode(rfc3339_utc(now + 400 * 86400));
    } else if (url.rfind(graph_base_ + "/", 0) != 0) {
        // The token is a deltaLink this client stored; anything else would
        // send the bearer token somewhere it does not belong.
        throw CalendarError(CalendarFailure::sync_token_expired, "delta token is not a link of " + graph_base_);
    }
    for (int guard = 0; guard < 1000; ++guard) {
        const json j = parse_ok(call("GET", url, "", std::nullopt), "calendarView delta");
        for (const auto& item : j.value("value", json::array())) {
            const std::string id = str(item, "id");
            if (id.empty()) continue;
            const std::string href = "me/events/" + percent_encode(id);
            if (item.contains("@removed")) {
                if (!set.full) set.removed.push_back(href);
                continue;
            }
            if (auto ics = event_ics(item)) set.changed.push_back({href, str(item, "@odata.etag"), std::move(*ics)});
            else if (!set.full) set.removed.push_back(href);
        }
        const std::string next = str(j, "@odata.nextLink");
        if (next.empty()) {
            set.next_token = str(j, "@odata.deltaLink");
            return set;
        }
        if (next.rfind(graph_base_ + "/", 0) != 0) throw CalendarError(CalendarFailure::rejected, "nextLink outside " + graph_base_);
        url = next;
    }
    throw CalendarError(CalendarFailure::unreachable, "calendarView delta: too many pages");
}

WrittenEvent MsGraphClient::put_event(const std::string& calendar_href, const std::string& uid, const std::string& ics,
                                      const std::optional<std::string>& if_match) {
    const auto own = read_own_event(ics);
    if (!own) throw CalendarError(CalendarFailure::rejected, "put_event: the iCalendar text has no readable VEVENT");
    json body = {{"subject", own->summary},
                 {"body", {{"contentType", "text"}, {"content", own->description}}},
                 {"start", {{"dateTime", graph_local(own->start)}, {"timeZone", "UTC"}}},
                 {"end", {{"dateTime", graph_local(own->end)}, {"timeZone", "UTC"}}},
                 {"showAs", own->tentative ? "tentative" : "busy"},
                 {"location", {{"displayName", own->location}}}};
    if (!if_match) {
        body["transactionId"] = uid;
        body["singleValueExtendedProperties"] = json::array({{{"id", kGraphUidProperty}, {"value", uid}}});
        const json made = parse_ok(call("POST", "me/calendars/" + percent_encode(calendar_href) + "/events", body.dump(), std::nullopt),
                                   "create event");
        return {"me/events/" + percent_encode(str(made, "id")), str(made, "@odata.etag")};
    }
    std::string quoted = uid;
    for (std::size_t at = 0; (at = quoted.find('\'', at)) != std::string::npos; at += 2) quoted.insert(at, "'");  // OData: '' in a literal
    const std::string filter = "singleValueExtendedProperties/Any(ep: ep/id eq '" + std::string(kGraphUidProperty) + "' and ep/value eq '" + quoted + "')";
    const json found = parse_ok(call("GET", "me/calendars/" + percent_encode(calendar_href) + "/events?$select=id&$filter=" + percent_encode(filter), "", std::nullopt),
                                "find event by UID");
    const auto& hits = found.value("value", json::array());
    if (!hits.is_array() || hits.empty()) throw CalendarError(CalendarFailure::not_found, "no event with UID " + uid);
    const std::string href = "me/events/" + percent_encode(str(hits[0], "id"));
    const json updated = parse_ok(call("PATCH", href, body.dump(), if_match), "update event");
    return {href, str(updated, "@odata.etag")};
}

void MsGraphClient::delete_event(const std::string& event_href, const std::optional<std::string>& if_match) {
    const HttpResponse r = call("DELETE", event_href, "", if_match);
    if (r.ok() || r.status == 404) return;
    fail(r, "delete event");
}

std::string MsGraphClient::subscribe(const std::string& notification_url, const std::string& client_state, std::int64_t expires_at) {
    const json body = {{"changeType", "created,updated,deleted"},
                       {"notificationUrl", notification_url},
                       {"resource", "/me/events"},
                       {"expirationDateTime", rfc3339_utc(expires_at)},
                       {"clientState", client_state}};
    const json made = parse_ok(call("POST", "subscriptions", body.dump(), std::nullopt), "create subscription");
    return str(made, "id");
}

void MsGraphClient::unsubscribe(const std::string& subscription_id) {
    const HttpResponse r = call("DELETE", "subscriptions/" + percent_encode(subscription_id), "", std::nullopt);
    if (r.ok() || r.status == 404) return;
    fail(r, "delete subscription");
}

}  // namespace slotwise::server::adapters
