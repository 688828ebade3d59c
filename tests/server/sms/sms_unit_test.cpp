// The SMS channel's rules: the form encoding of Twilio requests, E.164,
// what each of Twilio's answers means (sent, retry, give up), the request
// itself, and the texts with their times in the reader's zone.
// tests/server/sms.test.mjs checks the same requests with Node's own form
// decoder, against tests/server/twilio_test_server.mjs.
#include <catch2/catch.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "adapters/twilio_client.h"
#include "notifications/sms_channel.h"
#include "notifications/sms_texts.h"

using namespace slotwise::server::adapters;
using namespace slotwise::server::notifications;
using slotwise::Instant;

namespace {

Instant instant(const char* text) { return *slotwise::parse_instant(text); }

TwilioOptions options() {
    TwilioOptions o;
    o.api_base = "http://127.0.0.1:9/";
    o.account_sid = "AC0123456789abcdef0123456789abcdef";
    o.auth_user = o.account_sid;
    o.auth_secret = "secret:token";
    o.sms_from = "+15005550006";
    o.whatsapp_from = "whatsapp:+14155238886";
    return o;
}

std::string header(const HttpRequest& request, const std::string& name) {
    for (const auto& [n, v] : request.headers)
        if (n == name) return v;
    return "";
}

}  // namespace

TEST_CASE("form encoding: letters, digits and *-._ stay, space is +, every other byte is %XX of UTF-8") {
    using Fields = std::vector<std::pair<std::string, std::string>>;
    const auto [fields, encoded] = GENERATE(table<Fields, std::string>({
        {{{"To", "+4915112345678"}}, "To=%2B4915112345678"},
        {{{"To", "whatsapp:+4915112345678"}}, "To=whatsapp%3A%2B4915112345678"},
        {{{"Body", "Hallo Zoë & Co = 100%"}}, "Body=Hallo+Zo%C3%AB+%26+Co+%3D+100%25"},
        {{{"Body", "a*-._~!'()"}}, "Body=a*-._%7E%21%27%28%29"},
        {{{"Body", "line 1\nline 2\r\n"}}, "Body=line+1%0Aline+2%0D%0A"},
        {{{"Body", "予約 ✅"}}, "Body=%E4%BA%88%E7%B4%84+%E2%9C%85"},
        {{{"Body", "a+b/c?d#e"}}, "Body=a%2Bb%2Fc%3Fd%23e"},
        {{{"To", "+1"}, {"From", "Praxis"}, {"Body", ""}}, "To=%2B1&From=Praxis&Body="},
    }));
    CHECK(form_encode(fields) == encoded);
}

TEST_CASE("E.164: '+', a country code not starting with 0, at most 15 digits, nothing else") {
    const auto [phone, valid] = GENERATE(table<std::string, bool>({
        {"+4915112345678", true},
        {"+15005550006", true},
        {"+123456789012345", true},   // 15 digits
        {"+1234567890123456", false}, // 16
        {"+12", true},
        {"+1", false},
        {"+", false},
        {"", false},
        {"+0301234567", false},
        {"4915112345678", false},
        {"0049151123456", false},
        {"+49 151 12345678", false},
        {"+49-151", false},
        {"++49151", false},
        {"+49151a", false},
        {"whatsapp:+4915112345678", false},
        {"+٤٩١٥١", false},  // Arabic-Indic digits
        {"+49151\n", false},
    }));
    CHECK(is_e164(phone) == valid);
}

TEST_CASE("a typed phone becomes E.164 by dropping separators only, never by guessing") {
    const auto [typed, normalized] = GENERATE(table<std::string, std::string>({
        {"+49 30 1234567", "+49301234567"},
        {"+49 151 1234-5678", "+4915112345678"},
        {"+1 (555) 000-1234", ""},  // parentheses are not dropped: "(0)" would be a guess
        {"+49 (0)30 1234567", ""},
        {"030 1234567", ""},
        {"0049 30 1234567", ""},
        {"+1.555.000.1234", "+15550001234"},
        {"+43/1/234567", "+431234567"},
        {"+49\t30 1234567", ""},
        {"  +33 6 12 34 56 78 ", "+33612345678"},
    }));
    const auto result = normalize_phone(typed);
    CHECK(result.value_or("") == normalized);
}

