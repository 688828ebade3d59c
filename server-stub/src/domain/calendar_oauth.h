// Google Calendar and Microsoft Graph connections (issue 15, api.md
// "Calendars": kinds google and microsoft). Calendar sync itself is
// domain/calendars.* (cal-core); this is what those two kinds need beside it:
// - start: POST /v1/providers/{id}/calendars {"kind": "google"|"microsoft"}
//   answers 201 {id, authorization_url}; the URL carries a PKCE S256
//   challenge and a random state, stored only hashed, bound to the provider
//   and the connection id, good once and for `state_ttl`;
// - callback: GET /v1/calendars/oauth/callback?code=&state= needs no
//   credential (the state is the proof): it exchanges the code with the
//   verifier, lists the account's calendars and stores the connection with
//   its tokens sealed, like a CalDAV connection (every calendar checked);
// - client_factory: the clients of these kinds for sync, whose refreshed
//   tokens are sealed and stored again at once;
// - revocation when a connection is removed (CalendarService's disconnect
//   hook: Google's revoke endpoint; Microsoft has none, the tokens are just
//   forgotten);
// - push: the Google watch and Graph notification endpoints, which only
//   enqueue a sync of the connection they name once its secret checks.
// No HTTP here.
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
#include "adapters/oauth_client.h"
#include "domain/actor.h"
#include "domain/calendars.h"
#include "domain/clock.h"
#include "jobs/job_queue.h"
#include "store/store.h"

namespace slotwise::server::domain {

struct CalendarOAuthOptions {
    std::string public_origin;  // the redirect URI is <public_origin>/v1/calendars/oauth/callback
    // Empty bases mean the real services.
    std::string google_oauth_base, google_api_base, microsoft_oauth_base, microsoft_graph_base;
    // From SLOTWISE_GOOGLE_CLIENT_ID/SECRET and SLOTWISE_MICROSOFT_CLIENT_ID/SECRET.
    std::string google_client_id, google_client_secret, microsoft_client_id, microsoft_client_secret;
    std::chrono::seconds state_ttl{600};
    // Push channels are registered when the public origin is https (the
    // services call only https addresses), or over plain http when this is
    // set (--calendar-push-over-http: the test servers).
    bool push_over_http = false;
    // How long a channel is asked for; 0: Google's 7 days, Graph's 3 days
    // less an hour (its limit for events). A sync renews channels that have
    // less than half of it left.
    std::chrono::seconds push_ttl{0};
};

// What the callback did, for the HTTP side to answer a browser (a redirect)
// or an API client (JSON).
struct OAuthCallbackResult {
    std::string connection_id;
    std::vector<adapters::RemoteCalendar> calendars;
};

class CalendarOAuth {
public:
    // `credentials_key`: the key calendar sync seals connection credentials
    // with (the connection id as associated data); `state_key`: 32 bytes of
    // this flow's own, sealing verifiers and signing push-channel secrets.
    CalendarOAuth(Store& store, const Clock& clock, std::string credentials_key, std::string state_key,
                  CalendarOAuthOptions options);

    void set_job_queue(jobs::JobQueue* queue) { job_queue_.store(queue); }

    // Whether a kind has a client id configured.
    bool configured(const std::string& kind) const;

    // The OAuthConnector of CalendarService: 201 {id, authorization_url}.
    nlohmann::json start(const Actor& actor, const std::string& provider_id, const nlohmann::json& request);
    // Throws DomainError: CALENDAR_OAUTH_STATE_INVALID (400; unknown, used
    // or expired state), CALENDAR_OAUTH_DENIED (422; the person declined at
    // the service), CALENDAR_AUTH_FAILED / CALENDAR_UNREACHABLE (422).
    OAuthCallbackResult callback(const std::optional<std::string>& code, const std::optional<std::string>& state,
                                 const std::optional<std::string>& error);

    // Makes google and microsoft clients, hands every other kind to `inner`.
    CalendarClientFactory client_factory(CalendarClientFactory inner);

    // CalendarService's disconnect hook: for google and microsoft, the push
    // channels stopped and the grant revoked. Best effort, never throws.
    void disconnected(const records::CalendarConnection& c, const nlohmann::json& credentials);

    // The secret a push channel of this connection carries (Google's channel
    // token, Graph's clientState).
    std::string push_secret(const std::string& kind, const std::string& connection_id) const;
    // A notification naming `connection_id` with `secret`: a sync is queued
    // when the secret is the connection's. False otherwise.
    bool notified(const std::string& kind, const std::string& connection_id, const std::string& secret);

private:
    bool push_enabled() const;
    std::int64_t push_ttl_seconds(const std::string& kind) const;
    // Registers push channels for a connection; their ids and expiry join
    // `credentials` (to stop and renew them). Best effort: polling stays.
    void register_push(const records::CalendarConnection& c, adapters::CalendarClient& client, nlohmann::json& credentials);
    void stop_push(adapters::CalendarClient& client, const nlohmann::json& push);
    // At the start of a sync: new channels when the old ones are past half
    // their life (or there are none), the old ones stopped.
    void renew_push_if_due(const records::CalendarConnection& c, adapters::CalendarClient& client, const nlohmann::json& credentials);
    // Read, change and store a connection's sealed credentials in one transaction.
    void change_credentials(const std::string& connection_id, const std::function<void(nlohmann::json&)>& change);
    adapters::OAuthClient oauth_client(const std::string& kind) const;
    std::unique_ptr<adapters::CalendarClient> make_client(const std::string& connection_id, const std::string& kind,
                                                          const nlohmann::json& credentials);
    std::string redirect_uri() const;

    Store& store_;
    const Clock& clock_;
    std::string credentials_key_, state_key_;
    CalendarOAuthOptions options_;
    std::atomic<jobs::JobQueue*> job_queue_{nullptr};
};

}  // namespace slotwise::server::domain
