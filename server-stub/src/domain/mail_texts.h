// The words of every mail about a booking, in every language the mails
// speak, in one table (mail_texts.cpp: one row per text, the languages side
// by side, so a sentence and its translations are read and changed
// together), and dates, times and prices written the way each language
// writes them. Times are the engine's (slotwise/time.h, zone.h); dates are
// taken apart with date (Howard Hinnant), never by offset arithmetic here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <slotwise/time.h>
#include <slotwise/zone.h>

#include "support/html.h"

namespace slotwise::server::mail_texts {

enum class Language { en, de, fr, es, ar };
inline constexpr Language kLanguages[] = {Language::en, Language::de, Language::fr, Language::es, Language::ar};

// The language of a BCP 47 locale ("de-AT" -> de); English for none or any
// language without a table.
Language language_of(const std::optional<std::string>& locale);
bool right_to_left(Language language);
std::string_view code(Language language);  // "en", "de", ...

enum class Text {
    // Shared by every mail.
    greeting,             // {name}
    footer,               // {provider}
    label_when, label_time_at_provider, label_time_of_client, label_service, label_duration, minutes,  // minutes: {n}
    label_price, free, label_where, label_online, label_client, label_email, label_phone, label_notes,
    label_manage, manage_hint, label_reason, label_refund, label_previous_time, label_new_time,
    calendar_attached, confirm_button, decline_button, decide_before,  // decide_before: {when}
    // To the client.
    client_booked_subject, client_booked_intro,
    client_requested_subject, client_requested_intro,
    client_confirmed_subject, client_confirmed_intro,
    client_declined_subject, client_declined_intro,
    client_cancelled_subject, client_cancelled_by_client, client_cancelled_by_provider, client_cancelled_by_system,
    client_rescheduled_subject, client_rescheduled_intro,
    client_expired_subject, client_expired_intro,
    client_reminder_subject, client_reminder_intro,
    review_subject, review_intro, review_button,
    // To the provider.
    provider_booked_subject, provider_booked_intro,
    provider_requested_subject, provider_requested_intro,
    provider_confirmed_subject, provider_confirmed_intro,
    provider_declined_subject, provider_declined_intro,
    provider_cancelled_subject, provider_cancelled_by_client, provider_cancelled_by_provider, provider_cancelled_by_system,
    provider_rescheduled_subject, provider_rescheduled_intro,
    provider_expired_subject, provider_expired_intro,
    provider_reminder_subject, provider_reminder_intro,
    // The code of a HELD booking (client_verification.cpp).
    verify_subject, verify_enter_code, verify_booking, verify_held_for, verify_not_you,
    count_  // not a text: the number of texts
};

// The text in that language, with its {placeholders} still in it.
const char* text(Language language, Text which);

// `text` with every {name} replaced by its value (values are not searched again).
std::string fill(std::string_view text, const std::vector<std::pair<std::string, std::string>>& values);
using slotwise::server::html_escape;

// "Tuesday, 3 March 2026", "Dienstag, 3. März 2026", "mardi 3 mars 2026", ...
std::string long_date(LocalDate date, Language language);
// "3 Mar 2026", "3. März 2026", ... : what a subject line carries.
std::string short_date(LocalDate date, Language language);

// A stretch of time as read on `zone`'s clocks: "Tuesday, 3 March 2026,
// 15:00–16:00 (Europe/Berlin)". A wall time that the zone shows twice that
// day (clocks set back) carries its UTC offset: "02:30 (UTC+02:00)".
std::string when_text(Instant start, Instant end, const TimeZone& zone, Language language);
// The start alone, for subjects: "3 Mar 2026, 15:00".
std::string short_when_text(Instant start, const TimeZone& zone, Language language);
// A moment (an expiry), to the minute, with the zone's name.
std::string moment_text(Instant at, const TimeZone& zone, Language language);

// An amount in minor units of an ISO 4217 currency: "EUR 45.00", "45,00 EUR", "JPY 500".
std::string money_text(std::int64_t minor_units, const std::string& currency, Language language);

}  // namespace slotwise::server::mail_texts
