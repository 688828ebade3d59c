#include "notifications/reminder_channel.h"

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "domain/booking_events.h"
#include "jobs/dispatcher.h"
#include "jobs/job_queue.h"
#include "mail/mail_job.h"
#include "notifications/booking_mail.h"
#include "notifications/event_fan_out.h"
#include "notifications/push_channel.h"
#include "notifications/sms_channel.h"
#include "store/records.h"

namespace slotwise::server::notifications {
namespace {

using domain::BookingEventType;
using nlohmann::json;

// One logical reminder: (booking, start, N). A reschedule changes the start
// and so the key; the old job finds the booking moved and drops itself.
std::string reminder_key(const std::string& booking_id, Instant start, int before_minutes) {
    return booking_id + ":" + format_instant(start) + ":" + std::to_string(before_minutes);
}

// The booking's state as the event shows it: the start the reminders are
// for and whether the booking was CONFIRMED then.
struct AtEvent {
    std::string id, status;
    Instant start{}, end{};
};

std::optional<AtEvent> at_event(const json& booking) {
    if (!booking.is_object()) return std::nullopt;
    const auto start = parse_instant(booking.value("start", std::string()));
    const auto end = parse_instant(booking.value("end", std::string()));
    if (!start || !end) return std::nullopt;
    return AtEvent{booking.value("id", std::string()), booking.value("status", std::string()), *start, *end};
}

// The event leaves the booking CONFIRMED at a (new) start: its reminders are owed.
bool owes_reminders(const EventContext& c, const AtEvent& b) {
    if (b.status != "CONFIRMED") return false;
    switch (c.event.type) {
        case BookingEventType::created:
        case BookingEventType::confirmed:
        case BookingEventType::rescheduled: return true;
        default: return false;
    }
}

Instant due_at(Instant start, int before_minutes) { return start - Minutes{before_minutes}; }

std::vector<Statement> in_turn(Session& s, const std::vector<Statement>& statements) {
    for (const auto& st : statements) s.exec(st);
    return {};
}

struct Handlers {
    jobs::JobQueue& queue;
    ReminderOptions options;

    // Runs `statements` in one transaction and wakes the dispatcher for them.
    void queue_all(const std::vector<Statement>& statements) {
        if (statements.empty()) return;
        auto s = queue.store().session();
        in_transaction(*s, std::nullopt, [&] { in_turn(*s, statements); });
        queue.notify();
    }

    MailSetting setting(const Booking& b) const {
        MailSetting m;
        m.public_origin = options.public_origin;
        m.sequence = b.event_sequence;
        if (!options.manage_token_key.empty()) m.manage_token = domain::open_manage_token(options.manage_token_key, b);
        return m;
    }

    jobs::JobOutcome reminder(const jobs::Job& job) {
        const std::string booking_id = job.payload.at("booking_id").get<std::string>();
        const auto start = parse_instant(job.payload.at("start").get<std::string>());
        const int before = job.payload.at("before_minutes").get<int>();
        if (!start) return jobs::JobOutcome::fail("reminder.send: the payload's start is not an instant");
        const auto channels = job.payload.value("channels", std::vector<std::string>{"email"});
        const auto all = job.payload.value("all_before_minutes", std::vector<int>{before});

        auto s = queue.store().session();
        const auto booking = records::load_booking(*s, booking_id);
        // Cancelled, declined, moved or gone: nothing to remind of.
        if (!booking || booking->status != BookingStatus::confirmed || booking->start != *start) return jobs::JobOutcome::done();
        if (!reminder_still_worth_sending(*start, before, all, queue.now())) return jobs::JobOutcome::done();
        const auto provider = records::load_provider(*s, booking->provider_id);
        if (!provider) return jobs::JobOutcome::done();

        const std::string key = "reminder:" + reminder_key(booking_id, *start, before);
        std::vector<Statement> owed;
        const Timestamp now = queue.now();
        for (const std::string& channel : channels) {
            if (channel == "email") {
                try {
                    owed.push_back(mail::mail_send_statement(
                        reminder_mail(*booking, *provider, Reader::client, before, key + ":client", setting(*booking)), now));
                } catch (const mail::MailFormatError& e) {
                    std::fprintf(stderr, "slotwise-server: reminder %s: no mail (%s)\n", key.c_str(), e.what());
                }
            } else if (channel == "sms") {
                // A client without an E.164 phone: the statement queues nothing.
                owed.push_back(sms_reminder_statement(*booking, *provider, before, key + ":client", now));
            } else if (channel == "push") {
                // To the provider's browsers: push reaches the provider's side only.
                for (auto& st : push_reminder_statements(*s, *booking, *provider, before, "push.send:" + key + ":provider", now))
                    owed.push_back(std::move(st));
            }
        }
        s.reset();
        queue_all(owed);
        return jobs::JobOutcome::done();
    }

