// Property tests of engine.md over random snapshots.
//
// Every case draws a snapshot, a query and a `now` (from every IANA name of the
// engine's database, dates 2025-2035, biased towards the days on which a zone's
// offset changes) and checks, through the JSON API only:
//   (a) every slot that Engine::slots lists validates ok;
//   (b) every instant of a 5-minute UTC lattice over the queried dates that is
//       not a slot fails validation with the code a reference computes;
//   (c) the reference, a brute-force reading of engine.md that walks the
//       provider's wall clock minute by minute, lists exactly the same slots.
// The reference shares no code with engine/src: it reads the time-zone database
// only through TimeZone::offset_at (instant -> UTC offset) and does its own
// calendar arithmetic, windows (a minute bitmap per date), DST mapping and grid.
//
// Reproduce a failure with the seed and case index it prints:
//   SLOTWISE_PROPERTY_SEED=<seed> SLOTWISE_PROPERTY_CASE=<index> engine_property_tests
// SLOTWISE_PROPERTY_CASES=<n> changes the number of cases (default 5000).
#include "slotwise/protocol.h"
#include "slotwise/zone.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using json = nlohmann::json;
using std::int64_t;

constexpr int64_t day_minutes = 1440;

// ---------------------------------------------------------------------------
// Calendar arithmetic on plain integers: days and minutes since 1970-01-01.

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
int64_t floor_mod(int64_t a, int64_t b) { return a - floor_div(a, b) * b; }

// Days since 1970-01-01 of a proleptic Gregorian date (years 1..9999).
int64_t day_number(int year, int month, int day) {
    static const int before_month[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    const int64_t y = year - 1;
    const int64_t days_before_year = 365 * y + y / 4 - y / 100 + y / 400;  // since 0001-01-01
    const int64_t day_of_year = before_month[month - 1] + (month > 2 && leap ? 1 : 0) + day - 1;
    return days_before_year + day_of_year - 719162;  // 719162 days from 0001-01-01 to 1970-01-01
}

struct CivilDate {
    int year, month, day;
};

CivilDate civil(int64_t day_no) {
    // Search by year and month with day_number: slow but obviously right.
    int year = 1970 + static_cast<int>(floor_div(day_no, 366));
    while (day_number(year + 1, 1, 1) <= day_no) ++year;
    while (day_number(year, 1, 1) > day_no) --year;
    int month = 1;
    while (month < 12 && day_number(year, month + 1, 1) <= day_no) ++month;
    return {year, month, static_cast<int>(day_no - day_number(year, month, 1)) + 1};
}

// Sunday = 0, as engine.md's weekday names below are indexed.
int weekday(int64_t day_no) { return static_cast<int>(floor_mod(day_no + 4, 7)); }  // 1970-01-01 was a Thursday
const char* const weekday_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

std::string pad2(int64_t v) { return (v < 10 ? "0" : "") + std::to_string(v); }

std::string date_text(int64_t day_no) {
    const CivilDate c = civil(day_no);
    return std::to_string(c.year) + "-" + pad2(c.month) + "-" + pad2(c.day);
}

std::string clock_text(int64_t minute_of_day) { return pad2(minute_of_day / 60) + ":" + pad2(minute_of_day % 60); }

std::string instant_text(int64_t minute) {
    return date_text(floor_div(minute, day_minutes)) + "T" + clock_text(floor_mod(minute, day_minutes)) + ":00Z";
}

std::string offset_text(int64_t offset) {
    const int64_t a = offset < 0 ? -offset : offset;
    return (offset < 0 ? "-" : "+") + clock_text(a);
}

// ---------------------------------------------------------------------------
// The only door into the zone database: instant -> UTC offset.

struct Zone {
    std::string name;
    const slotwise::TimeZone* tz;

    int64_t offset(int64_t minute) const { return tz->offset_at(slotwise::Instant{slotwise::Minutes{minute}}).count(); }
    int64_t wall(int64_t minute) const { return minute + offset(minute); }
    int64_t local_day(int64_t minute) const { return floor_div(wall(minute), day_minutes); }
};

Zone zone(const std::string& name) {
    const auto* tz = slotwise::find_zone(name);
    if (!tz) FAIL("zone_names() lists " << name << " but find_zone does not know it");
    return {name, tz};
}

struct Transition {
    int64_t at;  // UTC minute at which the offset changes
    int64_t before, after;
};

// Offset changes from 2025 to 2035, found by sampling and bisection.
const std::vector<Transition>& transitions(const Zone& z) {
    static std::map<const slotwise::TimeZone*, std::vector<Transition>> cache;
    auto [it, fresh] = cache.try_emplace(z.tz);
    if (!fresh) return it->second;
    const int64_t first = day_number(2025, 1, 1) * day_minutes, last = day_number(2036, 1, 1) * day_minutes;
    const int64_t sample = 6 * 60;
    for (int64_t t = first; t < last; t += sample) {
        const int64_t o1 = z.offset(t), o2 = z.offset(t + sample);
        if (o1 == o2) continue;
        int64_t lo = t, hi = t + sample;  // offset(lo) == o1, offset(hi) != o1
        while (hi - lo > 1) {
            const int64_t mid = lo + (hi - lo) / 2;
            (z.offset(mid) == o1 ? lo : hi) = mid;
        }
        it->second.push_back({hi, o1, z.offset(hi)});
    }
    return it->second;
}

// ---------------------------------------------------------------------------
// A random case, kept as plain values so the reference can read it directly.

struct Rng {
    std::uint64_t state;
    std::uint64_t next() {  // splitmix64: the same sequence on every platform
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    int64_t uniform(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1)); }
    bool chance(int percent) { return uniform(1, 100) <= percent; }
    template <class T>
    const T& pick(const std::vector<T>& v) { return v[static_cast<std::size_t>(uniform(0, static_cast<int64_t>(v.size()) - 1))]; }
};

