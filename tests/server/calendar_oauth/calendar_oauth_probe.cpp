// A thin driver of the Google and Graph calendar clients for
// adapters.test.mjs: one JSON command per stdin line, one JSON answer per
// stdout line, so the node test can change the test server between calls
// (expire tokens, add events) and check each client call as the sync would
// make it.
//
//   calendar_oauth_probe google|microsoft OAUTH_BASE API_BASE CLIENT_ID CLIENT_SECRET
//
// Commands: {"op":"authorize","redirect":R} -> {"url","verifier"};
// {"op":"exchange","code","redirect","verifier"}; {"op":"list"};
// {"op":"changes","calendar","token"}; {"op":"put","calendar","uid","ics","if_match"?};
// {"op":"delete","href","if_match"?}; {"op":"revoke"}; {"op":"tokens"}.
// Failures answer {"error": CalendarFailure or OAuthFailure name, "detail"}.
#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "adapters/google_calendar.h"
#include "adapters/ms_graph.h"
#include "adapters/oauth_client.h"

using namespace slotwise::server::adapters;
using nlohmann::json;

namespace {

const char* name(CalendarFailure f) {
    switch (f) {
        case CalendarFailure::unreachable: return "unreachable";
        case CalendarFailure::auth_failed: return "auth_failed";
        case CalendarFailure::sync_token_expired: return "sync_token_expired";
        case CalendarFailure::precondition_failed: return "precondition_failed";
        case CalendarFailure::not_found: return "not_found";
        case CalendarFailure::rejected: return "rejected";
    }
    return "?";
}

const char* name(OAuthFailure f) {
    switch (f) {
        case OAuthFailure::unreachable: return "unreachable";
        case OAuthFailure::invalid_grant: return "invalid_grant";
        case OAuthFailure::invalid_client: return "invalid_client";
        case OAuthFailure::rejected: return "rejected";
    }
    return "?";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 6) {
        std::cerr << "usage: calendar_oauth_probe google|microsoft OAUTH_BASE API_BASE CLIENT_ID CLIENT_SECRET\n";
        return 2;
    }
    const std::string kind = argv[1], oauth_base = argv[2], api_base = argv[3];
    HttpClientOptions options;
    options.allow_private = true;  // the test servers listen on loopback
    const OAuthEndpoints endpoints = kind == "google" ? google_oauth_endpoints(oauth_base) : microsoft_oauth_endpoints(oauth_base);
    const OAuthClient oauth({argv[4], argv[5], endpoints}, options);
    int refreshes = 0;
    std::shared_ptr<BearerSession> session;
    std::unique_ptr<CalendarClient> client;
    auto open = [&](OAuthTokens tokens) {
        session = std::make_shared<BearerSession>(oauth, tokens, [&](const OAuthTokens&) { ++refreshes; });
        if (kind == "google") client = std::make_unique<GoogleCalendarClient>(api_base, session);
        else client = std::make_unique<MsGraphClient>(api_base, session, [] {
            // The tests' events are in late 2026; the window follows the test's clock.
            return std::int64_t{1795392000};  // 2026-11-23T00:00:00Z
        });
    };
    std::string line;
    while (std::getline(std::cin, line)) {
        json out;
        try {
            const json cmd = json::parse(line);
            const std::string op = cmd.at("op");
            if (op == "authorize") {
                const std::string verifier = new_pkce_verifier();
                out = {{"url", oauth.authorization_url(cmd.at("redirect"), "probe-state", pkce_challenge_s256(verifier))}, {"verifier", verifier}};
            } else if (op == "exchange") {
                open(oauth.exchange_code(cmd.at("code"), cmd.at("redirect"), cmd.at("verifier")));
                out = {{"ok", true}};
            } else if (op == "list") {
                out["calendars"] = json::array();
                for (const auto& c : client->list_calendars()) out["calendars"].push_back({{"href", c.href}, {"name", c.name}, {"writable", c.writable}});
            } else if (op == "changes") {
                const ChangeSet set = client->changes(cmd.at("calendar"), cmd.value("token", ""));
                out = {{"full", set.full}, {"next_token", set.next_token}, {"removed", set.removed}, {"changed", json::array()}};
                for (const auto& o : set.changed) out["changed"].push_back({{"href", o.href}, {"etag", o.etag}, {"ics", o.ics}});
            } else if (op == "put") {
                std::optional<std::string> if_match;
                if (cmd.contains("if_match")) if_match = cmd["if_match"].get<std::string>();
                const WrittenEvent w = client->put_event(cmd.at("calendar"), cmd.at("uid"), cmd.at("ics"), if_match);
                out = {{"href", w.href}, {"etag", w.etag}};
            } else if (op == "delete") {
                std::optional<std::string> if_match;
                if (cmd.contains("if_match")) if_match = cmd["if_match"].get<std::string>();
                client->delete_event(cmd.at("href"), if_match);
                out = {{"ok", true}};
            } else if (op == "revoke") {
                out = {{"revoked", oauth.revoke(session->tokens().refresh_token)}, {"can_revoke", oauth.can_revoke()}};
            } else if (op == "tokens") {
                const auto t = session->tokens();
                out = {{"refreshes", refreshes}, {"has_refresh_token", !t.refresh_token.empty()}, {"expires_in", t.expires_at - oauth.now()}};
            } else {
                out = {{"error", "unknown_op"}};
            }
        } catch (const CalendarError& e) {
            out = {{"error", name(e.failure)}, {"detail", e.what()}};
        } catch (const OAuthError& e) {
            out = {{"error", name(e.failure)}, {"detail", e.what()}};
        } catch (const std::exception& e) {
            out = {{"error", "bad_command"}, {"detail", e.what()}};
        }
        std::cout << out.dump() << std::endl;
    }
    return 0;
}