    jobs::JobOutcome review(const jobs::Job& job) {
        const std::string booking_id = job.payload.at("booking_id").get<std::string>();
        auto s = queue.store().session();
        const auto booking = records::load_booking(*s, booking_id);
        if (!booking || booking->status != BookingStatus::completed) return jobs::JobOutcome::done();
        const auto provider = records::load_provider(*s, booking->provider_id);
        if (!provider) return jobs::JobOutcome::done();
        std::vector<Statement> owed;
        try {
            owed.push_back(mail::mail_send_statement(
                review_request_mail(*booking, *provider, "review:" + booking_id + ":client", setting(*booking)), queue.now()));
        } catch (const mail::MailFormatError& e) {
            return jobs::JobOutcome::fail(std::string("review request: ") + e.what());
        }
        s.reset();
        queue_all(owed);
        return jobs::JobOutcome::done();
    }
};

}  // namespace

bool reminder_still_worth_sending(Instant start, int before_minutes, const std::vector<int>& all_before_minutes,
                                  Timestamp now) {
    if (now >= start) return false;
    for (int other : all_before_minutes)
        if (other < before_minutes && due_at(start, other) <= now) return false;
    return true;
}

std::vector<Statement> reminder_jobs(const EventContext& c) {
    std::vector<Statement> jobs;
    const auto b = at_event(c.event.booking);
    if (!b || !c.provider || !c.booking) return jobs;
    const ServiceConfig* service = c.provider->service(c.booking->service_id);
    if (!service) return jobs;
    if (owes_reminders(c, *b)) {
        std::vector<int> all;
        for (const Reminder& r : service->reminders) all.push_back(r.before_minutes);
        for (const Reminder& r : service->reminders) {
            const Instant due = due_at(b->start, r.before_minutes);
            // Its moment had passed when the booking came to be: a reminder
            // then would only repeat the confirmation.
            if (due < c.event.occurred_at) continue;
            jobs::NewJob job;
            job.kind = kReminderSendKind;
            job.key = std::string(kReminderSendKind) + ":" + reminder_key(b->id, b->start, r.before_minutes);
            job.payload = {{"booking_id", b->id},
                           {"start", format_instant(b->start)},
                           {"before_minutes", r.before_minutes},
                           {"channels", r.channels},
                           {"all_before_minutes", all}};
            job.run_at = date::floor<std::chrono::seconds>(due);
            jobs.push_back(jobs::enqueue_statement(job, c.now));
        }
    }
    if (c.event.type == BookingEventType::completed && service->review_request_after_minutes) {
        jobs::NewJob job;
        job.kind = kReviewSendKind;
        job.key = std::string(kReviewSendKind) + ":" + b->id;
        job.payload = {{"booking_id", b->id}};
        job.run_at = std::max(c.now, Timestamp{b->end + Minutes{*service->review_request_after_minutes}});
        jobs.push_back(jobs::enqueue_statement(job, c.now));
    }
    return jobs;
}

void register_reminder_channel(EventFanOut& fan_out, jobs::Dispatcher& dispatcher, jobs::JobQueue& queue,
                               ReminderOptions options) {
    fan_out.add_channel("reminders", [](Session&, const EventContext& context) { return reminder_jobs(context); });
    auto handlers = std::make_shared<Handlers>(Handlers{queue, std::move(options)});
    dispatcher.handle(kReminderSendKind, [handlers](const jobs::Job& job) { return handlers->reminder(job); });
    dispatcher.handle(kReviewSendKind, [handlers](const jobs::Job& job) { return handlers->review(job); });
}

}  // namespace slotwise::server::notifications
