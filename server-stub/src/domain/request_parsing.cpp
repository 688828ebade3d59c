#include "domain/request_parsing.h"

#include "domain/notification_settings.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include <slotwise/json_depth.h>
#include <slotwise/protocol.h>
#include <slotwise/refund.h>

namespace slotwise::server {
namespace {

void reject_unknown_fields(const json& object, const std::set<std::string>& known, const std::string& where) {
    for (const auto& item : object.items())
        if (!known.count(item.key())) throw invalid_input("unknown field " + where + "/" + item.key());
}

struct StringRule {
    std::size_t min = 1, max = 200;
    bool multiline = false;  // free text: line breaks and tabs allowed, and the directional marks of RTL prose
};

// The first code point of `s` that a text field refuses, or nullopt. Refused
// everywhere: C0 controls and DEL, C1 controls (U+0080..U+009F), the
// bidirectional embeddings, overrides and isolates (U+202A..U+202E,
// U+2066..U+2069), which can make a name read backwards in a provider's list
// or an e-mail, and the Unicode line and paragraph separators U+2028/U+2029,
// which break lines where a reader (or a JavaScript string) does not expect
// it. Free text may keep "\n", "\r\n" and "\t"; single-line fields also
// refuse the invisible direction marks U+200E/U+200F. `s` is valid UTF-8
// (the JSON parser checked), so the decoding here needs no error paths.
std::optional<char32_t> refused_code_point(const std::string& s, bool multiline) {
    for (std::size_t i = 0; i < s.size();) {
        const auto lead = static_cast<unsigned char>(s[i]);
        char32_t cp;
        std::size_t len;
        if (lead < 0x80) cp = lead, len = 1;
        else if (lead < 0xe0) cp = lead & 0x1f, len = 2;
        else if (lead < 0xf0) cp = lead & 0x0f, len = 3;
        else cp = lead & 0x07, len = 4;
        for (std::size_t k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
        const bool line_break = cp == '\n' || cp == '\t' || (cp == '\r' && i + 1 < s.size() && s[i + 1] == '\n');
        if ((cp < 0x20 && !(multiline && line_break)) || (cp >= 0x7f && cp <= 0x9f) ||
            (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029 ||
            (!multiline && (cp == 0x200e || cp == 0x200f)))
            return cp;
        i += len;
    }
    return std::nullopt;
}

constexpr int kMinReminderMinutes = 5, kMaxReminderMinutes = 20160;  // api.md: 5 minutes .. 14 days
constexpr std::size_t kMaxReminders = 10;

// A service's `reminders` and `review_request_after_minutes` (api.md
// "Reminders"); absent: the defaults, [] and null: none.
void parse_reminders(const json& service, const std::string& where, ServiceConfig& c) {
    if (auto found = service.find("reminders"); found != service.end()) {
        const std::string at = where + "/reminders";
        if (!found->is_array()) throw invalid_input(at + " must be a list of {before_minutes, channels} ([] for none)");
        if (found->size() > kMaxReminders) throw invalid_input(at + ": at most " + std::to_string(kMaxReminders) + " reminders");
        c.reminders.clear();
        std::set<int> seen;
        for (std::size_t i = 0; i < found->size(); ++i) {
            const json& r = (*found)[i];
            const std::string item = at + "/" + std::to_string(i);
            if (!r.is_object()) throw invalid_input(item + " must be {before_minutes, channels}");
            reject_unknown_fields(r, {"before_minutes", "channels"}, item);
            const auto minutes = r.find("before_minutes");
            if (minutes == r.end() || !minutes->is_number_integer() || minutes->get<std::int64_t>() < kMinReminderMinutes ||
                minutes->get<std::int64_t>() > kMaxReminderMinutes)
                throw invalid_input(item + "/before_minutes must be an integer " + std::to_string(kMinReminderMinutes) + ".." +
                                    std::to_string(kMaxReminderMinutes));
            Reminder reminder;
            reminder.before_minutes = minutes->get<int>();
            if (!seen.insert(reminder.before_minutes).second)
                throw invalid_input(item + "/before_minutes: another reminder of this service is also " +
                                    std::to_string(reminder.before_minutes) + " minutes before");
            const auto channels = r.find("channels");
            if (channels == r.end() || !channels->is_array() || channels->empty() || channels->size() > 3)
                throw invalid_input(item + "/channels must be a non-empty list of \"email\", \"sms\", \"push\"");
            for (std::size_t k = 0; k < channels->size(); ++k) {
                const json& channel = (*channels)[k];
                const std::string name = channel.is_string() ? channel.get<std::string>() : "";
                if (name != "email" && name != "sms" && name != "push")
                    throw invalid_input(item + "/channels/" + std::to_string(k) + " must be \"email\", \"sms\" or \"push\"");
                if (std::find(reminder.channels.begin(), reminder.channels.end(), name) != reminder.channels.end())
                    throw invalid_input(item + "/channels/" + std::to_string(k) + ": \"" + name + "\" is listed twice");
                reminder.channels.push_back(name);
            }
            c.reminders.push_back(std::move(reminder));
        }
    }
    if (auto found = service.find("review_request_after_minutes"); found != service.end()) {
        if (found->is_null()) c.review_request_after_minutes.reset();
        else if (!found->is_number_integer() || found->get<std::int64_t>() < 0 || found->get<std::int64_t>() > kMaxReminderMinutes)
            throw invalid_input(where + "/review_request_after_minutes must be an integer 0.." +
                                std::to_string(kMaxReminderMinutes) + ", or null for no review request");
        else c.review_request_after_minutes = found->get<int>();
    }
}

std::string code_point_name(char32_t cp) {
    char text[16];
    std::snprintf(text, sizeof text, "U+%04X", static_cast<unsigned>(cp));
    return text;
}

// A refused text field: the detail names the field by its JSON pointer
// (RFC 6901), which the problem document also carries as `pointer`.
DomainError bad_text(const std::string& pointer, char32_t cp) {
    DomainError e = invalid_input(pointer + " contains a character that is not allowed here (" + code_point_name(cp) + ")");
    e.extensions.emplace_back("pointer", json(pointer).dump());
    return e;
}

std::string required_string(const json& object, const std::string& key, const std::string& where, StringRule rule = {}) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) throw invalid_input("missing field " + where + "/" + key);
    if (!it->is_string()) throw invalid_input(where + "/" + key + " must be a string");
    const auto& s = it->get_ref<const std::string&>();
    if (s.size() < rule.min || s.size() > rule.max)
        throw invalid_input(where + "/" + key + " must be " + std::to_string(rule.min) + ".." + std::to_string(rule.max) +
                          " bytes long");
    if (auto cp = refused_code_point(s, rule.multiline)) throw bad_text(where + "/" + key, *cp);
    return s;
}

std::optional<std::string> optional_string(const json& object, const std::string& key, const std::string& where,
                                           StringRule rule = {}) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return std::nullopt;
    return required_string(object, key, where, rule);
}

std::optional<int> optional_minutes(const json& object, const std::string& key, const std::string& where) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return std::nullopt;
    if (!it->is_number_integer()) throw invalid_input(where + "/" + key + " must be an integer");
    // The engine judges the value against the service; here it only has to fit.
    if (it->is_number_unsigned() ? it->get<std::uint64_t>() > 100000 : (it->get<std::int64_t>() < -100000 || it->get<std::int64_t>() > 100000))
        throw invalid_input(where + "/" + key + " is out of range");
    return it->get<int>();
}