struct ClockWindow {
    int64_t start, end;  // minutes of the day, end <= 1440 ("24:00")
};

struct Override {
    enum Kind { block_day, block, add, replace } kind;
    int64_t date;
    ClockWindow window{0, 0};              // block (with times) and add
    std::vector<ClockWindow> replacement;  // replace
};

struct Schedule {
    std::string name;
    std::vector<std::pair<int, ClockWindow>> weekly;  // weekday (Sunday = 0), window
    std::vector<Override> overrides;
};

struct Service {
    std::string id;
    std::optional<std::string> schedule;  // absent: "default"
    std::optional<bool> active;           // absent: true
    std::vector<int64_t> durations;
    int64_t before = 0, after = 0;
    std::optional<int64_t> interval;
    int64_t notice = 0;
    std::optional<int64_t> max_advance_days;
    bool explicit_nulls = false;  // write absent optionals as null

    bool is_active() const { return active.value_or(true); }
    std::string schedule_name() const { return schedule.value_or("default"); }
};

struct Busy {
    int64_t start, end;
};

struct Case {
    std::string provider_zone;
    std::optional<bool> provider_active;
    std::vector<Schedule> schedules;
    std::vector<Service> services;
    std::vector<Busy> busy;
    // the query
    std::size_t service = 0;
    std::optional<int64_t> duration;
    int64_t from = 0, to = 0;  // viewer dates
    std::string viewer_zone;
    int64_t now = 0;

    const Service& queried() const { return services[service]; }
    int64_t chosen_duration() const { return duration.value_or(queried().durations.front()); }
};

json window_json(const ClockWindow& w) { return {{"start", clock_text(w.start)}, {"end", clock_text(w.end)}}; }

std::string snapshot_text(const Case& c) {
    json provider = {{"id", "p1"}, {"time_zone", c.provider_zone}};
    if (c.provider_active) provider["active"] = *c.provider_active;
    json schedules = json::object();
    for (const auto& s : c.schedules) {
        json weekly = json::array();
        for (const auto& [day, w] : s.weekly) {
            json entry = window_json(w);
            entry["day"] = weekday_names[day];
            weekly.push_back(entry);
        }
        json overrides = json::array();
        for (const auto& o : s.overrides) {
            json entry = {{"date", date_text(o.date)}};
            switch (o.kind) {
                case Override::block_day: entry["kind"] = "block"; break;
                case Override::block: entry = window_json(o.window); entry["date"] = date_text(o.date); entry["kind"] = "block"; break;
                case Override::add: entry = window_json(o.window); entry["date"] = date_text(o.date); entry["kind"] = "add"; break;
                case Override::replace:
                    entry["kind"] = "replace";
                    entry["windows"] = json::array();
                    for (const auto& w : o.replacement) entry["windows"].push_back(window_json(w));
                    break;
            }
            overrides.push_back(entry);
        }
        json schedule = json::object();
        if (!weekly.empty() || s.overrides.empty()) schedule["weekly"] = weekly;
        if (!overrides.empty()) schedule["overrides"] = overrides;
        schedules[s.name] = schedule;
    }
    json services = json::array();
    for (const auto& s : c.services) {
        json service = {{"id", s.id}, {"durations", s.durations}};
        if (s.schedule) service["schedule"] = *s.schedule;
        if (s.active) service["active"] = *s.active;
        if (s.before || s.explicit_nulls) service["buffer_before_minutes"] = s.before;
        if (s.after || s.explicit_nulls) service["buffer_after_minutes"] = s.after;
        if (s.interval) service["slot_interval_minutes"] = *s.interval;
        else if (s.explicit_nulls) service["slot_interval_minutes"] = nullptr;
        if (s.notice || s.explicit_nulls) service["min_notice_minutes"] = s.notice;
        if (s.max_advance_days) service["max_advance_days"] = *s.max_advance_days;
        else if (s.explicit_nulls) service["max_advance_days"] = nullptr;
        services.push_back(service);
    }
    json snapshot = {{"provider", provider}, {"schedules", schedules}, {"services", services}};
    if (!c.busy.empty()) {
        snapshot["busy"] = json::array();
        for (const auto& b : c.busy)
            snapshot["busy"].push_back({{"start", instant_text(b.start)}, {"end", instant_text(b.end)}});
    }
    return snapshot.dump();
}

