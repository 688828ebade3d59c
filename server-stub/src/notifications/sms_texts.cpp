#include "notifications/sms_texts.h"

#include <array>
#include <cstddef>

namespace slotwise::server::notifications {

namespace {

constexpr std::size_t kLanguages = 4;
using Phrase = std::array<const char*, kLanguages>;  // en, de, fr, es

std::size_t index(SmsLanguage language) { return static_cast<std::size_t>(language); }

// {p} provider, {s} service, {c} client, {t} time, {o} old time, {r} the
// reason sentence (or nothing), {l} where: the meeting link or the address
// (or nothing).
struct Texts {
    Phrase client, provider;
};

const Texts kCreatedConfirmed{
    {"{p}: your {s} on {t} is confirmed.{l}", "{p}: Ihr Termin {s} am {t} ist bestätigt.{l}",
     "{p} : votre rendez-vous {s} le {t} est confirmé.{l}", "{p}: su cita {s} el {t} está confirmada.{l}"},
    {"New booking: {c}, {s}, {t}.", "Neue Buchung: {c}, {s}, {t}.", "Nouvelle réservation : {c}, {s}, {t}.",
     "Nueva reserva: {c}, {s}, {t}."}};
const Texts kCreatedPending{
    {"{p} received your request for {s} on {t}. You will hear back once it is confirmed.",
     "{p} hat Ihre Anfrage für {s} am {t} erhalten. Sie hören von uns, sobald sie bestätigt ist.",
     "{p} a bien reçu votre demande pour {s} le {t}. Vous serez prévenu dès sa confirmation.",
     "{p} ha recibido su solicitud de {s} el {t}. Le avisaremos cuando esté confirmada."},
    {"New request to confirm: {c}, {s}, {t}.", "Neue Anfrage zur Bestätigung: {c}, {s}, {t}.",
     "Nouvelle demande à confirmer : {c}, {s}, {t}.", "Nueva solicitud por confirmar: {c}, {s}, {t}."}};
const Texts kConfirmed{
    {"{p} confirmed your {s} on {t}.{l}", "{p} hat Ihren Termin {s} am {t} bestätigt.{l}",
     "{p} a confirmé votre rendez-vous {s} le {t}.{l}", "{p} ha confirmado su cita {s} el {t}.{l}"},
    {"Confirmed: {c}, {s}, {t}.", "Bestätigt: {c}, {s}, {t}.", "Confirmé : {c}, {s}, {t}.", "Confirmada: {c}, {s}, {t}."}};
const Texts kDeclined{
    {"{p} could not accept your request for {s} on {t}.{r}", "{p} kann Ihre Anfrage für {s} am {t} leider nicht annehmen.{r}",
     "{p} ne peut malheureusement pas accepter votre demande pour {s} le {t}.{r}",
     "{p} no puede aceptar su solicitud de {s} el {t}.{r}"},
    {"Declined: {c}, {s}, {t}.{r}", "Abgelehnt: {c}, {s}, {t}.{r}", "Refusé : {c}, {s}, {t}.{r}", "Rechazada: {c}, {s}, {t}.{r}"}};
// The client reads who cancelled: they themselves (or the system), or the provider.
const Texts kCancelled{
    {"Your {s} with {p} on {t} is cancelled.{r}", "Ihr Termin {s} bei {p} am {t} ist storniert.{r}",
     "Votre rendez-vous {s} avec {p} le {t} est annulé.{r}", "Su cita {s} con {p} el {t} está cancelada.{r}"},
    {"Cancelled: {c}, {s}, {t}.{r}", "Storniert: {c}, {s}, {t}.{r}", "Annulé : {c}, {s}, {t}.{r}", "Cancelada: {c}, {s}, {t}.{r}"}};
const Texts kCancelledByOtherSide{
    {"{p} cancelled your {s} on {t}.{r}", "{p} hat Ihren Termin {s} am {t} abgesagt.{r}",
     "{p} a annulé votre rendez-vous {s} le {t}.{r}", "{p} ha cancelado su cita {s} el {t}.{r}"},
    {"{c} cancelled: {s}, {t}.{r}", "{c} hat abgesagt: {s}, {t}.{r}", "{c} a annulé : {s}, {t}.{r}", "{c} ha cancelado: {s}, {t}.{r}"}};
const Texts kRescheduled{
    {"Your {s} with {p} has moved from {o} to {t}.{l}", "Ihr Termin {s} bei {p} wurde von {o} auf {t} verlegt.{l}",
     "Votre rendez-vous {s} avec {p} est déplacé du {o} au {t}.{l}", "Su cita {s} con {p} se ha movido del {o} al {t}.{l}"},
    {"Moved: {c}, {s}, from {o} to {t}.", "Verlegt: {c}, {s}, von {o} auf {t}.", "Déplacé : {c}, {s}, du {o} au {t}.",
     "Cambio: {c}, {s}, del {o} al {t}."}};
const Texts kExpired{
    {"Your request for {s} with {p} on {t} was not confirmed in time and has lapsed.",
     "Ihre Anfrage für {s} bei {p} am {t} wurde nicht rechtzeitig bestätigt und ist verfallen.",
     "Votre demande pour {s} avec {p} le {t} n'a pas été confirmée à temps et a expiré.",
     "Su solicitud de {s} con {p} el {t} no se confirmó a tiempo y ha caducado."},
    {"Request lapsed unconfirmed: {c}, {s}, {t}.", "Anfrage unbestätigt verfallen: {c}, {s}, {t}.",
     "Demande expirée sans confirmation : {c}, {s}, {t}.", "Solicitud caducada sin confirmar: {c}, {s}, {t}."}};
const Texts kReminder{
    {"Reminder: your {s} with {p} is on {t}.{l}", "Erinnerung: Ihr Termin {s} bei {p} ist am {t}.{l}",
     "Rappel : votre rendez-vous {s} avec {p} est le {t}.{l}", "Recordatorio: su cita {s} con {p} es el {t}.{l}"},
    {"Reminder: {c}, {s}, {t}.", "Erinnerung: {c}, {s}, {t}.", "Rappel : {c}, {s}, {t}.", "Recordatorio: {c}, {s}, {t}."}};

const Phrase kReason{" Reason: ", " Grund: ", " Motif : ", " Motivo: "};
const Phrase kLink{" Join: ", " Link: ", " Lien : ", " Enlace: "};
const Phrase kAddress{" Address: ", " Adresse: ", " Adresse : ", " Dirección: "};

const std::array<Phrase, 7> kWeekdays{{
    {"Sun", "So.", "dim.", "dom."},
    {"Mon", "Mo.", "lun.", "lun."},
    {"Tue", "Di.", "mar.", "mar."},
    {"Wed", "Mi.", "mer.", "mié."},
    {"Thu", "Do.", "jeu.", "jue."},
    {"Fri", "Fr.", "ven.", "vie."},
    {"Sat", "Sa.", "sam.", "sáb."},
}};
const std::array<Phrase, 12> kMonths{{
    {"Jan", "Jan.", "janv.", "ene."},
    {"Feb", "Feb.", "févr.", "feb."},
    {"Mar", "März", "mars", "mar."},
    {"Apr", "Apr.", "avr.", "abr."},
    {"May", "Mai", "mai", "may."},
    {"Jun", "Juni", "juin", "jun."},
    {"Jul", "Juli", "juil.", "jul."},
    {"Aug", "Aug.", "août", "ago."},
    {"Sep", "Sept.", "sept.", "sept."},
    {"Oct", "Okt.", "oct.", "oct."},
    {"Nov", "Nov.", "nov.", "nov."},
    {"Dec", "Dez.", "déc.", "dic."},
}};

// Text from people (names, reasons) on one line and at most `limit` code points.
std::string clean(const std::string& text, std::size_t limit) {
    std::string out;
    std::size_t points = 0;
    bool space = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7f || c == ' ') {
            space = !out.empty();
            continue;
        }
        if ((c & 0xC0) != 0x80) {
            if (points == limit) return out + "...";
            if (space) {
                out += ' ';
                ++points;
                space = false;
            }
            ++points;
        }
        out += static_cast<char>(c);
    }
    return out;
}

