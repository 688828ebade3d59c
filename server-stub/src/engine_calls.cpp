#include "engine_calls.h"

#include <slotwise/protocol.h>

#include "snapshot.h"

namespace slotwise::server {

void engine_validate(const ProviderConfig& provider, const std::vector<Interval>& busy, const std::string& service,
                     Seconds start, std::optional<int> duration_minutes, Seconds now) {
    json request = {{"service", service}, {"start", format_instant(start)}, {"now", format_instant(now)}};
    if (duration_minutes) request["duration_minutes"] = *duration_minutes;
    const slotwise::Engine engine(engine_snapshot(provider, busy).dump());
    if (!engine.ok()) throw std::runtime_error("stored configuration rejected by the engine: " + engine.snapshot_error().json);
    const slotwise::Answer answer = engine.validate(request.dump());
    const json result = json::parse(answer.json);
    if (answer.is_error) {
        const json& error = result.at("error");
        ApiError e = bad_request(error.value("message", std::string("the engine cannot read this request")));
        e.extensions.emplace_back("engine_error", error.dump());
        throw e;
    }
    if (result.at("ok").get<bool>()) return;
    const std::string code = result.at("code").get<std::string>();
    if (code == "SLOT_TAKEN") throw ApiError(409, code, "the slot is taken");
    if (code == "UNKNOWN_SERVICE") throw ApiError(404, code, "no service " + service);
    throw ApiError(422, code, "the engine does not accept this booking: " + code);
}

std::int64_t engine_refund(const Booking& b, Seconds cancelled_at, const std::string& by) {
    const json input = {{"policy", b.cancellation_policy},     {"price", b.price_amount},
                        {"start", format_instant(b.start)},    {"cancelled_at", format_instant(cancelled_at)},
                        {"by", by}};
    const slotwise::Answer answer = slotwise::refund(input.dump());
    if (answer.is_error) throw std::runtime_error("engine refund failed: " + answer.json);
    return json::parse(answer.json).at("refund").get<std::int64_t>();
}

}  // namespace slotwise::server
