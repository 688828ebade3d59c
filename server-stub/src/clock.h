// The server's clock. Every rule that depends on "now" (notice, advance
// window, refunds, idempotency expiry) reads it here, so a test or a demo can
// start the clock at a chosen instant (SLOTWISE_NOW) and let it run from there.
#pragma once

#include <chrono>
#include <optional>

#include "instant.h"

namespace slotwise::server {

class Clock {
public:
    explicit Clock(std::optional<Seconds> start_at = std::nullopt)
        : offset_(start_at ? *start_at - system_seconds() : 0) {}
    Seconds now() const { return system_seconds() + offset_; }
    // The engine works in whole minutes.
    Seconds now_minute() const { return floor_minute(now()); }
    static Seconds floor_minute(Seconds t) { return t - ((t % kMinute) + kMinute) % kMinute; }
    // The machine's own time, never shifted by SLOTWISE_NOW: for records of
    // when something really happened (migrations, token changes, log lines).
    static Seconds system_seconds() {
        return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    }

private:
    Seconds offset_;
};

}  // namespace slotwise::server
