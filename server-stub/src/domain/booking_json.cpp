#include "domain/booking_json.h"

#include <chrono>

namespace slotwise::server {

json booking_json(const Booking& b, const std::optional<std::string>& manage_token) {
    json client = {{"name", b.client.name}, {"email", b.client.email}};
    if (b.client.phone) client["phone"] = *b.client.phone;
    json j = {{"id", b.id},
              {"provider", b.provider_id},
              {"service", b.service_id},
              {"start", format_instant(b.start)},
              {"end", format_instant(b.end)},
              {"duration_minutes", b.duration_minutes},
              {"status", std::string(to_string(b.status))},
              {"client", client},
              {"price", {{"amount", b.price_amount}, {"currency", b.currency}}},
              {"created_at", format_timestamp(b.created_at)}};
    if (b.meeting_link) j["meeting_link"] = *b.meeting_link;
    // Until when the client may enter the mailed code.
    if (b.status == BookingStatus::held && b.expires_at) j["expires_at"] = format_timestamp(*b.expires_at);
    if (b.notes) j["notes"] = *b.notes;
    if (b.client_time_zone) j["time_zone"] = *b.client_time_zone;
    if (b.cancelled_at) j["cancelled_at"] = format_instant(*b.cancelled_at);
    if (b.cancelled_by) j["cancelled_by"] = *b.cancelled_by;
    if (b.cancelled_at) j["cancellation_reason"] = b.cancellation_reason ? json(*b.cancellation_reason) : json(nullptr);
    if (b.refund_amount) j["refund"] = {{"amount", *b.refund_amount}, {"currency", b.currency}};
    if (manage_token) j["manage_token"] = *manage_token;
    return j;
}

namespace {

// RFC 5545's UTC form: 20261201T140000Z.
std::string ics_utc(Timestamp t) { return date::format("%Y%m%dT%H%M%SZ", t); }

// RFC 5545 3.3.11: backslash, semicolon, comma and newlines are escaped.
std::string ics_text(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '\\' || c == ';' || c == ',') { out += '\\'; out += c; }
        else if (c == '\n') out += "\\n";
        else if (c == '\r') continue;
        else out += c;
    }
    return out;
}

// RFC 5545 3.1: lines longer than 75 octets are folded (CRLF + space),
// never inside a UTF-8 sequence.
std::string fold(const std::string& line) {
    std::string out;
    std::size_t width = 0;
    for (std::size_t i = 0; i < line.size();) {
        std::size_t len = 1;
        const unsigned char c = static_cast<unsigned char>(line[i]);
        if (c >= 0xf0) len = 4;
        else if (c >= 0xe0) len = 3;
        else if (c >= 0xc0) len = 2;
        if (width + len > 75) {
            out += "\r\n ";
            width = 1;
        }
        out.append(line, i, len);
        width += len;
        i += len;
    }
    return out + "\r\n";
}

// RFC 5545 has no "expired" or "declined": a lapsed or declined request is
// off the calendar, as a cancelled one; what happened at an appointment
// does not change that it took place.
std::string_view ics_status(BookingStatus status) {
    switch (status) {
        case BookingStatus::held:
        case BookingStatus::pending: return "TENTATIVE";
        case BookingStatus::declined:
        case BookingStatus::cancelled:
        case BookingStatus::expired: return "CANCELLED";
        case BookingStatus::confirmed:
        case BookingStatus::completed:
        case BookingStatus::no_show: return "CONFIRMED";
    }
    return "CONFIRMED";
}

}  // namespace

std::string booking_ics(const Booking& b, const ProviderConfig* provider, Timestamp now) {
    std::string service_name = b.service_id, provider_name = b.provider_id;
    if (provider) {
        provider_name = provider->name;
        if (const auto* s = provider->service(b.service_id)) service_name = s->name;
    }
    const std::string status(ics_status(b.status));
    std::string description = "Booking " + b.id + " (" + std::string(to_string(b.status)) + ")";
    if (b.meeting_link) description += "\nJoin: " + *b.meeting_link;
    std::string out;
    out += fold("BEGIN:VCALENDAR");
    out += fold("VERSION:2.0");
    out += fold("PRODID:-//Slotwise//slotwise-server//EN");
    out += fold("CALSCALE:GREGORIAN");
    out += fold("METHOD:PUBLISH");
    out += fold("BEGIN:VEVENT");
    out += fold("UID:" + b.id + "@slotwise");
    out += fold("DTSTAMP:" + ics_utc(now));
    out += fold("DTSTART:" + ics_utc(b.start));
    out += fold("DTEND:" + ics_utc(b.end));
    // Seconds since creation: grows with every change to the booking.
    out += fold("SEQUENCE:" + std::to_string(std::max(std::chrono::seconds{0}, b.updated_at - b.created_at).count()));
    out += fold("SUMMARY:" + ics_text(service_name + " with " + provider_name));
    out += fold("DESCRIPTION:" + ics_text(description));
    if (b.meeting_link) {
        out += fold("LOCATION:" + ics_text(*b.meeting_link));
        out += fold("URL:" + *b.meeting_link);
    }
    out += fold("STATUS:" + status);
    out += fold("END:VEVENT");
    out += fold("END:VCALENDAR");
    return out;
}

}  // namespace slotwise::server
