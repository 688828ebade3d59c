#include "http/exchange_recorder.h"

#include <stdexcept>

#include <nlohmann/json.hpp>
#include <zlib.h>

namespace slotwise::server::http {
namespace {

// Larger bodies are recorded without their body: the contract test checks
// their status and headers only, and the file stays small.
constexpr std::size_t kMaxRecordedBody = 256 * 1024;

std::string header_of(const Response& r, const char* name) {
    for (const auto& [n, v] : r.headers)
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
}

ExchangeRecorder::~ExchangeRecorder() {
    if (out_) std::fclose(out_);
}

void ExchangeRecorder::record(const Request& request, const Response& response, const std::string& route) {
    nlohmann::json line = {{"method", request.head.method},
                           {"path", request.head.path},
                           {"route", route.empty() ? nlohmann::json(nullptr) : nlohmann::json(route)},
                           {"status", response.status}};
    nlohmann::json headers = nlohmann::json::object();
    for (const auto& [name, value] : response.headers) headers[name] = value;
    line["headers"] = std::move(headers);
    const std::string content_type = header_of(response, "Content-Type");
    line["content_type"] = content_type;
    const bool json = content_type.find("json") != std::string::npos;
    if (json && response.body && !response.head_only && response.offset == 0 && response.length == response.body->size()) {
        std::string text = *response.body;
        bool readable = text.size() <= kMaxRecordedBody;
        if (readable && header_of(response, "Content-Encoding") == "gzip") {
            std::string plain;
            readable = gunzip(text, plain) && plain.size() <= kMaxRecordedBody;
            text = std::move(plain);
        }
        if (readable) {
            auto body = nlohmann::json::parse(text, nullptr, false);
            // A body that does not parse is itself a finding: keep its text.
            if (body.is_discarded()) line["unparsable_body"] = text;
            else line["body"] = std::move(body);
        } else {
            line["body_omitted"] = true;
        }
    }
    const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::lock_guard<std::mutex> lock(mutex_);
    std::fputs(text.c_str(), out_);
    std::fflush(out_);
}

}  // namespace slotwise::server::http
