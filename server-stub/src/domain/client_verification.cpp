#include "domain/client_verification.h"

#include <slotwise/zone.h>

#include "domain/mail_texts.h"
#include "domain/request_parsing.h"
#include "support/crypto.h"

namespace slotwise::server {
namespace {

// The key of one booking's code: only the holder of its manage token can
// compute it. The salt names the purpose, so it serves nothing else.
std::string code_key(const std::string& booking_id, const std::string& manage_token) {
    return hkdf_sha256(manage_token, "slotwise client email code v1", booking_id, 32);
}

// "2026-12-01 15:00 (Europe/Berlin)": in the client's zone when the request
// named a zone the engine knows, else the provider's. (Kept in this compact
// form, which the verification tests read; the booking mails write dates out
// per language.)
std::string when_text(const Booking& b, const ProviderConfig& provider) {
    const TimeZone* zone = b.client_time_zone ? find_zone(*b.client_time_zone) : nullptr;
    if (!zone) zone = find_zone(provider.time_zone);
    if (!zone) return format_instant(b.start);
    const LocalTime local = zone->to_local(b.start);
    return date::format("%Y-%m-%d %H:%M", local) + " (" + zone->name() + ")";
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
    using mail_texts::Text;
    const mail_texts::Language language = mail_texts::language_of(locale);
    const bool rtl = mail_texts::right_to_left(language);
    const auto t = [&](Text which) { return std::string_view(mail_texts::text(language, which)); };
    const std::vector<std::pair<std::string, std::string>> values = {
        {"provider", provider.name}, {"name", b.client.name}, {"service", service.name},
        {"when", when_text(b, provider)}, {"minutes", std::to_string(hold_minutes)}};
    const auto fill = [&](Text which) { return mail_texts::fill(t(which), values); };
    mail::MailMessage m;
    // One mail per booking, however often its job runs.
    m.key = "booking.verify:" + b.id;
    m.to = {{b.client.name, b.client.email}};
    m.subject = fill(Text::verify_subject);
    m.text = fill(Text::greeting) + "\n\n" + fill(Text::verify_enter_code) + "\n\n    " + code + "\n\n" +
             fill(Text::verify_booking) + "\n" + fill(Text::verify_held_for) + "\n\n" + fill(Text::verify_not_you) + "\n";
    const auto paragraph = [&](Text which) { return "<p>" + mail_texts::html_escape(fill(which)) + "</p>\n"; };
    m.html = std::string("<!DOCTYPE html>\n<html lang=\"") + std::string(mail_texts::code(language)) + "\"" +
             (rtl ? " dir=\"rtl\"" : "") + "><body>\n" + paragraph(Text::greeting) + paragraph(Text::verify_enter_code) +
             "<p style=\"font-size:28px;letter-spacing:6px;font-weight:bold\">" + code + "</p>\n" +
             paragraph(Text::verify_booking) + paragraph(Text::verify_held_for) + paragraph(Text::verify_not_you) +
             "</body></html>\n";
    return m;
}

}  // namespace slotwise::server
