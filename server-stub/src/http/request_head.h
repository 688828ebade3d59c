// What the server decides from a stranger's raw bytes before it buffers a
// body: the request line and header block of one HTTP/1.1 request, checked
// against hard limits and the shapes that make request smuggling possible,
// and the decoding of a chunked body under the same limit. Pure functions of
// bytes (no sockets), so the fuzz target drives them directly.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace slotwise::server::http {

constexpr std::size_t kMaxRequestLineBytes = 8 * 1024;  // longer: 414
constexpr std::size_t kMaxHeadBytes = 16 * 1024;        // request line and fields; longer: 431
constexpr std::size_t kMaxHeaderFields = 100;           // more: 431
constexpr std::size_t kMaxApiBodyBytes = 64 * 1024;     // however framed; more: 413

// A refused request: the problem answer's status, code and detail. The
// connection is closed after the answer, since what follows the refused
// bytes cannot be trusted to start a request.
struct Refusal {
    int status;
    std::string code;
    std::string detail;
};

struct RequestHead {
    std::string method;
    std::string target;        // as sent
    std::string authority;     // host[:port] of an absolute-form target, else the Host field (may be empty)
    std::string path;          // percent-decoded, no control bytes; "*" for OPTIONS * (asterisk form)
    std::string query_string;  // as sent (never logged: it can carry a manage token)
    int minor_version = 1;
    std::vector<std::pair<std::string, std::string>> fields;  // names lowercased, values trimmed
    std::size_t content_length = 0;
    bool chunked = false;
    bool keep_alive = true;
    bool expect_continue = false;

    // The first field of that (lowercase) name.
    std::optional<std::string> field(std::string_view lowercase_name) const;
    bool has_body() const { return chunked || content_length > 0; }
};

struct HeadScan {
    enum Outcome { incomplete, complete, refused } outcome = incomplete;
    std::size_t consumed = 0;  // bytes of the head, blank line included (complete only)
    RequestHead head;          // complete only
    std::optional<Refusal> refusal;
};

// Looks at the bytes received so far on a connection, from the start of a
// request. `incomplete` asks for more bytes; the limits are checked on
// partial input too, so no more than kMaxHeadBytes need ever be buffered.
HeadScan scan_request_head(std::string_view received);

// key=value pairs of a query string, percent- and '+'-decoded; the first of
// repeated keys wins. Pairs that do not decode are skipped.
std::map<std::string, std::string> parse_query(std::string_view query_string);

// Decodes a chunked body incrementally, refusing it as soon as its decoded
// size would exceed `limit` (before that chunk's data is read).
class ChunkedDecoder {
public:
    explicit ChunkedDecoder(std::size_t limit = kMaxApiBodyBytes) : limit_(limit) {}
    enum Status { need_more, done, failed };
    // Consumes a prefix of `input` (returned in `consumed`) and appends the
    // decoded data to `body`. After `done`, bytes past `consumed` belong to
    // the next request; after `failed`, refusal() says why.
    Status feed(std::string_view input, std::string& body, std::size_t& consumed);
    const std::optional<Refusal>& refusal() const { return refusal_; }

private:
    Status fail(int status, std::string code, std::string detail);
    enum State { size_line, data, data_end, trailer } state_ = size_line;
    std::size_t limit_;
    std::size_t decoded_ = 0;
    std::size_t remaining_ = 0;  // of the current chunk
    std::size_t line_bytes_ = 0; // of the line being read (size line or trailer field)
    std::size_t trailer_bytes_ = 0;
    std::string line_;
    std::optional<Refusal> refusal_;
};

}  // namespace slotwise::server::http
