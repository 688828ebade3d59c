#include "domain/notification_settings.h"

#include <algorithm>

#include "domain/domain_error.h"

namespace slotwise::server::domain {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxAddressBytes = 254;  // RFC 5321's path limit less the brackets

// An ASCII addr-spec as the mail layer sends to (mail/message.h): local@domain, no spaces.
bool is_plain_address(const std::string& a) {
    const auto at = a.find('@');
    if (a.empty() || a.size() > kMaxAddressBytes || at == std::string::npos || at == 0 || at + 1 >= a.size() ||
        a.find('@', at + 1) != std::string::npos || a.find('.', at) == std::string::npos)
        return false;
    return std::all_of(a.begin(), a.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u > 0x20 && u < 0x7f && c != '<' && c != '>' && c != '"' && c != ',' && c != ';' && c != '\\';
    });
}

// E.164: "+", a country code that does not start with 0, at most 15 digits in all.
bool is_e164(const std::string& p) {
    if (p.size() < 8 || p.size() > 16 || p[0] != '+' || p[1] == '0') return false;
    return std::all_of(p.begin() + 1, p.end(), [](char c) { return c >= '0' && c <= '9'; });
}

const json& object_or_throw(const json& value, const std::string& where) {
    if (!value.is_object()) throw invalid_input(where + " must be an object");
    return value;
}

std::vector<std::string> string_list(const json& value, const std::string& where) {
    if (!value.is_array()) throw invalid_input(where + " must be a list");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (!value[i].is_string()) throw invalid_input(where + "/" + std::to_string(i) + " must be a string");
        out.push_back(value[i].get<std::string>());
    }
    return out;
}

bool known(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

std::string names_of(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

std::optional<std::string> optional_text(const json& document, const char* key) {
    auto it = document.find(key);
    if (it == document.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) throw invalid_input(std::string("/notifications/") + key + " must be a string or null");
    return it->get<std::string>();
}

}  // namespace

const std::vector<std::string>& provider_channels() {
    static const std::vector<std::string> channels = {"email", "sms", "whatsapp", "push"};
    return channels;
}

const std::vector<std::string>& client_channels() {
    static const std::vector<std::string> channels = {"email", "sms", "whatsapp"};
    return channels;
}

NotificationSettings NotificationSettings::defaults() {
    NotificationSettings s;
    const std::set<BookingEventType> news = {BookingEventType::created, BookingEventType::cancelled,
                                             BookingEventType::rescheduled, BookingEventType::expired};
    for (const auto& channel : provider_channels()) s.provider[channel] = {};
    s.provider["email"] = news;
    s.provider["push"] = news;
    s.client = {"email"};
    return s;
}

bool NotificationSettings::tells_provider(std::string_view channel, BookingEventType type, std::string_view actor) const {
    if (actor == "provider") return false;
    auto it = provider.find(std::string(channel));
    return it != provider.end() && it->second.count(type) > 0;
}

NotificationSettings parse_notification_settings(const json& document) {
    object_or_throw(document, "/notifications");
    for (const auto& item : document.items())
        if (item.key() != "provider_email" && item.key() != "provider_phone" && item.key() != "provider" &&
            item.key() != "client")
            throw invalid_input("unknown field /notifications/" + item.key());
    NotificationSettings s = NotificationSettings::defaults();
    s.provider_email = optional_text(document, "provider_email");
    if (s.provider_email && !is_plain_address(*s.provider_email))
        throw invalid_input("/notifications/provider_email must be an email address (local@domain, ASCII)");
    s.provider_phone = optional_text(document, "provider_phone");
    if (s.provider_phone && !is_e164(*s.provider_phone))
        throw invalid_input("/notifications/provider_phone must be an E.164 number such as +493012345678");
    if (auto provider = document.find("provider"); provider != document.end() && !provider->is_null()) {
        object_or_throw(*provider, "/notifications/provider");
        for (const auto& item : provider->items()) {
            const std::string where = "/notifications/provider/" + item.key();
            if (!known(provider_channels(), item.key()))
                throw invalid_input("unknown channel " + where + " (channels: " + names_of(provider_channels()) + ")");
            std::set<BookingEventType> events;
            for (const auto& name : string_list(item.value(), where)) {
                const auto type = event_type_from_name(name);
                if (!type) throw invalid_input(where + ": unknown event " + name);
                events.insert(*type);
            }
            s.provider[item.key()] = std::move(events);
        }
    }
    if (auto client = document.find("client"); client != document.end() && !client->is_null()) {
        s.client.clear();
        for (const auto& name : string_list(*client, "/notifications/client")) {
            if (!known(client_channels(), name))
                throw invalid_input("/notifications/client: unknown channel " + name + " (channels: " +
                                    names_of(client_channels()) + ")");
            s.client.insert(name);
        }
    }
    return s;
}

json notification_settings_document(const NotificationSettings& s) {
    json provider = json::object();
    for (const auto& channel : provider_channels()) {
        json events = json::array();
        auto it = s.provider.find(channel);
        for (BookingEventType type : all_event_types())
            if (it != s.provider.end() && it->second.count(type)) events.push_back(event_name(type));
        provider[channel] = std::move(events);
    }
    json client = json::array();
    for (const auto& channel : client_channels())
        if (s.client.count(channel)) client.push_back(channel);
    return {{"provider_email", s.provider_email ? json(*s.provider_email) : json(nullptr)},
            {"provider_phone", s.provider_phone ? json(*s.provider_phone) : json(nullptr)},
            {"provider", std::move(provider)},
            {"client", std::move(client)}};
}

NotificationSettings notification_settings_of(const json& stored) {
    if (stored.is_null()) return NotificationSettings::defaults();
    try {
        return parse_notification_settings(stored);
    } catch (const DomainError&) {
        return NotificationSettings::defaults();
    }
}

}  // namespace slotwise::server::domain
