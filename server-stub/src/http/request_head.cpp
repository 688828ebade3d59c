#include "http/request_head.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdint>
#include <limits>

namespace slotwise::server::http {
namespace {

Refusal bad(std::string detail) { return {400, "INVALID_REQUEST", std::move(detail)}; }
Refusal head_too_large(std::string detail) { return {431, "REQUEST_HEADER_FIELDS_TOO_LARGE", std::move(detail)}; }
Refusal too_long() { return {414, "URI_TOO_LONG", "the request line exceeds 8 KiB"}; }
Refusal body_too_large() { return {413, "PAYLOAD_TOO_LARGE", "the body exceeds 64 KiB"}; }

bool is_tchar(unsigned char c) {
    if (c >= '0' && c <= '9') return true;
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_token(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return is_tchar(static_cast<unsigned char>(c)); });
}

std::string lowercase(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Percent-decodes; nullopt for a malformed escape.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%') {
            if (i + 2 >= s.size()) return std::nullopt;
            const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else if (plus_is_space && s[i] == '+') {
            out += ' ';
        } else {
            out += s[i];
        }
    }
    return out;
}

// Every CR is followed by LF and every LF preceded by CR (in the bytes seen so far).
bool line_ends_are_crlf(std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] != '\n') return false;
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) return false;
    }
    return true;
}

// The decimal digits of a Content-Length; SIZE_MAX when the value is too large to hold.
std::optional<std::size_t> parse_length(std::string_view s) {
    if (s.empty()) return std::nullopt;
    std::size_t n = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        const std::size_t digit = static_cast<std::size_t>(c - '0');
        if (n > (std::numeric_limits<std::size_t>::max() - digit) / 10) n = std::numeric_limits<std::size_t>::max();
        else n = n * 10 + digit;
    }
    return n;
}

bool has_token(std::string_view list, std::string_view lowercase_token) {
    std::size_t start = 0;
    while (start <= list.size()) {
        const std::size_t comma = std::min(list.find(',', start), list.size());
        if (lowercase(trim(list.substr(start, comma - start))) == lowercase_token) return true;
        start = comma + 1;
    }
    return false;
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

// *( BWS ";" BWS token [ BWS "=" BWS ( token / quoted-string ) ] ): the chunk
// extensions after a chunk size (RFC 9112 7.1.1), which the server ignores
// but must not misread.
bool valid_chunk_extensions(std::string_view s) {
    std::size_t i = 0;
    auto skip_space = [&] { while (i < s.size() && is_space(s[i])) ++i; };
    auto token = [&] {
        const std::size_t start = i;
        while (i < s.size() && is_tchar(static_cast<unsigned char>(s[i]))) ++i;
        return i > start;
    };
    while (true) {
        skip_space();
        if (i == s.size()) return true;
        if (s[i++] != ';') return false;
        skip_space();
        if (!token()) return false;
        skip_space();
        if (i == s.size() || s[i] != '=') continue;
        ++i;
        skip_space();
        if (i < s.size() && s[i] == '"') {
            for (++i;; ++i) {
                if (i >= s.size()) return false;
                const auto c = static_cast<unsigned char>(s[i]);
                if (c == '"') break;
                if (c == '\\') {
                    if (++i >= s.size()) return false;
                    continue;
                }
                if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
            }
            ++i;
        } else if (!token()) {
            return false;
        }
    }
}

// RFC 3986: unreserved = ALPHA DIGIT - . _ ~ ; sub-delims = ! $ & ' ( ) * + , ; =
bool is_unreserved_or_sub_delim(char c) {
    if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) return true;
    return std::string_view("-._~!$&'()*+,;=").find(c) != std::string_view::npos;
}

