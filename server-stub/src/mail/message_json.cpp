#include <nlohmann/json.hpp>

#include "mail/message.h"

namespace slotwise::server::mail {

namespace {

[[noreturn]] void invalid(const std::string& detail) { throw MailFormatError("MAIL_PAYLOAD_INVALID", "mail payload: " + detail); }

std::string string_at(const nlohmann::json& j, const char* key, bool required) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
        if (required) invalid(std::string("\"") + key + "\" is missing");
        return {};
    }
    if (!it->is_string()) invalid(std::string("\"") + key + "\" must be a string");
    return it->get<std::string>();
}

MailAddress mailbox_from_json(const nlohmann::json& j) {
    if (!j.is_object()) invalid("a mailbox must be an object {name, address}");
    return {string_at(j, "name", false), string_at(j, "address", true)};
}

std::string base64_decode(const std::string& text) {
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == '/') return 63;
        return -1;
    };
    std::string out;
    unsigned long bits = 0;
    int count = 0;
    std::size_t padding = 0;
    for (const char c : text) {
        if (c == '\r' || c == '\n') continue;
        if (c == '=') {
            ++padding;
            continue;
        }
        const int v = value(c);
        if (v < 0 || padding) invalid("an attachment's \"base64\" is not base64");
        bits = (bits << 6) | static_cast<unsigned long>(v);
        count += 6;
        if (count >= 8) {
            count -= 8;
            out += static_cast<char>((bits >> count) & 0xFF);
        }
    }
    return out;
}

}  // namespace

void to_json(nlohmann::json& j, const MailMessage& message) {
    auto mailbox = [](const MailAddress& a) { return nlohmann::json{{"name", a.name}, {"address", a.address}}; };
    j = nlohmann::json{{"from", mailbox(message.from)}, {"to", nlohmann::json::array()}, {"subject", message.subject},
                       {"text", message.text}};
    for (const auto& to : message.to) j["to"].push_back(mailbox(to));
    if (message.html) j["html"] = *message.html;
    if (!message.attachments.empty()) {
        j["attachments"] = nlohmann::json::array();
        for (const auto& a : message.attachments)
            j["attachments"].push_back({{"filename", a.filename}, {"content_type", a.content_type}, {"base64", base64_lines(a.bytes)}});
    }
    if (message.date) j["date"] = *message.date;
}

void from_json(const nlohmann::json& j, MailMessage& message) {
    if (!j.is_object()) invalid("it must be an object");
    MailMessage m;
    m.key = message.key;
    if (const auto from = j.find("from"); from != j.end() && !from->is_null()) m.from = mailbox_from_json(*from);
    else m.from = message.from;  // the configured sender, set by the caller beforehand
    const auto to = j.find("to");
    if (to == j.end() || !to->is_array() || to->empty()) invalid("\"to\" must be a non-empty array of mailboxes");
    for (const auto& box : *to) m.to.push_back(mailbox_from_json(box));
    m.subject = string_at(j, "subject", true);
    m.text = string_at(j, "text", true);
    if (const auto html = j.find("html"); html != j.end() && !html->is_null()) m.html = string_at(j, "html", true);
    if (const auto attachments = j.find("attachments"); attachments != j.end() && !attachments->is_null()) {
        if (!attachments->is_array()) invalid("\"attachments\" must be an array");
        for (const auto& a : *attachments) {
            if (!a.is_object()) invalid("an attachment must be an object {filename, content_type, base64}");
            m.attachments.push_back({string_at(a, "filename", true), string_at(a, "content_type", true),
                                     base64_decode(string_at(a, "base64", true))});
        }
    }
    if (const auto date = j.find("date"); date != j.end() && !date->is_null()) {
        if (!date->is_number_integer()) invalid("\"date\" must be an integer of Unix seconds");
        m.date = date->get<std::int64_t>();
    }
    message = std::move(m);
}

}  // namespace slotwise::server::mail
