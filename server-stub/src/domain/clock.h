// The server's clock. Every rule that depends on "now" (notice, advance
// window, refunds, idempotency expiry) reads it here, so a test or a demo can
// start the clock at a chosen instant (SLOTWISE_NOW) and let it run from there.
#pragma once

#include <chrono>
#include <optional>

#include <slotwise/time.h>

namespace slotwise::server {

class Clock {
public:
    explicit Clock(std::optional<Timestamp> start_at = std::nullopt)
        : offset_(start_at ? *start_at - system_seconds() : std::chrono::seconds{0}) {}
    Timestamp now() const { return system_seconds() + offset_; }
    // The engine works in whole minutes.
    Instant now_minute() const { return date::floor<Minutes>(now()); }
    // The machine's own time, never shifted by SLOTWISE_NOW: for records of
    // when something really happened (migrations, token changes, log lines).
    static Timestamp system_seconds() { return date::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

private:
    std::chrono::seconds offset_;
};

}  // namespace slotwise::server