TEST_CASE("Twilio's answers: accepted, transient (retry) or permanent (dead), with a stable code first") {
    using Kind = TwilioResult::Kind;
    const auto [status, body, kind, error_prefix, code] = GENERATE(table<int, std::string, Kind, std::string, long>({
        {201, R"({"sid":"SM0123456789abcdef0123456789abcdef","status":"queued"})", Kind::accepted, "", 0},
        {201, "not json", Kind::accepted, "TWILIO_BAD_ANSWER", 0},
        {400, R"({"code":21211,"message":"The 'To' number +1 is not a valid phone number.","more_info":"https://www.twilio.com/docs/errors/21211","status":400})",
         Kind::permanent, "TWILIO_REJECTED 21211: The 'To' number +1 is not a valid phone number. (https://www.twilio.com/docs/errors/21211)", 21211},
        {400, R"({"code":21610,"message":"Attempt to send to unsubscribed recipient","status":400})", Kind::permanent,
         "TWILIO_REJECTED 21610: Attempt to send to unsubscribed recipient", 21610},
        {400, R"({"code":21611,"message":"This 'From' number has exceeded the maximum number of queued messages","status":400})",
         Kind::transient, "TWILIO_RATE_LIMITED 21611", 21611},
        {401, R"({"code":20003,"message":"Authentication Error - invalid username","status":401})", Kind::permanent,
         "TWILIO_AUTH_FAILED 20003: Authentication Error", 20003},
        {403, R"({"code":20008,"message":"Resource not accessible with Test Account Credentials","status":403})", Kind::permanent,
         "TWILIO_AUTH_FAILED 20008", 20008},
        {404, R"({"code":20404,"message":"The requested resource was not found","status":404})", Kind::permanent,
         "TWILIO_REJECTED 20404", 20404},
        {429, R"({"code":20429,"message":"Too Many Requests","status":429})", Kind::transient, "TWILIO_RATE_LIMITED 20429", 20429},
        {500, R"({"code":20500,"message":"Internal Server Error","status":500})", Kind::transient, "TWILIO_UNAVAILABLE 20500", 20500},
        {503, "<html>Service Unavailable</html>", Kind::transient, "TWILIO_UNAVAILABLE HTTP 503: <html>", 0},
        {408, "", Kind::transient, "TWILIO_UNAVAILABLE HTTP 408", 0},
        {0, "", Kind::transient, "TWILIO_UNREACHABLE: Couldn't connect", 0},
    }));
    HttpResponse response;
    response.status = status;
    response.body = body;
    if (status == 0) response.error = "Couldn't connect to server";
    const TwilioResult result = read_twilio_answer(response);
    CHECK(result.kind == kind);
    CHECK(result.http_status == status);
    CHECK(result.error.substr(0, error_prefix.size()) == error_prefix);
    CHECK(result.twilio_code.value_or(0) == code);
    if (kind == Kind::accepted && error_prefix.empty()) {
        CHECK(result.sid == "SM0123456789abcdef0123456789abcdef");
        CHECK(result.status == "queued");
    }
}

TEST_CASE("an error text from the other side is one bounded line") {
    HttpResponse response;
    response.status = 400;
    response.body = R"({"code":21211,"message":"bad\r\nX-Injected: yes )" + std::string(1000, 'x') + R"("})";
    const auto result = read_twilio_answer(response);
    CHECK(result.error.find('\n') == std::string::npos);
    CHECK(result.error.find('\r') == std::string::npos);
    CHECK(result.error.size() < 400);
}

