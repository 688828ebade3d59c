#include "adapters/http_client.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <mutex>

namespace slotwise::server::adapters {
namespace {

bool private_v4(std::uint32_t a) {  // host order
    const auto in = [a](std::uint32_t net, int bits) { return (a >> (32 - bits)) == (net >> (32 - bits)); };
    return in(0x00000000, 8) ||   // "this" network
           in(0x0a000000, 8) ||   // 10/8
           in(0x64400000, 10) ||  // 100.64/10 carrier-grade NAT
           in(0x7f000000, 8) ||   // loopback
           in(0xa9fe0000, 16) ||  // link-local (cloud metadata lives here)
           in(0xac100000, 12) ||  // 172.16/12
           in(0xc0a80000, 16) ||  // 192.168/16
           in(0xc6120000, 15) ||  // 198.18/15 benchmarking
           in(0xe0000000, 3);     // multicast and reserved
}

bool private_address(const sockaddr* address) {
    if (address->sa_family == AF_INET)
        return private_v4(ntohl(reinterpret_cast<const sockaddr_in*>(address)->sin_addr.s_addr));
    if (address->sa_family == AF_INET6) {
        const auto& a = reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr;
        const unsigned char* b = a.s6_addr;
        if (IN6_IS_ADDR_V4MAPPED(&a) || IN6_IS_ADDR_V4COMPAT(&a)) {
            std::uint32_t v4;
            std::memcpy(&v4, b + 12, 4);
            return private_v4(ntohl(v4));
        }
        return IN6_IS_ADDR_LOOPBACK(&a) || IN6_IS_ADDR_UNSPECIFIED(&a) || IN6_IS_ADDR_LINKLOCAL(&a) ||
               IN6_IS_ADDR_MULTICAST(&a) || (b[0] & 0xfe) == 0xfc;  // fc00::/7 unique local
    }
    return true;  // anything else is not the internet
}

struct Exchange {
    const HttpClientOptions* options = nullptr;
    const HttpRequest* request = nullptr;
    HttpResponse* response = nullptr;
};

curl_socket_t open_checked_socket(void* clientp, curlsocktype, curl_sockaddr* address) {
    auto* exchange = static_cast<Exchange*>(clientp);
    if (!exchange->options->allow_private && private_address(&address->addr)) {
        exchange->response->refused_target = true;
        return CURL_SOCKET_BAD;
    }
    return ::socket(address->family, address->socktype, address->protocol);
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* userp) {
    auto* exchange = static_cast<Exchange*>(userp);
    std::string& body = exchange->response->body;
    const std::size_t n = size * count;
    const std::size_t room = exchange->request->max_response_bytes - std::min(body.size(), exchange->request->max_response_bytes);
    body.append(data, std::min(n, room));
    return n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* userp) {
    auto* exchange = static_cast<Exchange*>(userp);
    const std::string line(data, size * count);
    const auto colon = line.find(':');
    if (colon != std::string::npos && exchange->response->headers.size() < 100) {
        std::string name = line.substr(0, colon), value = line.substr(colon + 1);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        const auto first = value.find_first_not_of(" \t"), last = value.find_last_not_of(" \t\r\n");
        value = first == std::string::npos ? "" : value.substr(first, last - first + 1);
        exchange->response->headers.emplace_back(std::move(name), std::move(value));
    }
    return size * count;
}

}  // namespace

std::string HttpResponse::header(const std::string& name) const {
    for (const auto& [n, v] : headers)
        if (n == name) return v;
    return {};
}

bool target_allowed(const std::string& numeric_address, const HttpClientOptions& options) {
    if (options.allow_private) return true;
    sockaddr_in v4{};
    sockaddr_in6 v6{};
    if (inet_pton(AF_INET, numeric_address.c_str(), &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        return !private_address(reinterpret_cast<const sockaddr*>(&v4));
    }
    if (inet_pton(AF_INET6, numeric_address.c_str(), &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        return !private_address(reinterpret_cast<const sockaddr*>(&v6));
    }
    return false;
}

HttpResponse send_http(const HttpRequest& request, const HttpClientOptions& options) {
    static std::once_flag global_init;
    std::call_once(global_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    HttpResponse response;
    const auto started = std::chrono::steady_clock::now();
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) {
        response.error = "curl_easy_init failed";
        return response;
    }
    Exchange exchange{&options, &request, &response};
    curl_slist* headers = nullptr;
    for (const auto& [name, value] : request.headers) headers = curl_slist_append(headers, (name + ": " + value).c_str());
    // libcurl would otherwise add "Expect: 100-continue" to larger bodies and wait for it.
    headers = curl_slist_append(headers, "Expect:");
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers_holder(headers, curl_slist_free_all);
    char error[CURL_ERROR_SIZE] = {0};
    CURL* h = curl.get();
    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM in a threaded server
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.method != "GET" && request.method != "HEAD") {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    }
    if (request.method == "HEAD") curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_checked_socket);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &exchange);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &exchange);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &exchange);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "Slotwise");
    const CURLcode rc = curl_easy_perform(h);
    response.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    if (rc != CURLE_OK) {
        response.status = 0;
        response.error = response.refused_target
                             ? "refused: the address is loopback, private or link-local (--allow-private-targets allows it)"
                             : std::string(curl_easy_strerror(rc)) + (error[0] ? std::string(": ") + error : "");
        return response;
    }
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
    return response;
}

std::string one_line(std::string_view text, std::size_t limit) {
    std::string out;
    for (char c : text) {
        if (out.size() >= limit) {
            out += "...";
            break;
        }
        out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c;
    }
    return out;
}

}  // namespace slotwise::server::adapters
