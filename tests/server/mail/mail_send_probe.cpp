// A test driver for the mail module, outside the server:
//   mail_send_probe render DIR      writes sample messages (N.eml) and what a
//                                   parser must find in them (N.json)
//   mail_send_probe send URL [--ca-file F] [--to ADDR] [--key K]
//                                   sends the sample invitation through SMTP;
//                                   exit 0 sent, 3 transient, 4 permanent
//   mail_send_probe eml DIR [--key K]   the same through the .eml folder sender
#include <cstdio>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "mail/mail_sender.h"

using namespace slotwise::server::mail;

namespace {

std::string all_bytes() {
    std::string bytes;
    for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
    return bytes;
}

const std::string kInvitation =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Slotwise//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
    "UID:booking-1@example.org\r\nSEQUENCE:0\r\nDTSTART:20261203T090000Z\r\nDTEND:20261203T093000Z\r\n"
    "SUMMARY:Beratung mit Zoë\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

MailMessage invitation(const std::string& key, const std::string& to) {
    MailMessage m;
    m.key = key;
    m.from = {"Praxis Müller & Söhne", "praxis@example.org"};
    m.to = {{"Zoë Ångström-Łukasiewicz", to}};
    m.subject = "Bestätigung: Ihr Termin am 3. Dezember um 10:00 — 予約の確認 ✅";
    m.text = "Guten Tag Zoë,\n\nIhr Termin ist bestätigt.\n.\nZeile mit = und Leerzeichen am Ende   \n" +
             std::string(200, 'x') + "\n";
    m.html = "<p>Guten Tag <b>Zoë</b>,</p><p>Ihr Termin ist bestätigt.</p>";
    m.attachments = {{"Termin-Zoë.ics", "text/calendar; method=REQUEST; charset=UTF-8", kInvitation}};
    m.date = 1'796'288'400;  // 2026-12-03T09:00:00Z
    return m;
}

std::vector<MailMessage> samples() {
    std::vector<MailMessage> list;
    MailMessage plain;
    plain.key = "sample-plain";
    plain.from = {"", "noreply@example.org"};
    plain.to = {{"Ann O'Neil \"Annie\"", "ann@example.com"}};
    plain.subject = "Your booking";
    plain.text = "Hello Ann,\r\nsee you soon.\r\n";
    list.push_back(plain);

    list.push_back(invitation("sample-invitation", "zoe@example.com"));

    MailMessage many;
    many.key = "sample-many";
    many.from = {"Slotwise", "slotwise@example.net"};
    many.to = {{"Иван Петров", "ivan@example.com"}, {"", "b@example.com"}, {"李小龙", "lee@example.com"}};
    many.subject = "A very long subject line that will certainly need folding because it goes on and on and on "
                   "well past the seventy-eight characters a line may hold, =?not-an-encoded-word?= included";
    many.text = "😀 emoji, tabs\tand a line that is exactly long enough " + std::string(100, '=') + "\n";
    many.html = "<p>😀</p>";
    many.attachments = {{"binary.bin", "application/octet-stream", all_bytes()},
                        {"Überweisung für März — ein sehr langer Dateiname mit Umlauten äöü.pdf", "application/pdf",
                         "%PDF-1.4 fake"}};
    list.push_back(many);

    MailMessage words;
    words.key = "sample-words";
    words.from = {"A", "a@example.org"};
    words.to = {{"  spaced  name ", "s@example.org"}};
    words.subject = "  leading and  double spaces ";
    words.text = "";
    list.push_back(words);
    return list;
}

nlohmann::json expectation(const MailMessage& m) {
    // Display names are read with runs of white space as one space.
    auto normalised = [](const std::string& name) {
        std::string out;
        for (const char c : name)
            if (!(c == ' ' && (out.empty() || out.back() == ' '))) out += c;
        if (!out.empty() && out.back() == ' ') out.pop_back();
        return out;
    };
    auto mailbox = [&](const MailAddress& a) { return nlohmann::json{{"name", normalised(a.name)}, {"address", a.address}}; };
    nlohmann::json to = nlohmann::json::array();
    for (const auto& a : m.to) to.push_back(mailbox(a));
    nlohmann::json attachments = nlohmann::json::array();
    for (const auto& a : m.attachments)
        attachments.push_back({{"filename", a.filename}, {"content_type", a.content_type}, {"base64", base64_lines(a.bytes)}});
    auto lf = [](std::string s) {
        std::string out;
        for (std::size_t i = 0; i < s.size(); ++i)
            if (!(s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n')) out += s[i];
        return out;
    };
    return {{"from", mailbox(m.from)},  {"to", to},
            {"subject", m.subject},     {"message_id", message_id(m)},
            {"text", lf(m.text)},       {"html", m.html ? nlohmann::json(*m.html) : nlohmann::json()},
            {"attachments", attachments}};
}

int report(const MailSendError& e) {
    std::printf("%s %s: %s\n", e.transient() ? "transient" : "permanent", e.code.c_str(), e.what());
    return e.transient() ? 3 : 4;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: mail_send_probe render DIR | send URL [--ca-file F] [--to ADDR] [--key K] | eml DIR [--key K]\n");
        return 2;
    }
    const std::string command = argv[1], target = argv[2];
    std::string ca_file, to = "zoe@example.com", key = "probe-message";
    for (int i = 3; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--ca-file") ca_file = argv[i + 1];
        else if (flag == "--to") to = argv[i + 1];
        else if (flag == "--key") key = argv[i + 1];
    }
    try {
        if (command == "render") {
            int n = 0;
            for (const auto& m : samples()) {
                ++n;
                std::ofstream(target + "/" + std::to_string(n) + ".eml", std::ios::binary) << render_rfc5322(m, m.date.value_or(1'796'288'400));
                std::ofstream(target + "/" + std::to_string(n) + ".json") << expectation(m).dump(2);
            }
            return 0;
        }
        if (command == "send") {
            SmtpConfig config = parse_smtp_url(target);
            config.ca_file = ca_file;
            config.connect_timeout = std::chrono::milliseconds(3000);
            config.send_timeout = std::chrono::milliseconds(15000);
            make_smtp_sender(config)->send(invitation(key, to));
            std::printf("sent %s\n", message_id(invitation(key, to)).c_str());
            return 0;
        }
        if (command == "eml") {
            make_eml_folder_sender(target, [](const std::string& line) { std::printf("%s\n", line.c_str()); })
                ->send(invitation(key, to));
            return 0;
        }
    } catch (const MailSendError& e) {
        return report(e);
    } catch (const std::exception& e) {
        std::printf("error: %s\n", e.what());
        return 2;
    }
    std::fprintf(stderr, "mail_send_probe: unknown command %s\n", command.c_str());
    return 2;
}
