#include "adapters/caldav_client.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include <date/date.h>

#include "adapters/dav_xml.h"
#include "support/crypto.h"

namespace slotwise::server::adapters {
namespace {

constexpr std::size_t kSmallAnswer = 1024 * 1024;
constexpr std::size_t kDataAnswer = 8 * 1024 * 1024;
constexpr std::size_t kMultigetBatch = 50;
constexpr int kMaxRedirects = 5;
// A server that keeps answering "more" (RFC 6578 truncation) is given this many rounds.
constexpr int kMaxSyncRounds = 100;

const char* kXmlHead = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(first, last - first + 1));
}

// "scheme://host[:port]" in lower case without a default port; empty when the
// URL is not http(s) or carries user info (credentials travel in a header only).
std::string origin_of(const std::string& url) {
    const std::string l = lower(url.substr(0, std::min<std::size_t>(url.size(), 8)));
    std::string scheme;
    if (l.rfind("https://", 0) == 0) scheme = "https";
    else if (l.rfind("http://", 0) == 0) scheme = "http";
    else return {};
    const std::size_t start = scheme.size() + 3;
    const std::size_t end = url.find_first_of("/?#", start);
    std::string authority = lower(url.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (authority.empty() || authority.find('@') != std::string::npos) return {};
    const std::string default_port = scheme == "https" ? ":443" : ":80";
    if (authority.size() > default_port.size() &&
        authority.compare(authority.size() - default_port.size(), default_port.size(), default_port) == 0)
        authority.resize(authority.size() - default_port.size());
    return scheme + "://" + authority;
}

// The path of an absolute URL ("/" when it has none).
std::string path_of(const std::string& url) {
    const std::size_t scheme_end = url.find("://");
    if (scheme_end == std::string::npos) return url;
    const std::size_t slash = url.find('/', scheme_end + 3);
    return slash == std::string::npos ? "/" : url.substr(slash);
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percent_decoded(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

// Servers differ in which characters of an href they percent-encode; two
// hrefs name one resource when their decoded paths agree.
std::string href_key(const std::string& url) { return percent_decoded(path_of(url)); }

std::string with_slash(std::string url) {
    if (url.empty() || url.back() != '/') url += '/';
    return url;
}

// The resource name of an event from its UID, the same every time so a later
// If-Match write names the same href. A UID of path-safe characters is used as
// it is; any other is spelled in hex, since servers disagree on an encoded '/'.
std::string segment_for(const std::string& uid) {
    static const char* hex = "0123456789abcdef";
    const bool safe = uid.size() <= 200 && std::all_of(uid.begin(), uid.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '@';
    }) && uid[0] != '.';
    if (safe) return uid;
    std::string out = "x-";
    for (unsigned char c : uid) {
        out += hex[c >> 4];
        out += hex[c & 15];
    }
    return out;
}

int status_code(const std::string& status_line) {  // "HTTP/1.1 404 Not Found"
    const std::size_t space = status_line.find(' ');
    if (space == std::string::npos) return 0;
    int code = 0;
    for (std::size_t i = space + 1; i < status_line.size() && std::isdigit(static_cast<unsigned char>(status_line[i])); ++i)
        code = code * 10 + (status_line[i] - '0');
    return code;
}

// One <D:response> of a multistatus: its href, the response-level status if
// any, and the properties of its 200 propstats.
struct Entry {
    std::string href;
    int status = 0;
    std::vector<const dav::Element*> props;

    const dav::Element* prop(std::string_view ns, std::string_view name) const {
        for (const dav::Element* p : props)
            if (p->is(ns, name)) return p;
        return nullptr;
    }
};

std::vector<Entry> entries_of(const dav::Element& multistatus) {
    std::vector<Entry> out;
    for (const dav::Element* response : multistatus.all(dav::kDav, "response")) {
        Entry e;
        if (const dav::Element* href = response->child(dav::kDav, "href")) e.href = trim(href->text);
        if (e.href.empty()) continue;
        if (const dav::Element* status = response->child(dav::kDav, "status")) e.status = status_code(trim(status->text));
        for (const dav::Element* propstat : response->all(dav::kDav, "propstat")) {
            const dav::Element* status = propstat->child(dav::kDav, "status");
            const dav::Element* prop = propstat->child(dav::kDav, "prop");
            if (!status || !prop || status_code(trim(status->text)) != 200) continue;
            for (const dav::Element& p : prop->children) e.props.push_back(&p);
        }
        out.push_back(std::move(e));
    }
    return out;
}

dav::Element multistatus_of(const HttpResponse& r, std::size_t cap) {
    if (r.body.size() >= cap) throw CalendarError(CalendarFailure::unreachable, "the CalDAV server's answer is too large");
    auto root = dav::parse(r.body);
    if (!root || !root->is(dav::kDav, "multistatus"))
        throw CalendarError(CalendarFailure::unreachable, "the CalDAV server's answer is not a WebDAV multistatus");
    return std::move(*root);
}

std::string first_href(const dav::Element* property) {
    if (!property) return {};
    const dav::Element* href = property->child(dav::kDav, "href");
    return href ? trim(href->text) : std::string{};
}

// The absolute URL of an href in an answer to a request for `base`.
std::string resolve_href(const std::string& href, const std::string& base, const std::string& origin) {
    if (href.rfind("http://", 0) == 0 || href.rfind("https://", 0) == 0) return href;
    if (!href.empty() && href[0] == '/') return origin + href;
    const std::string dir = base.substr(0, base.rfind('/') + 1);
    return dir + href;
}

// Whether discovery may take the credentials from `origin` to `url`: the same
// origin, or another over https (iCloud, for one, names a principal and a
// calendar home on other hosts than its entry point). Never to plain http
// elsewhere, where anyone on the way would read the password.
bool may_follow(const std::string& url, const std::string& origin) {
    const std::string other = origin_of(url);
    return !other.empty() && (other == origin || other.rfind("https://", 0) == 0);
}

bool is_redirect(int status) { return status == 301 || status == 302 || status == 303 || status == 307 || status == 308; }

std::string time_range_value(Instant t) { return date::format("%Y%m%dT%H%M00Z", t); }

}  // namespace

CaldavClient::CaldavClient(std::string url, std::string username, std::string password, HttpClientOptions options)
    : url_(std::move(url)),
      origin_(origin_of(url_)),
      authorization_("Basic " + base64_encode(username + ":" + password)),
      options_(options) {}

void CaldavClient::use_origin_of(const std::string& url) {
    origin_ = origin_of(url);
    if (origin_.empty()) throw CalendarError(CalendarFailure::rejected, "not an http or https URL: " + url);
}

HttpResponse CaldavClient::send(const std::string& method, const std::string& url, const std::string& body,
                                std::vector<std::pair<std::string, std::string>> headers, std::size_t max_bytes) {
    // Every href comes from the server; one naming another host must not receive the password.
    if (origin_.empty() || origin_of(url) != origin_)
        throw CalendarError(CalendarFailure::rejected, "the CalDAV server pointed to another origin: " + url);
    HttpRequest request;
    request.method = method;
    request.url = url;
    request.body = body;
    request.headers = std::move(headers);
    request.headers.emplace_back("Authorization", authorization_);
    request.timeout = std::chrono::seconds(30);
    request.max_response_bytes = max_bytes;
    HttpResponse r = send_http(request, options_);
    if (r.status == 0) throw CalendarError(CalendarFailure::unreachable, r.error);
    if (r.status == 401) throw CalendarError(CalendarFailure::auth_failed, "the CalDAV server refused the user name or password");
    if (r.status == 408 || r.status == 429)
        throw CalendarError(CalendarFailure::unreachable, method + " " + url + ": the CalDAV server answered " + std::to_string(r.status) + ", later");
    // 501 (a REPORT the server lacks) and 507 (no room for what we sent) are
    // about the request, not the server's health: the caller decides.
    if (r.status >= 500 && r.status != 501 && r.status != 507)
        throw CalendarError(CalendarFailure::unreachable, method + " " + url + ": the CalDAV server answered " + std::to_string(r.status));
    return r;
}

HttpResponse CaldavClient::propfind(const std::string& url, int depth, const std::string& props, std::string* final_url) {
    const std::string body = std::string(kXmlHead) +
                             "<D:propfind xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\" "
                             "xmlns:CS=\"http://calendarserver.org/ns/\"><D:prop>" +
                             props + "</D:prop></D:propfind>";
    std::string target = url;
    for (int hop = 0;; ++hop) {
        HttpResponse r = send("PROPFIND", target, body,
                              {{"Depth", std::to_string(depth)}, {"Content-Type", "application/xml; charset=utf-8"}},
                              kSmallAnswer);
        if (final_url) *final_url = target;
        const std::string location = r.header("location");
        if (!final_url || !is_redirect(r.status) || location.empty() || hop == kMaxRedirects) return r;
        // Discovery may move to the host the server names (RFC 6764 5: a
        // /.well-known/caldav redirect often does); later calls stay there.
        std::string next = resolve_href(location, target, origin_);
        if (!may_follow(next, origin_)) return r;
        target = std::move(next);
        use_origin_of(target);
    }
}

namespace {

const char* kCalendarProps =
    "<D:resourcetype/><D:displayname/><C:supported-calendar-component-set/><D:current-user-privilege-set/>";

// A calendar the provider can book into or check: a CalDAV calendar that takes VEVENTs.
std::optional<RemoteCalendar> calendar_from(const Entry& e, const std::string& url) {
    const dav::Element* type = e.prop(dav::kDav, "resourcetype");
    if (!type || !type->child(dav::kCaldav, "calendar")) return std::nullopt;
    if (const dav::Element* set = e.prop(dav::kCaldav, "supported-calendar-component-set")) {
        auto comps = set->all(dav::kCaldav, "comp");
        if (!comps.empty() && std::none_of(comps.begin(), comps.end(), [](const dav::Element* c) {
                return lower(c->attribute("name")) == "vevent";
            }))
            return std::nullopt;
    }
    RemoteCalendar c;
    c.href = with_slash(url);
    if (const dav::Element* privileges = e.prop(dav::kDav, "current-user-privilege-set")) {
        c.writable = false;
        for (const dav::Element* p : privileges->all(dav::kDav, "privilege")) {
            for (const char* name : {"all", "write", "write-content", "bind"})
                if (p->child(dav::kDav, name)) c.writable = true;
        }
    }
    if (const dav::Element* name = e.prop(dav::kDav, "displayname")) c.name = trim(name->text);
    if (c.name.empty()) {
        std::string path = percent_decoded(path_of(c.href));
        path.pop_back();
        c.name = path.substr(path.rfind('/') + 1);
    }
    return c;
}

}  // namespace

std::string CaldavClient::current_etag(const std::string& url) {
    HttpResponse r = propfind(url, 0, "<D:getetag/>", nullptr);
    if (r.status != 207) return {};
    dav::Element doc = multistatus_of(r, kSmallAnswer);
    for (const Entry& e : entries_of(doc))
        if (const dav::Element* etag = e.prop(dav::kDav, "getetag")) return trim(etag->text);
    return {};
}

std::vector<RemoteCalendar> CaldavClient::calendars_in(const std::string& home) {
    HttpResponse r = propfind(home, 1, kCalendarProps, nullptr);
    if (r.status == 403) throw CalendarError(CalendarFailure::auth_failed, "the CalDAV server refused access to " + home);
    if (r.status != 207) return {};
    dav::Element doc = multistatus_of(r, kSmallAnswer);
    std::vector<RemoteCalendar> out;
    for (const Entry& e : entries_of(doc)) {
        const std::string url = resolve_href(e.href, home, origin_);
        if (origin_of(url) != origin_) continue;
        if (auto c = calendar_from(e, url)) out.push_back(std::move(*c));
    }
    return out;
}

std::vector<RemoteCalendar> CaldavClient::list_calendars() {
    use_origin_of(url_);
    const std::string props = std::string(kCalendarProps) + "<D:current-user-principal/><C:calendar-home-set/>";

    // The typed URL first: a server root or principal names the principal,
    // a calendar names itself.
    std::string start;
    HttpResponse r = propfind(url_, 0, props, &start);
    if (r.status == 403) throw CalendarError(CalendarFailure::auth_failed, "the CalDAV server refused access to " + start);
    std::string principal, home;
    std::optional<RemoteCalendar> typed_calendar;
    if (r.status == 207) {
        dav::Element doc = multistatus_of(r, kSmallAnswer);
        auto entries = entries_of(doc);
        if (!entries.empty()) {
            const Entry& own = entries.front();
            const std::string own_url = resolve_href(own.href, start, origin_);
            typed_calendar = calendar_from(own, own_url);
            principal = first_href(own.prop(dav::kDav, "current-user-principal"));
            home = first_href(own.prop(dav::kCaldav, "calendar-home-set"));
            if (!principal.empty()) principal = resolve_href(principal, start, origin_);
            if (!home.empty()) home = resolve_href(home, start, origin_);
            if (!may_follow(principal, origin_)) principal.clear();
            if (!may_follow(home, origin_)) home.clear();
        }
    }
    if (typed_calendar) return {*typed_calendar};

    if (principal.empty() && home.empty()) {
        // RFC 6764: the server's well-known entry point, from the origin.
        std::string base;
        HttpResponse w = propfind(origin_ + "/.well-known/caldav", 0, "<D:current-user-principal/>", &base);
        if (w.status == 207) {
            dav::Element doc = multistatus_of(w, kSmallAnswer);
            for (const Entry& e : entries_of(doc)) {
                principal = first_href(e.prop(dav::kDav, "current-user-principal"));
                if (!principal.empty()) {
                    principal = resolve_href(principal, base, origin_);
                    if (!may_follow(principal, origin_)) principal.clear();
                    break;
                }
            }
        }
    }
    if (home.empty() && !principal.empty()) {
        use_origin_of(principal);
        HttpResponse p = propfind(principal, 0, "<C:calendar-home-set/>", nullptr);
        if (p.status == 403) throw CalendarError(CalendarFailure::auth_failed, "the CalDAV server refused access to " + principal);
        if (p.status == 207) {
            dav::Element doc = multistatus_of(p, kSmallAnswer);
            for (const Entry& e : entries_of(doc)) {
                home = first_href(e.prop(dav::kCaldav, "calendar-home-set"));
                if (!home.empty()) {
                    home = resolve_href(home, principal, origin_);
                    if (!may_follow(home, origin_)) home.clear();
                    break;
                }
            }
        }
    }
    if (home.empty()) throw CalendarError(CalendarFailure::not_found, "no CalDAV calendar home found at " + url_);
    use_origin_of(home);
    return calendars_in(with_slash(home));
}

std::vector<RemoteObject> CaldavClient::multiget(const std::string& calendar, const std::vector<std::string>& hrefs,
                                                 std::vector<std::string>& missing) {
    std::vector<RemoteObject> out;
    for (std::size_t first = 0; first < hrefs.size(); first += kMultigetBatch) {
        std::vector<std::string> batch(hrefs.begin() + static_cast<std::ptrdiff_t>(first),
                                       hrefs.begin() + static_cast<std::ptrdiff_t>(std::min(hrefs.size(), first + kMultigetBatch)));
        std::string body = std::string(kXmlHead) +
                           "<C:calendar-multiget xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
                           "<D:prop><D:getetag/><C:calendar-data/></D:prop>";
        for (const std::string& h : batch) body += "<D:href>" + dav::escape(path_of(h)) + "</D:href>";
        body += "</C:calendar-multiget>";
        HttpResponse r = send("REPORT", calendar, body, {{"Depth", "1"}, {"Content-Type", "application/xml; charset=utf-8"}},
                              kDataAnswer);
        if (r.status == 404) throw CalendarError(CalendarFailure::not_found, "the calendar is gone: " + calendar);
        if (r.status != 207) throw CalendarError(CalendarFailure::rejected, "calendar-multiget: the CalDAV server answered " + std::to_string(r.status));
        if (r.body.size() >= kDataAnswer) {
            // Too much at once: ask for halves; an object too large alone is left out.
            if (batch.size() == 1) continue;
            const std::size_t half = batch.size() / 2;
            std::vector<std::string> a(batch.begin(), batch.begin() + static_cast<std::ptrdiff_t>(half));
            std::vector<std::string> b(batch.begin() + static_cast<std::ptrdiff_t>(half), batch.end());
            for (auto* part : {&a, &b}) {
                auto got = multiget(calendar, *part, missing);
                out.insert(out.end(), std::make_move_iterator(got.begin()), std::make_move_iterator(got.end()));
            }
            continue;
        }
        dav::Element doc = multistatus_of(r, kDataAnswer);
        std::map<std::string, RemoteObject> found;
        for (const Entry& e : entries_of(doc)) {
            const dav::Element* data = e.prop(dav::kCaldav, "calendar-data");
            if (!data) continue;
            RemoteObject o;
            o.href = resolve_href(e.href, calendar, origin_);
            if (const dav::Element* etag = e.prop(dav::kDav, "getetag")) o.etag = trim(etag->text);
            o.ics = data->text;
            found[href_key(o.href)] = std::move(o);
        }
        for (const std::string& h : batch) {
            auto it = found.find(href_key(h));
            if (it == found.end()) {
                missing.push_back(h);
            } else {
                it->second.href = h;  // the spelling the caller already knows
                out.push_back(std::move(it->second));
                found.erase(it);
            }
        }
    }
    return out;
}

ChangeSet CaldavClient::sync_collection(const std::string& calendar, const std::string& token, bool& unsupported) {
    ChangeSet result;
    result.full = token.empty();
    std::string current = token;
    std::vector<std::string> order;          // changed hrefs in the order first reported
    std::map<std::string, std::string> changed;  // key -> href
    std::map<std::string, std::string> removed;
    const std::string own_key = href_key(calendar);
    for (int round = 0;; ++round) {
        if (round == kMaxSyncRounds) throw CalendarError(CalendarFailure::unreachable, "sync-collection did not finish");
        const std::string body = std::string(kXmlHead) + "<D:sync-collection xmlns:D=\"DAV:\">" +
                                 (current.empty() ? "<D:sync-token/>" : "<D:sync-token>" + dav::escape(current) + "</D:sync-token>") +
                                 "<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>";
        HttpResponse r = send("REPORT", calendar, body, {{"Depth", "0"}, {"Content-Type", "application/xml; charset=utf-8"}},
                              kDataAnswer);
        if (r.status == 404) throw CalendarError(CalendarFailure::not_found, "the calendar is gone: " + calendar);
        if (r.status != 207) {
            const bool token_refused = r.body.find("valid-sync-token") != std::string::npos;
            if (!current.empty() && (token_refused || r.status == 403 || r.status == 409))
                throw CalendarError(CalendarFailure::sync_token_expired, "the CalDAV server no longer knows the sync token");
            // No sync-collection here (RFC 6578 3.1: not in supported-report-set, refused as any unknown REPORT).
            unsupported = true;
            return result;
        }
        dav::Element doc = multistatus_of(r, kDataAnswer);
        bool truncated = false;
        for (const Entry& e : entries_of(doc)) {
            const std::string url = resolve_href(e.href, calendar, origin_);
            const std::string key = href_key(url);
            if (key == own_key) {
                if (e.status == 507) truncated = true;  // RFC 6578 3.6: more changes follow
                continue;
            }
            if (origin_of(url) != origin_ || key.back() == '/') continue;  // not an object of this calendar
            if (e.status == 404 || e.status == 410) {
                changed.erase(key);
                if (!result.full) removed[key] = url;
            } else if (!e.props.empty()) {
                removed.erase(key);
                if (changed.emplace(key, url).second) order.push_back(key);
            }
        }
        const dav::Element* next = doc.child(dav::kDav, "sync-token");
        const std::string next_token = next ? trim(next->text) : std::string{};
        if (next_token.empty()) throw CalendarError(CalendarFailure::unreachable, "sync-collection answered without a sync token");
        current = next_token;
        if (!truncated) break;
    }
    std::vector<std::string> hrefs;
    for (const std::string& key : order)
        if (auto it = changed.find(key); it != changed.end()) hrefs.push_back(it->second);
    std::vector<std::string> missing;
    result.changed = multiget(calendar, hrefs, missing);
    // Reported changed, then gone before we read it.
    if (!result.full)
        for (const std::string& h : missing) removed.emplace(href_key(h), h);
    for (auto& [key, url] : removed) result.removed.push_back(url);
    result.next_token = "sync:" + current;
    return result;
}

ChangeSet CaldavClient::by_ctag(const std::string& calendar, const std::string& token) {
    const std::string previous = token.rfind("ctag:", 0) == 0 ? token.substr(5) : std::string{};
    // The CTag is read before the query: a change in between shows next time.
    std::string ctag;
    HttpResponse p = propfind(calendar, 0, "<CS:getctag/>", nullptr);
    if (p.status == 404) throw CalendarError(CalendarFailure::not_found, "the calendar is gone: " + calendar);
    if (p.status == 403) throw CalendarError(CalendarFailure::auth_failed, "the CalDAV server refused access to " + calendar);
    if (p.status == 207) {
        dav::Element doc = multistatus_of(p, kSmallAnswer);
        for (const Entry& e : entries_of(doc))
            if (const dav::Element* c = e.prop(dav::kCalendarServer, "getctag")) ctag = trim(c->text);
    }
    ChangeSet result;
    if (!ctag.empty() && ctag == previous) {
        result.next_token = token;
        return result;
    }
    std::pair<Instant, Instant> window;
    if (query_window_) {
        window = *query_window_;
    } else {
        const Instant today = date::floor<date::days>(std::chrono::system_clock::now());
        window = {today - date::days{7}, today + date::days{450}};
    }
    const std::string body =
        std::string(kXmlHead) +
        "<C:calendar-query xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:prop><D:getetag/></D:prop>"
        "<C:filter><C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\"><C:time-range start=\"" +
        time_range_value(window.first) + "\" end=\"" + time_range_value(window.second) +
        "\"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>";
    HttpResponse r = send("REPORT", calendar, body, {{"Depth", "1"}, {"Content-Type", "application/xml; charset=utf-8"}},
                          kDataAnswer);
    if (r.status == 404) throw CalendarError(CalendarFailure::not_found, "the calendar is gone: " + calendar);
    if (r.status != 207) throw CalendarError(CalendarFailure::rejected, "calendar-query: the CalDAV server answered " + std::to_string(r.status));
    dav::Element doc = multistatus_of(r, kDataAnswer);
    const std::string own_key = href_key(calendar);
    std::vector<std::string> hrefs;
    std::set<std::string> seen;
    for (const Entry& e : entries_of(doc)) {
        const std::string url = resolve_href(e.href, calendar, origin_);
        const std::string key = href_key(url);
        if (key == own_key || key.back() == '/' || origin_of(url) != origin_ || e.props.empty()) continue;
        if (seen.insert(key).second) hrefs.push_back(url);
    }
    std::vector<std::string> missing;
    result.changed = multiget(calendar, hrefs, missing);
    result.full = true;
    result.next_token = "ctag:" + ctag;
    return result;
}

ChangeSet CaldavClient::changes(const std::string& calendar_href, const std::string& token) {
    use_origin_of(calendar_href);
    const std::string calendar = with_slash(calendar_href);
    if (token.rfind("ctag:", 0) == 0) return by_ctag(calendar, token);
    bool unsupported = false;
    ChangeSet result = sync_collection(calendar, token.rfind("sync:", 0) == 0 ? token.substr(5) : token, unsupported);
    if (!unsupported) return result;
    return by_ctag(calendar, "");
}

WrittenEvent CaldavClient::put_event(const std::string& calendar_href, const std::string& uid, const std::string& ics,
                                     const std::optional<std::string>& if_match) {
    use_origin_of(calendar_href);
    if (uid.empty()) throw CalendarError(CalendarFailure::rejected, "an event needs a UID");
    const std::string url = with_slash(calendar_href) + segment_for(uid) + ".ics";
    std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "text/calendar; charset=utf-8"}};
    if (if_match) headers.emplace_back("If-Match", *if_match);
    else headers.emplace_back("If-None-Match", "*");
    HttpResponse r = send("PUT", url, ics, std::move(headers), kSmallAnswer);
    if (r.ok()) {
        // RFC 4791 5.3.4: a server that changed what it stored sends no ETag; ask for it.
        std::string etag = r.header("etag");
        if (etag.empty()) etag = current_etag(url);
        return {url, etag};
    }
    const std::string what = "PUT " + url + ": the CalDAV server answered " + std::to_string(r.status);
    if (r.status == 412) throw CalendarError(CalendarFailure::precondition_failed, what);
    if (r.status == 404 || r.status == 409 || r.status == 410) throw CalendarError(CalendarFailure::not_found, what);
    throw CalendarError(CalendarFailure::rejected, what);
}

void CaldavClient::delete_event(const std::string& event_href, const std::optional<std::string>& if_match) {
    use_origin_of(event_href);
    std::vector<std::pair<std::string, std::string>> headers;
    if (if_match) headers.emplace_back("If-Match", *if_match);
    HttpResponse r = send("DELETE", event_href, "", std::move(headers), kSmallAnswer);
    if (r.ok() || r.status == 404 || r.status == 410) return;
    const std::string what = "DELETE " + event_href + ": the CalDAV server answered " + std::to_string(r.status);
    if (r.status == 412) throw CalendarError(CalendarFailure::precondition_failed, what);
    throw CalendarError(CalendarFailure::rejected, what);
}

}  // namespace slotwise::server::adapters