// IP-literal of RFC 3986 3.2.2, without the brackets: an IPv6 address or IPvFuture.
bool valid_ip_literal(std::string_view s) {
    if (!s.empty() && (s.front() == 'v' || s.front() == 'V')) {
        const std::size_t dot = s.find('.');
        if (dot == std::string_view::npos || dot < 2 || dot + 1 == s.size()) return false;
        for (char c : s.substr(1, dot - 1))
            if (hex_value(c) < 0) return false;
        for (char c : s.substr(dot + 1))
            if (!is_unreserved_or_sub_delim(c) && c != ':') return false;
        return true;
    }
    if (s.empty() || s.size() > 45) return false;
    in6_addr address{};
    return inet_pton(AF_INET6, std::string(s).c_str(), &address) == 1;
}

// uri-host [ ":" port ] (RFC 9110 7.2, RFC 3986 3.2.2-3.2.3): the value of a
// Host field or the authority of an absolute-form target. The host may be
// empty only where `empty_host_allowed` (a Host field, RFC 9112 3.2).
bool valid_authority(std::string_view s, bool empty_host_allowed) {
    std::string_view host = s, port;
    bool has_port = false;
    if (!s.empty() && s.front() == '[') {
        const std::size_t close = s.find(']');
        if (close == std::string_view::npos || !valid_ip_literal(s.substr(1, close - 1))) return false;
        host = s.substr(0, close + 1);
        const std::string_view rest = s.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return false;
            has_port = true;
            port = rest.substr(1);
        }
    } else {
        const std::size_t colon = s.find(':');
        if (colon != std::string_view::npos) {
            host = s.substr(0, colon);
            port = s.substr(colon + 1);
            has_port = true;
        }
        // reg-name (IPv4 addresses are reg-names too): unreserved, sub-delims, %HH.
        for (std::size_t i = 0; i < host.size(); ++i) {
            if (host[i] == '%') {
                if (i + 2 >= host.size() || hex_value(host[i + 1]) < 0 || hex_value(host[i + 2]) < 0) return false;
                i += 2;
            } else if (!is_unreserved_or_sub_delim(host[i])) {
                return false;
            }
        }
    }
    if (host.empty() && (!empty_host_allowed || has_port)) return false;
    if (port.size() > 5) return false;
    return std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool equals_ignoring_case(std::string_view a, std::string_view b) { return lowercase(a) == lowercase(b); }

// An absolute-form target (RFC 9112 3.2.2), http or https, split into its
// authority and the rest (path and query, possibly empty); nullopt when it is
// not one. Userinfo is refused (RFC 9110 4.2.4), as is an empty host (4.2.1).
std::optional<std::pair<std::string_view, std::string_view>> split_absolute_form(std::string_view target) {
    const std::size_t scheme_end = target.find("://");
    if (scheme_end == std::string_view::npos) return std::nullopt;
    const std::string_view scheme = target.substr(0, scheme_end);
    if (!equals_ignoring_case(scheme, "http") && !equals_ignoring_case(scheme, "https")) return std::nullopt;
    const std::string_view after = target.substr(scheme_end + 3);
    const std::size_t authority_end = std::min(after.find_first_of("/?#"), after.size());
    const std::string_view authority = after.substr(0, authority_end);
    if (!valid_authority(authority, false)) return std::nullopt;
    return std::make_pair(authority, after.substr(authority_end));
}

