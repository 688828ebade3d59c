#include "domain/client_verification.h"

#include <slotwise/zone.h>

#include "domain/request_parsing.h"
#include "support/crypto.h"

namespace slotwise::server {
namespace {

// The key of one booking's code: only the holder of its manage token can
// compute it. The salt names the purpose, so it serves nothing else.
std::string code_key(const std::string& booking_id, const std::string& manage_token) {
    return hkdf_sha256(manage_token, "slotwise client email code v1", booking_id, 32);
}

struct MailText {
    const char* subject;     // {provider}; never the code: subjects are logged
    const char* greeting;    // {name}
    const char* enter_code;
    const char* booking;     // {service}, {provider}, {when}
    const char* held_for;    // {minutes}
    const char* not_you;
};

const MailText kEnglish = {
    "Confirm your booking with {provider}",
    "Hello {name},",
    "Enter this code to confirm your booking:",
    "{service} with {provider}, {when}.",
    "The time is held for you for {minutes} minutes.",
    "If you did not ask for this booking, ignore this email: the time is released by itself.",
};
const MailText kGerman = {
    "Bestätigen Sie Ihre Buchung bei {provider}",
    "Hallo {name},",
    "Geben Sie diesen Code ein, um Ihre Buchung zu bestätigen:",
    "{service} bei {provider}, {when}.",
    "Der Termin ist {minutes} Minuten lang für Sie reserviert.",
    "Wenn Sie diese Buchung nicht angefragt haben, ignorieren Sie diese E-Mail: Der Termin wird von selbst wieder frei.",
};
const MailText kFrench = {
    "Confirmez votre réservation chez {provider}",
    "Bonjour {name},",
    "Saisissez ce code pour confirmer votre réservation :",
    "{service} avec {provider}, {when}.",
    "Le créneau vous est réservé pendant {minutes} minutes.",
    "Si vous n’avez pas demandé cette réservation, ignorez cet e-mail : le créneau sera libéré automatiquement.",
};
const MailText kSpanish = {
    "Confirma tu reserva con {provider}",
    "Hola, {name}:",
    "Introduce este código para confirmar tu reserva:",
    "{service} con {provider}, {when}.",
    "La hora queda reservada para ti durante {minutes} minutos.",
    "Si no has pedido esta reserva, ignora este correo: la hora se liberará sola.",
};
const MailText kArabic = {
    "أكّد حجزك لدى {provider}",
    "مرحبًا {name}،",
    "أدخل هذا الرمز لتأكيد حجزك:",
    "{service} مع {provider}، {when}.",
    "الموعد محجوز لك لمدة {minutes} دقيقة.",
    "إذا لم تطلب هذا الحجز، فتجاهل هذه الرسالة: سيُحرَّر الموعد تلقائيًا.",
};

const MailText& text_for(const std::optional<std::string>& locale, bool& right_to_left) {
    std::string language = locale ? locale->substr(0, locale->find('-')) : "en";
    for (char& c : language) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    right_to_left = language == "ar";
    if (language == "de") return kGerman;
    if (language == "fr") return kFrench;
    if (language == "es") return kSpanish;
    if (language == "ar") return kArabic;
    return kEnglish;
}

std::string fill(std::string text, const std::vector<std::pair<std::string, std::string>>& values) {
    for (const auto& [name, value] : values) {
        const std::string placeholder = "{" + name + "}";
        for (std::size_t at = 0; (at = text.find(placeholder, at)) != std::string::npos; at += value.size())
            text.replace(at, placeholder.size(), value);
    }
    return text;
}

std::string html_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

// "2026-12-01 15:00 (Europe/Berlin)": in the client's zone when the request
// named a zone the engine knows, else the provider's.
std::string when_text(const Booking& b, const ProviderConfig& provider) {
    const TimeZone* zone = b.client_time_zone ? find_zone(*b.client_time_zone) : nullptr;
    if (!zone) zone = find_zone(provider.time_zone);
    if (!zone) return format_instant(b.start);
    const Timestamp local{zone->to_local(b.start).time_since_epoch()};
    return date::format("%Y-%m-%d %H:%M", date::floor<std::chrono::minutes>(local)) + " (" + zone->name() + ")";
}

}  // namespace

VerificationCode new_verification_code(const std::string& booking_id, const std::string& manage_token) {
    VerificationCode v;
    // One draw below 10^6 (rejection sampling: no code likelier than another), zero-padded.
    static_assert(kVerificationCodeDigits == 6, "the code space below is 10^6");
    const std::string number = std::to_string(random_below(1'000'000));
    v.code = std::string(kVerificationCodeDigits - number.size(), '0') + number;
    v.code_hmac = verification_code_hmac(booking_id, manage_token, v.code);
    return v;
}

std::string verification_code_hmac(const std::string& booking_id, const std::string& manage_token,
                                   const std::string& code) {
    return hmac_sha256_hex(code_key(booking_id, manage_token), code);
}

mail::MailMessage verification_mail(const Booking& b, const ProviderConfig& provider, const ServiceConfig& service,
                                    const std::string& code, const std::optional<std::string>& locale,
                                    int hold_minutes) {
    bool rtl = false;
    const MailText& t = text_for(locale, rtl);
    const std::vector<std::pair<std::string, std::string>> values = {
        {"provider", provider.name}, {"name", b.client.name}, {"service", service.name},
        {"when", when_text(b, provider)}, {"minutes", std::to_string(hold_minutes)}};
    mail::MailMessage m;
    // One mail per booking, however often its job runs.
    m.key = "booking.verify:" + b.id;
    m.to = {{b.client.name, b.client.email}};
    m.subject = fill(t.subject, values);
    m.text = fill(t.greeting, values) + "\n\n" + t.enter_code + "\n\n    " + code + "\n\n" + fill(t.booking, values) +
             "\n" + fill(t.held_for, values) + "\n\n" + t.not_you + "\n";
    const auto paragraph = [&](const std::string& s) { return "<p>" + html_escape(s) + "</p>\n"; };
    m.html = std::string("<!DOCTYPE html>\n<html") + (rtl ? " dir=\"rtl\"" : "") + "><body>\n" +
             paragraph(fill(t.greeting, values)) + paragraph(t.enter_code) +
             "<p style=\"font-size:28px;letter-spacing:6px;font-weight:bold\">" + code + "</p>\n" +
             paragraph(fill(t.booking, values)) + paragraph(fill(t.held_for, values)) + paragraph(t.not_you) +
             "</body></html>\n";
    return m;
}

}  // namespace slotwise::server
