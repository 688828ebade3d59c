// The CalDAV client (server-stub/src/adapters/caldav_client.*) as a command,
// so tests/server/caldav.test.mjs can drive it against a real Radicale:
//
//   caldav_probe [--allow-private] URL USER PASSWORD list
//   caldav_probe [--allow-private] URL USER PASSWORD changes CALENDAR TOKEN [FROM TO]
//   caldav_probe [--allow-private] URL USER PASSWORD put CALENDAR UID ICS_FILE [ETAG]
//   caldav_probe [--allow-private] URL USER PASSWORD delete EVENT_HREF [ETAG]
//   caldav_probe [--allow-private] URL USER PASSWORD busy CALENDAR FROM TO ZONE
//
// Prints one JSON document on stdout; a CalendarError prints
// {"error": "<failure>", "detail": ...} and exits 3. `busy` reads the whole
// calendar (changes with an empty token) and runs domain/calendar_busy over
// each object, as sync does.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/caldav_client.h"
#include "domain/calendar_busy.h"

using namespace slotwise::server;
using nlohmann::json;

namespace {

const char* failure_name(adapters::CalendarFailure f) {
    switch (f) {
        case adapters::CalendarFailure::unreachable: return "unreachable";
        case adapters::CalendarFailure::auth_failed: return "auth_failed";
        case adapters::CalendarFailure::sync_token_expired: return "sync_token_expired";
        case adapters::CalendarFailure::precondition_failed: return "precondition_failed";
        case adapters::CalendarFailure::not_found: return "not_found";
        case adapters::CalendarFailure::rejected: return "rejected";
    }
    return "?";
}

int usage() {
    std::cerr << "usage: caldav_probe [--allow-private] URL USER PASSWORD (list | changes CALENDAR TOKEN | "
                 "put CALENDAR UID ICS_FILE [ETAG] | delete HREF [ETAG] | busy CALENDAR FROM TO ZONE)\n";
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    adapters::HttpClientOptions options;
    options.connect_timeout = std::chrono::milliseconds(3000);
    if (!args.empty() && args[0] == "--allow-private") {
        options.allow_private = true;
        args.erase(args.begin());
    }
    if (args.size() < 4) return usage();
    adapters::CaldavClient client(args[0], args[1], args[2], options);
    const std::string& command = args[3];
    try {
        json out;
        if (command == "list" && args.size() == 4) {
            out = json::array();
            for (const auto& c : client.list_calendars())
                out.push_back({{"href", c.href}, {"name", c.name}, {"writable", c.writable}});
        } else if (command == "changes" && (args.size() == 6 || args.size() == 8)) {
            if (args.size() == 8) {
                auto from = slotwise::parse_instant(args[6]);
                auto to = slotwise::parse_instant(args[7]);
                if (!from || !to) return usage();
                client.set_query_window(*from, *to);
            }
            adapters::ChangeSet changes = client.changes(args[4], args[5]);
            out = {{"changed", json::array()}, {"removed", changes.removed}, {"next_token", changes.next_token},
                   {"full", changes.full}};
            for (const auto& o : changes.changed) out["changed"].push_back({{"href", o.href}, {"etag", o.etag}, {"ics", o.ics}});
        } else if (command == "put" && (args.size() == 7 || args.size() == 8)) {
            std::ifstream file(args[6], std::ios::binary);
            std::stringstream ics;
            ics << file.rdbuf();
            std::optional<std::string> etag;
            if (args.size() == 8) etag = args[7];
            adapters::WrittenEvent written = client.put_event(args[4], args[5], ics.str(), etag);
            out = {{"href", written.href}, {"etag", written.etag}};
        } else if (command == "delete" && (args.size() == 5 || args.size() == 6)) {
            std::optional<std::string> etag;
            if (args.size() == 6) etag = args[5];
            client.delete_event(args[4], etag);
            out = json::object();
        } else if (command == "busy" && args.size() == 8) {
            auto from = slotwise::parse_instant(args[5]);
            auto to = slotwise::parse_instant(args[6]);
            const slotwise::TimeZone* zone = slotwise::find_zone(args[7]);
            if (!from || !to || !zone) return usage();
            adapters::ChangeSet changes = client.changes(args[4], "");
            out = {{"spans", json::array()}, {"uids", json::array()}, {"skipped", 0}};
            for (const auto& o : changes.changed) {
                domain::CalendarBusy busy = domain::busy_from_ics(o.ics, *from, *to, *zone);
                for (const auto& s : busy.spans)
                    out["spans"].push_back({slotwise::format_instant(s.start), slotwise::format_instant(s.end)});
                for (const auto& u : busy.uids) out["uids"].push_back(u);
                out["skipped"] = out["skipped"].get<int>() + busy.skipped;
            }
        } else {
            return usage();
        }
        std::cout << out.dump() << "\n";
        return 0;
    } catch (const adapters::CalendarError& e) {
        std::cout << json{{"error", failure_name(e.failure)}, {"detail", e.what()}}.dump() << "\n";
        return 3;
    }
}
