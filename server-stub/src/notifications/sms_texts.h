// The short texts of the SMS and WhatsApp channel, in English, German, French
// and Spanish: one per booking event and reader, and the reminder. Pure:
// the caller picks the reader's language and zone.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <slotwise/time.h>
#include <slotwise/zone.h>

namespace slotwise::server::notifications {

enum class SmsLanguage { en, de, fr, es };
// The language of a BCP 47 tag by its first subtag ("de-AT" -> de); English
// for anything else or nothing.
SmsLanguage sms_language(const std::optional<std::string>& locale);

enum class SmsReader { client, provider };

enum class SmsTopic {
    created_confirmed,  // booked and confirmed at once
    created_pending,    // a request that waits for the provider
    confirmed,
    declined,
    cancelled,
    rescheduled,
    expired,
    reminder,
};

struct SmsFacts {
    std::string provider_name, service_name, client_name;
    Instant start{};
    std::optional<Instant> previous_start;  // rescheduled: the old time
    const TimeZone* zone = nullptr;         // the reader's; UTC when null
    std::string cancelled_by;               // "client", "provider" or "system"
    std::optional<std::string> reason;      // of a cancellation or a decline
    // Where: the meeting link of a virtual service, else the provider's address.
    std::optional<std::string> meeting_link, address;
};

// "Tue 24 Nov, 10:30 (Europe/Berlin)", "Di. 24. Nov., 10:30 Uhr (Europe/Berlin)", ...
std::string format_sms_time(Instant t, const TimeZone* zone, SmsLanguage language);

// The text; names and reasons have control characters removed and are cut
// to a length that keeps the text short.
std::string sms_text(SmsTopic topic, SmsReader reader, SmsLanguage language, const SmsFacts& facts);

}  // namespace slotwise::server::notifications
