#include "slotwise/zone.h"

#include "zone_data.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>

namespace slotwise {

TimeZone::TimeZone(std::string name, Minutes initial_offset, std::vector<Transition> transitions)
    : name_(std::move(name)), initial_offset_(initial_offset), transitions_(std::move(transitions)) {}

TimeZone::Span TimeZone::span_at(Instant t) const noexcept {
    const auto after = std::upper_bound(transitions_.begin(), transitions_.end(), t,
                                        [](Instant x, const Transition& tr) { return x < tr.at; });
    const Instant end = after == transitions_.end() ? Instant::max() : after->at;
    if (after == transitions_.begin()) return {Instant::min(), end, initial_offset_};
    return {std::prev(after)->at, end, std::prev(after)->offset_after};
}

LocalResolution TimeZone::resolve(LocalTime local) const noexcept {
    // Offsets lie within -12h..+14h, so every instant whose wall time is
    // `local` lies in [local - 15h, local + 13h] read as UTC. Walk the spans
    // of constant offset that intersect it; each yields at most one solution.
    const Instant naive{local.time_since_epoch()};
    const Instant lo = naive - Minutes{15 * 60};
    const Instant hi = naive + Minutes{15 * 60};
    auto it = std::upper_bound(transitions_.begin(), transitions_.end(), lo,
                               [](Instant x, const Transition& tr) { return x < tr.at; });
    Minutes offset = it == transitions_.begin() ? initial_offset_ : std::prev(it)->offset_after;

    std::optional<Instant> first, last, jump;
    while (true) {
        const bool has_end = it != transitions_.end() && it->at <= hi;
        const Instant span_end = has_end ? it->at : Instant::max();
        const Instant candidate = naive - offset;
        const Instant span_start = it == transitions_.begin() ? Instant::min() : std::prev(it)->at;
        if (candidate >= span_start && candidate < span_end && candidate >= lo && candidate <= hi) {
            if (!first) first = candidate;
            last = candidate;
        }
        if (!has_end) break;
        // The wall clock jumps over [at + offset, at + offset_after) here.
        if (!jump && it->offset_after > offset && naive >= it->at + offset && naive < it->at + it->offset_after)
            jump = it->at;
        offset = it->offset_after;
        ++it;
    }
    if (first) {
        return {*first == *last ? LocalResolution::Kind::unique : LocalResolution::Kind::repeated, *first, *last};
    }
    const Instant at = jump ? *jump : naive - offset;  // no jump found cannot happen with consistent data
    return {LocalResolution::Kind::skipped, at, at};
}

namespace {

std::uint32_t read_u32(const unsigned char* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

std::int64_t read_i64(const unsigned char* p) {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
    return static_cast<std::int64_t>(v);
}

Minutes whole_minutes(std::int64_t seconds) {
    return std::chrono::floor<Minutes>(std::chrono::seconds{seconds});
}

// Reads the version 2+ data block of a TZif file (RFC 8536). The embedded
// files are produced by our own build, so a malformed one is a build defect;
// it yields a zone stuck at UTC rather than undefined behaviour.
TimeZone parse_tzif(std::string name, const unsigned char* data, std::size_t size) {
    auto utc = [&] { return TimeZone(name, Minutes{0}, {}); };
    constexpr std::size_t header = 44;
    auto counts_ok = [&](std::size_t at) { return size >= at + header && data[at] == 'T' && data[at + 1] == 'Z'; };
    if (!counts_ok(0) || data[4] < '2') return utc();
    auto block_size = [&](std::size_t at, std::size_t time_size) {
        const std::size_t isut = read_u32(data + at + 20), isstd = read_u32(data + at + 24),
                          leap = read_u32(data + at + 28), timecnt = read_u32(data + at + 32),
                          typecnt = read_u32(data + at + 36), charcnt = read_u32(data + at + 40);
        return timecnt * (time_size + 1) + typecnt * 6 + charcnt + leap * (time_size + 4) + isstd + isut;
    };
    const std::size_t v2 = header + block_size(0, 4);
    if (!counts_ok(v2)) return utc();
    const std::size_t timecnt = read_u32(data + v2 + 32), typecnt = read_u32(data + v2 + 36);
    if (typecnt == 0 || size < v2 + header + block_size(v2, 8)) return utc();
    const unsigned char* times = data + v2 + header;
    const unsigned char* indices = times + timecnt * 8;
    const unsigned char* types = indices + timecnt;
    auto offset_of = [&](std::size_t type) {
        return whole_minutes(static_cast<std::int32_t>(read_u32(types + 6 * std::min(type, typecnt - 1))));
    };

    std::vector<TimeZone::Transition> transitions;
    transitions.reserve(timecnt);
    for (std::size_t i = 0; i < timecnt; ++i) {
        const Instant at{whole_minutes(read_i64(times + 8 * i))};
        const Minutes offset = offset_of(indices[i]);
        const Minutes before = transitions.empty() ? offset_of(0) : transitions.back().offset_after;
        if (offset == before) continue;  // abbreviation-only changes do not move the clock
        transitions.push_back({at, offset});
    }
    return TimeZone(std::move(name), offset_of(0), std::move(transitions));
}

struct Database {
    std::vector<std::unique_ptr<TimeZone>> zones;
    std::unordered_map<std::string_view, const TimeZone*> by_name;
    std::vector<std::string> names;

    Database() {
        zones.reserve(zone_data::zone_count);
        for (unsigned i = 0; i < zone_data::zone_count; ++i) {
            const auto& z = zone_data::zones[i];
            zones.push_back(std::make_unique<TimeZone>(parse_tzif(z.name, z.tzif, z.size)));
            by_name.emplace(zones.back()->name(), zones.back().get());
            names.emplace_back(z.name);
        }
        for (unsigned i = 0; i < zone_data::link_count; ++i) {
            const auto& link = zone_data::links[i];
            const auto target = by_name.find(link.target);
            if (target == by_name.end() || by_name.count(link.name)) continue;
            by_name.emplace(link.name, target->second);
            names.emplace_back(link.name);
        }
        std::sort(names.begin(), names.end());
    }
};

const Database& database() {
    static const Database db;  // built once, thread-safe initialisation
    return db;
}

}  // namespace

const TimeZone* find_zone(std::string_view name) noexcept {
    const auto& db = database();
    const auto it = db.by_name.find(name);
    return it == db.by_name.end() ? nullptr : it->second;
}

const std::vector<std::string>& zone_names() noexcept { return database().names; }

std::string_view tz_version() noexcept { return zone_data::version; }

}  // namespace slotwise
