// Time values of the engine: instants on the UTC line and wall-clock readings
// are different types, and only a TimeZone (zone.h) converts between them.
// Parsing returns std::nullopt for anything that is not exactly the format of
// engine.md; nothing here throws, reads a clock or does I/O.
#pragma once

#include <date/date.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace slotwise {

using Minutes = std::chrono::minutes;
using Days = date::days;

// An instant on the UTC time line, to the minute.
using Instant = date::sys_time<Minutes>;
// A wall-clock reading with no zone attached ("10:00 on 2026-03-29 somewhere").
using LocalTime = date::local_time<Minutes>;
// A calendar date as read on some wall clock.
using LocalDate = date::local_days;
// A moment recorded to the second, such as when a record was written; the
// engine's own rules work on Instants.
using Timestamp = date::sys_seconds;

// A time of day on a wall clock in minutes after midnight: 0..1439, or 1440
// for "24:00", which engine.md allows only as the end of a window.
struct ClockTime {
    int minutes = 0;
    friend bool operator==(ClockTime a, ClockTime b) { return a.minutes == b.minutes; }
    friend bool operator<(ClockTime a, ClockTime b) { return a.minutes < b.minutes; }
    friend bool operator<=(ClockTime a, ClockTime b) { return a.minutes <= b.minutes; }
};

inline LocalTime at(LocalDate date, ClockTime time) { return LocalTime{date} + Minutes{time.minutes}; }

// engine.md's supported range: dates of queries from 2020-01-01 to
// 2050-12-31, instants a day beyond that on either side.
bool is_supported(LocalDate d) noexcept;
bool is_supported(Instant t) noexcept;

// "YYYY-MM-DDTHH:MM:00Z"; seconds other than 00 are rejected.
std::optional<Instant> parse_instant(std::string_view text);
// "YYYY-MM-DD", a real proleptic Gregorian date.
std::optional<LocalDate> parse_date(std::string_view text);
// "HH:MM" from 00:00 to 23:59, and "24:00" when allow_end_of_day.
std::optional<ClockTime> parse_clock_time(std::string_view text, bool allow_end_of_day);
// "mon" .. "sun", lower case.
std::optional<date::weekday> parse_weekday(std::string_view text) noexcept;

// Fixed-width writers: exactly 10 ("YYYY-MM-DD") and 5 ("HH:MM") characters
// at `out`, for years 0000..9999.
void write_date(char* out, LocalDate d);
void write_clock(char* out, Minutes since_midnight);
// Exactly 6 characters, "+HH:MM" or "-HH:MM".
void write_utc_offset(char* out, Minutes offset);

void append_instant(std::string& out, Instant t);
void append_date(std::string& out, LocalDate d);
void append_clock(std::string& out, Minutes since_midnight);  // "HH:MM"


std::string format_instant(Instant t);
std::string format_date(LocalDate d);

// "YYYY-MM-DDTHH:MM:SSZ", for years 0000..9999.
void append_timestamp(std::string& out, Timestamp t);
std::string format_timestamp(Timestamp t);

}  // namespace slotwise
