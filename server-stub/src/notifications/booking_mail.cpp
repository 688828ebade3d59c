#include "notifications/booking_mail.h"

#include <cctype>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <slotwise/zone.h>

#include "domain/calendar_invite.h"
#include "domain/mail_texts.h"

namespace slotwise::server::notifications {
namespace {

using mail_texts::Language;
using mail_texts::Text;
using Values = std::vector<std::pair<std::string, std::string>>;

const TimeZone& utc_zone() {
    static const TimeZone* zone = find_zone("UTC");
    static const TimeZone fixed("UTC", Minutes{0}, {});
    return zone ? *zone : fixed;
}

const TimeZone& provider_zone(const ProviderConfig& provider) {
    const TimeZone* zone = find_zone(provider.time_zone);
    return zone ? *zone : utc_zone();
}

// The client reads in the zone the booking was made in, when it named one the engine knows.
const TimeZone& reader_zone(const Booking& b, const ProviderConfig& provider, Reader reader) {
    if (reader == Reader::client && b.client_time_zone)
        if (const TimeZone* zone = find_zone(*b.client_time_zone)) return *zone;
    return provider_zone(provider);
}

// The zone of the other side, when it shows other clocks than the reader's.
const TimeZone* other_zone(const Booking& b, const ProviderConfig& provider, Reader reader) {
    const TimeZone& mine = reader_zone(b, provider, reader);
    const TimeZone& theirs = reader == Reader::client ? provider_zone(provider)
                                                      : reader_zone(b, provider, Reader::client);
    return &theirs == &mine || theirs.name() == mine.name() ? nullptr : &theirs;
}

std::string percent_encode(const std::string& s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
        else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

// One mail in the making: lines of "label: value" and paragraphs, kept as
// text and as HTML side by side so that both always say the same.
class Composer {
public:
    explicit Composer(Language language) : language_(language) {}

    void paragraph(const std::string& s) {
        text_ += s + "\n\n";
        html_ += "<p style=\"margin:0 0 16px\">" + mail_texts::html_escape(s) + "</p>\n";
    }
    void detail(const std::string& label, const std::string& value, bool is_link = false) {
        rows_.emplace_back(label, value, is_link);
    }
    void end_details() {
        if (rows_.empty()) return;
        html_ += "<table role=\"presentation\" style=\"border-collapse:collapse;margin:0 0 16px\">\n";
        for (const auto& [label, value, is_link] : rows_) {
            // French sets a space before the colon.
            const std::string labelled = label + (language_ == Language::fr ? " :" : ":");
            text_ += labelled + " " + value + "\n";
            const std::string shown = mail_texts::html_escape(value);
            html_ += "<tr><td style=\"padding:4px 16px 4px 0;color:#4f5b6a;vertical-align:top\">" +
                     mail_texts::html_escape(labelled) + "</td><td style=\"padding:4px 0\">" +
                     (is_link ? "<a href=\"" + shown + "\" style=\"color:#0f766e\">" + shown + "</a>" : shown) +
                     "</td></tr>\n";
        }
        html_ += "</table>\n";
        text_ += "\n";
        rows_.clear();
    }
    // A link the reader acts on: its words and the URL on their own line in
    // the text, a button in the HTML.
    void button(const std::string& words, const std::string& url, const std::string& colour) {
        text_ += words + ": " + url + "\n";
        html_ += "<a href=\"" + mail_texts::html_escape(url) + "\" style=\"display:inline-block;margin:0 8px 16px 0;" +
                 "padding:10px 18px;border-radius:6px;background:" + colour +
                 ";color:#ffffff;text-decoration:none;font-weight:bold\">" + mail_texts::html_escape(words) + "</a>\n";
    }
    void end_buttons() { text_ += "\n"; html_ += "<br>\n"; }
    void footer(const std::string& s) {
        text_ += "-- \n" + s + "\n";
        html_ += "<p style=\"margin:24px 0 0;color:#4f5b6a;font-size:12px\">" + mail_texts::html_escape(s) + "</p>\n";
    }

    std::string text() const { return text_; }
    std::string html() const {
        return std::string("<!DOCTYPE html>\n<html lang=\"") + std::string(mail_texts::code(language_)) + "\"" +
               (mail_texts::right_to_left(language_) ? " dir=\"rtl\"" : "") +
               "><head><meta charset=\"utf-8\"></head>\n"
               "<body style=\"margin:0;padding:24px;background:#fbfaf7;color:#1c2430;"
               "font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:15px;line-height:1.5\">\n"
               "<div style=\"max-width:560px;margin:0 auto;background:#ffffff;border:1px solid #e6e2d9;"
               "border-radius:12px;padding:24px\">\n" +
               html_ + "</div>\n</body></html>\n";
    }

private:
    Language language_;
    std::string text_, html_;
    std::vector<std::tuple<std::string, std::string, bool>> rows_;
};

// Everything one mail about a booking is made of.
struct Draft {
    const Booking& booking;
    const ProviderConfig& provider;
    const MailSetting& setting;
    Reader reader;
    Language language;
    const ServiceConfig* service;
    std::string service_name;
    Values values;

    Draft(const Booking& b, const ProviderConfig& p, const MailSetting& s, Reader r)
        : booking(b), provider(p), setting(s), reader(r),
          language(r == Reader::client ? mail_texts::language_of(b.client_locale) : Language::en),
          service(p.service(b.service_id)), service_name(service ? service->name : b.service_id) {
        const TimeZone& zone = reader_zone(b, p, r);
        values = {{"name", r == Reader::client ? b.client.name : p.name},
                  {"provider", p.name},
                  {"client", b.client.name},
                  {"service", service_name},
                  {"when", mail_texts::short_when_text(b.start, zone, language)}};
    }

    std::string t(Text which) const { return mail_texts::fill(mail_texts::text(language, which), values); }
    const TimeZone& zone() const { return reader_zone(booking, provider, reader); }

    // When, in the reader's zone and in the other side's; what; how long;
    // for how much; where; and, for the provider, who.
    void details(Composer& c, Text when_label = Text::label_when) const {
        c.detail(t(when_label), mail_texts::when_text(booking.start, booking.end, zone(), language));
        if (const TimeZone* other = other_zone(booking, provider, reader))
            c.detail(t(reader == Reader::client ? Text::label_time_at_provider : Text::label_time_of_client),
                     mail_texts::when_text(booking.start, booking.end, *other, language));
        c.detail(t(Text::label_service), service_name);
        c.detail(t(Text::label_duration),
                 mail_texts::fill(mail_texts::text(language, Text::minutes), {{"n", std::to_string(booking.duration_minutes)}}));
        c.detail(t(Text::label_price), booking.price_amount == 0
                                           ? t(Text::free)
                                           : mail_texts::money_text(booking.price_amount, booking.currency, language));
        if (booking.meeting_link) c.detail(t(Text::label_online), *booking.meeting_link, true);
        else if (provider.address && !(service && service->is_virtual)) c.detail(t(Text::label_where), *provider.address);
        if (reader == Reader::provider) {
            c.detail(t(Text::label_client), booking.client.name);
            c.detail(t(Text::label_email), booking.client.email);
            if (booking.client.phone) c.detail(t(Text::label_phone), *booking.client.phone);
            if (booking.notes) c.detail(t(Text::label_notes), *booking.notes);
        }
    }

    void manage_link(Composer& c) const {
        if (reader != Reader::client || !setting.manage_token) return;
        c.paragraph(t(Text::manage_hint));
        c.button(t(Text::label_manage), manage_url(setting.public_origin, booking.provider_id, booking.id, *setting.manage_token),
                 "#0f766e");
        c.end_buttons();
    }

    mail::MailMessage finish(Composer& c, std::string key, Text subject) const {
        c.footer(t(Text::footer));
        mail::MailMessage m;
        m.key = std::move(key);
        if (reader == Reader::client) m.to = {{booking.client.name, booking.client.email}};
        else m.to = {{provider.name, setting.provider_email.value_or("")}};
        m.subject = t(subject);
        m.text = c.text();
        m.html = c.html();
        return m;
    }

    void attach_invite(mail::MailMessage& m, InviteMethod method, Timestamp stamp) const {
        BookingInviteOptions options;
        options.sequence = setting.sequence;
        options.method = method;
        options.stamp = stamp;
        options.for_provider = reader == Reader::provider;
        options.organizer = InvitePerson{provider.name, setting.provider_email.value_or(setting.server_email)};
        options.description = service_name + " — " + provider.name;
        if (booking.meeting_link) options.description += "\n" + *booking.meeting_link;
        if (reader == Reader::client && setting.manage_token)
            options.description += "\n" + t(Text::label_manage) + ": " +
                                   manage_url(setting.public_origin, booking.provider_id, booking.id, *setting.manage_token);
        const bool cancel = method == InviteMethod::cancel;
        m.attachments.push_back({cancel ? "cancel.ics" : "invite.ics",
                                 std::string("text/calendar; method=") + (cancel ? "CANCEL" : "REQUEST") + "; charset=UTF-8",
                                 render_ics(booking_invite(booking, &provider, options))});
    }
};

// The moment the invite is made is what DTSTAMP says; rendering reads no
// clock, so it is the booking's last change: the same mail renders the
// same bytes on every retry.
Timestamp invite_stamp(const Booking& b) { return b.updated_at; }

struct KindTexts {
    Text subject, intro;
    InviteMethod method;
    bool manage;  // the client may still move or cancel it
};

KindTexts kind_texts(MailKind kind, Reader reader, const std::string& actor) {
    const bool client = reader == Reader::client;
    switch (kind) {
        case MailKind::booked:
            return client ? KindTexts{Text::client_booked_subject, Text::client_booked_intro, InviteMethod::request, true}
                          : KindTexts{Text::provider_booked_subject, Text::provider_booked_intro, InviteMethod::request, false};
        case MailKind::requested:
            return client ? KindTexts{Text::client_requested_subject, Text::client_requested_intro, InviteMethod::request, true}
                          : KindTexts{Text::provider_requested_subject, Text::provider_requested_intro, InviteMethod::request, false};
        case MailKind::confirmed:
            return client ? KindTexts{Text::client_confirmed_subject, Text::client_confirmed_intro, InviteMethod::request, true}
                          : KindTexts{Text::provider_confirmed_subject, Text::provider_confirmed_intro, InviteMethod::request, false};
        case MailKind::declined:
            return client ? KindTexts{Text::client_declined_subject, Text::client_declined_intro, InviteMethod::cancel, false}
                          : KindTexts{Text::provider_declined_subject, Text::provider_declined_intro, InviteMethod::cancel, false};
        case MailKind::cancelled: {
            const Text intro = client ? (actor == "client"     ? Text::client_cancelled_by_client
                                         : actor == "provider" ? Text::client_cancelled_by_provider
                                                               : Text::client_cancelled_by_system)
                                      : (actor == "client"     ? Text::provider_cancelled_by_client
                                         : actor == "provider" ? Text::provider_cancelled_by_provider
                                                               : Text::provider_cancelled_by_system);
            return {client ? Text::client_cancelled_subject : Text::provider_cancelled_subject, intro, InviteMethod::cancel,
                    false};
        }
        case MailKind::rescheduled:
            return client ? KindTexts{Text::client_rescheduled_subject, Text::client_rescheduled_intro, InviteMethod::request, true}
                          : KindTexts{Text::provider_rescheduled_subject, Text::provider_rescheduled_intro, InviteMethod::request, false};
        case MailKind::expired:
            return client ? KindTexts{Text::client_expired_subject, Text::client_expired_intro, InviteMethod::cancel, false}
                          : KindTexts{Text::provider_expired_subject, Text::provider_expired_intro, InviteMethod::cancel, false};
    }
    return {Text::client_booked_subject, Text::client_booked_intro, InviteMethod::request, true};
}

}  // namespace

std::string manage_url(const std::string& public_origin, const std::string& provider_id, const std::string& booking_id,
                       const std::string& manage_token) {
    return public_origin + "/manage/?provider=" + percent_encode(provider_id) +
           "#slotwise-booking=" + percent_encode(booking_id) + "&slotwise-token=" + percent_encode(manage_token);
}

std::optional<std::int64_t> refund_to_mention(const nlohmann::json& b) {
    if (!b.is_object()) return std::nullopt;
    const auto refund = b.find("refund");
    if (refund == b.end() || !refund->is_object()) return std::nullopt;
    // The server's own word first (booking_json's refund.paid), then the
    // payment object: one whose amount_received is 0 took no money (a hold
    // cancelled before the card was charged).
    bool paid = false;
    if (const auto said = refund->find("paid"); said != refund->end() && said->is_boolean()) {
        paid = said->get<bool>();
    } else if (b.contains("payment")) {
        const auto& payment = b["payment"];
        const auto received = payment.is_object() ? payment.find("amount_received") : payment.end();
        paid = payment.is_object() && (received == payment.end() || !received->is_number_integer() || received->get<std::int64_t>() > 0);
    } else {
        paid = b.contains("paid") && b["paid"].is_boolean() && b["paid"].get<bool>();
    }
    if (!paid) return std::nullopt;
    const auto amount = refund->find("amount");
    if (amount == refund->end() || !amount->is_number_integer()) return std::nullopt;
    return amount->get<std::int64_t>();
}

mail::MailMessage booking_event_mail(const Booking& booking, const ProviderConfig& provider, Reader reader,
                                     const EventMailFacts& facts, std::string key, const MailSetting& setting) {
    const Draft d(booking, provider, setting, reader);
    const KindTexts k = kind_texts(facts.kind, reader, facts.actor);
    Composer c(d.language);
    c.paragraph(d.t(Text::greeting));
    c.paragraph(d.t(k.intro));
    if (facts.kind == MailKind::rescheduled && facts.previous_start && facts.previous_end)
        c.detail(d.t(Text::label_previous_time),
                 mail_texts::when_text(*facts.previous_start, *facts.previous_end, d.zone(), d.language));
    d.details(c, facts.kind == MailKind::rescheduled ? Text::label_new_time : Text::label_when);
    if (facts.kind == MailKind::cancelled || facts.kind == MailKind::declined) {
        if (booking.cancellation_reason && !booking.cancellation_reason->empty())
            c.detail(d.t(Text::label_reason), *booking.cancellation_reason);
        if (facts.refund_amount)
            c.detail(d.t(Text::label_refund), mail_texts::money_text(*facts.refund_amount, booking.currency, d.language));
    }
    c.end_details();
    if (reader == Reader::provider && facts.kind == MailKind::requested && facts.confirm_url && facts.decline_url) {
        if (booking.expires_at)
            c.paragraph(mail_texts::fill(mail_texts::text(d.language, Text::decide_before),
                                         {{"when", mail_texts::moment_text(date::floor<Minutes>(*booking.expires_at),
                                                                           d.zone(), d.language)}}));
        c.button(d.t(Text::confirm_button), *facts.confirm_url, "#0f766e");
        c.button(d.t(Text::decline_button), *facts.decline_url, "#b42318");
        c.end_buttons();
    }
    if (k.manage) d.manage_link(c);
    if (reader == Reader::client) c.paragraph(d.t(Text::calendar_attached));
    mail::MailMessage m = d.finish(c, std::move(key), k.subject);
    d.attach_invite(m, k.method, invite_stamp(booking));
    return m;
}

mail::MailMessage reminder_mail(const Booking& booking, const ProviderConfig& provider, Reader reader,
                                int /*before_minutes: the subject names the time itself*/, std::string key,
                                const MailSetting& setting) {
    const Draft d(booking, provider, setting, reader);
    Composer c(d.language);
    c.paragraph(d.t(Text::greeting));
    c.paragraph(d.t(reader == Reader::client ? Text::client_reminder_intro : Text::provider_reminder_intro));
    d.details(c);
    c.end_details();
    d.manage_link(c);
    if (reader == Reader::client) c.paragraph(d.t(Text::calendar_attached));
    mail::MailMessage m =
        d.finish(c, std::move(key), reader == Reader::client ? Text::client_reminder_subject : Text::provider_reminder_subject);
    d.attach_invite(m, InviteMethod::request, invite_stamp(booking));
    return m;
}

mail::MailMessage review_request_mail(const Booking& booking, const ProviderConfig& provider, std::string key,
                                      const MailSetting& setting) {
    const Draft d(booking, provider, setting, Reader::client);
    Composer c(d.language);
    c.paragraph(d.t(Text::greeting));
    c.paragraph(d.t(Text::review_intro));
    std::optional<std::string> link = setting.review_url;
    if (!link && setting.provider_email)
        link = "mailto:" + *setting.provider_email + "?subject=" + percent_encode(d.t(Text::review_subject));
    if (link) {
        c.button(d.t(Text::review_button), *link, "#0f766e");
        c.end_buttons();
    }
    return d.finish(c, std::move(key), Text::review_subject);
}

}  // namespace slotwise::server::notifications