std::string fill(const char* pattern, const std::string& p, const std::string& s, const std::string& c, const std::string& t,
                 const std::string& o, const std::string& r, const std::string& l) {
    std::string out;
    for (const char* at = pattern; *at; ++at) {
        if (at[0] == '{' && at[1] && at[2] == '}') {
            const std::string* value = nullptr;
            switch (at[1]) {
            case 'p': value = &p; break;
            case 's': value = &s; break;
            case 'c': value = &c; break;
            case 't': value = &t; break;
            case 'o': value = &o; break;
            case 'r': value = &r; break;
            case 'l': value = &l; break;
            }
            if (value) {
                out += *value;
                at += 2;
                continue;
            }
        }
        out += *at;
    }
    return out;
}

const Texts& texts_of(SmsTopic topic, SmsReader reader, const std::string& cancelled_by) {
    switch (topic) {
    case SmsTopic::created_confirmed: return kCreatedConfirmed;
    case SmsTopic::created_pending: return kCreatedPending;
    case SmsTopic::confirmed: return kConfirmed;
    case SmsTopic::declined: return kDeclined;
    case SmsTopic::cancelled: {
        const bool by_other_side = reader == SmsReader::client ? cancelled_by == "provider" : cancelled_by == "client";
        return by_other_side ? kCancelledByOtherSide : kCancelled;
    }
    case SmsTopic::rescheduled: return kRescheduled;
    case SmsTopic::expired: return kExpired;
    case SmsTopic::reminder: return kReminder;
    }
    return kReminder;
}

}  // namespace