std::optional<Refusal> parse_request_line(std::string_view line, RequestHead& head) {
    const std::size_t sp1 = line.find(' ');
    const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
        return bad("the request line is not METHOD TARGET VERSION");
    const std::string_view method = line.substr(0, sp1), target = line.substr(sp1 + 1, sp2 - sp1 - 1),
                           version = line.substr(sp2 + 1);
    if (!is_token(method) || method.size() > 32) return bad("the method is not a token");
    if (version == "HTTP/1.1") head.minor_version = 1;
    else if (version == "HTTP/1.0") head.minor_version = 0;
    else return bad("only HTTP/1.0 and HTTP/1.1 are served");
    if (target.empty()) return bad("the request target is empty");
    for (char c : target)
        if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
            return bad("the request target holds a byte that must be percent-encoded");
    head.method = std::string(method);
    head.target = std::string(target);
    // RFC 9112 3.2: the authority form is only for CONNECT, which an origin
    // server does not serve (what follows it would be a tunnel's bytes).
    if (method == "CONNECT") return bad("CONNECT is not served here");
    if (target == "*") {
        if (method != "OPTIONS") return bad("the asterisk-form target is only for OPTIONS");
        head.path = "*";
        return std::nullopt;
    }
    std::string_view origin_form = target;
    if (target.front() != '/') {
        const auto absolute = split_absolute_form(target);
        if (!absolute) return bad("the request target must be a path starting with / or an absolute http(s) URI");
        head.authority = std::string(absolute->first);
        origin_form = absolute->second;
        // An empty path is the server itself for OPTIONS (RFC 9112 3.2.4), the root otherwise.
        if (origin_form.empty() && method == "OPTIONS") {
            head.path = "*";
            return std::nullopt;
        }
        if (origin_form.empty() || origin_form.front() == '?') {
            head.path = "/";
            if (!origin_form.empty()) head.query_string = std::string(origin_form.substr(1));
            return std::nullopt;
        }
        if (origin_form.front() != '/') return bad("a fragment is not part of a request target");
    }
    const std::size_t question = origin_form.find('?');
    const auto path = percent_decode(origin_form.substr(0, question), false);
    if (!path) return bad("the path holds a malformed percent escape");
    for (char c : *path)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return bad("the path holds a control byte");
    head.path = *path;
    if (question != std::string_view::npos) head.query_string = std::string(origin_form.substr(question + 1));
    return std::nullopt;
}

std::optional<Refusal> parse_field(std::string_view line, RequestHead& head) {
    if (line.front() == ' ' || line.front() == '\t') return bad("folded header lines are not accepted");
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return bad("a header line has no colon");
    const std::string_view name = line.substr(0, colon);
    if (!is_token(name)) return bad("a header name is not a token");
    const std::string_view value = trim(line.substr(colon + 1));
    for (char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && u != '\t') || u == 0x7f) return bad("a header value holds a control byte");
    }
    head.fields.emplace_back(lowercase(name), std::string(value));
    return std::nullopt;
}

// RFC 9112 3.2: an HTTP/1.1 request has exactly one Host field, and any
// request at most one, with a valid value. Its value is the authority unless
// the target is in absolute form, whose authority then wins (3.2.2).
std::optional<Refusal> check_host(RequestHead& head) {
    int hosts = 0;
    std::string_view value;
    for (const auto& [name, field_value] : head.fields)
        if (name == "host") {
            ++hosts;
            value = field_value;
        }
    if (hosts > 1) return bad("several Host fields");
    if (hosts == 0 && head.minor_version == 1) return bad("an HTTP/1.1 request needs a Host field");
    if (hosts == 1 && !valid_authority(value, true)) return bad("the Host field is not host[:port]");
    if (hosts == 1 && head.authority.empty()) head.authority = std::string(value);
    return std::nullopt;
}