bool optional_bool(const json& object, const std::string& key, const std::string& where, bool fallback) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return fallback;
    if (!it->is_boolean()) throw invalid_input(where + "/" + key + " must be true or false");
    return it->get<bool>();
}

bool plausible_email(const std::string& e) {
    auto at = e.find('@');
    if (at == std::string::npos || at == 0 || at + 1 >= e.size() || e.find('@', at + 1) != std::string::npos) return false;
    for (unsigned char c : e)
        if (c <= 0x20) return false;
    return e.find('.', at) != std::string::npos;
}

bool plausible_phone(const std::string& p) {
    int digits = 0;
    for (char c : p) {
        if (c >= '0' && c <= '9') ++digits;
        else if (c != '+' && c != ' ' && c != '-' && c != '(' && c != ')' && c != '.') return false;
    }
    return digits >= 3;
}

// BCP 47 in outline: subtags of 1..8 letters or digits joined by '-'.
bool plausible_locale(const std::string& tag) {
    std::size_t run = 0;
    for (char c : tag) {
        if (c == '-') {
            if (run == 0) return false;
            run = 0;
        } else if (((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) && run < 8) {
            ++run;
        } else {
            return false;
        }
    }
    return run > 0;
}

Instant required_instant(const json& object, const std::string& key, const std::string& where, std::string& text) {
    text = required_string(object, key, where, {20, 20});
    auto t = parse_instant(text);
    if (!t) throw invalid_input(where + "/" + key + " must be an instant like 2026-12-01T14:00:00Z");
    return *t;
}

// RFC 6901: "~" and "/" inside a member name are escaped in a pointer.
std::string pointer_token(const std::string& name) {
    std::string out;
    for (char c : name) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out += c;
    }
    return out;
}

