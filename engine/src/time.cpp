#include "slotwise/time.h"

namespace slotwise {
namespace {

// Reads `count` ASCII digits at `pos`; -1 when any is not a digit.
int digits(std::string_view s, std::size_t pos, std::size_t count) {
    int value = 0;
    for (std::size_t i = pos; i < pos + count; ++i) {
        if (s[i] < '0' || s[i] > '9') return -1;
        value = value * 10 + (s[i] - '0');
    }
    return value;
}

void append_digits(std::string& out, long long value, int width) {
    char buf[24];
    int n = 0;
    do {
        buf[n++] = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value > 0);
    for (int i = n; i < width; ++i) out.push_back('0');
    while (n > 0) out.push_back(buf[--n]);
}

}  // namespace

std::optional<LocalDate> parse_date(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    const int y = digits(s, 0, 4), m = digits(s, 5, 2), d = digits(s, 8, 2);
    if (y < 0 || m < 0 || d < 0) return std::nullopt;
    const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(m)},
                                   date::day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) return std::nullopt;
    return LocalDate{ymd};
}

std::optional<ClockTime> parse_clock_time(std::string_view s, bool allow_end_of_day) {
    if (s.size() != 5 || s[2] != ':') return std::nullopt;
    const int h = digits(s, 0, 2), m = digits(s, 3, 2);
    if (h < 0 || m < 0 || m > 59) return std::nullopt;
    if (h == 24 && m == 0 && allow_end_of_day) return ClockTime{1440};
    if (h > 23) return std::nullopt;
    return ClockTime{h * 60 + m};
}

std::optional<Instant> parse_instant(std::string_view s) {
    if (s.size() != 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z') return std::nullopt;
    const auto day = parse_date(s.substr(0, 10));
    const auto time = parse_clock_time(s.substr(11, 5), false);
    if (!day || !time || s[17] != '0' || s[18] != '0') return std::nullopt;
    return Instant{day->time_since_epoch()} + Minutes{time->minutes};
}

void append_date(std::string& out, LocalDate d) {
    const date::year_month_day ymd{d};
    append_digits(out, static_cast<int>(ymd.year()), 4);
    out.push_back('-');
    append_digits(out, static_cast<unsigned>(ymd.month()), 2);
    out.push_back('-');
    append_digits(out, static_cast<unsigned>(ymd.day()), 2);
}

void append_clock(std::string& out, Minutes since_midnight) {
    const auto m = since_midnight.count();
    append_digits(out, m / 60, 2);
    out.push_back(':');
    append_digits(out, m % 60, 2);
}

void append_instant(std::string& out, Instant t) {
    const auto day = date::floor<Days>(t);
    append_date(out, LocalDate{day.time_since_epoch()});
    out.push_back('T');
    append_clock(out, t - day);
    out += ":00Z";
}

void append_utc_offset(std::string& out, Minutes offset) {
    out.push_back(offset < Minutes{0} ? '-' : '+');
    append_clock(out, offset < Minutes{0} ? -offset : offset);
}

std::string format_instant(Instant t) {
    std::string s;
    append_instant(s, t);
    return s;
}

std::string format_date(LocalDate d) {
    std::string s;
    append_date(s, d);
    return s;
}

}  // namespace slotwise
