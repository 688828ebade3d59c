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

// Writes `value` as exactly `width` decimal digits (zero-padded) at `p`.
void put_digits(char* p, long long value, int width) {
    for (int i = width - 1; i >= 0; --i, value /= 10) p[i] = static_cast<char>('0' + value % 10);
}

// 0..99 as two characters; formatting times is the hot path of a slots answer.
void put_two_digits(char* p, long long value) {
    static constexpr char pairs[] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";
    p[0] = pairs[2 * value];
    p[1] = pairs[2 * value + 1];
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

std::optional<date::weekday> parse_weekday(std::string_view text) noexcept {
    constexpr std::string_view names[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    for (unsigned i = 0; i < 7; ++i)
        if (names[i] == text) return date::weekday{i};
    return std::nullopt;
}

std::optional<Instant> parse_instant(std::string_view s) {
    if (s.size() != 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z') return std::nullopt;
    const auto day = parse_date(s.substr(0, 10));
    const auto time = parse_clock_time(s.substr(11, 5), false);
    if (!day || !time || s[17] != '0' || s[18] != '0') return std::nullopt;
    return Instant{day->time_since_epoch()} + Minutes{time->minutes};
}

void write_date(char* out, LocalDate d) {
    const date::year_month_day ymd{d};
    put_digits(out, static_cast<int>(ymd.year()), 4);
    out[4] = '-';
    put_two_digits(out + 5, static_cast<unsigned>(ymd.month()));
    out[7] = '-';
    put_two_digits(out + 8, static_cast<unsigned>(ymd.day()));
}

void write_clock(char* out, Minutes since_midnight) {
    const auto m = since_midnight.count();
    put_two_digits(out, m / 60);
    out[2] = ':';
    put_two_digits(out + 3, m % 60);
}

void write_utc_offset(char* out, Minutes offset) {
    out[0] = offset < Minutes{0} ? '-' : '+';
    write_clock(out + 1, offset < Minutes{0} ? -offset : offset);
}

void append_date(std::string& out, LocalDate d) {
    char text[10];
    write_date(text, d);
    out.append(text, sizeof text);
}

void append_clock(std::string& out, Minutes since_midnight) {
    char text[5];
    write_clock(text, since_midnight);
    out.append(text, sizeof text);
}

void append_instant(std::string& out, Instant t) {
    const auto day = date::floor<Days>(t);
    append_date(out, LocalDate{day.time_since_epoch()});
    out.push_back('T');
    append_clock(out, t - day);
    out += ":00Z";
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

void append_timestamp(std::string& out, Timestamp t) {
    const auto day = date::floor<Days>(t);
    const auto since_midnight = t - day;
    append_date(out, LocalDate{day.time_since_epoch()});
    out.push_back('T');
    append_clock(out, date::floor<Minutes>(since_midnight));
    char seconds[3] = {':'};
    put_two_digits(seconds + 1, (since_midnight % Minutes{1}).count());
    out.append(seconds, sizeof seconds);
    out.push_back('Z');
}

std::string format_timestamp(Timestamp t) {
    std::string s;
    append_timestamp(s, t);
    return s;
}

bool is_supported(LocalDate d) noexcept {
    using namespace date;
    return LocalDate{year{2020} / January / 1} <= d && d <= LocalDate{year{2050} / December / 31};
}

bool is_supported(Instant t) noexcept {
    using namespace date;
    return Instant{sys_days{year{2019} / December / 31}} <= t &&
           t <= Instant{sys_days{year{2051} / January / 1}} + Minutes{23 * 60 + 59};
}

}  // namespace slotwise