// `booking_limits`: {"open_bookings_per_client": 1..1000, "pending_expiry_minutes": 1..43200 (30 days)},
// both optional; an absent one takes the server's default.
void parse_booking_limits(const json& body, ProviderConfig& p) {
    auto limits = body.find("booking_limits");
    if (limits == body.end() || limits->is_null()) return;
    if (!limits->is_object()) throw invalid_input("/booking_limits must be an object");
    reject_unknown_fields(*limits, {"open_bookings_per_client", "pending_expiry_minutes"}, "/booking_limits");
    const auto bounded = [&](const char* key, std::int64_t low, std::int64_t high) -> std::optional<int> {
        auto it = limits->find(key);
        if (it == limits->end() || it->is_null()) return std::nullopt;
        if (!it->is_number_integer() || (it->is_number_unsigned() && it->get<std::uint64_t>() > 1000000) ||
            it->get<std::int64_t>() < low || it->get<std::int64_t>() > high)
            throw invalid_input("/booking_limits/" + std::string(key) + " must be an integer " + std::to_string(low) +
                              ".." + std::to_string(high));
        return static_cast<int>(it->get<std::int64_t>());
    };
    p.open_bookings_per_client = bounded("open_bookings_per_client", 1, 1000);
    p.pending_expiry_minutes = bounded("pending_expiry_minutes", 1, 43200);
}

const json& object_body(const json& body) {
    if (!body.is_object()) throw invalid_input("the body must be a JSON object");
    return body;
}

}  // namespace

