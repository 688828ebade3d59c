#include "http/exchange_recorder.h"

#include <stdexcept>

#include <nlohmann/json.hpp>
#include <zlib.h>

namespace slotwise::server::http {
namespace {

// Larger bodies are recorded without their body: the contract test checks
// their status and headers only, and the file stays small.
constexpr std::size_t kMaxRecordedBody = 256 * 1024;
// A storm outruns the writer: past this many queued answers the answering
// threads wait for it rather than grow memory without bound.
constexpr std::size_t kMaxQueued = 20000;

std::string header_of(const std::vector<std::pair<std::string, std::string>>& headers, const char* name) {
    for (const auto& [n, v] : headers)
        if (n == name) return v;
    return "";
}

// The answer went out gzip-coded when the client accepted it; the contract
// is about the JSON inside.
bool gunzip(const std::string& in, std::string& out) {
    z_stream z{};
    if (inflateInit2(&z, 15 + 16) != Z_OK) return false;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    char buffer[16384];
    int rc = Z_OK;
    while (rc == Z_OK) {
        z.next_out = reinterpret_cast<Bytef*>(buffer);
        z.avail_out = sizeof buffer;
        rc = inflate(&z, Z_NO_FLUSH);
        out.append(buffer, sizeof buffer - z.avail_out);
        if (out.size() > kMaxRecordedBody) break;
    }
    inflateEnd(&z);
    return rc == Z_STREAM_END;
}

}  // namespace

ExchangeRecorder::ExchangeRecorder(const std::string& file) : out_(std::fopen(file.c_str(), "a")) {
    if (!out_) throw std::runtime_error("cannot open the exchange record " + file);
    writer_ = std::thread([this] { write_loop(); });
}

ExchangeRecorder::~ExchangeRecorder() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    writer_.join();
    std::fclose(out_);
}

void ExchangeRecorder::record(const Request& request, const Response& response, const std::string& route) {
    Exchange e{request.head.method, request.head.path, route, response.status, response.headers, nullptr};
    const bool whole = response.body && !response.head_only && response.offset == 0 && response.length == response.body->size();
    if (whole && header_of(response.headers, "Content-Type").find("json") != std::string::npos) e.body = response.body;
    std::unique_lock<std::mutex> lock(mutex_);
    room_.wait(lock, [this] { return queue_.size() < kMaxQueued || stopping_; });
    queue_.push_back(std::move(e));
    lock.unlock();
    wake_.notify_one();
}

void ExchangeRecorder::write_loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return !queue_.empty() || stopping_; });
        if (queue_.empty()) return;  // stopping, and everything is written
        std::deque<Exchange> batch;
        batch.swap(queue_);
        lock.unlock();
        room_.notify_all();
        for (const Exchange& e : batch) std::fputs(line_of(e).c_str(), out_);
        // Each batch reaches the file at once: a test may read it while the server runs.
        std::fflush(out_);
        lock.lock();
    }
}

std::string ExchangeRecorder::line_of(const Exchange& e) {
    nlohmann::json line = {{"method", e.method},
                           {"path", e.path},
                           {"route", e.route.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.route)},
                           {"status", e.status}};
    nlohmann::json headers = nlohmann::json::object();
    for (const auto& [name, value] : e.headers) headers[name] = value;
    line["headers"] = std::move(headers);
    line["content_type"] = header_of(e.headers, "Content-Type");
    std::string text;
    bool readable = false;
    if (e.body) {
        readable = e.body->size() <= kMaxRecordedBody;
        if (readable && header_of(e.headers, "Content-Encoding") == "gzip") readable = gunzip(*e.body, text) && text.size() <= kMaxRecordedBody;
        else if (readable) text = *e.body;
        if (!readable) line["body_omitted"] = true;
        readable = readable && text.find_first_not_of(" \t\r\n") != std::string::npos;
    }
    std::string out = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (readable) {
        // The body goes in as the server sent it, not parsed and written
        // again (that cost slowed the answers the latency tests measure). A
        // newline can stand only between JSON tokens, where a space means
        // the same; a body that is not JSON makes the line unreadable, which
        // the contract test reports.
        for (char& c : text)
            if (c == '\n' || c == '\r') c = ' ';
        out.pop_back();
        out += ",\"body\":";
        out += text;
        out += '}';
    }
    out += '\n';
    return out;
}

}  // namespace slotwise::server::http
