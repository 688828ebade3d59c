#include "domain/mail_texts.h"

#include <array>
#include <cctype>
#include <cstdlib>

#include <date/date.h>

namespace slotwise::server::mail_texts {
namespace {

struct Row {
    Text key;
    const char* en;
    const char* de;
    const char* fr;
    const char* es;
    const char* ar;
};

// Every text, every language. Placeholders in braces are filled by the
// caller; a row's languages carry the same placeholders.
constexpr Row kTable[] = {
    {Text::greeting, "Hello {name},", "Hallo {name},", "Bonjour {name},", "Hola, {name}:", "مرحبًا {name}،"},
    {Text::footer, "This message was sent by Slotwise on behalf of {provider}.",
     "Diese Nachricht hat Slotwise im Auftrag von {provider} gesendet.",
     "Ce message vous est envoyé par Slotwise pour le compte de {provider}.",
     "Este mensaje lo envía Slotwise en nombre de {provider}.", "أرسلت Slotwise هذه الرسالة نيابةً عن {provider}."},
    {Text::label_when, "When", "Wann", "Quand", "Cuándo", "الموعد"},
    {Text::label_time_at_provider, "Time at {provider}", "Zeit bei {provider}", "Heure chez {provider}",
     "Hora de {provider}", "التوقيت لدى {provider}"},
    {Text::label_time_of_client, "Client's time", "Zeit des Kunden", "Heure du client", "Hora del cliente", "توقيت العميل"},
    {Text::label_service, "Service", "Leistung", "Prestation", "Servicio", "الخدمة"},
    {Text::label_duration, "Duration", "Dauer", "Durée", "Duración", "المدة"},
    {Text::minutes, "{n} min", "{n} Min.", "{n} min", "{n} min", "{n} دقيقة"},
    {Text::label_price, "Price", "Preis", "Prix", "Precio", "السعر"},
    {Text::free, "Free", "Kostenlos", "Gratuit", "Gratis", "مجانًا"},
    {Text::label_where, "Where", "Wo", "Où", "Dónde", "المكان"},
    {Text::label_online, "Online meeting", "Online-Termin", "Rendez-vous en ligne", "Reunión en línea",
     "اجتماع عبر الإنترنت"},
    {Text::label_client, "Client", "Kunde", "Client", "Cliente", "العميل"},
    {Text::label_email, "Email", "E-Mail", "E-mail", "Correo", "البريد الإلكتروني"},
    {Text::label_phone, "Phone", "Telefon", "Téléphone", "Teléfono", "الهاتف"},
    {Text::label_notes, "Notes", "Notizen", "Remarques", "Notas", "ملاحظات"},
    {Text::label_manage, "Change or cancel", "Ändern oder absagen", "Modifier ou annuler", "Cambiar o cancelar",
     "تعديل أو إلغاء"},
    {Text::manage_hint, "Use this link to move or cancel your booking:",
     "Über diesen Link können Sie Ihren Termin verschieben oder absagen:",
     "Ce lien vous permet de déplacer ou d’annuler votre rendez-vous :",
     "Con este enlace puedes cambiar o cancelar tu reserva:", "استخدم هذا الرابط لتغيير موعد حجزك أو إلغائه:"},
    {Text::label_reason, "Reason", "Grund", "Motif", "Motivo", "السبب"},
    {Text::label_refund, "Refund", "Erstattung", "Remboursement", "Reembolso", "المبلغ المسترد"},
    {Text::label_previous_time, "Previously", "Bisher", "Auparavant", "Antes", "الموعد السابق"},
    {Text::label_new_time, "New time", "Neuer Termin", "Nouvel horaire", "Nueva hora", "الموعد الجديد"},
    {Text::calendar_attached, "The attached calendar file keeps your calendar up to date.",
     "Die angehängte Kalenderdatei hält Ihren Kalender auf dem neuesten Stand.",
     "Le fichier de calendrier joint tient votre agenda à jour.",
     "El archivo de calendario adjunto mantiene tu calendario al día.", "يُبقي ملف التقويم المرفق تقويمك محدَّثًا."},
    {Text::confirm_button, "Confirm", "Bestätigen", "Confirmer", "Confirmar", "تأكيد"},
    {Text::decline_button, "Decline", "Ablehnen", "Refuser", "Rechazar", "رفض"},
    {Text::decide_before, "Please confirm or decline before {when}.",
     "Bitte bestätigen oder lehnen Sie bis {when} ab.", "Merci de confirmer ou de refuser avant {when}.",
     "Confirma o rechaza antes de {when}.", "يُرجى التأكيد أو الرفض قبل {when}."},

    {Text::client_booked_subject, "Booking confirmed: {service}, {when}", "Buchung bestätigt: {service}, {when}",
     "Réservation confirmée : {service}, {when}", "Reserva confirmada: {service}, {when}",
     "تأكيد الحجز: {service}، {when}"},
    {Text::client_booked_intro, "Your booking with {provider} is confirmed.", "Ihre Buchung bei {provider} ist bestätigt.",
     "Votre réservation chez {provider} est confirmée.", "Tu reserva con {provider} está confirmada.",
     "تم تأكيد حجزك لدى {provider}."},
    {Text::client_requested_subject, "Request received: {service}, {when}", "Anfrage erhalten: {service}, {when}",
     "Demande reçue : {service}, {when}", "Solicitud recibida: {service}, {when}",
     "تم استلام الطلب: {service}، {when}"},
    {Text::client_requested_intro,
     "{provider} has received your request and will confirm or decline it. The time is kept for you until then.",
     "{provider} hat Ihre Anfrage erhalten und wird sie bestätigen oder ablehnen. Bis dahin bleibt der Termin für Sie "
     "reserviert.",
     "{provider} a bien reçu votre demande et va la confirmer ou la refuser. D’ici là, le créneau vous est réservé.",
     "{provider} ha recibido tu solicitud y la confirmará o rechazará. Hasta entonces, la hora queda reservada para ti.",
     "تلقّى {provider} طلبك وسيؤكده أو يرفضه. حتى ذلك الحين يبقى الموعد محجوزًا لك."},
    {Text::client_confirmed_subject, "Booking confirmed: {service}, {when}", "Buchung bestätigt: {service}, {when}",
     "Réservation confirmée : {service}, {when}", "Reserva confirmada: {service}, {when}",
     "تأكيد الحجز: {service}، {when}"},
    {Text::client_confirmed_intro, "{provider} has confirmed your booking.", "{provider} hat Ihre Buchung bestätigt.",
     "{provider} a confirmé votre réservation.", "{provider} ha confirmado tu reserva.", "أكّد {provider} حجزك."},
    {Text::client_declined_subject, "Request declined: {service}, {when}", "Anfrage abgelehnt: {service}, {when}",
     "Demande refusée : {service}, {when}", "Solicitud rechazada: {service}, {when}",
     "تم رفض الطلب: {service}، {when}"},
    {Text::client_declined_intro,
     "{provider} cannot accept your request, and the time is released. You are welcome to choose another time.",
     "{provider} kann Ihre Anfrage leider nicht annehmen; der Termin ist wieder frei. Sie können gern einen anderen "
     "Termin wählen.",
     "{provider} ne peut pas accepter votre demande ; le créneau est libéré. N’hésitez pas à choisir un autre horaire.",
     "{provider} no puede aceptar tu solicitud y la hora queda libre. Puedes elegir otra hora cuando quieras.",
     "لا يستطيع {provider} قبول طلبك، وقد أصبح الموعد متاحًا. يمكنك اختيار موعد آخر."},
    {Text::client_cancelled_subject, "Booking cancelled: {service}, {when}", "Buchung storniert: {service}, {when}",
     "Réservation annulée : {service}, {when}", "Reserva cancelada: {service}, {when}",
     "تم إلغاء الحجز: {service}، {when}"},
    {Text::client_cancelled_by_client, "Your booking with {provider} is cancelled, as you asked.",
     "Ihre Buchung bei {provider} ist wie gewünscht storniert.",
     "Votre réservation chez {provider} est annulée, comme vous l’avez demandé.",
     "Tu reserva con {provider} está cancelada, tal como pediste.", "تم إلغاء حجزك لدى {provider} بناءً على طلبك."},
    {Text::client_cancelled_by_provider, "{provider} has cancelled your booking.", "{provider} hat Ihre Buchung storniert.",
     "{provider} a annulé votre réservation.", "{provider} ha cancelado tu reserva.", "ألغى {provider} حجزك."},
    {Text::client_cancelled_by_system, "Your booking with {provider} has been cancelled.",
     "Ihre Buchung bei {provider} wurde storniert.", "Votre réservation chez {provider} a été annulée.",
     "Tu reserva con {provider} ha sido cancelada.", "تم إلغاء حجزك لدى {provider}."},
    {Text::client_rescheduled_subject, "Booking moved: {service}, now {when}", "Termin verschoben: {service}, jetzt {when}",
     "Rendez-vous déplacé : {service}, désormais {when}", "Reserva cambiada: {service}, ahora {when}",
     "تم تغيير الموعد: {service}، الآن {when}"},
    {Text::client_rescheduled_intro, "Your booking with {provider} has moved to a new time.",
     "Ihr Termin bei {provider} wurde verschoben.", "Votre rendez-vous chez {provider} a été déplacé.",
     "Tu reserva con {provider} ha cambiado de hora.", "تم نقل حجزك لدى {provider} إلى موعد جديد."},
    {Text::client_expired_subject, "Request expired: {service}, {when}", "Anfrage abgelaufen: {service}, {when}",
     "Demande expirée : {service}, {when}", "Solicitud caducada: {service}, {when}",
     "انتهت صلاحية الطلب: {service}، {when}"},
    {Text::client_expired_intro,
     "{provider} did not answer your request in time, so it has expired and the time is released. You are welcome to "
     "book again.",
     "{provider} hat Ihre Anfrage nicht rechtzeitig beantwortet; sie ist abgelaufen und der Termin wieder frei. Sie "
     "können gern erneut buchen.",
     "{provider} n’a pas répondu à temps à votre demande : elle a expiré et le créneau est libéré. Vous pouvez réserver "
     "à nouveau.",
     "{provider} no respondió a tiempo a tu solicitud, así que ha caducado y la hora queda libre. Puedes volver a "
     "reservar.",
     "لم يردّ {provider} على طلبك في الوقت المحدد، فانتهت صلاحيته وأصبح الموعد متاحًا. يمكنك الحجز من جديد."},
    {Text::client_reminder_subject, "Reminder: {service}, {when}", "Erinnerung: {service}, {when}",
     "Rappel : {service}, {when}", "Recordatorio: {service}, {when}", "تذكير: {service}، {when}"},
    {Text::client_reminder_intro, "A reminder of your booking with {provider}.",
     "Eine Erinnerung an Ihren Termin bei {provider}.", "Un rappel de votre rendez-vous chez {provider}.",
     "Te recordamos tu reserva con {provider}.", "تذكير بحجزك لدى {provider}."},
    {Text::review_subject, "How was your visit to {provider}?", "Wie war Ihr Termin bei {provider}?",
     "Comment s’est passé votre rendez-vous chez {provider} ?", "¿Qué tal tu cita con {provider}?",
     "كيف كانت زيارتك لدى {provider}؟"},
    {Text::review_intro, "Thank you for your visit. {provider} would be glad to hear how it went.",
     "Danke für Ihren Besuch. {provider} freut sich über Ihre Rückmeldung.",
     "Merci de votre visite. {provider} serait heureux d’avoir votre avis.",
     "Gracias por tu visita. A {provider} le encantaría conocer tu opinión.", "شكرًا لزيارتك. يسعد {provider} أن يعرف رأيك."},
    {Text::review_button, "Leave a review", "Bewertung schreiben", "Laisser un avis", "Dejar una reseña", "اكتب تقييمًا"},

    {Text::provider_booked_subject, "New booking: {client}, {when}", "Neue Buchung: {client}, {when}",
     "Nouvelle réservation : {client}, {when}", "Nueva reserva: {client}, {when}", "حجز جديد: {client}، {when}"},
    {Text::provider_booked_intro, "{client} has booked {service}.", "{client} hat {service} gebucht.",
     "{client} a réservé {service}.", "{client} ha reservado {service}.", "حجز {client} {service}."},
    {Text::provider_requested_subject, "Request waiting: {client}, {when}", "Anfrage wartet: {client}, {when}",
     "Demande en attente : {client}, {when}", "Solicitud pendiente: {client}, {when}",
     "طلب بانتظار الرد: {client}، {when}"},
    {Text::provider_requested_intro, "{client} asks to book {service}. The time is held until you answer.",
     "{client} möchte {service} buchen. Der Termin bleibt reserviert, bis Sie antworten.",
     "{client} souhaite réserver {service}. Le créneau reste bloqué jusqu’à votre réponse.",
     "{client} quiere reservar {service}. La hora queda bloqueada hasta que respondas.",
     "يطلب {client} حجز {service}. يبقى الموعد محجوزًا حتى تردّ."},
    {Text::provider_confirmed_subject, "Booking confirmed: {client}, {when}", "Buchung bestätigt: {client}, {when}",
     "Réservation confirmée : {client}, {when}", "Reserva confirmada: {client}, {when}",
     "تم تأكيد الحجز: {client}، {when}"},
    {Text::provider_confirmed_intro, "The booking of {client} is confirmed.", "Die Buchung von {client} ist bestätigt.",
     "La réservation de {client} est confirmée.", "La reserva de {client} está confirmada.", "تم تأكيد حجز {client}."},
    {Text::provider_declined_subject, "Request declined: {client}, {when}", "Anfrage abgelehnt: {client}, {when}",
     "Demande refusée : {client}, {when}", "Solicitud rechazada: {client}, {when}",
     "تم رفض الطلب: {client}، {when}"},
    {Text::provider_declined_intro, "The request of {client} was declined; the time is free again.",
     "Die Anfrage von {client} wurde abgelehnt; der Termin ist wieder frei.",
     "La demande de {client} a été refusée ; le créneau est de nouveau libre.",
     "La solicitud de {client} fue rechazada; la hora vuelve a estar libre.",
     "تم رفض طلب {client}، وأصبح الموعد متاحًا من جديد."},
    {Text::provider_cancelled_subject, "Booking cancelled: {client}, {when}", "Buchung storniert: {client}, {when}",
     "Réservation annulée : {client}, {when}", "Reserva cancelada: {client}, {when}",
     "تم إلغاء الحجز: {client}، {when}"},
    {Text::provider_cancelled_by_client, "{client} has cancelled their booking; the time is free again.",
     "{client} hat die Buchung storniert; der Termin ist wieder frei.",
     "{client} a annulé sa réservation ; le créneau est de nouveau libre.",
     "{client} ha cancelado su reserva; la hora vuelve a estar libre.",
     "ألغى {client} حجزه، وأصبح الموعد متاحًا من جديد."},
    {Text::provider_cancelled_by_provider, "You cancelled the booking of {client}.",
     "Sie haben die Buchung von {client} storniert.", "Vous avez annulé la réservation de {client}.",
     "Has cancelado la reserva de {client}.", "لقد ألغيت حجز {client}."},
    {Text::provider_cancelled_by_system, "The booking of {client} was cancelled.",
     "Die Buchung von {client} wurde storniert.", "La réservation de {client} a été annulée.",
     "La reserva de {client} fue cancelada.", "تم إلغاء حجز {client}."},
    {Text::provider_rescheduled_subject, "Booking moved: {client}, now {when}", "Termin verschoben: {client}, jetzt {when}",
     "Rendez-vous déplacé : {client}, désormais {when}", "Reserva cambiada: {client}, ahora {when}",
     "تم تغيير الموعد: {client}، الآن {when}"},
    {Text::provider_rescheduled_intro, "The booking of {client} has moved to a new time.",
     "Der Termin von {client} wurde verschoben.", "Le rendez-vous de {client} a été déplacé.",
     "La reserva de {client} ha cambiado de hora.", "تم نقل حجز {client} إلى موعد جديد."},
    {Text::provider_expired_subject, "Request expired: {client}, {when}", "Anfrage abgelaufen: {client}, {when}",
     "Demande expirée : {client}, {when}", "Solicitud caducada: {client}, {when}",
     "انتهت صلاحية الطلب: {client}، {when}"},
    {Text::provider_expired_intro, "The request of {client} expired without an answer; the time is free again.",
     "Die Anfrage von {client} ist unbeantwortet abgelaufen; der Termin ist wieder frei.",
     "La demande de {client} a expiré sans réponse ; le créneau est de nouveau libre.",
     "La solicitud de {client} caducó sin respuesta; la hora vuelve a estar libre.",
     "انتهت صلاحية طلب {client} دون رد، وأصبح الموعد متاحًا من جديد."},
    {Text::provider_reminder_subject, "Reminder: {client}, {when}", "Erinnerung: {client}, {when}",
     "Rappel : {client}, {when}", "Recordatorio: {client}, {when}", "تذكير: {client}، {when}"},
    {Text::provider_reminder_intro, "A reminder of the booking of {client}.", "Eine Erinnerung an den Termin mit {client}.",
     "Un rappel du rendez-vous avec {client}.", "Un recordatorio de la reserva de {client}.", "تذكير بحجز {client}."},

    {Text::verify_subject, "Confirm your booking with {provider}", "Bestätigen Sie Ihre Buchung bei {provider}",
     "Confirmez votre réservation chez {provider}", "Confirma tu reserva con {provider}", "أكّد حجزك لدى {provider}"},
    {Text::verify_enter_code, "Enter this code to confirm your booking:",
     "Geben Sie diesen Code ein, um Ihre Buchung zu bestätigen:", "Saisissez ce code pour confirmer votre réservation :",
     "Introduce este código para confirmar tu reserva:", "أدخل هذا الرمز لتأكيد حجزك:"},
    {Text::verify_booking, "{service} with {provider}, {when}.", "{service} bei {provider}, {when}.",
     "{service} avec {provider}, {when}.", "{service} con {provider}, {when}.", "{service} مع {provider}، {when}."},
    {Text::verify_held_for, "The time is held for you for {minutes} minutes.",
     "Der Termin ist {minutes} Minuten lang für Sie reserviert.", "Le créneau vous est réservé pendant {minutes} minutes.",
     "La hora queda reservada para ti durante {minutes} minutos.", "الموعد محجوز لك لمدة {minutes} دقيقة."},
    {Text::verify_not_you,
     "If you did not ask for this booking, ignore this email: the time is released by itself.",
     "Wenn Sie diese Buchung nicht angefragt haben, ignorieren Sie diese E-Mail: Der Termin wird von selbst wieder frei.",
     "Si vous n’avez pas demandé cette réservation, ignorez cet e-mail : le créneau sera libéré automatiquement.",
     "Si no has pedido esta reserva, ignora este correo: la hora se liberará sola.",
     "إذا لم تطلب هذا الحجز، فتجاهل هذه الرسالة: سيُحرَّر الموعد تلقائيًا."},
};

constexpr std::size_t kTextCount = static_cast<std::size_t>(Text::count_);
static_assert(std::size(kTable) == kTextCount, "every Text has exactly one row");

// A row out of place would show one sentence in place of another.
constexpr bool rows_in_order() {
    for (std::size_t i = 0; i < kTextCount; ++i)
        if (static_cast<std::size_t>(kTable[i].key) != i) return false;
    return true;
}
static_assert(rows_in_order(), "kTable's rows follow the order of Text");

struct Calendar {
    std::array<const char*, 7> weekdays;  // Sunday first, as date::weekday counts
    std::array<const char*, 12> months;
    const char* long_date;   // {weekday} {day} {month} {year}
    const char* short_date;  // {day} {month} {year}
};

const Calendar& calendar(Language language) {
    static const Calendar en{{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
                             {"January", "February", "March", "April", "May", "June", "July", "August", "September",
                              "October", "November", "December"},
                             "{weekday}, {day} {month} {year}",
                             "{day} {month} {year}"};
    static const Calendar de{{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"},
                             {"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
                              "Oktober", "November", "Dezember"},
                             "{weekday}, {day}. {month} {year}",
                             "{day}. {month} {year}"};
    static const Calendar fr{{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"},
                             {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
                              "octobre", "novembre", "décembre"},
                             "{weekday} {day} {month} {year}",
                             "{day} {month} {year}"};
    static const Calendar es{{"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"},
                             {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
                              "octubre", "noviembre", "diciembre"},
                             "{weekday}, {day} de {month} de {year}",
                             "{day} de {month} de {year}"};
    static const Calendar ar{{"الأحد", "الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت"},
                             {"يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر",
                              "أكتوبر", "نوفمبر", "ديسمبر"},
                             "{weekday}، {day} {month} {year}",
                             "{day} {month} {year}"};
    switch (language) {
        case Language::de: return de;
        case Language::fr: return fr;
        case Language::es: return es;
        case Language::ar: return ar;
        case Language::en: break;
    }
    return en;
}

std::string date_text(LocalDate day, Language language, bool with_weekday) {
    const Calendar& c = calendar(language);
    const date::year_month_day ymd{day};
    const date::weekday weekday{day};
    return fill(with_weekday ? c.long_date : c.short_date,
                {{"weekday", c.weekdays[weekday.c_encoding()]},
                 {"day", std::to_string(static_cast<unsigned>(ymd.day()))},
                 {"month", c.months[static_cast<unsigned>(ymd.month()) - 1]},
                 {"year", std::to_string(static_cast<int>(ymd.year()))}});
}

std::string clock_text(LocalTime local) {
    return date::format("%H:%M", local);
}

std::string utc_offset_text(Minutes offset) {
    char buffer[6];
    write_utc_offset(buffer, offset);
    return "UTC" + std::string(buffer, 6);
}

// "02:30", or "02:30 UTC+02:00" when the zone's clocks show 02:30 twice that day.
std::string wall_clock(Instant t, const TimeZone& zone) {
    const LocalTime local = zone.to_local(t);
    std::string out = clock_text(local);
    if (zone.resolve(local).kind == LocalResolution::Kind::repeated) out += " " + utc_offset_text(zone.offset_at(t));
    return out;
}

// ISO 4217 minor units where they are not 2.
int minor_digits(const std::string& currency) {
    static const char* const none[] = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
                                       "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"};
    static const char* const three[] = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"};
    for (const char* c : none)
        if (currency == c) return 0;
    for (const char* c : three)
        if (currency == c) return 3;
    return 2;
}

}  // namespace

Language language_of(const std::optional<std::string>& locale) {
    if (!locale) return Language::en;
    std::string language = locale->substr(0, locale->find_first_of("-_"));
    for (char& c : language) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (Language l : kLanguages)
        if (code(l) == language) return l;
    return Language::en;
}

bool right_to_left(Language language) { return language == Language::ar; }

std::string_view code(Language language) {
    switch (language) {
        case Language::de: return "de";
        case Language::fr: return "fr";
        case Language::es: return "es";
        case Language::ar: return "ar";
        case Language::en: break;
    }
    return "en";
}

const char* text(Language language, Text which) {
    const Row& row = kTable[static_cast<std::size_t>(which)];
    switch (language) {
        case Language::de: return row.de;
        case Language::fr: return row.fr;
        case Language::es: return row.es;
        case Language::ar: return row.ar;
        case Language::en: break;
    }
    return row.en;
}

std::string fill(std::string_view text, const std::vector<std::pair<std::string, std::string>>& values) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        bool replaced = false;
        if (text[i] == '{') {
            for (const auto& [name, value] : values) {
                if (text.compare(i + 1, name.size(), name) == 0 && i + 1 + name.size() < text.size() &&
                    text[i + 1 + name.size()] == '}') {
                    out += value;
                    i += name.size() + 2;
                    replaced = true;
                    break;
                }
            }
        }
        if (!replaced) out += text[i++];
    }
    return out;
}


std::string long_date(LocalDate date, Language language) { return date_text(date, language, true); }
std::string short_date(LocalDate date, Language language) { return date_text(date, language, false); }

std::string when_text(Instant start, Instant end, const TimeZone& zone, Language language) {
    const LocalDate first_day = zone.local_date(start), last_day = zone.local_date(end);
    const std::string from = wall_clock(start, zone), to = wall_clock(end, zone);
    // Spaces around the dash only where a time carries an offset, so that the range still reads as one.
    const bool plain = from.size() == 5 && to.size() == 5 && last_day == first_day;
    std::string out = long_date(first_day, language) + ", " + from + (plain ? "–" : " – ");
    if (last_day != first_day) out += long_date(last_day, language) + ", ";
    return out + to + " (" + zone.name() + ")";
}

std::string short_when_text(Instant start, const TimeZone& zone, Language language) {
    return short_date(zone.local_date(start), language) + ", " + wall_clock(start, zone);
}

std::string moment_text(Instant at, const TimeZone& zone, Language language) {
    return long_date(zone.local_date(at), language) + ", " + wall_clock(at, zone) + " (" + zone.name() + ")";
}

std::string money_text(std::int64_t minor_units, const std::string& currency, Language language) {
    const int digits = minor_digits(currency);
    std::int64_t scale = 1;
    for (int i = 0; i < digits; ++i) scale *= 10;
    const bool negative = minor_units < 0;
    // Magnitudes as unsigned: the most negative amount has no positive twin.
    const std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(minor_units) : static_cast<std::uint64_t>(minor_units);
    std::string number = std::to_string(magnitude / static_cast<std::uint64_t>(scale));
    if (digits > 0) {
        std::string fraction = std::to_string(magnitude % static_cast<std::uint64_t>(scale));
        fraction.insert(0, static_cast<std::size_t>(digits) - fraction.size(), '0');
        const char separator = language == Language::de || language == Language::fr || language == Language::es ? ',' : '.';
        number += separator + fraction;
    }
    if (negative) number.insert(0, "-");
    if (language == Language::en) return currency + " " + number;
    return number + " " + currency;
}

}  // namespace slotwise::server::mail_texts