// Framing and encoding rules over the parsed fields, in order of precedence:
// anything that could make two parsers disagree first (400), then 415, then 413.
std::optional<Refusal> check_framing(RequestHead& head) {
    int lengths = 0, transfer_encodings = 0;
    std::optional<std::size_t> length;
    bool length_malformed = false, other_coding = false, content_coded = false;
    bool close = false, keep_alive = false;
    for (const auto& [name, value] : head.fields) {
        if (name == "content-length") {
            ++lengths;
            length = parse_length(value);
            if (!length) length_malformed = true;
        } else if (name == "transfer-encoding") {
            ++transfer_encodings;
            if (lowercase(value) != "chunked") other_coding = true;
        } else if (name == "content-encoding") {
            const std::string coding = lowercase(value);
            if (!coding.empty() && coding != "identity") content_coded = true;
        } else if (name == "connection") {
            close = close || has_token(value, "close");
            keep_alive = keep_alive || has_token(value, "keep-alive");
        } else if (name == "expect") {
            head.expect_continue = lowercase(value) == "100-continue";
        }
    }
    if (lengths > 1) return bad("several Content-Length fields");
    if (length_malformed) return bad("a malformed Content-Length");
    if (lengths && transfer_encodings) return bad("Content-Length together with Transfer-Encoding");
    if (transfer_encodings > 1 || other_coding) return bad("the only Transfer-Encoding accepted is chunked");
    if (transfer_encodings && head.minor_version == 0) return bad("Transfer-Encoding in an HTTP/1.0 request");
    head.chunked = transfer_encodings == 1;
    head.content_length = length.value_or(0);
    head.keep_alive = head.minor_version == 1 ? !close : keep_alive && !close;
    if (head.has_body() && (head.method == "GET" || head.method == "HEAD" || head.method == "OPTIONS"))
        return bad("a " + head.method + " request cannot carry a body");
    if (content_coded) return Refusal{415, "UNSUPPORTED_MEDIA_TYPE", "request bodies must not be compressed (Content-Encoding)"};
    if (head.content_length > kMaxApiBodyBytes) return body_too_large();
    return std::nullopt;
}

}  // namespace

std::optional<std::string> RequestHead::field(std::string_view lowercase_name) const {
    for (const auto& [name, value] : fields)
        if (name == lowercase_name) return value;
    return std::nullopt;
}

HeadScan scan_request_head(std::string_view received) {
    HeadScan scan;
    auto refuse = [&](Refusal r) {
        scan.outcome = HeadScan::refused;
        scan.refusal = std::move(r);
        return scan;
    };
    // Empty lines before a request are ignored (RFC 9112 2.2), a few of them.
    std::size_t start = 0;
    while (start < 8 && received.substr(start, 2) == "\r\n") start += 2;
    const std::string_view rest = received.substr(start);
    const std::size_t line_end = rest.find("\r\n");
    const std::size_t blank = line_end == std::string_view::npos ? line_end : rest.find("\r\n\r\n", line_end);
    const std::string_view head_bytes = blank == std::string_view::npos ? rest : rest.substr(0, blank + 4);
    if (!line_ends_are_crlf(head_bytes)) return refuse(bad("lines must end in CRLF"));
    if ((line_end == std::string_view::npos ? rest.size() : line_end) > kMaxRequestLineBytes) return refuse(too_long());
    const std::size_t lines = static_cast<std::size_t>(std::count(head_bytes.begin(), head_bytes.end(), '\n'));
    if (lines > kMaxHeaderFields + 2) return refuse(head_too_large("more than 100 header fields"));
    if (head_bytes.size() > kMaxHeadBytes) return refuse(head_too_large("the header block exceeds 16 KiB"));
    if (blank == std::string_view::npos) {
        // Nothing to parse yet, but a request line can already be refused.
        if (line_end != std::string_view::npos)
            if (auto r = parse_request_line(rest.substr(0, line_end), scan.head)) return refuse(*r);
        return scan;
    }
    if (auto r = parse_request_line(rest.substr(0, line_end), scan.head)) return refuse(*r);
    std::size_t pos = line_end + 2;
    std::size_t fields = 0;
    while (pos < blank + 2) {
        const std::size_t eol = rest.find("\r\n", pos);
        if (++fields > kMaxHeaderFields) return refuse(head_too_large("more than 100 header fields"));
        if (auto r = parse_field(rest.substr(pos, eol - pos), scan.head)) return refuse(*r);
        pos = eol + 2;
    }
    if (auto r = check_host(scan.head)) return refuse(*r);
    if (auto r = check_framing(scan.head)) return refuse(*r);
    scan.outcome = HeadScan::complete;
    scan.consumed = start + blank + 4;
    return scan;
}