TEST_CASE("the create request: path, Basic auth, form fields in Twilio's names") {
    const HttpRequest sms = twilio_message_request(options(), {MessagingChannel::sms, "+4915112345678", "Hallo Zoë"});
    CHECK(sms.method == "POST");
    CHECK(sms.url == "http://127.0.0.1:9/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json");
    // base64("AC0123456789abcdef0123456789abcdef:secret:token"): the secret may hold a colon.
    CHECK(header(sms, "Authorization") == "Basic QUMwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjpzZWNyZXQ6dG9rZW4=");
    CHECK(header(sms, "Content-Type") == "application/x-www-form-urlencoded");
    CHECK(sms.body == "To=%2B4915112345678&From=%2B15005550006&Body=Hallo+Zo%C3%AB");

    const HttpRequest whatsapp = twilio_message_request(options(), {MessagingChannel::whatsapp, "+4915112345678", "Hi"});
    CHECK(whatsapp.body == "To=whatsapp%3A%2B4915112345678&From=whatsapp%3A%2B14155238886&Body=Hi");
    TwilioOptions bare_whatsapp_sender = options();
    bare_whatsapp_sender.whatsapp_from = "+14155238886";
    CHECK(twilio_message_request(bare_whatsapp_sender, {MessagingChannel::whatsapp, "+4915112345678", "Hi"}).body == whatsapp.body);

    TwilioOptions service = options();
    service.sms_from = "MG0123456789abcdef0123456789abcdef";
    CHECK(twilio_message_request(service, {MessagingChannel::sms, "+4915112345678", "Hi"}).body ==
          "To=%2B4915112345678&MessagingServiceSid=MG0123456789abcdef0123456789abcdef&Body=Hi");
}

