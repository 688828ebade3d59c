// Who a provider wants told what, and by which channel: the `notifications`
// part of the provider's PUT document (README "Notification settings").
//
//   "notifications": {
//     "provider_email": "a@b.example" | null,   // default: the owning account's address
//     "provider_phone": "+4930..." | null,      // E.164, for SMS and WhatsApp to the provider
//     "provider": { "email": [events], "sms": [events], "whatsapp": [events], "push": [events] },
//     "client": ["email", "sms", "whatsapp"]    // how clients are told (SMS and WhatsApp need their phone)
//   }
//
// Every key is optional; a missing one takes its default. GET answers the
// whole document with the defaults filled in, which PUT takes back unchanged.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "domain/booking_event_type.h"

namespace slotwise::server::domain {

// The channels by which a provider can be told, and a client.
const std::vector<std::string>& provider_channels();  // email, sms, whatsapp, push
const std::vector<std::string>& client_channels();    // email, sms, whatsapp

struct NotificationSettings {
    std::optional<std::string> provider_email, provider_phone;
    std::map<std::string, std::set<BookingEventType>> provider;  // channel -> events
    std::set<std::string> client;

    // The defaults: the provider hears of new, cancelled, moved and expired
    // bookings by email and push; the client is told by email.
    static NotificationSettings defaults();

    // Whether `channel` tells the provider of an event of `type` caused by
    // `actor`. What the provider did themselves is not announced to them.
    bool tells_provider(std::string_view channel, BookingEventType type, std::string_view actor) const;
    bool tells_client(std::string_view channel) const { return client.count(std::string(channel)) > 0; }
};

// Throws DomainError (400 INVALID_REQUEST, the JSON pointer in the detail).
NotificationSettings parse_notification_settings(const nlohmann::json& document);
// The whole document, defaults filled in: what GET shows and PUT takes back.
nlohmann::json notification_settings_document(const NotificationSettings& settings);
// A provider's stored document (null: the defaults). A stored document is
// one this server wrote, so it is read without complaint: anything it does
// not know is left at its default.
NotificationSettings notification_settings_of(const nlohmann::json& stored);

}  // namespace slotwise::server::domain
