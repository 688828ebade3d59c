// A testing aid (--record-exchanges FILE): one JSON line per answer, so that
// tests/server/openapi_contract.mjs can hold every answer the test suites
// receive to docs/openapi.json. Not meant for production: it writes bodies,
// which can carry personal data and manage tokens.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>

#include "http/http_server.h"

namespace slotwise::server::http {

class ExchangeRecorder {
public:
    // Throws std::runtime_error when the file cannot be opened for appending.
    explicit ExchangeRecorder(const std::string& file);
    ~ExchangeRecorder();
    ExchangeRecorder(const ExchangeRecorder&) = delete;
    ExchangeRecorder& operator=(const ExchangeRecorder&) = delete;

    // `route` is the matched route's pattern ("/v1/bookings/{booking}"), or
    // empty when no route matched (a 404, a refusal, a static file).
    void record(const Request& request, const Response& response, const std::string& route);

private:
    std::mutex mutex_;
    FILE* out_ = nullptr;
};

}  // namespace slotwise::server::http