std::string query_text(const Case& c) {
    json query = {{"service", c.queried().id},
                  {"from", date_text(c.from)},
                  {"to", date_text(c.to)},
                  {"time_zone", c.viewer_zone},
                  {"now", instant_text(c.now)}};
    if (c.duration) query["duration_minutes"] = *c.duration;
    return query.dump();
}

std::string request_text(const std::string& service, std::optional<int64_t> duration, int64_t start, int64_t now) {
    std::string out = R"({"service":")" + service + R"(","start":")" + instant_text(start) + '"';
    if (duration) out += R"(,"duration_minutes":)" + std::to_string(*duration);
    return out + R"(,"now":")" + instant_text(now) + R"("})";
}

// Zones whose offsets change in unusual ways; drawn more often than their share.
const std::vector<std::string>& tricky_zones() {
    static const std::vector<std::string> zones = [] {
        const std::vector<std::string> wanted = {
            "America/New_York", "Europe/Berlin",     "Australia/Lord_Howe", "Europe/Dublin",   "Antarctica/Troll",
            "Pacific/Chatham",  "Asia/Kathmandu",    "Australia/Eucla",     "America/St_Johns", "America/Santiago",
            "America/Havana",   "Asia/Gaza",         "Africa/Casablanca",   "America/Asuncion", "Pacific/Norfolk",
            "Asia/Tehran",      "US/Eastern",        "Asia/Kolkata",        "Pacific/Kiritimati", "Etc/GMT+12",
            "Pacific/Apia",     "America/Scoresbysund", "Asia/Beirut",      "Europe/Chisinau", "America/Nuuk",
            "Africa/El_Aaiun",  "Pacific/Easter",    "Asia/Jerusalem",      "Europe/London",   "America/Adak",
            // clocks that go back from 00:00 into the previous date
            "Africa/Cairo",     "Antarctica/Casey",  "America/Coyhaique",   "Asia/Almaty"};
        std::vector<std::string> known;
        for (const auto& name : wanted)
            if (slotwise::find_zone(name)) known.push_back(name);
        return known;
    }();
    return zones;
}

struct Anchor {
    int64_t day;                 // a provider-local date
    std::vector<int64_t> clocks;  // wall-clock minutes of the day worth hitting
};

Anchor draw_anchor(Rng& rng, const Zone& provider, const Zone& viewer) {
    const Zone& z = rng.chance(80) ? provider : viewer;
    const auto& changes = transitions(z);
    if (!changes.empty() && rng.chance(75)) {
        const Transition& t = rng.pick(changes);
        // The wall clock reads `from` just before the change and `to` just after.
        const int64_t from = t.at + t.before, to = t.at + t.after;
        Anchor a{floor_div(from, day_minutes), {}};
        for (int64_t wall : {from, to, (from + to) / 2}) a.clocks.push_back(floor_mod(wall, day_minutes));
        // In the provider's own terms when the change is the viewer's.
        if (&z != &provider) a.day = provider.local_day(t.at);
        return a;
    }
    return {rng.uniform(day_number(2025, 1, 1), day_number(2035, 12, 31)), {rng.uniform(0, 1439)}};
}

int64_t draw_clock(Rng& rng, const Anchor& anchor) {
    switch (rng.uniform(0, 7)) {
        case 0: return rng.uniform(0, 1439);
        case 1: return rng.uniform(0, 95) * 15;
        case 2:
        case 3: return rng.pick(anchor.clocks);  // at a jump, or inside the skipped or repeated span
        case 4: return std::clamp<int64_t>(rng.pick(anchor.clocks) + rng.uniform(-90, 90), 0, 1439);
        case 5:
        case 6: return std::clamp<int64_t>(rng.pick(anchor.clocks) + rng.pick(std::vector<int64_t>{-60, -30, -1, 1, 30, 60}), 0, 1439);
        default: return rng.uniform(0, 23) * 60;
    }
}

ClockWindow draw_window(Rng& rng, const Anchor& anchor) {
    int64_t a = draw_clock(rng, anchor), b;
    switch (rng.uniform(0, 4)) {
        case 0: b = 1440; break;  // "24:00"
        case 1: b = a + rng.uniform(1, 600); break;
        case 2: b = a + rng.uniform(1, 12) * 30; break;
        default: b = draw_clock(rng, anchor); break;
    }
    if (rng.chance(10)) a = 0;
    b = std::min<int64_t>(b, 1440);
    if (a == b) b = std::min<int64_t>(a + 30, 1440);
    if (b < a) std::swap(a, b);
    return {a, b};
}

