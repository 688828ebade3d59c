// libFuzzer target over what a stranger's bytes reach first in
// slotwise-server: the HTTP request head (limits, framing and smuggling
// checks, path and query decoding), chunked bodies, JSON limits, the shapes of the booking, reschedule, cancel
// and provider documents, and the engine's validation of a booking against a
// fixed provider. Every input must end in a result or a DomainError of a client kind (or a
// nlohmann::json::exception, which the HTTP layer answers with 400); anything
// else, a crash, a sanitizer report or a hang, is a finding.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <tuple>

#include "domain/engine_calls.h"
#include "http/problem.h"
#include "http/request_head.h"
#include "domain/request_parsing.h"
#include "domain/snapshot.h"

using namespace slotwise::server;

namespace {

// The engine's form of the provider, as the server's provider cache keeps it.
const slotwise::Snapshot& fixed_provider() {
    static const slotwise::Snapshot provider = *slotwise::parse_snapshot(engine_snapshot(parse_provider_config("p1", json::parse(R"({
        "name": "Fuzz Clinic", "kind": "doctor", "time_zone": "Europe/Berlin", "active": true,
        "schedules": {"default": {"weekly": [{"day": "mon", "start": "08:00", "end": "20:00"},
                                             {"day": "tue", "start": "08:00", "end": "20:00"}],
                                  "overrides": [{"date": "2026-12-01", "kind": "block", "start": "12:00", "end": "13:00"}]}},
        "services": [{"id": "s30", "name": "Checkup", "durations": [30, 60], "buffer_after_minutes": 10,
                      "min_notice_minutes": 60, "max_advance_days": 90, "price": {"amount": 10000, "currency": "EUR"},
                      "cancellation_policy": "moderate"}]})")), {}));
    return provider;
}

// The head scanner's promises: a complete head fits the limits and its
// framing is one of the accepted shapes; a refusal is one of the documented
// statuses; feeding the same bytes in two parts decides the same.
void check_request_head(std::string_view text) {
    using namespace slotwise::server::http;
    const HeadScan scan = scan_request_head(text);
    if (scan.outcome == HeadScan::complete) {
        const RequestHead& head = scan.head;
        if (scan.consumed > text.size() || scan.consumed > kMaxHeadBytes + 8) std::abort();
        if (head.fields.size() > kMaxHeaderFields || head.content_length > kMaxApiBodyBytes) std::abort();
        if (head.chunked && head.field("content-length")) std::abort();
        if (head.has_body() && (head.method == "GET" || head.method == "HEAD" || head.method == "OPTIONS")) std::abort();
        for (char c : head.path)
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) std::abort();
        // RFC 9112 3.2: at most one Host field, exactly one in HTTP/1.1;
        // the path is absolute, or "*" for OPTIONS; CONNECT never passes.
        std::size_t hosts = 0;
        for (const auto& field : head.fields) hosts += field.first == "host";
        if (hosts > 1 || (head.minor_version == 1 && hosts == 0)) std::abort();
        if (head.path.empty() || (head.path.front() != '/' && !(head.path == "*" && head.method == "OPTIONS"))) std::abort();
        if (head.method == "CONNECT") std::abort();
        (void)parse_query(head.query_string);
        // A complete head stays complete, with the same result, whatever follows it.
        const HeadScan prefix = scan_request_head(text.substr(0, scan.consumed));
        if (prefix.outcome != HeadScan::complete || prefix.consumed != scan.consumed) std::abort();
    } else if (scan.outcome == HeadScan::refused) {
        const int status = scan.refusal->status;
        if (status != 400 && status != 413 && status != 414 && status != 415 && status != 431) std::abort();
    } else if (text.size() > kMaxHeadBytes + 8) {
        std::abort();  // more than the limit buffered without a decision
    }
}

void check_chunked(std::string_view text) {
    using namespace slotwise::server::http;
    auto decode = [&](std::size_t split) {
        ChunkedDecoder decoder;
        std::string body;
        std::size_t consumed = 0, total = 0;
        auto status = decoder.feed(text.substr(0, split), body, consumed);
        total = consumed;
        if (status == ChunkedDecoder::need_more && consumed == split) {
            status = decoder.feed(text.substr(split), body, consumed);
            total += consumed;
        }
        if (body.size() > kMaxApiBodyBytes) std::abort();
        if (status == ChunkedDecoder::failed && !decoder.refusal()) std::abort();
        return std::make_tuple(status, body, status == ChunkedDecoder::failed ? decoder.refusal()->status : 0,
                               status == ChunkedDecoder::done ? total : 0);
    };
    if (decode(text.size()) != decode(text.size() / 2)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    try {
        switch (data[0] % 7) {
            case 0: {
                const BookingRequest r = parse_booking_request(parse_json_body(text));
                // A stored booking on the seed's day (busy intervals come from the database, whole minutes).
                const std::vector<Interval> busy = {{*slotwise::parse_instant("2026-11-24T09:30:00Z"),
                                                     *slotwise::parse_instant("2026-11-24T10:00:00Z")}};
                engine_validate(fixed_provider(), busy, r.service, r.start, r.duration_minutes,
                                *slotwise::parse_instant("2026-11-23T08:00:00Z"));
                break;
            }
            case 1: parse_reschedule_request(parse_json_body(text)); break;
            case 2: {
                // The optional bodies of the client's transitions: a cancel's
                // reason, a verify's code (each judged alone).
                const json body = parse_json_body(text, true);
                try {
                    parse_cancel_reason(body);
                } catch (const DomainError& e) {
                    if (e.kind != ErrorKind::invalid_input) std::abort();
                }
                parse_verify_request(body);
                break;
            }
            case 3: parse_provider_config("p1", parse_json_body(text)); break;
            case 4: (void)is_valid_idempotency_key(text); (void)slotwise::parse_instant(text); (void)slotwise::parse_date(text); break;
            case 5: check_request_head(text); break;
            case 6: check_chunked(text); break;
        }
    } catch (const DomainError& e) {
        // A client's mistake, never the server's (5xx) kinds.
        if (e.kind == ErrorKind::unavailable || e.kind == ErrorKind::internal) std::abort();
        (void)problem_body(400, e.code, e.what(), e.extensions);
    } catch (const nlohmann::json::exception&) {
    }
    return 0;
}