std::map<std::string, std::string> parse_query(std::string_view query_string) {
    std::map<std::string, std::string> query;
    std::size_t start = 0;
    while (start < query_string.size()) {
        const std::size_t amp = std::min(query_string.find('&', start), query_string.size());
        const std::string_view pair = query_string.substr(start, amp - start);
        start = amp + 1;
        if (pair.empty()) continue;
        const std::size_t eq = pair.find('=');
        auto key = percent_decode(pair.substr(0, eq), true);
        auto value = eq == std::string_view::npos ? std::optional<std::string>("") : percent_decode(pair.substr(eq + 1), true);
        if (key && value) query.emplace(std::move(*key), std::move(*value));
    }
    return query;
}

ChunkedDecoder::Status ChunkedDecoder::fail(int status, std::string code, std::string detail) {
    refusal_ = Refusal{status, std::move(code), std::move(detail)};
    return failed;
}

ChunkedDecoder::Status ChunkedDecoder::feed(std::string_view input, std::string& body, std::size_t& consumed) {
    consumed = 0;
    if (refusal_) return failed;
    while (consumed < input.size()) {
        if (state_ == data) {
            const std::size_t take = std::min(remaining_, input.size() - consumed);
            body.append(input.substr(consumed, take));
            consumed += take;
            remaining_ -= take;
            if (remaining_ == 0) state_ = data_end;
            continue;
        }
        const char c = input[consumed++];
        line_ += c;
        if (state_ == data_end) {
            if (line_ != std::string_view("\r\n").substr(0, line_.size())) return fail(400, "INVALID_REQUEST", "a chunk does not end in CRLF");
            if (line_.size() == 2) {
                line_.clear();
                state_ = size_line;
            }
            continue;
        }
        if (state_ == size_line && line_.size() > 1024) return fail(400, "INVALID_REQUEST", "a chunk size line exceeds 1 KiB");
        if (state_ == trailer && ++trailer_bytes_ > 4096) return fail(431, "REQUEST_HEADER_FIELDS_TOO_LARGE", "the trailer exceeds 4 KiB");
        if (c != '\n') continue;
        if (line_.size() < 2 || line_[line_.size() - 2] != '\r') return fail(400, "INVALID_REQUEST", "lines must end in CRLF");
        const std::string_view line(line_.data(), line_.size() - 2);
        if (line.find('\r') != std::string_view::npos) return fail(400, "INVALID_REQUEST", "a bare CR in a chunk line");
        if (state_ == trailer) {
            if (line.empty()) {
                line_.clear();
                state_ = size_line;
                return done;
            }
            // Trailer fields are read and dropped, but they must be fields.
            RequestHead ignored;
            if (parse_field(line, ignored)) return fail(400, "INVALID_REQUEST", "a malformed trailer field");
            line_.clear();
            continue;
        }
        // size_line: 1*HEXDIG [ ";" extensions ]
        std::size_t digits = 0, size = 0;
        bool overflow = false;
        while (digits < line.size() && hex_value(line[digits]) >= 0) {
            if (size > (std::numeric_limits<std::size_t>::max() >> 4)) overflow = true;
            else size = size * 16 + static_cast<std::size_t>(hex_value(line[digits]));
            ++digits;
        }
        if (digits == 0 || !valid_chunk_extensions(line.substr(digits)))
            return fail(400, "INVALID_REQUEST", "a malformed chunk size or extension");
        line_.clear();
        if (overflow || size > limit_ - decoded_) return fail(413, "PAYLOAD_TOO_LARGE", "the body exceeds 64 KiB");
        if (size == 0) {
            state_ = trailer;
            continue;
        }
        decoded_ += size;
        remaining_ = size;
        state_ = data;
    }
    return need_more;
}

}  // namespace slotwise::server::http