TEST_CASE("a text that must not be sent is refused before any request") {
    auto refused = [](const TwilioOptions& o, OutgoingText text) {
        try {
            twilio_message_request(o, text);
            return std::string();
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
    };
    CHECK(refused(options(), {MessagingChannel::sms, "+49 151 123", "x"}).rfind("SMS_INVALID", 0) == 0);
    CHECK(refused(options(), {MessagingChannel::sms, "+4915112345678", ""}).rfind("SMS_INVALID", 0) == 0);
    std::string longest;
    for (int i = 0; i < 1600; ++i) longest += "ü";  // 1600 characters, 3200 bytes
    CHECK(refused(options(), {MessagingChannel::sms, "+4915112345678", longest}).empty());
    CHECK(refused(options(), {MessagingChannel::sms, "+4915112345678", longest + "a"}).rfind("SMS_INVALID", 0) == 0);
    TwilioOptions no_whatsapp = options();
    no_whatsapp.whatsapp_from.clear();
    CHECK(refused(no_whatsapp, {MessagingChannel::whatsapp, "+4915112345678", "x"}).find("SLOTWISE_TWILIO_WHATSAPP_FROM") !=
          std::string::npos);
    TwilioOptions odd_account = options();
    odd_account.account_sid = "AC/../x";
    CHECK(refused(odd_account, {MessagingChannel::sms, "+4915112345678", "x"}).rfind("SMS_INVALID", 0) == 0);
    // And through the client: a permanent result, nothing sent.
    const TwilioClient client(options());
    const auto result = client.send({MessagingChannel::sms, "not a phone", "x"});
    CHECK(result.kind == TwilioResult::Kind::permanent);
    CHECK(result.http_status == 0);
}

TEST_CASE("the reader's language from the widget's locale") {
    const auto [locale, language] = GENERATE(table<std::optional<std::string>, SmsLanguage>({
        {std::nullopt, SmsLanguage::en},
        {std::string(""), SmsLanguage::en},
        {std::string("de-AT"), SmsLanguage::de},
        {std::string("DE"), SmsLanguage::de},
        {std::string("fr_CA"), SmsLanguage::fr},
        {std::string("es-419"), SmsLanguage::es},
        {std::string("en-NZ"), SmsLanguage::en},
        {std::string("ja-JP"), SmsLanguage::en},
        {std::string("deu"), SmsLanguage::en},
    }));
    CHECK(sms_language(locale) == language);
}

TEST_CASE("times in the reader's zone and language, across DST changes and the date line") {
    const auto [at, zone, language, text] = GENERATE(table<std::string, std::string, SmsLanguage, std::string>({
        {"2026-11-24T09:30:00Z", "Europe/Berlin", SmsLanguage::en, "Tue 24 Nov, 10:30 (Europe/Berlin)"},
        {"2026-11-24T09:30:00Z", "Europe/Berlin", SmsLanguage::de, "Di. 24. Nov., 10:30 Uhr (Europe/Berlin)"},
        {"2026-11-24T09:30:00Z", "Europe/Paris", SmsLanguage::fr, "mar. 24 nov. à 10:30 (Europe/Paris)"},
        {"2026-11-24T09:30:00Z", "Europe/Madrid", SmsLanguage::es, "mar. 24 nov. a las 10:30 (Europe/Madrid)"},
        // Auckland is UTC+13 in November: the next day.
        {"2026-11-24T12:00:00Z", "Pacific/Auckland", SmsLanguage::en, "Wed 25 Nov, 01:00 (Pacific/Auckland)"},
        // Berlin springs forward at 01:00 UTC on 29 March 2026.
        {"2026-03-29T00:30:00Z", "Europe/Berlin", SmsLanguage::de, "So. 29. März, 01:30 Uhr (Europe/Berlin)"},
        {"2026-03-29T01:30:00Z", "Europe/Berlin", SmsLanguage::de, "So. 29. März, 03:30 Uhr (Europe/Berlin)"},
        // ... and falls back at 01:00 UTC on 25 October 2026: 02:30 twice.
        {"2026-10-25T00:30:00Z", "Europe/Berlin", SmsLanguage::en, "Sun 25 Oct, 02:30 (Europe/Berlin)"},
        {"2026-10-25T01:30:00Z", "Europe/Berlin", SmsLanguage::en, "Sun 25 Oct, 02:30 (Europe/Berlin)"},
        {"2026-08-01T23:59:00Z", "UTC", SmsLanguage::fr, "sam. 1 août à 23:59 (UTC)"},
        {"2026-02-03T05:05:00Z", "America/New_York", SmsLanguage::es, "mar. 3 feb. a las 00:05 (America/New_York)"},
    }));
    CHECK(format_sms_time(instant(at.c_str()), slotwise::find_zone(zone), language) == text);
}

TEST_CASE("texts per event and reader") {
    SmsFacts facts;
    facts.provider_name = "Praxis Müller";
    facts.service_name = "Checkup";
    facts.client_name = "Zoë Ångström";
    facts.start = instant("2026-11-24T09:30:00Z");
    facts.zone = slotwise::find_zone("Europe/Berlin");

    CHECK(sms_text(SmsTopic::created_confirmed, SmsReader::client, SmsLanguage::en, facts) ==
          "Praxis Müller: your Checkup on Tue 24 Nov, 10:30 (Europe/Berlin) is confirmed.");
    CHECK(sms_text(SmsTopic::created_confirmed, SmsReader::provider, SmsLanguage::de, facts) ==
          "Neue Buchung: Zoë Ångström, Checkup, Di. 24. Nov., 10:30 Uhr (Europe/Berlin).");

    facts.cancelled_by = "provider";
    facts.reason = "Krank\r\n  heute";
    CHECK(sms_text(SmsTopic::cancelled, SmsReader::client, SmsLanguage::de, facts) ==
          "Praxis Müller hat Ihren Termin Checkup am Di. 24. Nov., 10:30 Uhr (Europe/Berlin) abgesagt. Grund: Krank heute");
    facts.cancelled_by = "client";
    facts.reason.reset();
    CHECK(sms_text(SmsTopic::cancelled, SmsReader::client, SmsLanguage::fr, facts) ==
          "Votre rendez-vous Checkup avec Praxis Müller le mar. 24 nov. à 10:30 (Europe/Berlin) est annulé.");
    CHECK(sms_text(SmsTopic::cancelled, SmsReader::provider, SmsLanguage::en, facts) ==
          "Zoë Ångström cancelled: Checkup, Tue 24 Nov, 10:30 (Europe/Berlin).");

    facts.previous_start = instant("2026-11-23T09:30:00Z");
    facts.meeting_link = "https://meet.example.test/abc";
    CHECK(sms_text(SmsTopic::rescheduled, SmsReader::client, SmsLanguage::es, facts) ==
          "Su cita Checkup con Praxis Müller se ha movido del lun. 23 nov. a las 10:30 (Europe/Berlin) al mar. 24 nov. a las "
          "10:30 (Europe/Berlin). Enlace: https://meet.example.test/abc");

    // Every topic, reader and language has a text that names the time and no placeholder.
    for (auto topic : {SmsTopic::created_confirmed, SmsTopic::created_pending, SmsTopic::confirmed, SmsTopic::declined,
                       SmsTopic::cancelled, SmsTopic::rescheduled, SmsTopic::expired, SmsTopic::reminder})
        for (auto reader : {SmsReader::client, SmsReader::provider})
            for (auto language : {SmsLanguage::en, SmsLanguage::de, SmsLanguage::fr, SmsLanguage::es}) {
                const std::string text = sms_text(topic, reader, language, facts);
                CHECK(text.find("24") != std::string::npos);
                CHECK(text.find('{') == std::string::npos);
                CHECK(text.size() < 320);
            }
}

TEST_CASE("names from people are one line and cut short") {
    SmsFacts facts;
    facts.provider_name = std::string(200, 'P');
    facts.service_name = "Check\nup";
    facts.client_name = "Zoë";
    facts.zone = nullptr;
    facts.start = instant("2026-11-24T09:30:00Z");
    const std::string text = sms_text(SmsTopic::reminder, SmsReader::client, SmsLanguage::en, facts);
    CHECK(text == "Reminder: your Check up with " + std::string(60, 'P') + "... is on Tue 24 Nov, 09:30 (UTC).");
}

TEST_CASE("where: the meeting link of a virtual service, else the provider's address") {
    SmsFacts facts;
    facts.provider_name = "Praxis";
    facts.service_name = "Checkup";
    facts.start = instant("2026-11-24T09:30:00Z");
    facts.zone = slotwise::find_zone("Europe/Berlin");
    facts.address = "Hauptstr. 1, 10115 Berlin";
    CHECK(sms_text(SmsTopic::reminder, SmsReader::client, SmsLanguage::es, facts) ==
          "Recordatorio: su cita Checkup con Praxis es el mar. 24 nov. a las 10:30 (Europe/Berlin). Dirección: Hauptstr. 1, 10115 Berlin");
    facts.meeting_link = "https://meet.example.test/x";
    CHECK(sms_text(SmsTopic::reminder, SmsReader::client, SmsLanguage::en, facts) ==
          "Reminder: your Checkup with Praxis is on Tue 24 Nov, 10:30 (Europe/Berlin). Join: https://meet.example.test/x");
}

TEST_CASE("the reminder job for the reminder jobs: the client's phone, language and zone; nothing without a phone") {
    using slotwise::server::Booking;
    using slotwise::server::ProviderConfig;
    using slotwise::server::ServiceConfig;
    ProviderConfig provider;
    provider.id = "p1";
    provider.name = "Praxis Müller";
    provider.time_zone = "Europe/Berlin";
    ServiceConfig service;
    service.id = "s30";
    service.name = "Checkup";
    provider.services.push_back(service);
    Booking booking;
    booking.id = "bk_1";
    booking.provider_id = "p1";
    booking.service_id = "s30";
    booking.start = instant("2026-11-24T09:30:00Z");
    booking.client.name = "Zoë";
    booking.client.phone = "+64 21 123 4567";
    booking.client_time_zone = "Pacific/Auckland";
    booking.client_locale = "fr-NZ";
    const slotwise::Timestamp now{std::chrono::seconds{1'795'000'000}};

    const auto statement = sms_reminder_statement(booking, provider, 60, "reminder:bk_1:60:sms", now);
    REQUIRE(statement.params.size() >= 3);
    CHECK(std::get<std::string>(statement.params[0]) == "sms.send");
    CHECK(std::get<std::string>(statement.params[1]) == "sms.send:reminder:bk_1:60:sms");
    const auto payload = nlohmann::json::parse(std::get<std::string>(statement.params[2]));
    CHECK(payload["channel"] == "sms");
    CHECK(payload["to"] == "+64211234567");
    CHECK(payload["body"] == "Rappel : votre rendez-vous Checkup avec Praxis Müller est le mar. 24 nov. à 22:30 (Pacific/Auckland).");
    CHECK(payload["not_after"] == 1'795'512'600);  // the start

    booking.client.phone = "030 1234567";
    CHECK(sms_reminder_statement(booking, provider, 60, "k", now).sql == "SELECT 1 WHERE 1 = 0");
    booking.client.phone.reset();
    CHECK(sms_reminder_statement(booking, provider, 60, "k", now).params.empty());
}