Schedule draw_schedule(Rng& rng, const std::string& name, const Anchor& anchor) {
    Schedule s{name, {}, {}};
    const int weekly = static_cast<int>(rng.chance(10) ? 0 : rng.uniform(1, 7));
    for (int i = 0; i < weekly; ++i) {
        const int day = rng.chance(60) ? weekday(anchor.day + rng.uniform(-1, 1)) : static_cast<int>(rng.uniform(0, 6));
        s.weekly.push_back({day, draw_window(rng, anchor)});
    }
    const int overrides = static_cast<int>(rng.chance(40) ? 0 : rng.uniform(1, 5));
    for (int i = 0; i < overrides; ++i) {
        Override o{static_cast<Override::Kind>(rng.uniform(0, 3)), anchor.day + rng.uniform(-2, 3), {}, {}};
        if (o.kind == Override::block || o.kind == Override::add) o.window = draw_window(rng, anchor);
        if (o.kind == Override::replace) {
            const int n = static_cast<int>(rng.uniform(0, 3));
            for (int k = 0; k < n; ++k) o.replacement.push_back(draw_window(rng, anchor));
        }
        s.overrides.push_back(o);
    }
    if (rng.chance(35)) {
        // A window on the anchor date itself that starts or ends where the clocks jump.
        const int64_t at = rng.pick(anchor.clocks);
        ClockWindow w = rng.chance(50) ? ClockWindow{at, std::min<int64_t>(at + rng.uniform(1, 240), 1440)}
                                       : ClockWindow{std::max<int64_t>(at - rng.uniform(1, 240), 0), at + 1};
        if (rng.chance(20)) w.end = 1440;
        s.overrides.push_back({Override::add, anchor.day, w, {}});
    }
    return s;
}

Service draw_service(Rng& rng, const std::string& id, const std::vector<Schedule>& schedules) {
    Service s;
    s.id = id;
    const std::string& schedule = rng.pick(schedules).name;
    if (schedule != "default" || rng.chance(50)) s.schedule = schedule;
    if (rng.chance(6)) s.active = false;
    else if (rng.chance(30)) s.active = true;
    const int count = static_cast<int>(rng.uniform(1, 3));
    while (static_cast<int>(s.durations.size()) < count) {
        int64_t d;
        const int64_t kind = rng.uniform(0, 9);
        if (kind < 6) d = rng.pick(std::vector<int64_t>{5, 10, 15, 20, 30, 45, 60, 90, 120});
        else if (kind < 9) d = rng.uniform(5, 240);
        else d = rng.uniform(5, 1440);
        if (std::find(s.durations.begin(), s.durations.end(), d) == s.durations.end()) s.durations.push_back(d);
    }
    if (rng.chance(50)) s.before = rng.chance(90) ? rng.uniform(0, 90) : rng.uniform(0, 1440);
    if (rng.chance(50)) s.after = rng.chance(90) ? rng.uniform(0, 90) : rng.uniform(0, 1440);
    if (rng.chance(50)) s.interval = rng.chance(60) ? rng.pick(std::vector<int64_t>{5, 10, 15, 20, 30, 45, 60, 90}) : rng.uniform(5, 180);
    if (rng.chance(60)) s.notice = rng.chance(90) ? rng.uniform(0, 2000) : rng.uniform(0, 525600);
    if (rng.chance(50)) s.max_advance_days = rng.chance(85) ? rng.uniform(0, 12) : rng.uniform(0, 3650);
    s.explicit_nulls = rng.chance(30);
    return s;
}

Case draw_case(Rng& rng) {
    const auto& names = slotwise::zone_names();
    Case c;
    c.provider_zone = rng.chance(75) ? rng.pick(names) : rng.pick(tricky_zones());
    // Most zones keep one offset all year; lean towards those that change.
    if (transitions(zone(c.provider_zone)).empty() && rng.chance(60)) c.provider_zone = rng.pick(names);
    const int64_t viewer_kind = rng.uniform(0, 99);
    c.viewer_zone = viewer_kind < 30 ? c.provider_zone : viewer_kind < 65 ? rng.pick(names) : rng.pick(tricky_zones());
    const Zone provider = zone(c.provider_zone), viewer = zone(c.viewer_zone);
    const Anchor anchor = draw_anchor(rng, provider, viewer);

    if (rng.chance(4)) c.provider_active = false;
    else if (rng.chance(30)) c.provider_active = true;
    c.schedules.push_back(draw_schedule(rng, "default", anchor));
    if (rng.chance(25)) c.schedules.push_back(draw_schedule(rng, "alt", anchor));
    const int services = static_cast<int>(rng.uniform(1, 3));
    for (int i = 0; i < services; ++i) c.services.push_back(draw_service(rng, "s" + std::to_string(i + 1), c.schedules));
    c.service = static_cast<std::size_t>(rng.uniform(0, services - 1));
    if (rng.chance(50)) c.duration = rng.pick(c.queried().durations);

    c.from = anchor.day - (rng.chance(80) ? rng.uniform(0, 1) : rng.uniform(-1, 3));
    c.to = c.from + (rng.chance(3) ? rng.uniform(8, 40) : rng.uniform(0, 3));
    c.now = anchor.day * day_minutes +
            (rng.chance(75) ? rng.uniform(-4 * day_minutes, 0) : rng.uniform(-8 * day_minutes, 3 * day_minutes));
    if (!rng.chance(40)) {
        const int n = static_cast<int>(rng.uniform(1, 8));
        for (int i = 0; i < n; ++i) {
            int64_t start = (c.from - 1) * day_minutes + rng.uniform(0, (c.to - c.from + 3) * day_minutes);
            if (rng.chance(60)) start -= floor_mod(start, 15);  // on the grids that quarter-hour windows make
            const int64_t length = rng.chance(50) ? rng.uniform(1, 300) : rng.uniform(1, 24) * 15;
            c.busy.push_back({start, start + length});
        }
    }
    return c;
}

