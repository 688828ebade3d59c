// The factory of calendar clients: a connection's kind, its URL and its
// opened credentials become the client of that kind. Kinds: caldav
// (adapters/caldav_client.*). google and microsoft (adapters/google_calendar.*,
// adapters/ms_graph.*) are made by domain/calendar_oauth.*'s client_factory,
// which wraps this one in main.cpp: their clients store refreshed tokens,
// which needs the connection's id and the store.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <slotwise/time.h>

#include <nlohmann/json.hpp>

#include "adapters/calendar_client.h"
#include "adapters/http_client.h"

namespace slotwise::server::adapters {

// `credentials`: what the connection sealed ({"username", "password"} for
// caldav). `query_window`: the range a CalDAV server without sync-collection
// is asked for, on the server's clock (SLOTWISE_NOW may shift it). Throws
// CalendarError(rejected) for a kind it does not know.
std::unique_ptr<CalendarClient> make_calendar_client(const std::string& kind, const std::optional<std::string>& url,
                                                     const nlohmann::json& credentials, const HttpClientOptions& http,
                                                     std::optional<std::pair<Instant, Instant>> query_window = std::nullopt);

}  // namespace slotwise::server::adapters