json parse_json_body(std::string_view body, bool empty_is_object) {
    if (body.size() > kMaxBodyBytes) throw DomainError(ErrorKind::too_large, "PAYLOAD_TOO_LARGE", "the body exceeds 64 KiB");
    if (empty_is_object && body.find_first_not_of(" \t\r\n") == std::string_view::npos) return json::object();
    if (!json_nesting_within(body, kMaxJsonDepth))
        throw invalid_input("JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    json parsed = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) throw invalid_input("the body is not valid JSON (UTF-8)");
    return object_body(parsed);
}

bool is_valid_id(std::string_view id) {
    if (id.empty() || id.size() > 64) return false;
    for (char c : id)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    return true;
}

bool is_valid_idempotency_key(std::string_view key) {
    if (key.empty() || key.size() > 255) return false;
    for (unsigned char c : key)
        if (c < 0x21 || c > 0x7e) return false;
    return true;
}

BookingRequest parse_booking_request(const json& body) {
    object_body(body);
    reject_unknown_fields(body, {"provider", "service", "start", "duration_minutes", "client", "notes", "time_zone", "locale"},
                          "");
    BookingRequest r;
    r.provider = required_string(body, "provider", "", {1, 64});
    r.service = required_string(body, "service", "", {1, 64});
    r.start = required_instant(body, "start", "", r.start_text);
    r.duration_minutes = optional_minutes(body, "duration_minutes", "");
    auto client = body.find("client");
    if (client == body.end() || !client->is_object()) throw invalid_input("/client must be an object with name and email");
    reject_unknown_fields(*client, {"name", "email", "phone"}, "/client");
    r.client.name = required_string(*client, "name", "/client", {1, 200});
    r.client.email = required_string(*client, "email", "/client", {3, 254});
    if (!plausible_email(r.client.email)) throw invalid_input("/client/email is not an email address");
    r.client.phone = optional_string(*client, "phone", "/client", {3, 40});
    if (r.client.phone && !plausible_phone(*r.client.phone)) throw invalid_input("/client/phone is not a phone number");
    r.notes = optional_string(body, "notes", "", {0, 2000, true});
    r.time_zone = optional_string(body, "time_zone", "", {1, 64});
    r.locale = optional_string(body, "locale", "", {2, 35});
    if (r.locale && !plausible_locale(*r.locale)) throw invalid_input("/locale must be a language tag like de or pt-BR");
    return r;
}

VerifyRequest parse_verify_request(const json& body) {
    object_body(body);
    reject_unknown_fields(body, {"code"}, "");
    const std::string typed = required_string(body, "code", "", {1, 32});
    VerifyRequest r;
    for (char c : typed) {
        if (c >= '0' && c <= '9') r.code += c;
        else if (c != ' ' && c != '-') throw invalid_input("/code must be the digits of the code in the email");
    }
    if (r.code.size() != kVerificationCodeDigits)
        throw invalid_input("/code must be the " + std::to_string(kVerificationCodeDigits) + " digits of the code in the email");
    return r;
}

RescheduleRequest parse_reschedule_request(const json& body) {
    object_body(body);
    reject_unknown_fields(body, {"start", "duration_minutes"}, "");
    RescheduleRequest r;
    r.start = required_instant(body, "start", "", r.start_text);
    r.duration_minutes = optional_minutes(body, "duration_minutes", "");
    return r;
}

std::optional<std::string> parse_cancel_reason(const json& body) {
    object_body(body);
    reject_unknown_fields(body, {"reason"}, "");
    return optional_string(body, "reason", "", {0, 500, true});
}

ProviderConfig parse_provider_config(const std::string& provider_id, const json& body) {
    object_body(body);
    reject_unknown_fields(body, {"name", "kind", "time_zone", "active", "bio", "photo_url", "address", "schedules",
                                 "services", "booking_limits", "notifications"}, "");
    ProviderConfig p;
    p.id = provider_id;
    p.name = required_string(body, "name", "", {1, 200});
    p.kind = required_string(body, "kind", "", {1, 20});
    static const std::set<std::string> kinds = {"doctor", "consultant", "trainer", "therapist", "other"};
    if (!kinds.count(p.kind)) throw invalid_input("/kind must be doctor, consultant, trainer, therapist or other");
    auto zone = body.find("time_zone");
    if (zone == body.end() || !zone->is_string()) throw invalid_input("/time_zone must be a string");
    p.time_zone = required_string(body, "time_zone", "", {1, 64});
    p.active = optional_bool(body, "active", "", true);
    p.bio = optional_string(body, "bio", "", {0, 4000, true});
    p.photo_url = optional_string(body, "photo_url", "", {1, 2000});
    if (p.photo_url && p.photo_url->rfind("https://", 0) != 0 && p.photo_url->rfind("http://", 0) != 0)
        throw invalid_input("/photo_url must be an http(s) URL");
    p.address = optional_string(body, "address", "", {1, 500, true});
    parse_booking_limits(body, p);
    if (auto notifications = body.find("notifications"); notifications != body.end() && !notifications->is_null())
        p.notifications = domain::notification_settings_document(domain::parse_notification_settings(*notifications));
    auto schedules = body.find("schedules");
    if (schedules == body.end() || !schedules->is_object()) throw invalid_input("/schedules must be an object");
    if (schedules->size() > 32) throw invalid_input("/schedules: at most 32 schedules");
    for (const auto& item : schedules->items())
        if (auto cp = refused_code_point(item.key(), false)) throw bad_text("/schedules/" + pointer_token(item.key()), *cp);
    auto services = body.find("services");
    if (services == body.end() || !services->is_array()) throw invalid_input("/services must be a list");
    if (services->size() > 100) throw invalid_input("/services: at most 100 services");

    // The engine is the judge of schedules and of every engine field of a
    // service: it parses exactly what it will later compute with.
    json engine_services = json::array();
    static const std::set<std::string> engine_keys = {"id", "schedule", "active", "durations", "buffer_before_minutes",
                                                      "buffer_after_minutes", "slot_interval_minutes",
                                                      "min_notice_minutes", "max_advance_days"};
    static const std::set<std::string> display_keys = {"name", "price", "cancellation_policy", "virtual",
                                                       "requires_confirmation", "verify_client_email",
                                                       "reminders", "review_request_after_minutes", "payment"};
    std::set<std::string> all_keys = engine_keys;
    all_keys.insert(display_keys.begin(), display_keys.end());
    for (std::size_t i = 0; i < services->size(); ++i) {
        const json& s = (*services)[i];
        const std::string where = "/services/" + std::to_string(i);
        if (!s.is_object()) throw invalid_input(where + " must be an object");
        reject_unknown_fields(s, all_keys, where);
        json engine_part = json::object();
        for (const auto& item : s.items())
            if (engine_keys.count(item.key())) engine_part[item.key()] = item.value();
        engine_services.push_back(engine_part);
    }
    json snapshot = {{"provider", {{"id", p.id}, {"time_zone", p.time_zone}, {"active", p.active}}},
                     {"schedules", *schedules},
                     {"services", engine_services}};
    slotwise::Engine engine(snapshot.dump());
    if (!engine.ok()) {
        DomainError e = invalid_input("the engine rejects this configuration");
        try {
            json answer = json::parse(engine.snapshot_error().json);
            const json& error = answer.at("error");
            e = DomainError(ErrorKind::invalid_input, error.at("code").get<std::string>() == "UNKNOWN_TIME_ZONE" ? "UNKNOWN_TIME_ZONE" : "INVALID_REQUEST",
                         error.value("message", std::string("invalid configuration")) + " at " + error.value("path", std::string("")));
            e.extensions.emplace_back("engine_error", error.dump());
        } catch (const json::exception&) {
        }
        throw e;
    }
    p.schedules = json::object();
    for (const auto& item : schedules->items()) {
        if (item.key().empty() || item.key().size() > 64) throw invalid_input("/schedules: names are 1..64 bytes");
        json schedule = {{"weekly", item.value().value("weekly", json::array())},
                         {"overrides", item.value().value("overrides", json::array())}};
        p.schedules[item.key()] = schedule;
    }

    std::set<std::string> ids;
    for (std::size_t i = 0; i < services->size(); ++i) {
        const json& s = (*services)[i];
        const std::string where = "/services/" + std::to_string(i);
        ServiceConfig c;
        c.id = s.at("id").get<std::string>();
        if (!is_valid_id(c.id)) throw invalid_input(where + "/id must be 1..64 of A-Z a-z 0-9 _ -");
        c.name = required_string(s, "name", where, {1, 200});
        c.schedule = s.value("schedule", std::string("default"));
        c.active = optional_bool(s, "active", where, true);
        c.durations = s.at("durations").get<std::vector<int>>();
        c.buffer_before_minutes = s.value("buffer_before_minutes", 0);
        c.buffer_after_minutes = s.value("buffer_after_minutes", 0);
        if (s.contains("slot_interval_minutes") && !s["slot_interval_minutes"].is_null())
            c.slot_interval_minutes = s["slot_interval_minutes"].get<int>();
        c.min_notice_minutes = s.value("min_notice_minutes", 0);
        if (s.contains("max_advance_days") && !s["max_advance_days"].is_null())
            c.max_advance_days = s["max_advance_days"].get<int>();
        auto price = s.find("price");
        if (price == s.end() || !price->is_object()) throw invalid_input(where + "/price must be {amount, currency}");
        reject_unknown_fields(*price, {"amount", "currency"}, where + "/price");
        auto amount = price->find("amount");
        if (amount == price->end() || !amount->is_number_integer() || amount->get<std::int64_t>() < 0 ||
            amount->get<std::int64_t>() > 1000000000000LL)
            throw invalid_input(where + "/price/amount must be an integer 0..10^12 (minor units)");
        c.price_amount = amount->get<std::int64_t>();
        c.currency = required_string(*price, "currency", where + "/price", {3, 3});
        for (char ch : c.currency)
            if (ch < 'A' || ch > 'Z') throw invalid_input(where + "/price/currency must be an ISO 4217 code like EUR");
        c.cancellation_policy = s.value("cancellation_policy", json("flexible"));
        // The engine is the judge of a policy too; a defect inside a tier is
        // pointed at, one of the whole value gets the list of what is allowed.
        if (const auto policy = slotwise::parse_cancellation_policy(c.cancellation_policy); !policy) {
            const slotwise::Error& error = policy.error();
            if (error.path.empty())
                throw invalid_input(where + "/cancellation_policy must be flexible, moderate, strict or a list of "
                                          "{hours_before, percent}");
            throw invalid_input(where + "/cancellation_policy" + error.path + ": " + error.message);
        }
        c.is_virtual = optional_bool(s, "virtual", where, false);
        c.requires_confirmation = optional_bool(s, "requires_confirmation", where, false);
        c.verify_client_email = optional_bool(s, "verify_client_email", where, false);
        parse_reminders(s, where, c);
        c.payment = domain::parse_service_payment(s, where, c.price_amount, c.currency);
        if (!ids.insert(c.id).second) throw invalid_input(where + "/id is not unique");
        p.services.push_back(std::move(c));
    }
    return p;
}

}  // namespace slotwise::server
