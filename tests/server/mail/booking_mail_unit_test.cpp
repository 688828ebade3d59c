// The booking mails' rules: the text table, dates and times per language and
// zone (a DST week), prices, the refund rule, the .ics builder read back by
// libical's parser, and what each mail shows to whom.
// notification_mail.test.mjs checks the same mails end to end, with ical.js.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>

#include <libical/ical.h>
#include <nlohmann/json.hpp>
#include <slotwise/zone.h>

#include "domain/calendar_invite.h"
#include "domain/mail_texts.h"
#include "notifications/booking_mail.h"
#include "notifications/mail_channel.h"

using namespace slotwise;
using namespace slotwise::server;
using namespace slotwise::server::mail_texts;
using notifications::EventMailFacts;
using notifications::MailKind;
using notifications::MailSetting;
using notifications::Reader;

namespace {

Instant at(const char* text) { return *parse_instant(text); }

ProviderConfig provider() {
    ProviderConfig p;
    p.id = "praxis";
    p.name = "Praxis Müller";
    p.time_zone = "Europe/Berlin";
    p.address = "Torstraße 1, 10119 Berlin";
    ServiceConfig s;
    s.id = "consult";
    s.name = "Beratung";
    s.durations = {60};
    p.services = {s};
    return p;
}

Booking booking() {
    Booking b;
    b.id = "bk_test1";
    b.provider_id = "praxis";
    b.service_id = "consult";
    b.status = BookingStatus::confirmed;
    b.start = at("2026-10-25T00:30:00Z");  // 02:30 CEST, the first of two 02:30s in Berlin
    b.end = at("2026-10-25T01:30:00Z");    // 02:30 CET, the second
    b.duration_minutes = 60;
    b.client = {"Zoë Ångström", "zoe@example.com", std::nullopt};
    b.client_time_zone = "Pacific/Auckland";
    b.price_amount = 4500;
    b.currency = "EUR";
    b.updated_at = Timestamp{at("2026-10-20T08:00:00Z")};
    return b;
}

MailSetting setting() {
    MailSetting s;
    s.public_origin = "https://book.example.org";
    s.provider_email = "praxis@example.org";
    s.manage_token = "tok123";
    s.sequence = 3;
    return s;
}

EventMailFacts facts_of(MailKind kind, std::string actor) {
    EventMailFacts facts;
    facts.kind = kind;
    facts.actor = std::move(actor);
    return facts;
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

std::string property_text(icalcomponent* c, icalproperty_kind kind) {
    icalproperty* p = icalcomponent_get_first_property(c, kind);
    return p ? icalproperty_get_value_as_string(p) : "";
}

}  // namespace

TEST_CASE("the language of a locale, English for any other") {
    const auto [locale, language] = GENERATE(table<std::optional<std::string>, Language>({
        {std::nullopt, Language::en}, {"en-GB", Language::en}, {"de", Language::de}, {"de-AT", Language::de},
        {"DE_ch", Language::de}, {"fr-CA", Language::fr}, {"es-419", Language::es}, {"ar-EG", Language::ar},
        {"ja-JP", Language::en}, {"", Language::en}, {"d", Language::en}}));
    CAPTURE(locale);
    CHECK(language_of(locale) == language);
}

TEST_CASE("every text exists in every language with the English placeholders") {
    for (int i = 0; i < static_cast<int>(Text::count_); ++i) {
        const auto which = static_cast<Text>(i);
        const std::string english = text(Language::en, which);
        for (Language l : kLanguages) {
            const std::string translated = text(l, which);
            CAPTURE(i, code(l), translated);
            CHECK_FALSE(translated.empty());
            for (const char* placeholder : {"{name}", "{provider}", "{client}", "{service}", "{when}", "{n}", "{minutes}"})
                CHECK(contains(english, placeholder) == contains(translated, placeholder));
        }
    }
}

TEST_CASE("fill replaces placeholders once and leaves other braces alone") {
    CHECK(fill("{a} and {b} and {c}", {{"a", "{b}"}, {"b", "x"}}) == "{b} and x and {c}");
    CHECK(fill("{", {{"a", "1"}}) == "{");
    CHECK(fill("{a", {{"a", "1"}}) == "{a");
}

TEST_CASE("dates per language") {
    const LocalDate day = date::local_days{date::year{2026} / 3 / 3};
    const auto [language, long_form, short_form] = GENERATE(table<Language, std::string, std::string>({
        {Language::en, "Tuesday, 3 March 2026", "3 March 2026"},
        {Language::de, "Dienstag, 3. März 2026", "3. März 2026"},
        {Language::fr, "mardi 3 mars 2026", "3 mars 2026"},
        {Language::es, "martes, 3 de marzo de 2026", "3 de marzo de 2026"},
    }));
    CHECK(long_date(day, language) == long_form);
    CHECK(short_date(day, language) == short_form);
}

TEST_CASE("times in a zone: the reader's clock, and the offset where a wall time occurs twice") {
    const std::string berlin = "Europe/Berlin", auckland = "Pacific/Auckland";
    const auto [start, end, zone, expected] = GENERATE_COPY(table<std::string, std::string, std::string, std::string>({
        {"2026-10-20T13:00:00Z", "2026-10-20T14:00:00Z", berlin, "Tuesday, 20 October 2026, 15:00–16:00 (Europe/Berlin)"},
        // The night the clocks go back: 02:30 happens twice.
        {"2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z", berlin,
         "Sunday, 25 October 2026, 02:30 UTC+02:00 – 02:30 UTC+01:00 (Europe/Berlin)"},
        {"2026-10-25T02:00:00Z", "2026-10-25T03:00:00Z", berlin, "Sunday, 25 October 2026, 03:00–04:00 (Europe/Berlin)"},
        {"2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z", auckland, "Sunday, 25 October 2026, 13:30–14:30 (Pacific/Auckland)"},
        // Across midnight.
        {"2026-10-20T10:30:00Z", "2026-10-20T11:30:00Z", auckland,
         "Tuesday, 20 October 2026, 23:30 – Wednesday, 21 October 2026, 00:30 (Pacific/Auckland)"},
    }));
    CHECK(when_text(at(start.c_str()), at(end.c_str()), *find_zone(zone), Language::en) == expected);
}

TEST_CASE("prices in minor units") {
    const auto [amount, currency, language, expected] = GENERATE(table<std::int64_t, std::string, Language, std::string>({
        {4500, "EUR", Language::en, "EUR 45.00"}, {4500, "EUR", Language::de, "45,00 EUR"},
        {5, "EUR", Language::fr, "0,05 EUR"}, {500, "JPY", Language::en, "JPY 500"},
        {12345, "KWD", Language::es, "12,345 KWD"}, {-250, "USD", Language::en, "USD -2.50"}}));
    CHECK(money_text(amount, currency, language) == expected);
}

TEST_CASE("a refund is mentioned only where money was taken") {
    using nlohmann::json;
    const auto [document, expected] = GENERATE(table<std::string, std::optional<std::int64_t>>({
        {R"({"refund": {"amount": 5000, "currency": "EUR"}})", std::nullopt},  // today: the policy refund of an unpaid booking
        {R"({})", std::nullopt},
        {R"({"payment": {"id": "pi_1"}, "refund": {"amount": 5000, "currency": "EUR"}})", 5000},
        {R"({"paid": true, "refund": {"amount": 0, "currency": "EUR"}})", 0},
        {R"({"paid": false, "refund": {"amount": 5000, "currency": "EUR"}})", std::nullopt},
        {R"({"payment": null, "refund": {"amount": 5000, "currency": "EUR"}})", std::nullopt},
        {R"({"payment": {"id": "pi_1"}})", std::nullopt},
        // The server's shapes since refunds by policy (booking_json): refund.paid decides.
        {R"({"refund": {"amount": 0, "currency": "EUR", "paid": false}})", std::nullopt},
        {R"({"refund": {"amount": 2500, "currency": "EUR", "paid": true}})", 2500},
        {R"({"refund": {"amount": 0, "currency": "EUR", "paid": true}})", 0},
        {R"({"payment": {"amount_received": 5000}, "refund": {"amount": 0, "currency": "EUR", "paid": false}})", std::nullopt},
        // A payment object alone: a hold cancelled before the card was charged took nothing.
        {R"({"payment": {"amount_received": 0}, "refund": {"amount": 0, "currency": "EUR"}})", std::nullopt},
        {R"({"payment": {"amount_received": 5000}, "refund": {"amount": 2500, "currency": "EUR"}})", 2500},
    }));
    CAPTURE(document);
    CHECK(notifications::refund_to_mention(json::parse(document)) == expected);
}

TEST_CASE("the .ics builder: libical reads back UID, SEQUENCE, METHOD, times, alarm") {
    const auto [method, status, method_text, status_text, alarm] =
        GENERATE(table<InviteMethod, BookingStatus, std::string, std::string, bool>({
            {InviteMethod::request, BookingStatus::confirmed, "REQUEST", "CONFIRMED", true},
            {InviteMethod::request, BookingStatus::pending, "REQUEST", "TENTATIVE", true},
            {InviteMethod::cancel, BookingStatus::cancelled, "CANCEL", "CANCELLED", false},
            {InviteMethod::publish, BookingStatus::confirmed, "PUBLISH", "CONFIRMED", true}}));
    Booking b = booking();
    b.status = status;
    b.meeting_link = "https://meet.example.test/abc";
    BookingInviteOptions options;
    options.sequence = 7;
    options.method = method;
    options.stamp = Timestamp{at("2026-10-20T08:00:00Z")};
    options.organizer = InvitePerson{"Praxis Müller", "praxis@example.org"};
    const std::string ics = render_ics(booking_invite(b, nullptr, options));
    for (std::size_t from = 0, crlf; (crlf = ics.find("\r\n", from)) != std::string::npos; from = crlf + 2)
        CHECK(crlf - from <= 75);
    icalcomponent* calendar = icalparser_parse_string(ics.c_str());
    REQUIRE(calendar);
    CHECK(property_text(calendar, ICAL_METHOD_PROPERTY) == method_text);
    icalcomponent* event = icalcomponent_get_first_component(calendar, ICAL_VEVENT_COMPONENT);
    REQUIRE(event);
    CHECK(property_text(event, ICAL_UID_PROPERTY) == "bk_test1@slotwise");
    CHECK(property_text(event, ICAL_SEQUENCE_PROPERTY) == "7");
    CHECK(property_text(event, ICAL_DTSTART_PROPERTY) == "20261025T003000Z");
    CHECK(property_text(event, ICAL_DTEND_PROPERTY) == "20261025T013000Z");
    CHECK(property_text(event, ICAL_STATUS_PROPERTY) == status_text);
    CHECK(property_text(event, ICAL_LOCATION_PROPERTY) == "https://meet.example.test/abc");
    CHECK(property_text(event, ICAL_URL_PROPERTY) == "https://meet.example.test/abc");
    CHECK(property_text(event, ICAL_ORGANIZER_PROPERTY) == "mailto:praxis@example.org");
    CHECK(property_text(event, ICAL_ATTENDEE_PROPERTY) == "mailto:zoe@example.com");
    icalcomponent* valarm = icalcomponent_get_first_component(event, ICAL_VALARM_COMPONENT);
    CHECK((valarm != nullptr) == alarm);
    if (valarm) CHECK(property_text(valarm, ICAL_TRIGGER_PROPERTY) == "-PT1H");
    icalcomponent_free(calendar);
}

TEST_CASE("the address is the LOCATION of an in-person booking") {
    const ProviderConfig p = provider();
    const std::string ics = render_ics(booking_invite(booking(), &p, {}));
    icalcomponent* calendar = icalparser_parse_string(ics.c_str());
    REQUIRE(calendar);
    icalcomponent* event = icalcomponent_get_first_component(calendar, ICAL_VEVENT_COMPONENT);
    CHECK(std::string(icalproperty_get_location(icalcomponent_get_first_property(event, ICAL_LOCATION_PROPERTY))) ==
          "Torstraße 1, 10119 Berlin");
    CHECK(icalcomponent_get_first_property(event, ICAL_URL_PROPERTY) == nullptr);
    icalcomponent_free(calendar);
}

TEST_CASE("a client in Auckland reads their own time and the provider's, in German; the HTML says the same") {
    Booking b = booking();
    b.client_locale = "de-DE";
    const auto m = notifications::booking_event_mail(b, provider(), Reader::client, facts_of(MailKind::booked, "client"),
                                                     "k1", setting());
    CHECK(m.to.at(0).address == "zoe@example.com");
    CHECK(m.subject == "Buchung bestätigt: Beratung, 25. Oktober 2026, 13:30");
    const std::string mine = "Sonntag, 25. Oktober 2026, 13:30–14:30 (Pacific/Auckland)";
    const std::string theirs = "Sonntag, 25. Oktober 2026, 02:30 UTC+02:00 – 02:30 UTC+01:00 (Europe/Berlin)";
    for (const std::string& body : {m.text, *m.html}) {
        CHECK(contains(body, mine));
        CHECK(contains(body, theirs));
        CHECK(contains(body, "45,00 EUR"));
        CHECK(contains(body, "Torstraße 1, 10119 Berlin"));
        CHECK(contains(body, "https://book.example.org/manage/?provider=praxis#slotwise-booking=bk_test1&"));
    }
    CHECK(contains(m.text, "Wann: " + mine));
    REQUIRE(m.attachments.size() == 1);
    CHECK(m.attachments[0].content_type == "text/calendar; method=REQUEST; charset=UTF-8");
    CHECK(contains(m.attachments[0].bytes, "SEQUENCE:3\r\n"));
}

TEST_CASE("what each event tells the provider") {
    Booking b = booking();
    b.client.phone = "+4930123456";
    b.notes = "Bitte klingeln";
    EventMailFacts facts = facts_of(MailKind::requested, "client");
    facts.confirm_url = "https://book.example.org/v1/booking-actions/c1";
    facts.decline_url = "https://book.example.org/v1/booking-actions/d1";
    b.status = BookingStatus::pending;
    b.expires_at = Timestamp{at("2026-10-22T08:00:00Z")};
    const auto m = notifications::booking_event_mail(b, provider(), Reader::provider, facts, "k2", setting());
    CHECK(m.to.at(0).address == "praxis@example.org");
    CHECK(m.subject == "Request waiting: Zoë Ångström, 25 October 2026, 02:30 UTC+02:00");
    CHECK(contains(m.text, "Confirm: https://book.example.org/v1/booking-actions/c1"));
    CHECK(contains(m.text, "Decline: https://book.example.org/v1/booking-actions/d1"));
    CHECK(contains(m.text, "before Thursday, 22 October 2026, 10:00 (Europe/Berlin)"));
    CHECK(contains(m.text, "Phone: +4930123456"));
    CHECK(contains(m.text, "Notes: Bitte klingeln"));
    CHECK(contains(m.text, "Client's time: Sunday, 25 October 2026, 13:30–14:30 (Pacific/Auckland)"));
    CHECK_FALSE(contains(m.text, "manage"));  // the client's link is the client's
    CHECK(contains(*m.html, "href=\"https://book.example.org/v1/booking-actions/c1\""));
}

TEST_CASE("cancellations: who, why, CANCEL; no refund line for an unpaid booking") {
    Booking b = booking();
    b.status = BookingStatus::cancelled;
    b.cancellation_reason = "Krank";
    b.meeting_link = "https://meet.example.test/x";
    const auto [actor, intro] = GENERATE(table<std::string, std::string>({
        {"client", "Your booking with Praxis Müller is cancelled, as you asked."},
        {"provider", "Praxis Müller has cancelled your booking."},
        {"system", "Your booking with Praxis Müller has been cancelled."}}));
    const auto m = notifications::booking_event_mail(b, provider(), Reader::client, facts_of(MailKind::cancelled, actor), "k3",
                                                     setting());
    CHECK(contains(m.text, intro));
    CHECK(contains(m.text, "Reason: Krank"));
    CHECK_FALSE(contains(m.text, "Refund"));
    CHECK_FALSE(contains(m.text, "/manage/"));
    CHECK(contains(m.text, "Online meeting: https://meet.example.test/x"));
    CHECK_FALSE(contains(m.text, "Torstraße"));
    REQUIRE(m.attachments.size() == 1);
    CHECK(contains(m.attachments[0].bytes, "METHOD:CANCEL\r\n"));
    CHECK(contains(m.attachments[0].bytes, "STATUS:CANCELLED\r\n"));
    EventMailFacts paid = facts_of(MailKind::cancelled, actor);
    paid.refund_amount = 2250;
    CHECK(contains(notifications::booking_event_mail(b, provider(), Reader::client, paid, "k3", setting()).text,
                   "Refund: EUR 22.50"));
}

TEST_CASE("a reschedule shows the old and the new time") {
    Booking b = booking();
    b.client_locale = "fr";
    EventMailFacts facts = facts_of(MailKind::rescheduled, "client");
    facts.previous_start = at("2026-10-20T13:00:00Z");
    facts.previous_end = at("2026-10-20T14:00:00Z");
    const auto m = notifications::booking_event_mail(b, provider(), Reader::client, facts, "k4", setting());
    CHECK(m.subject == "Rendez-vous déplacé : Beratung, désormais 25 octobre 2026, 13:30");
    CHECK(contains(m.text, "Auparavant : mercredi 21 octobre 2026, 02:00–03:00 (Pacific/Auckland)"));
    CHECK(contains(m.text, "Nouvel horaire : dimanche 25 octobre 2026, 13:30–14:30 (Pacific/Auckland)"));
}

TEST_CASE("reminder and review request") {
    Booking b = booking();
    b.client_locale = "es";
    const auto reminder = notifications::reminder_mail(b, provider(), Reader::client, 60, "r1", setting());
    CHECK(reminder.subject == "Recordatorio: Beratung, 25 de octubre de 2026, 13:30");
    REQUIRE(reminder.attachments.size() == 1);
    CHECK(contains(reminder.attachments[0].bytes, "METHOD:REQUEST\r\n"));
    b.status = BookingStatus::completed;
    const auto review = notifications::review_request_mail(b, provider(), "r2", setting());
    CHECK(review.subject == "¿Qué tal tu cita con Praxis Müller?");
    CHECK(review.attachments.empty());
    CHECK(contains(review.text, "mailto:praxis@example.org?subject="));
    MailSetting with_url = setting();
    with_url.review_url = "https://reviews.example.org/praxis";
    CHECK(contains(notifications::review_request_mail(b, provider(), "r2", with_url).text,
                   "Dejar una reseña: https://reviews.example.org/praxis"));
}

TEST_CASE("no phone, no meeting link, no address, no zone: the mail still renders") {
    Booking b = booking();
    b.client_time_zone.reset();
    b.client_locale = "xx";
    ProviderConfig p = provider();
    p.address.reset();
    MailSetting s = setting();
    s.manage_token.reset();
    const auto m = notifications::booking_event_mail(b, p, Reader::client, facts_of(MailKind::booked, "client"), "k5", s);
    CHECK(contains(m.text, "When: Sunday, 25 October 2026, 02:30 UTC+02:00 – 02:30 UTC+01:00 (Europe/Berlin)"));
    CHECK_FALSE(contains(m.text, "Where"));
    CHECK_FALSE(contains(m.text, "Time at"));
}

TEST_CASE("which event tells whom what by mail") {
    using T = domain::BookingEventType;
    using K = std::optional<MailKind>;
    const auto [type, status, tells_client, tells_provider, client, provider] =
        GENERATE(table<T, BookingStatus, bool, bool, K, K>({
            {T::created, BookingStatus::confirmed, true, true, MailKind::booked, MailKind::booked},
            {T::created, BookingStatus::pending, true, true, MailKind::requested, MailKind::requested},
            {T::created, BookingStatus::confirmed, false, true, std::nullopt, MailKind::booked},
            {T::confirmed, BookingStatus::confirmed, true, false, MailKind::confirmed, std::nullopt},
            {T::declined, BookingStatus::declined, true, false, MailKind::declined, std::nullopt},
            {T::cancelled, BookingStatus::cancelled, true, true, MailKind::cancelled, MailKind::cancelled},
            {T::rescheduled, BookingStatus::confirmed, true, true, MailKind::rescheduled, MailKind::rescheduled},
            {T::expired, BookingStatus::expired, true, true, MailKind::expired, MailKind::expired},
            {T::completed, BookingStatus::completed, true, true, std::nullopt, std::nullopt},
            {T::no_show, BookingStatus::no_show, true, true, std::nullopt, std::nullopt},
        }));
    CAPTURE(domain::event_name(type));
    const auto plan = notifications::mail_plan(type, status, tells_client, tells_provider);
    CHECK(plan.client == client);
    CHECK(plan.provider == provider);
}
