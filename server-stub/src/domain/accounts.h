// The use cases of provider accounts (api.md part 2, "Accounts, sessions and
// who may do what"): sign-in by emailed code, sessions, API keys, and the
// credential check that turns a session token or an API key into an Actor.
// Every secret (code, session token, API key) exists in clear only in the
// answer or the mail that hands it over; the database keeps hashes.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/actor.h"
#include "domain/clock.h"
#include "domain/server_keys.h"
#include "store/store.h"

namespace slotwise::server::jobs {
class JobQueue;
}

namespace slotwise::server::domain {

struct AccountOptions {
    // Where the mailed link points (--public-url; default the listen URL).
    // Never the request's Host: a forged Host would send the code elsewhere.
    std::string public_origin = "http://127.0.0.1:8080";
    std::chrono::seconds code_lifetime{15 * 60};
    int max_code_tries = 5;
    int codes_per_email = 5;  // within email_window
    std::chrono::seconds email_window{15 * 60};
    int codes_per_caller = 30;  // within caller_window
    std::chrono::seconds caller_window{60 * 60};
    std::chrono::seconds session_idle{30 * 24 * 3600};
    std::chrono::seconds session_absolute{90 * 24 * 3600};
};

struct CodeRequested {
    std::string challenge;
    Timestamp expires_at{};
};

struct AccountView {
    std::string id;
    std::string email;
    std::string plan;
};

struct SignedIn {
    std::string token;  // shown once
    Timestamp expires_at{};
    AccountView account;
};

struct SessionView {
    std::string id;
    Timestamp created_at{}, last_seen_at{}, expires_at{};
    std::optional<std::string> user_agent;
    bool current = false;
};

struct ApiKeyView {
    std::string id;
    std::string name;
    Timestamp created_at{};
    std::optional<Timestamp> last_used_at;
    std::optional<std::string> key;  // only in the answer that creates it
};

struct MeView {
    AccountView account;
    std::vector<std::string> providers;
};

class AccountService {
public:
    AccountService(Store& store, const Clock& clock, const ServerKeys& keys, AccountOptions options);

    // Mail is queued in the transaction that makes the challenge; the queue,
    // once it runs, is told at once (else its poll finds the mail).
    void set_job_queue(jobs::JobQueue* queue) { job_queue_.store(queue); }

    CodeRequested request_code(const Actor& actor, std::string_view body);
    SignedIn sign_in(const Actor& actor, std::string_view body, const std::optional<std::string>& user_agent);

    // The actor a bearer value or cookie proves: a ProviderAccount for a live
    // session (its idle expiry slides), an ApiKey for an unrevoked key (its
    // last use recorded); nullopt for anything else. Read from the database
    // on every call, so an ended session is refused by every process at once.
    std::optional<Actor> actor_for_token(std::string_view token);

    void sign_out(const Actor& actor);
    std::int64_t sign_out_everywhere(const Actor& actor);
    std::vector<SessionView> list_sessions(const Actor& actor);

    ApiKeyView create_api_key(const Actor& actor, std::string_view body);
    std::vector<ApiKeyView> list_api_keys(const Actor& actor);
    void revoke_api_key(const Actor& actor, const std::string& key_id);

    MeView me(const Actor& actor);

    // The main job's demo practice belongs to the account of `email` (made
    // now if there is none, on the paid plan: the demo has several active
    // services), so that signing in with that address in the dashboard runs
    // it. Nothing changes when the provider already has an owner.
    void give_demo_provider(const std::string& provider_id, const std::string& email);

    // The server's public origin (the CSRF check accepts it beside the Host's).
    const std::string& public_origin() const { return options_.public_origin; }

    // Deletes challenges expired for a day and sessions ended or expired for
    // 30 days (the `accounts.purge` job, hourly).
    void purge_expired();

private:
    std::string code_hash(const std::string& challenge_id, const std::string& code) const;
    std::string requester_hash(const std::string& address) const;
    void throttle_requests(Session& s, const std::string& email, const std::string& requester, Timestamp now);

    Store& store_;
    const Clock& clock_;
    AccountOptions options_;
    std::string code_key_, requester_key_;
    std::atomic<jobs::JobQueue*> job_queue_{nullptr};
};

}  // namespace slotwise::server::domain
