#include "notifications/event_fan_out.h"

#include <stdexcept>

#include "store/account_records.h"
#include "store/ownership_records.h"
#include "store/records.h"

namespace slotwise::server::notifications {

void EventFanOut::add_channel(std::string name, Channel channel) {
    channels_.push_back({std::move(name), std::move(channel)});
}

void EventFanOut::register_handler(jobs::Dispatcher& dispatcher) {
    dispatcher.handle(domain::kBookingEventJob, [this](const jobs::Job& job) { return fan_out(job); });
}

jobs::JobOutcome EventFanOut::fan_out(const jobs::Job& job) {
    BookingEvent event;
    try {
        event = domain::booking_event_from_json(job.payload);
    } catch (const std::exception& e) {
        return jobs::JobOutcome::fail(e.what());
    }
    auto s = queue_.store().session();
    EventContext context{event, records::load_booking(*s, event.booking_id), std::nullopt,
                         NotificationSettings::defaults(), std::nullopt, std::nullopt, queue_.now()};
    // A booking erased since (data rights) is told nothing more.
    if (!context.booking) return jobs::JobOutcome::done();
    context.provider = records::load_provider(*s, context.booking->provider_id);
    if (context.provider) context.settings = domain::notification_settings_of(context.provider->notifications);
    if (const auto ownership = records::provider_ownership(*s, context.booking->provider_id);
        ownership && ownership->owner_account_id && !ownership->deleted) {
        context.provider_account_id = ownership->owner_account_id;
        if (const auto account = records::live_account(*s, *ownership->owner_account_id))
            context.provider_email = account->email;
    }
    if (context.settings.provider_email) context.provider_email = context.settings.provider_email;

    std::vector<Statement> owed;
    for (const auto& [name, channel] : channels_) {
        if (event.webhooks_only && name != "webhooks") continue;
        try {
            auto statements = channel(*s, context);
            owed.insert(owed.end(), std::make_move_iterator(statements.begin()), std::make_move_iterator(statements.end()));
        } catch (const std::exception& e) {
            // One channel's broken input must not silence the others: this
            // run queues nothing, and the retry finds the others' jobs again.
            return jobs::JobOutcome::retry_later(name + ": " + e.what());
        }
    }
    if (owed.empty()) return jobs::JobOutcome::done();
    in_transaction(*s, std::nullopt, [&] {
        for (const auto& statement : owed) s->exec(statement);
    });
    queue_.notify();
    return jobs::JobOutcome::done();
}

}  // namespace slotwise::server::notifications
