// The Web Push channel (README "Web Push"): booking events the provider's
// settings list under provider.push reach every browser the provider's
// owning account subscribed, one `push.send` job per subscription.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "domain/model.h"
#include "store/store.h"

namespace slotwise::server::jobs {
class Dispatcher;
class JobQueue;
}  // namespace slotwise::server::jobs
namespace slotwise::server::domain {
class PushSubscriptions;
}

namespace slotwise::server::notifications {

class EventFanOut;

struct PushChannelOptions {
    // The VAPID `sub` claim: mailto: of --mail-from, else the public URL.
    std::string subject;
    bool allow_private_targets = false;  // --allow-private-targets
};

// Adds the "push" channel to the fan-out and the `push.send` handler to the
// dispatcher. `subscriptions` (the VAPID key) outlives both.
void register_push_channel(EventFanOut& fan_out, jobs::Dispatcher& dispatcher, jobs::JobQueue& queue,
                           const domain::PushSubscriptions& subscriptions, PushChannelOptions options);

// For the reminders (helper notif-remind): the `push.send` jobs that remind
// the provider's browsers of `booking`, `before_minutes` before its start.
// `key` is the reminder's own key; each job's key is `key` + ":" + the
// subscription id, so a second call enqueues nothing twice. Reads the
// subscriptions with `s`; run the statements in the caller's transaction.
std::vector<Statement> push_reminder_statements(Session& s, const Booking& booking, const ProviderConfig& provider,
                                                int before_minutes, std::string key, Timestamp now);

// The payload a browser's service worker gets: {title, body, url (relative
// to the dashboard's origin), booking_id, type}. English; times in the body
// are in the provider's zone.
nlohmann::json push_payload(std::string_view type, const Booking& booking, const std::string& title, const std::string& body);

}  // namespace slotwise::server::notifications
