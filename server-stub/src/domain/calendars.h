// Calendar sync (issue 15, api.md "Calendars"): a provider's connections to
// outside calendars, their sync, the bookings written into the chosen
// calendar, and the secret iCalendar feed of the provider's bookings. Each
// use case takes an Actor; an account reaches only its own providers (404
// UNKNOWN_PROVIDER otherwise). No HTTP here, and no calendar protocol: the
// services sit behind adapters::CalendarClient (made by the factory in
// adapters/calendar_clients.*), and their iCalendar text is expanded into
// busy times by the expander given at construction (domain/calendar_busy.*
// in the server, anything in a test).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/calendar_client.h"
#include "domain/actor.h"
#include "domain/clock.h"
#include "domain/provider_cache.h"
#include "jobs/job_queue.h"
#include "store/calendar_records.h"
#include "store/store.h"

namespace slotwise::server::domain {

inline constexpr const char* kCalendarSyncKind = "calendar.sync";
inline constexpr const char* kCalendarWriteKind = "calendar.write";

// What one calendar object blocks within a window: its busy spans (already
// without transparent or cancelled events), the UIDs it holds (to know our
// own booking events), and whether it could not be read at all.
struct ExpandedObject {
    std::vector<Interval> busy;
    std::vector<std::string> uids;
    bool unreadable = false;
};
using IcsExpander =
    std::function<ExpandedObject(const std::string& ics, Instant from, Instant to, const slotwise::TimeZone& zone)>;
// domain/calendar_busy.*'s busy_from_ics behind that interface.
IcsExpander default_ics_expander();

// A client for a stored connection and its opened credentials (the JSON
// that was sealed); throws adapters::CalendarError for a kind it cannot make.
using CalendarClientFactory = std::function<std::unique_ptr<adapters::CalendarClient>(
    const records::CalendarConnection& connection, const nlohmann::json& credentials)>;

// Kinds other than caldav connect elsewhere (domain/calendar_oauth.*): it
// answers the 201 body for POST /v1/providers/{id}/calendars.
using OAuthConnector =
    std::function<nlohmann::json(const Actor& actor, const std::string& provider_id, const nlohmann::json& request)>;

struct CalendarOptions {
    std::chrono::seconds sync_every{300};  // the periodic sync of every connection
    // How long one sync may hold a connection before another may take it
    // over (a killed process's lease lapses after this).
    std::chrono::seconds lease{60};
    // How long POST .../sync waits for a running sync to finish.
    std::chrono::seconds wait_for_running{50};
    int window_days_before = 1;  // busy times are kept for [today - before, today + after]
    int window_days_after = 400;
    std::string public_origin;  // the feed's URL starts with it
};

// The answer of a sync.
struct SyncResult {
    bool ok = false;
    int changed = 0, removed = 0, own_events = 0, unreadable = 0;
    std::optional<std::string> error_code, error_detail;
};

// The provider's view of a connection: never the credentials nor the tokens.
nlohmann::json connection_json(const records::CalendarConnection& connection);

class CalendarService {
public:
    // `sealing_key`: 32 bytes from ServerKeys ("slotwise calendars v1").
    CalendarService(Store& store, const Clock& clock, std::string sealing_key, CalendarClientFactory factory,
                    IcsExpander expander, CalendarOptions options);

    // Syncs and write-backs are jobs; the queue, once it runs, is told at once.
    void set_job_queue(jobs::JobQueue* queue) { job_queue_.store(queue); }
    void set_oauth_connector(OAuthConnector connector) { oauth_ = std::move(connector); }
    // Called with a connection and its opened credentials before DELETE
    // removes it (OAuth kinds revoke their tokens); its failure is ignored.
    using DisconnectHook = std::function<void(const records::CalendarConnection&, const nlohmann::json& credentials)>;
    void set_disconnect_hook(DisconnectHook hook) { on_disconnect_ = std::move(hook); }

    // POST /v1/providers/{id}/calendars: 201 {id, calendars: [{href, name}]}.
    nlohmann::json connect(const Actor& actor, const std::string& provider_id, std::string_view body);
    std::vector<records::CalendarConnection> list(const Actor& actor, const std::string& provider_id);
    // PATCH {"check": [hrefs], "write_to": href | null}.
    records::CalendarConnection update(const Actor& actor, const std::string& provider_id, const std::string& connection_id,
                                       std::string_view body);
    // POST .../sync: now, in this thread; the connection as it is afterwards.
    std::pair<SyncResult, records::CalendarConnection> sync_now(const Actor& actor, const std::string& provider_id,
                                                                const std::string& connection_id);
    void remove(const Actor& actor, const std::string& provider_id, const std::string& connection_id);

    // POST /v1/providers/{id}/calendar-feed: the new feed's URL (the old one is gone).
    std::string create_feed(const Actor& actor, const std::string& provider_id);
    // GET /v1/calendar-feeds/{secret}.ics: the feed's text; 404 for an unknown secret.
    std::string feed(const std::string& secret);

    // For the OAuth kinds (domain/calendar_oauth.*): a connection made once
    // the service granted access (credentials sealed here, every calendar
    // checked, a first sync queued), and refreshed tokens stored again.
    std::string add_connection(const std::string& provider_id, const std::string& kind,
                               const std::optional<std::string>& account, const nlohmann::json& credentials,
                               const std::vector<adapters::RemoteCalendar>& calendars);
    void update_credentials(const std::string& connection_id, const nlohmann::json& credentials);

    // Jobs.
    jobs::JobOutcome run_sync_job(const jobs::Job& job);
    jobs::JobOutcome run_write_job(const jobs::Job& job);
    // One calendar.sync job per connection (the periodic sync).
    void enqueue_all_syncs();
    // What a booking event owes: a write-back to each connection with a
    // write_to calendar, a sync of each connection that blocks.
    std::vector<Statement> booking_event_statements(Session& s, const std::string& provider_id,
                                                    const std::string& booking_id, const std::string& event_id,
                                                    Timestamp now);

    // One sync of a connection under its lease; nullopt when another holds it.
    std::optional<SyncResult> sync(const std::string& connection_id);

private:
    records::CalendarConnection connection_or_throw(Session& s, const std::string& provider_id,
                                                    const std::string& connection_id);
    nlohmann::json credentials_of(const records::CalendarConnection& c) const;
    SyncResult sync_locked(const records::CalendarConnection& c);
    void write_back(const records::CalendarConnection& c, const std::string& booking_id);
    void report_failure(const records::CalendarConnection& c, const std::string& code, const std::string& detail);
    void enqueue(const jobs::NewJob& job);

    Store& store_;
    const Clock& clock_;
    std::string sealing_key_;
    CalendarClientFactory factory_;
    IcsExpander expander_;
    CalendarOptions options_;
    OAuthConnector oauth_;
    DisconnectHook on_disconnect_;
    ProviderCache providers_;
    std::atomic<jobs::JobQueue*> job_queue_{nullptr};
};

}  // namespace slotwise::server::domain
