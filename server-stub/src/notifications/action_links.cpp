#include "notifications/action_links.h"

#include <cctype>
#include <mutex>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <slotwise/zone.h>

#include "domain/booking_service.h"
#include "domain/clock.h"
#include "domain/domain_error.h"
#include "http/api_mapping.h"
#include "store/records.h"
#include "store/store.h"
#include "support/crypto.h"
#include "support/html.h"

namespace slotwise::server::notifications {
namespace {

using domain::BookingAction;
using domain::DomainError;
using domain::ErrorKind;

// The token: <booking id>-<c|d>-<expiry, Unix seconds>-<link id>-<signature>.
// Only characters the router takes in an id segment ([A-Za-z0-9_-]); a
// booking id never holds '-', and the fields are read from the right anyway.
constexpr char kSeparator = '-';
constexpr std::size_t kLinkIdBytes = 10;  // 80 random bits: unique, not secret
constexpr std::size_t kSignatureHex = 64;

std::mutex key_mutex;
std::string link_key;  // empty until configured

std::string key() {
    std::lock_guard<std::mutex> lock(key_mutex);
    if (link_key.empty()) throw std::logic_error("configure_action_links was not called");
    return link_key;
}

char action_letter(BookingAction action) {
    if (action == BookingAction::confirm) return 'c';
    if (action == BookingAction::decline) return 'd';
    throw std::invalid_argument("an action link confirms or declines, nothing else");
}

std::optional<BookingAction> action_of(std::string_view letter) {
    if (letter == "c") return BookingAction::confirm;
    if (letter == "d") return BookingAction::decline;
    return std::nullopt;
}

// What the signature covers: everything before it, with a version so that a
// later format cannot be confused with this one.
std::string signature(std::string_view unsigned_part) { return hmac_sha256_hex(key(), "slotwise link v1|" + std::string(unsigned_part)); }

bool all_digits(std::string_view s) {
    if (s.empty() || s.size() > 12) return false;
    for (char c : s)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
}


// The token is in the URL: no Referer may carry it away, and the pages load
// nothing and run nothing.
std::vector<std::pair<std::string, std::string>> page_headers() {
    return {{"Content-Type", "text/html; charset=utf-8"},
            {"Referrer-Policy", "no-referrer"},
            {"Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"},
            {"X-Robots-Tag", "noindex"}};
}

LinkAnswer page(int status, const std::string& title, const std::string& body_html) {
    std::string html =
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<meta name=\"robots\" content=\"noindex\"><title>" +
        html_escape(title) +
        "</title><style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;"
        "line-height:1.5}button{font-size:1.1rem;padding:.6rem 1.4rem;cursor:pointer}</style></head><body><h1>" +
        html_escape(title) + "</h1>\n" + body_html + "\n</body></html>\n";
    return {status, page_headers(), std::move(html)};
}

LinkAnswer json_answer(int status, const nlohmann::json& document) {
    return {status, {{"Content-Type", "application/json"}}, document.dump()};
}

LinkAnswer refusal_page(const DomainError& e) {
    return page(http::status_of(e.kind), "This link cannot be used",
                "<p>" + html_escape(e.what()) + "</p><p><small>(" + html_escape(e.code) +
                    ")</small></p><p>The booking can still be handled from the dashboard.</p>");
}

DomainError link_invalid() {
    return DomainError(ErrorKind::not_found, "LINK_INVALID",
                       "this confirm or decline link is not valid (it may have been cut short or altered)");
}

std::string verb(BookingAction action) { return action == BookingAction::confirm ? "confirm" : "decline"; }

// A booking's start in its provider's zone, for people: "2026-12-01 09:00 (Europe/Berlin)".
std::string local_start(Instant start, const std::string& zone_name) {
    const slotwise::TimeZone* zone = slotwise::find_zone(zone_name);
    if (!zone) return format_instant(start);
    return date::format("%Y-%m-%d %H:%M", zone->to_local(start)) + " (" + zone_name + ")";
}

bool link_used(Session& s, const std::string& link_id) {
    return !s.query("SELECT 1 AS used FROM used_action_links WHERE link_id = $1", {link_id}).empty();
}

void mark_used(Session& s, const ActionLink& link, Timestamp now) {
    s.exec("INSERT INTO used_action_links (link_id, booking_id, action, used_at) VALUES ($1, $2, $3, $4)"
           " ON CONFLICT (link_id) DO NOTHING",
           {link.id, link.booking_id, std::string(domain::to_string(link.action)), epoch_seconds(now)});
}

}  // namespace

void configure_action_links(std::string key) {
    std::lock_guard<std::mutex> lock(key_mutex);
    link_key = std::move(key);
}

std::string action_link_url(const std::string& public_origin, const std::string& booking_id, BookingAction action,
                            Timestamp expires_at) {
    std::string unsigned_part = booking_id;
    unsigned_part += kSeparator;
    unsigned_part += action_letter(action);
    unsigned_part += kSeparator;
    unsigned_part += std::to_string(epoch_seconds(expires_at));
    unsigned_part += kSeparator;
    unsigned_part += random_token(kLinkIdBytes);
    std::string origin = public_origin;
    while (!origin.empty() && origin.back() == '/') origin.pop_back();
    return origin + "/v1/booking-actions/" + unsigned_part + kSeparator + signature(unsigned_part);
}

std::optional<ActionLink> read_action_link(std::string_view token) {
    if (token.size() > 256) return std::nullopt;
    // The four fields after the booking id, read from the right.
    std::string_view fields[4];
    std::string_view rest = token;
    for (int i = 3; i >= 0; --i) {
        const auto at = rest.rfind(kSeparator);
        if (at == std::string_view::npos) return std::nullopt;
        fields[i] = rest.substr(at + 1);
        rest = rest.substr(0, at);
    }
    const std::string_view booking_id = rest, letter = fields[0], expiry = fields[1], link_id = fields[2],
                           presented = fields[3];
    if (booking_id.empty() || link_id.empty() || presented.size() != kSignatureHex || !all_digits(expiry)) return std::nullopt;
    const auto action = action_of(letter);
    if (!action) return std::nullopt;
    const std::string_view unsigned_part = token.substr(0, token.size() - presented.size() - 1);
    if (!constant_time_equal(signature(unsigned_part), presented)) return std::nullopt;
    return ActionLink{std::string(link_id), std::string(booking_id), *action,
                      timestamp_from_epoch(std::stoll(std::string(expiry)))};
}

LinkAnswer ActionLinkDesk::show(std::string_view token, bool wants_json) {
    try {
        const auto link = read_action_link(token);
        if (!link) throw link_invalid();
        const Timestamp now = clock_.now();
        auto s = store_.session();
        const auto booking = records::load_booking(*s, link->booking_id);
        if (!booking) throw link_invalid();
        const bool expired = now >= link->expires_at, used = link_used(*s, link->id);
        const auto provider = records::load_provider(*s, booking->provider_id);
        if (expired) throw DomainError(ErrorKind::gone, "LINK_EXPIRED", "this link expired at " + format_timestamp(link->expires_at) + " (UTC)");
        if (used) throw DomainError(ErrorKind::conflict, "LINK_USED", "this link was used already");
        const std::string what = verb(link->action);
        if (wants_json)
            return json_answer(200, {{"action", what},
                                     {"booking_id", booking->id},
                                     {"status", domain::to_string(booking->status)},
                                     {"start", format_instant(booking->start)},
                                     {"expires_at", format_timestamp(link->expires_at)}});
        const ServiceConfig* service = provider ? provider->service(booking->service_id) : nullptr;
        std::string facts = "<ul><li>Client: " + html_escape(booking->client.name) + "</li><li>Service: " +
                            html_escape(service ? service->name : booking->service_id) + " (" +
                            std::to_string(booking->duration_minutes) + " min)</li><li>Start: " +
                            html_escape(local_start(booking->start, provider ? provider->time_zone : "UTC")) + "</li></ul>";
        if (booking->status != BookingStatus::pending)
            return page(409, "This request is no longer waiting",
                        facts + "<p>The booking is " + html_escape(std::string(domain::to_string(booking->status))) +
                            " now, so there is nothing to " + what + ".</p>");
        const std::string heading = link->action == BookingAction::confirm ? "Confirm this booking request?" : "Decline this booking request?";
        return page(200, heading,
                    facts + "<p>Nothing has changed yet. The button below will " + what +
                        " the request and tell the client.</p><form method=\"post\" action=\"" +
                        html_escape("/v1/booking-actions/" + std::string(token)) + "\"><button type=\"submit\">" +
                        (link->action == BookingAction::confirm ? "Confirm the booking" : "Decline the request") +
                        "</button></form>");
    } catch (const DomainError& e) {
        if (wants_json) throw;
        return refusal_page(e);
    }
}

LinkAnswer ActionLinkDesk::act(std::string_view token, bool wants_json) {
    try {
        const auto link = read_action_link(token);
        if (!link) throw link_invalid();
        std::string provider_id;
        {
            auto s = store_.session();
            if (clock_.now() >= link->expires_at)
                throw DomainError(ErrorKind::gone, "LINK_EXPIRED", "this link expired at " + format_timestamp(link->expires_at) + " (UTC)");
            if (link_used(*s, link->id)) throw DomainError(ErrorKind::conflict, "LINK_USED", "this link was used already");
            const auto booking = records::load_booking(*s, link->booking_id);
            if (!booking) throw link_invalid();
            provider_id = booking->provider_id;
        }
        // The transition's own rules decide (a request decided meanwhile is
        // INVALID_TRANSITION); the link is marked used once it has acted. A
        // crash between the two leaves it unmarked, and a second use meets
        // the transition table's refusal instead of LINK_USED.
        const BookingView done =
            service_.provider_transition(domain::ProviderLink{link->id, provider_id}, link->booking_id, link->action, "{}");
        {
            auto s = store_.session();
            mark_used(*s, *link, clock_.now());
        }
        if (wants_json)
            return json_answer(200, {{"action", verb(link->action)},
                                     {"booking_id", done.booking.id},
                                     {"status", domain::to_string(done.booking.status)}});
        const bool confirmed = link->action == BookingAction::confirm;
        return page(200, confirmed ? "Booking confirmed" : "Request declined",
                    std::string("<p>") + (confirmed ? "The booking is confirmed" : "The request is declined") +
                        "; the client is told by email.</p>");
    } catch (const DomainError& e) {
        if (wants_json) throw;
        return refusal_page(e);
    }
}

}  // namespace slotwise::server::notifications
