// Outgoing HTTP over libcurl, for the adapters that call other services
// (webhook receivers, Twilio, push services). One request at a time per
// call; the caller's job decides about retries.
//
// Provider-supplied URLs (webhooks, push endpoints) must not reach the
// server's own network: unless `allow_private` (--allow-private-targets, for
// tests and closed networks), a connection to a loopback, private,
// link-local, unique-local or unspecified address is refused at connect
// time, after DNS resolution, so a name that resolves inward is refused too.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace slotwise::server::adapters {

struct HttpClientOptions {
    bool allow_private = false;
    std::chrono::milliseconds connect_timeout{5000};
};

struct HttpRequest {
    std::string method = "POST";
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::chrono::milliseconds timeout{15000};  // the whole exchange
    std::size_t max_response_bytes = 64 * 1024;  // the rest is read and dropped
};

struct HttpResponse {
    int status = 0;  // 0: no HTTP answer (see error)
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
    std::string error;  // why there was no answer; empty when status > 0
    bool refused_target = false;  // the guard refused the address
    std::chrono::milliseconds elapsed{0};

    bool ok() const { return status >= 200 && status < 300; }
    // The first header of that name (lower case), or empty.
    std::string header(const std::string& name) const;
};

// Never throws for network trouble: that is an HttpResponse with status 0.
// Redirects are not followed (a 3xx is the answer). Only http and https.
HttpResponse send_http(const HttpRequest& request, const HttpClientOptions& options);

// Words from another service (an error, a body) as they may go into job
// errors and log lines: one line, control characters as spaces, at most
// `limit` bytes and "..." after.
std::string one_line(std::string_view text, std::size_t limit = 300);

// Whether `options` lets a connection go to this numeric address (IPv4 or
// IPv6 text); exposed for tests.
bool target_allowed(const std::string& numeric_address, const HttpClientOptions& options);

}  // namespace slotwise::server::adapters