// ---------------------------------------------------------------------------
// The reference: engine.md read literally, by brute force.

// "Windows of a provider-local date D", steps 1-5, as a bitmap of wall minutes.
std::vector<ClockWindow> windows_of(const Schedule& s, int64_t date) {
    std::array<bool, day_minutes> open{};
    auto paint = [&](const ClockWindow& w, bool value) {
        for (int64_t m = w.start; m < w.end; ++m) open[static_cast<std::size_t>(m)] = value;
    };
    bool replaced = false;
    for (const auto& o : s.overrides)
        if (o.date == date && o.kind == Override::replace) {
            replaced = true;
            for (const auto& w : o.replacement) paint(w, true);
        }
    if (!replaced)
        for (const auto& [day, w] : s.weekly)
            if (day == weekday(date)) paint(w, true);
    for (const auto& o : s.overrides)
        if (o.date == date && o.kind == Override::add) paint(o.window, true);
    for (const auto& o : s.overrides) {
        if (o.date != date) continue;
        if (o.kind == Override::block) paint(o.window, false);
        if (o.kind == Override::block_day) paint({0, day_minutes}, false);
    }
    // Maximal runs of open minutes: windows that overlap or touch are merged.
    std::vector<ClockWindow> runs;
    for (int64_t m = 0; m < day_minutes; ++m) {
        if (!open[static_cast<std::size_t>(m)]) continue;
        if (!runs.empty() && runs.back().end == m) runs.back().end = m + 1;
        else runs.push_back({m, m + 1});
    }
    return runs;
}

struct InstantWindow {
    int64_t w0, w1;
};

// For date D: the first and last instant at which the provider's wall clock
// shows each minute of D (none: first > last).
struct DayClock {
    std::array<int64_t, day_minutes> first, last;
};

DayClock walk_day(const Zone& z, int64_t date) {
    DayClock c;
    c.first.fill(std::numeric_limits<int64_t>::max());
    c.last.fill(std::numeric_limits<int64_t>::min());
    // UTC offsets lie within -12h..+14h; 16 hours of margin covers them.
    for (int64_t t = date * day_minutes - 16 * 60; t < (date + 1) * day_minutes + 16 * 60; ++t) {
        const int64_t wall = z.wall(t);
        if (floor_div(wall, day_minutes) != date) continue;
        const auto m = static_cast<std::size_t>(wall - date * day_minutes);
        c.first[m] = std::min(c.first[m], t);
        c.last[m] = std::max(c.last[m], t);
    }
    return c;
}

// The smallest interval that contains every minute whose wall time is on D
// within [s, e).
std::optional<InstantWindow> instants_of(const DayClock& c, const ClockWindow& w) {
    int64_t lo = std::numeric_limits<int64_t>::max(), hi = std::numeric_limits<int64_t>::min();
    for (int64_t m = w.start; m < w.end; ++m) {
        lo = std::min(lo, c.first[static_cast<std::size_t>(m)]);
        hi = std::max(hi, c.last[static_cast<std::size_t>(m)]);
    }
    if (lo > hi) return std::nullopt;
    return InstantWindow{lo, hi + 1};
}

struct Reference {
    std::vector<InstantWindow> windows;  // of every date near the query
    std::set<int64_t> starts;            // every bookable start from those windows
    int edges_in_gap_or_overlap = 0;     // window starts and last minutes that occur never or twice
};

struct Rules {
    const Case& c;
    const Service& service;
    const Zone provider;
    int64_t duration, step;

    explicit Rules(const Case& k)
        : c(k), service(k.queried()), provider(zone(k.provider_zone)), duration(k.chosen_duration()),
          step(service.interval.value_or(service.before + duration + service.after)) {}

    bool active() const { return c.provider_active.value_or(true) && service.is_active(); }
    bool too_soon(int64_t t) const { return t < c.now + service.notice; }
    bool too_far(int64_t t) const {
        return service.max_advance_days && provider.local_day(t) > provider.local_day(c.now) + *service.max_advance_days;
    }
    bool taken(int64_t t) const {
        for (const auto& b : c.busy)
            if (b.start < t + duration + service.after && t - service.before < b.end) return true;
        return false;
    }
    const Schedule& schedule() const {
        for (const auto& s : c.schedules)
            if (s.name == service.schedule_name()) return s;
        FAIL("generator bug: service names a missing schedule");
        throw;
    }

