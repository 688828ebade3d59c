// Instants are whole seconds since the Unix epoch (UTC) inside the server and
// the database; the wire format is engine.md's `YYYY-MM-DDTHH:MM:SSZ`.
// Nothing here looks at the machine's time zone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace slotwise::server {

using Seconds = std::int64_t;
using Days = std::int64_t;  // days since 1970-01-01

constexpr Seconds kMinute = 60;
constexpr Seconds kDay = 86400;

Days days_from_civil(int y, unsigned m, unsigned d);
// Strict `YYYY-MM-DD`; nullopt for anything else (including 2026-02-30).
std::optional<Days> parse_date(std::string_view text);
std::string format_date(Days days);
// Strict engine instant: `YYYY-MM-DDTHH:MM:SSZ`.
std::optional<Seconds> parse_instant(std::string_view text);
std::string format_instant(Seconds t);
// RFC 5545 UTC form: 20261201T140000Z.
std::string format_ics_instant(Seconds t);

}  // namespace slotwise::server
