// libFuzzer target over what a stranger's bytes reach first in
// slotwise-server: JSON limits, the shapes of the booking, reschedule, cancel
// and provider documents, and the engine's validation of a booking against a
// fixed provider. Every input must end in a result or an ApiError (or a
// nlohmann::json::exception, which the HTTP layer answers with 400); anything
// else, a crash, a sanitizer report or a hang, is a finding.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "engine_calls.h"
#include "request_parsing.h"
#include "snapshot.h"

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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    try {
        switch (data[0] % 5) {
            case 0: {
                const BookingRequest r = parse_booking_request(parse_json_body(text));
                // A stored booking on the seed's day (busy intervals come from the database, whole minutes).
                const std::vector<Interval> busy = {{1795512600 /* 2026-11-24T09:30Z */, 1795514400}};
                engine_validate(fixed_provider(), busy, r.service, r.start, r.duration_minutes, 1795420800 /* 2026-11-23T08:00Z */);
                break;
            }
            case 1: parse_reschedule_request(parse_json_body(text)); break;
            case 2: parse_cancel_reason(parse_json_body(text, true)); break;
            case 3: parse_provider_config("p1", parse_json_body(text)); break;
            case 4: (void)is_valid_idempotency_key(text); (void)parse_instant(text); (void)parse_date(text); break;
        }
    } catch (const ApiError& e) {
        if (e.status < 400 || e.status > 499) std::abort();
        (void)problem_body(e);
    } catch (const nlohmann::json::exception&) {
    }
    return 0;
}