    Reference reference() const {
        Reference r;
        // Viewer dates and provider dates differ by less than two days.
        for (int64_t date = c.from - 3; date <= c.to + 3; ++date) {
            const auto clocks = windows_of(schedule(), date);
            if (clocks.empty()) continue;
            const DayClock day = walk_day(provider, date);
            for (const auto& w : clocks) {
                for (const int64_t m : {w.start, w.end - 1}) {
                    const auto k = static_cast<std::size_t>(m);
                    r.edges_in_gap_or_overlap += day.first[k] != day.last[k];  // never (max > min) or twice
                }
                if (auto i = instants_of(day, w)) r.windows.push_back(*i);
            }
        }
        if (!active()) return r;
        for (const auto& w : r.windows)
            for (int64_t t = w.w0; t + duration <= w.w1; t += step)
                if (!too_soon(t) && !too_far(t) && !taken(t)) r.starts.insert(t);
        return r;
    }

    // engine.md's validation table, first code that applies.
    std::string expected_code(const Reference& r, int64_t t) const {
        if (!c.provider_active.value_or(true)) return "PROVIDER_INACTIVE";
        if (!service.is_active()) return "SERVICE_INACTIVE";
        if (too_soon(t)) return "TOO_SOON";
        if (too_far(t)) return "TOO_FAR";
        bool inside = false, on_grid = false;
        for (const auto& w : r.windows) {
            if (t < w.w0 || w.w1 < t + duration) continue;
            inside = true;
            if ((t - w.w0) % step == 0) on_grid = true;
        }
        if (!inside) return "OUTSIDE_AVAILABILITY";
        if (!on_grid) return "OFF_GRID";
        if (taken(t)) return "SLOT_TAKEN";
        return "OK";
    }
};

std::string slot_line(const std::string& start, const std::string& end, const std::string& date, const std::string& local_start,
                      const std::string& local_end, const std::string& offset) {
    return start + " " + end + " " + date + " " + local_start + "-" + local_end + " " + offset;
}

std::string verdict_code(const std::string& answer) {
    if (answer == R"({"ok":true})") return "OK";
    const std::string prefix = R"({"ok":false,"code":")";
    if (answer.rfind(prefix, 0) == 0 && answer.size() > prefix.size() + 2 && answer.substr(answer.size() - 2) == "\"}")
        return answer.substr(prefix.size(), answer.size() - prefix.size() - 2);
    return "unexpected answer " + answer;
}

struct Findings {
    std::vector<std::string> problems;
    void add(std::string p) { problems.push_back(std::move(p)); }
};

// Runs one case through the engine and the reference; returns what disagrees.
struct Tally {
    std::size_t validations = 0, slots = 0, cases_with_slots = 0, cases_with_dst_edges = 0;
};

