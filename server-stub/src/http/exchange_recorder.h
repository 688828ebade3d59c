// A testing aid (--record-exchanges FILE): one JSON line per answer, so that
// tests/server/openapi_contract.test.mjs can hold every answer the test
// suites receive to docs/openapi.json. Not meant for production: it writes
// bodies, which can carry personal data and manage tokens.
#pragma once

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "http/http_server.h"

namespace slotwise::server::http {

class ExchangeRecorder {
public:
    // Throws std::runtime_error when the file cannot be opened for appending.
    explicit ExchangeRecorder(const std::string& file);
    // Writes what is still queued, then closes the file.
    ~ExchangeRecorder();
    ExchangeRecorder(const ExchangeRecorder&) = delete;
    ExchangeRecorder& operator=(const ExchangeRecorder&) = delete;

    // `route` is the matched route's pattern ("/v1/bookings/{booking}"), or
    // empty when no route matched (a 404, a refusal, a static file). Cheap
    // for the caller (the body is shared, not copied): a thread of the
    // recorder's own un-gzips, parses and writes, so that recording does not
    // slow the answers that the latency tests measure.
    void record(const Request& request, const Response& response, const std::string& route);

private:
    struct Exchange {
        std::string method, path, route;
        int status = 0;
        std::vector<std::pair<std::string, std::string>> headers;
        std::shared_ptr<const std::string> body;  // null: none, or not the whole representation
    };
    void write_loop();
    static std::string line_of(const Exchange& exchange);

    FILE* out_ = nullptr;
    std::mutex mutex_;
    std::condition_variable wake_, room_;
    std::deque<Exchange> queue_;
    bool stopping_ = false;
    std::thread writer_;
};

}  // namespace slotwise::server::http