SmsLanguage sms_language(const std::optional<std::string>& locale) {
    if (!locale) return SmsLanguage::en;
    std::string primary;
    for (char c : *locale) {
        if (c == '-' || c == '_') break;
        primary += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    if (primary == "de") return SmsLanguage::de;
    if (primary == "fr") return SmsLanguage::fr;
    if (primary == "es") return SmsLanguage::es;
    return SmsLanguage::en;
}

std::string format_sms_time(Instant t, const TimeZone* zone, SmsLanguage language) {
    const LocalTime local = zone ? zone->to_local(t) : LocalTime{t.time_since_epoch()};
    const LocalDate day = date::floor<Days>(local);
    const date::year_month_day ymd{day};
    const date::weekday weekday{day};
    std::string clock;
    append_clock(clock, local - day);
    const std::size_t l = index(language);
    const std::string dayname = kWeekdays[weekday.c_encoding()][l];
    const std::string month = kMonths[static_cast<unsigned>(ymd.month()) - 1][l];
    const std::string d = std::to_string(static_cast<unsigned>(ymd.day()));
    std::string out;
    switch (language) {
    case SmsLanguage::en: out = dayname + " " + d + " " + month + ", " + clock; break;
    case SmsLanguage::de: out = dayname + " " + d + ". " + month + ", " + clock + " Uhr"; break;
    case SmsLanguage::fr: out = dayname + " " + d + " " + month + " à " + clock; break;
    case SmsLanguage::es: out = dayname + " " + d + " " + month + " a las " + clock; break;
    }
    // Links resolve to their zone, and "UTC" to "Etc/UTC", which says less.
    std::string zone_name = zone ? zone->name() : "UTC";
    if (zone_name.rfind("Etc/", 0) == 0) zone_name.erase(0, 4);
    return out + " (" + zone_name + ")";
}

std::string sms_text(SmsTopic topic, SmsReader reader, SmsLanguage language, const SmsFacts& facts) {
    const std::size_t l = index(language);
    const Texts& texts = texts_of(topic, reader, facts.cancelled_by);
    const char* pattern = reader == SmsReader::client ? texts.client[l] : texts.provider[l];
    const std::string when = format_sms_time(facts.start, facts.zone, language);
    const std::string before = facts.previous_start ? format_sms_time(*facts.previous_start, facts.zone, language) : std::string();
    std::string reason, link;
    if (facts.reason && !clean(*facts.reason, 100).empty()) reason = kReason[l] + clean(*facts.reason, 100);
    if (facts.meeting_link && !clean(*facts.meeting_link, 200).empty()) link = kLink[l] + clean(*facts.meeting_link, 200);
    else if (facts.address && !clean(*facts.address, 120).empty()) link = kAddress[l] + clean(*facts.address, 120);
    return fill(pattern, clean(facts.provider_name, 60), clean(facts.service_name, 60), clean(facts.client_name, 60), when, before,
                reason, link);
}

}  // namespace slotwise::server::notifications