Findings check_case(const Case& c, Tally& tally) {
    Findings f;
    const std::string snapshot = snapshot_text(c), query = query_text(c);
    const slotwise::Engine engine(snapshot);
    if (!engine.ok()) {
        f.add("snapshot rejected: " + engine.snapshot_error().json);
        return f;
    }
    const slotwise::Answer answer = engine.slots(query);
    if (answer.is_error) {
        f.add("query rejected: " + answer.json);
        return f;
    }
    // cli.md: a batch line answers exactly what the single command prints.
    if (c.busy.size() % 4 == 1) {
        const std::string line = R"({"op":"slots","snapshot":)" + snapshot + R"(,"query":)" + query + "}";
        const slotwise::Answer batch = slotwise::run_line(line);
        if (batch.json != answer.json || batch.is_error != answer.is_error)
            f.add("run_line answered differently from Engine::slots: " + batch.json.substr(0, 300));
    }

    const Rules rules(c);
    const Zone viewer = zone(c.viewer_zone);
    const Reference ref = rules.reference();
    tally.cases_with_dst_edges += ref.edges_in_gap_or_overlap > 0;

    // (c) the same slots, field by field, and the same text.
    std::vector<std::string> expected_lines;
    std::string expected_json = R"({"time_zone":)" + json(c.viewer_zone).dump() + R"(,"slots":[)";
    bool first = true;
    for (const int64_t t : ref.starts) {
        const int64_t wall = viewer.wall(t), date = floor_div(wall, day_minutes);
        if (date < c.from || date > c.to) continue;
        const int64_t end = t + rules.duration;
        const std::string fields[] = {instant_text(t),
                                      instant_text(end),
                                      date_text(date),
                                      clock_text(floor_mod(wall, day_minutes)),
                                      clock_text(floor_mod(viewer.wall(end), day_minutes)),
                                      offset_text(viewer.offset(t))};
        expected_lines.push_back(slot_line(fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]));
        expected_json += std::string(first ? "" : ",") + R"({"start":")" + fields[0] + R"(","end":")" + fields[1] +
                         R"(","local_date":")" + fields[2] + R"(","local_start":")" + fields[3] + R"(","local_end":")" +
                         fields[4] + R"(","utc_offset":")" + fields[5] + R"("})";
        first = false;
    }
    expected_json += "]}";

    tally.slots += expected_lines.size();
    tally.cases_with_slots += !expected_lines.empty();
    std::vector<std::string> actual_lines;
    std::vector<int64_t> actual_starts;
    const json parsed = json::parse(answer.json, nullptr, false);
    if (parsed.is_discarded() || !parsed.contains("slots")) {
        f.add("slots answer is not the result JSON: " + answer.json.substr(0, 300));
        return f;
    }
    for (const auto& s : parsed["slots"]) {
        const auto text = [&](const char* key) { return s.contains(key) && s[key].is_string() ? s[key].get<std::string>() : "?"; };
        actual_lines.push_back(slot_line(text("start"), text("end"), text("local_date"), text("local_start"), text("local_end"), text("utc_offset")));
        // Recover the instant from its text through the reference's own calendar.
        const std::string start = text("start");
        int y, mo, d, h, mi;
        if (std::sscanf(start.c_str(), "%4d-%2d-%2dT%2d:%2d", &y, &mo, &d, &h, &mi) == 5)
            actual_starts.push_back(day_number(y, mo, d) * day_minutes + h * 60 + mi);
    }
    if (expected_lines != actual_lines) {
        std::ostringstream out;
        out << "(c) slot lists differ: reference " << expected_lines.size() << ", engine " << actual_lines.size() << " slots";
        const std::size_t n = std::max(expected_lines.size(), actual_lines.size());
        int shown = 0;
        for (std::size_t i = 0; i < n && shown < 6; ++i) {
            const std::string e = i < expected_lines.size() ? expected_lines[i] : "(none)";
            const std::string a = i < actual_lines.size() ? actual_lines[i] : "(none)";
            if (e == a) continue;
            out << "\n    #" << i << " reference: " << e << "\n    #" << i << " engine:    " << a;
            ++shown;
        }
        f.add(out.str());
    } else if (expected_json != answer.json) {
        f.add("(c) same slots but different JSON text:\n    reference: " + expected_json.substr(0, 400) +
              "\n    engine:    " + answer.json.substr(0, 400));
    }

    const Service& service = c.queried();
    auto verdict = [&](const std::string& id, std::optional<int64_t> duration, int64_t t) {
        ++tally.validations;
        return verdict_code(engine.validate(request_text(id, duration, t, c.now)).json);
    };
    auto check_verdict = [&](int64_t t, const std::string& expected, const char* what) {
        const std::string got = verdict(service.id, c.duration, t);
        if (got != expected) f.add(std::string(what) + ": validate " + instant_text(t) + " gave " + got + ", expected " + expected);
        return got == expected;
    };

    // (a) every listed slot validates ok, and the minute after it gets the reference's code.
    const std::set<int64_t> listed(actual_starts.begin(), actual_starts.end());
    int reported = 0;
    for (const int64_t t : actual_starts) {
        if (!check_verdict(t, "OK", "(a) listed slot") && ++reported > 5) break;
        if (!listed.count(t + 1) && !check_verdict(t + 1, rules.expected_code(ref, t + 1), "(a) minute after a slot") && ++reported > 5) break;
    }

    // (b) the 5-minute lattice over the queried dates (in the viewer's zone).
    for (int64_t t = c.from * day_minutes - 15 * 60; t < (c.to + 1) * day_minutes + 15 * 60 && reported <= 5; t += 5) {
        const int64_t date = viewer.local_day(t);
        if (date < c.from || date > c.to || listed.count(t)) continue;
        const std::string expected = rules.expected_code(ref, t);
        if (expected == "OK") {
            f.add("(b) " + instant_text(t) + " is bookable by the reference's rules but not listed");
            ++reported;
            continue;
        }
        if (!check_verdict(t, expected, "(b) lattice instant")) ++reported;
    }

    // Minutes at the edges of every window, which need not lie on the lattice.
    for (const auto& w : ref.windows) {
        for (const int64_t t : {w.w0 - 1, w.w0, w.w0 + 1, w.w1 - rules.duration - 1, w.w1 - rules.duration, w.w1 - rules.duration + 1}) {
            const int64_t date = viewer.local_day(t);
            if (date < c.from || date > c.to || reported > 5) continue;
            const std::string expected = listed.count(t) ? "OK" : rules.expected_code(ref, t);
            if (expected == "OK" && !listed.count(t)) {
                f.add("(b) " + instant_text(t) + " at a window's edge is bookable by the reference's rules but not listed");
                ++reported;
            } else if (!check_verdict(t, expected, "(b) window edge")) {
                ++reported;
            }
        }
    }

    // The first rows of the validation table, which come before any time rule.
    const int64_t some_start = c.now + day_minutes;
    if (const std::string got = verdict("nope", c.duration, some_start); got != "UNKNOWN_SERVICE")
        f.add("service \"nope\" gave " + got + ", expected UNKNOWN_SERVICE");
    int64_t not_offered = 7;
    while (std::find(service.durations.begin(), service.durations.end(), not_offered) != service.durations.end()) ++not_offered;
    const std::string expected = !c.provider_active.value_or(true) ? "PROVIDER_INACTIVE"
                                 : !service.is_active()            ? "SERVICE_INACTIVE"
                                                                   : "INVALID_DURATION";
    if (const std::string got = verdict(service.id, not_offered, some_start); got != expected)
        f.add("duration " + std::to_string(not_offered) + " gave " + got + ", expected " + expected);
    return f;
}

