// The HTTP face of the server (the only part that knows cpp-httplib): routes,
// authentication, CORS, rate limits, body limits, access logs, static files.
#pragma once

#include <memory>
#include <string>

#include "booking_service.h"

namespace slotwise::server {

struct HttpOptions {
    std::string host = "127.0.0.1";
    int port = 8080;
    std::string admin_token;
    std::string web_root;        // empty: no static files
    std::size_t threads = 16;    // cpp-httplib serves one connection per worker
    double rate_per_second = 2;  // per client address, POSTs without the admin token; 0 = off
    double rate_burst = 20;
    std::string access_log = "-";  // "-" stdout, "off", or a file path
};

class HttpApi {
public:
    HttpApi(BookingService& service, HttpOptions options);
    ~HttpApi();
    // Binds the port; false (with a message on stderr) if it cannot.
    bool bind();
    int port() const;
    // Serves until stop(); returns after in-flight requests have finished.
    void serve();
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace slotwise::server
