// The handler of `booking.event` jobs (domain/booking_events.h): one event
// becomes the jobs of every channel that owes something for it (mail, SMS,
// push, webhooks, reminders), all queued in one transaction.
//
// Delivery is at least once: a fan-out that died after its commit but
// before its job was marked done runs again. Every channel therefore keys
// its jobs by the event (event.id()), so the second run queues nothing new.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "domain/booking_events.h"
#include "domain/notification_settings.h"
#include "jobs/dispatcher.h"

namespace slotwise::server::notifications {

using domain::BookingEvent;
using domain::BookingEventType;
using domain::NotificationSettings;

// What a channel knows when it decides what an event owes.
struct EventContext {
    const BookingEvent& event;
    // As stored now (client phone, locale, zone); it may have moved on since
    // the event, whose own `booking` JSON is the booking at the event.
    std::optional<Booking> booking;
    std::optional<ProviderConfig> provider;  // none when the provider was deleted since
    NotificationSettings settings;
    // settings.provider_email, else the owning account's address, else none.
    std::optional<std::string> provider_email;
    std::optional<std::string> provider_account_id;  // the owning account, if any
    Timestamp now{};
};

// A channel answers the jobs (enqueue statements) it owes for an event.
using Channel = std::function<std::vector<Statement>(Session&, const EventContext&)>;

class EventFanOut {
public:
    explicit EventFanOut(jobs::JobQueue& queue) : queue_(queue) {}

    // Registration happens before the dispatcher starts.
    void add_channel(std::string name, Channel channel);
    // Registers the `booking.event` handler with the dispatcher.
    void register_handler(jobs::Dispatcher& dispatcher);

    // One event's fan-out (the handler's body; public for tests).
    jobs::JobOutcome fan_out(const jobs::Job& job);

private:
    struct Named {
        std::string name;
        Channel channel;
    };
    jobs::JobQueue& queue_;
    std::vector<Named> channels_;
};

}  // namespace slotwise::server::notifications