struct Settings {
    std::uint64_t seed = 20261121;
    std::size_t cases = 5000;
    std::optional<std::size_t> only;
};

Settings settings() {
    Settings s;
    if (const char* v = std::getenv("SLOTWISE_PROPERTY_SEED")) s.seed = std::strtoull(v, nullptr, 10);
    if (const char* v = std::getenv("SLOTWISE_PROPERTY_CASES")) s.cases = std::strtoull(v, nullptr, 10);
    if (const char* v = std::getenv("SLOTWISE_PROPERTY_CASE")) s.only = std::strtoull(v, nullptr, 10);
    return s;
}

}  // namespace

TEST_CASE("random snapshots: listed slots validate, other instants get the right code, a brute-force reference agrees",
          "[property]") {
    const Settings s = settings();
    const auto started = std::chrono::steady_clock::now();
    std::size_t failed = 0, dst_days = 0;
    Tally tally;
    std::ostringstream details;
    for (std::size_t i = s.only.value_or(0); i < (s.only ? *s.only + 1 : s.cases); ++i) {
        Rng rng{s.seed * 1000003u + i};
        const Case c = draw_case(rng);
        Findings f = check_case(c, tally);
        const Zone provider = zone(c.provider_zone);
        if (provider.offset(c.from * day_minutes) != provider.offset((c.to + 1) * day_minutes)) ++dst_days;
        if (f.problems.empty()) continue;
        if (++failed > 3) continue;
        details << "\n=== case " << i << " (rerun: SLOTWISE_PROPERTY_SEED=" << s.seed << " SLOTWISE_PROPERTY_CASE=" << i
                << ")\nsnapshot: " << snapshot_text(c) << "\nquery: " << query_text(c) << "\n";
        for (std::size_t k = 0; k < f.problems.size() && k < 8; ++k) details << "  " << f.problems[k] << "\n";
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("property tests: %zu cases (seed %llu), %zu across a provider offset change, %zu with slots, "
                "%zu with a window edge in a gap or overlap, %zu slots, %zu validations, %.1f s\n",
                s.only ? std::size_t{1} : s.cases, static_cast<unsigned long long>(s.seed), dst_days,
                tally.cases_with_slots, tally.cases_with_dst_edges, tally.slots, tally.validations, seconds);
    // Printed unwrapped, so a failing snapshot can be copied as it is.
    if (failed) std::fprintf(stderr, "%zu failing cases; the first ones:%s", failed, details.str().c_str());
    INFO("failing cases: " << failed << " (details on stderr)");
    CHECK(failed == 0);
}

TEST_CASE("the reference's calendar agrees with known dates", "[property]") {
    CHECK(day_number(1970, 1, 1) == 0);
    CHECK(day_number(2026, 3, 29) == 20541);
    CHECK(date_text(20541) == "2026-03-29");
    CHECK(weekday(day_number(2026, 3, 29)) == 0);  // a Sunday
    CHECK(date_text(day_number(2028, 2, 29)) == "2028-02-29");
    CHECK(instant_text(day_number(2026, 11, 1) * day_minutes + 5 * 60 + 30) == "2026-11-01T05:30:00Z");
    CHECK(offset_text(-(3 * 60 + 30)) == "-03:30");
    CHECK(offset_text(12 * 60 + 45) == "+12:45");
    CHECK(offset_text(0) == "+00:00");
}

TEST_CASE("the reference maps New York's fall-back windows as engine.md's example does", "[property]") {
    // engine.md: on New York's fall-back day 01:00-01:30 is 05:00Z-06:30Z and 00:00-01:00 is 04:00Z-05:00Z.
    const Zone ny = zone("America/New_York");
    const int64_t day = day_number(2026, 11, 1);
    const DayClock c = walk_day(ny, day);
    const auto a = instants_of(c, {60, 90});
    const auto b = instants_of(c, {0, 60});
    REQUIRE(a);
    REQUIRE(b);
    CHECK(instant_text(a->w0) == "2026-11-01T05:00:00Z");
    CHECK(instant_text(a->w1) == "2026-11-01T06:30:00Z");
    CHECK(instant_text(b->w0) == "2026-11-01T04:00:00Z");
    CHECK(instant_text(b->w1) == "2026-11-01T05:00:00Z");
    // Spring forward: 02:00-03:00 never occurs; 02:30-04:00 starts at the jump.
    const DayClock spring = walk_day(ny, day_number(2026, 3, 8));
    CHECK_FALSE(instants_of(spring, {120, 180}));
    const auto jump = instants_of(spring, {150, 240});
    REQUIRE(jump);
    CHECK(instant_text(jump->w0) == "2026-03-08T07:00:00Z");
    CHECK(instant_text(jump->w1) == "2026-03-08T08:00:00Z");
}
