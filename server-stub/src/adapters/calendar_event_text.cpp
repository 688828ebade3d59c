#include "adapters/calendar_event_text.h"

#include <cstdio>
#include <memory>

#include <libical/ical.h>

#include "adapters/calendar_client.h"

namespace slotwise::server::adapters {

namespace {

// Howard Hinnant's days_from_civil, so no time zone library is needed here.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool digits(std::string_view s, std::size_t at, std::size_t n, int& out) {
    if (at + n > s.size()) return false;
    out = 0;
    for (std::size_t i = at; i < at + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

bool valid_date(int y, int m, int d) { return y >= 1900 && y <= 2200 && m >= 1 && m <= 12 && d >= 1 && d <= 31; }

std::string ics_utc(std::int64_t t) {
    const std::int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    const std::int64_t secs = t - days * 86400;
    // civil_from_days
    std::int64_t z = days + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04lld%02u%02uT%02lld%02lld%02lldZ", static_cast<long long>(y), m, d,
                  static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
    return buf;
}

// A UID from a service goes into a content line: no line breaks.
std::string one_line(std::string text) {
    for (char& c : text)
        if (c == '\r' || c == '\n') c = ' ';
    return text;
}

}  // namespace

std::optional<std::int64_t> parse_rfc3339(std::string_view s) {
    int y, mo, d, h, mi, se;
    if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' || !digits(s, 8, 2, d) ||
        (s[10] != 'T' && s[10] != 't') || !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' ||
        !digits(s, 17, 2, se))
        return std::nullopt;
    if (!valid_date(y, mo, d) || h > 23 || mi > 59 || se > 60) return std::nullopt;
    std::size_t at = 19;
    if (at < s.size() && s[at] == '.') {
        ++at;
        const std::size_t begin = at;
        while (at < s.size() && s[at] >= '0' && s[at] <= '9') ++at;
        if (at == begin) return std::nullopt;
    }
    std::int64_t offset = 0;
    if (at < s.size()) {
        if (s[at] == 'Z' || s[at] == 'z') {
            ++at;
        } else if (s[at] == '+' || s[at] == '-') {
            int oh, om;
            if (!digits(s, at + 1, 2, oh) || at + 3 >= s.size() || s[at + 3] != ':' || !digits(s, at + 4, 2, om) || oh > 23 || om > 59)
                return std::nullopt;
            offset = (oh * 3600 + om * 60) * (s[at] == '+' ? 1 : -1);
            at += 6;
        } else {
            return std::nullopt;
        }
    }
    if (at != s.size()) return std::nullopt;
    return days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + se - offset;
}

std::optional<std::string> ics_date(std::string_view s) {
    int y, m, d;
    if (s.size() != 10 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, m) || s[7] != '-' || !digits(s, 8, 2, d) || !valid_date(y, m, d))
        return std::nullopt;
    return std::string(s.substr(0, 4)) + std::string(s.substr(5, 2)) + std::string(s.substr(8, 2));
}

std::string rfc3339_utc(std::int64_t t) {
    const std::string c = ics_utc(t);  // YYYYMMDDTHHMMSSZ
    return c.substr(0, 4) + "-" + c.substr(4, 2) + "-" + c.substr(6, 2) + "T" + c.substr(9, 2) + ":" + c.substr(11, 2) + ":" +
           c.substr(13, 2) + "Z";
}

std::string busy_event_ics(const BusyEvent& e) {
    std::string out = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Slotwise//calendar sync//EN\r\nBEGIN:VEVENT\r\n";
    out += "UID:" + one_line(e.uid) + "\r\n";
    out += "DTSTAMP:19700101T000000Z\r\n";
    if (e.start_date && e.end_date) {
        out += "DTSTART;VALUE=DATE:" + *e.start_date + "\r\n";
        out += "DTEND;VALUE=DATE:" + *e.end_date + "\r\n";
    } else {
        out += "DTSTART:" + ics_utc(e.start) + "\r\n";
        out += "DTEND:" + ics_utc(e.end) + "\r\n";
    }
    out += std::string("TRANSP:") + (e.transparent ? "TRANSPARENT" : "OPAQUE") + "\r\n";
    out += std::string("STATUS:") + (e.cancelled ? "CANCELLED" : e.tentative ? "TENTATIVE" : "CONFIRMED") + "\r\n";
    out += "END:VEVENT\r\nEND:VCALENDAR\r\n";
    return out;
}

std::optional<OwnEvent> read_own_event(const std::string& ics) {
    std::unique_ptr<icalcomponent, decltype(&icalcomponent_free)> root(icalparser_parse_string(ics.c_str()), icalcomponent_free);
    if (!root) return std::nullopt;
    icalcomponent* event = icalcomponent_isa(root.get()) == ICAL_VEVENT_COMPONENT
                               ? root.get()
                               : icalcomponent_get_first_component(root.get(), ICAL_VEVENT_COMPONENT);
    if (!event) return std::nullopt;
    const icaltimetype start = icalcomponent_get_dtstart(event), end = icalcomponent_get_dtend(event);
    if (icaltime_is_null_time(start) || icaltime_is_null_time(end)) return std::nullopt;
    OwnEvent out;
    auto text = [](const char* s) { return s ? std::string(s) : std::string(); };
    out.uid = text(icalcomponent_get_uid(event));
    out.summary = text(icalcomponent_get_summary(event));
    out.description = text(icalcomponent_get_description(event));
    out.location = text(icalcomponent_get_location(event));
    out.start = static_cast<std::int64_t>(icaltime_as_timet_with_zone(start, start.zone ? start.zone : icaltimezone_get_utc_timezone()));
    out.end = static_cast<std::int64_t>(icaltime_as_timet_with_zone(end, end.zone ? end.zone : icaltimezone_get_utc_timezone()));
    const icalproperty_status status = icalcomponent_get_status(event);
    out.cancelled = status == ICAL_STATUS_CANCELLED;
    out.tentative = status == ICAL_STATUS_TENTATIVE;
    if (out.uid.empty() || out.end < out.start) return std::nullopt;
    return out;
}

HttpResponse calendar_json::send(BearerSession& session, HttpRequest request, const std::string& body,
                                const std::optional<std::string>& if_match, const char* service) {
    if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
    if (if_match) request.headers.emplace_back("If-Match", *if_match);
    request.body = body;
    request.max_response_bytes = 8 * 1024 * 1024;
    try {
        return session.send(std::move(request));
    } catch (const OAuthError& e) {
        throw CalendarError(e.failure == OAuthFailure::unreachable ? CalendarFailure::unreachable : CalendarFailure::auth_failed,
                            std::string(service) + " token refresh: " + e.what());
    }
}

}  // namespace slotwise::server::adapters
