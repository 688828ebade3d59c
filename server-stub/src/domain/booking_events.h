// The events of a booking's life, as the notifications see them.
//
// Every change of a booking that someone may want to hear about is written,
// in the transaction that makes the change, as one `booking.event` job (the
// outbox): the event exists exactly when the change does. Its handler
// (notifications/event_fan_out.h) turns it into mails, texts, pushes,
// webhook deliveries and reminders, each a job of its own.
//
// Which changes are events:
//   created      a booking first becomes PENDING or CONFIRMED: at insert, or
//                when the client of a HELD booking enters their code (a hold
//                that lapses unverified was never announced, and says nothing)
//   confirmed    the provider confirms a PENDING request
//   declined     the provider declines a PENDING request
//   cancelled    client or provider cancels
//   rescheduled  the client moves the booking (previous_start/end say from where)
//   expired      a PENDING request ran out of time (a HELD hold: nothing;
//                a paid service's unpaid hold: the webhook alone)
//   completed, no_show   the provider records the visit's outcome
//   payment_succeeded    Stripe reported the payment of a paid booking (after
//                its `created`, in the same transaction; webhooks)
//   payment_refunded     a refund Stripe reported succeeded (payments.h): the
//                webhook `payment.refunded`, nothing else
// A booking created CONFIRMED has one event, `created`, whose booking says CONFIRMED.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <slotwise/time.h>

#include "domain/booking_event_type.h"
#include "domain/model.h"
#include "domain/server_keys.h"
#include "store/store.h"

namespace slotwise::server::domain {

inline constexpr const char* kBookingEventJob = "booking.event";

struct BookingEvent {
    BookingEventType type = BookingEventType::created;
    std::string booking_id;
    int sequence = 0;          // the booking's event_sequence at this event
    Timestamp occurred_at{};
    std::string actor;         // "client", "provider" or "system": who caused it
    nlohmann::json booking;    // the booking as the provider API shows it, at the event
    std::optional<Instant> previous_start, previous_end;  // rescheduled: the time it moved from
    // For the provider's webhooks alone: the expiry of a paid hold that was
    // never announced (no mail, text or push speaks of it).
    bool webhooks_only = false;

    // "evt_<booking id>_<sequence>": one per event, stable across every retry
    // of everything the event causes (the webhook-id of api.md).
    std::string id() const;
};

nlohmann::json to_json(const BookingEvent& event);
// Throws std::invalid_argument for a payload that is not an event.
BookingEvent booking_event_from_json(const nlohmann::json& payload);

// For the transaction that changes `booking`: numbers the event (the first
// event of a booking is 0, every later one one more, stored with the booking
// by records::update_booking) and answers the statement that queues it. Call
// it after the booking's new state is set and before it is written. The
// caller wakes the dispatcher after commit (JobQueue::notify).
Statement booking_event_statement(Booking& booking, BookingEventType type, std::string_view actor, Timestamp now,
                                  std::optional<Interval> previous_time = std::nullopt, bool webhooks_only = false);

// The key that seals manage tokens, from the server's keys: one derivation
// for the booking service that seals and the channels that open.
std::string manage_token_key(const ServerKeys& keys);

// The manage token kept for later mails' manage links: sealed under `key`
// (ServiceOptions::manage_token_key) with the booking id as associated data,
// so a sealed token copied to another booking opens nothing.
std::string seal_manage_token(std::string_view key, const std::string& booking_id, std::string_view token);
// The token, or nullopt for a booking stored without one or sealed under another key.
std::optional<std::string> open_manage_token(std::string_view key, const Booking& booking);

}  // namespace slotwise::server::domain
