#include "slotwise/availability.h"

#include <algorithm>

namespace slotwise {
namespace {

std::size_t weekday_index(LocalDate date) { return date::weekday{date}.c_encoding(); }

void append_all(std::vector<ClockWindow>& to, const std::vector<ClockWindow>& from) {
    to.insert(to.end(), from.begin(), from.end());
}

// Removes [cut.start, cut.end) from every window, splitting where needed.
std::vector<ClockWindow> subtract(const std::vector<ClockWindow>& windows, ClockWindow cut) {
    std::vector<ClockWindow> out;
    for (const auto& w : windows) {
        if (cut.end <= w.start || w.end <= cut.start) {
            out.push_back(w);
            continue;
        }
        if (w.start < cut.start) out.push_back({w.start, cut.start});
        if (cut.end < w.end) out.push_back({cut.end, w.end});
    }
    return out;
}

Instant start_of(const TimeZone& zone, LocalTime local) { return zone.resolve(local).earliest; }

bool overlaps_busy(const std::vector<Interval>& busy, std::vector<Interval>::const_iterator& cursor, Instant from,
                   Instant to) {
    // `cursor` only moves forward: callers ask about ascending `from`.
    while (cursor != busy.end() && cursor->end <= from) ++cursor;
    return cursor != busy.end() && cursor->start < to;
}

// The provider-local date limit of max_advance_days, if any.
std::optional<LocalDate> last_bookable_date(const Snapshot& snapshot, const Service& service, Instant now) {
    if (!service.max_advance_days) return std::nullopt;
    return snapshot.zone->local_date(now) + Days{*service.max_advance_days};
}

}  // namespace

std::vector<ClockWindow> windows_on(const Schedule& schedule, LocalDate date) {
    const DayOverrides* day = schedule.overrides_on(date);
    std::vector<ClockWindow> windows;
    if (day && day->replaces_weekly) append_all(windows, day->replacement);
    else append_all(windows, schedule.weekly[weekday_index(date)]);
    if (day) {
        append_all(windows, day->added);
        if (day->blocks_whole_day) return {};
        for (const auto& cut : day->blocked) windows = subtract(windows, cut);
    }
    std::sort(windows.begin(), windows.end(), [](const ClockWindow& a, const ClockWindow& b) { return a.start < b.start; });
    std::vector<ClockWindow> merged;
    for (const auto& w : windows) {
        if (!merged.empty() && w.start <= merged.back().end) merged.back().end = std::max(merged.back().end, w.end);
        else merged.push_back(w);
    }
    return merged;
}

std::optional<Interval> to_instants(const TimeZone& zone, LocalDate date, ClockWindow window) noexcept {
    const Instant first = start_of(zone, at(date, window.start));
    // The last minute inside the window; past its later occurrence, or the jump
    // when the clocks skip it.
    const LocalResolution last = zone.resolve(at(date, window.end) - Minutes{1});
    const Instant end = last.kind == LocalResolution::Kind::skipped ? last.earliest : last.latest + Minutes{1};
    if (!(first < end)) return std::nullopt;
    return Interval{first, end};
}

std::vector<Instant> slot_starts(const Snapshot& snapshot, const Service& service, int duration, Interval range,
                                 Instant now) {
    std::vector<Instant> starts;
    if (!snapshot.provider_active || !service.active || !(range.start < range.end)) return starts;
    const TimeZone& zone = *snapshot.zone;
    const Schedule& schedule = snapshot.schedules[service.schedule];
    const Minutes d{duration}, before{service.buffer_before}, after{service.buffer_after};
    const Minutes step{service.step_for(duration)};
    const Instant earliest = std::max(range.start, now + Minutes{service.min_notice});
    const auto last_date = last_bookable_date(snapshot, service, now);

    // A window of date D holds only instants whose provider-local date is D
    // (or, across a backward jump at midnight, the day around it): one day of
    // margin on each side covers every slot that can start in `range`.
    const LocalDate first_day = zone.local_date(range.start) - Days{1};
    const LocalDate last_day = zone.local_date(range.end - Minutes{1}) + Days{1};
    for (LocalDate day = first_day; day <= last_day; day += Days{1}) {
        for (const ClockWindow& window : windows_on(schedule, day)) {
            const auto instants = to_instants(zone, day, window);
            if (!instants) continue;
            // Skip the part of the grid before `earliest` arithmetically.
            Instant t = instants->start;
            if (t < earliest) t += ((earliest - t + step - Minutes{1}) / step) * step;
            auto cursor = std::partition_point(snapshot.busy.begin(), snapshot.busy.end(),
                                               [&](const Interval& b) { return b.end <= t - before; });
            for (; t + d <= instants->end && t < range.end; t += step) {
                // `continue`, not `break`: a clock that goes back across midnight
                // can return a later start to an earlier local date.
                if (last_date && zone.local_date(t) > *last_date) continue;
                if (overlaps_busy(snapshot.busy, cursor, t - before, t + d + after)) continue;
                starts.push_back(t);
            }
        }
    }
    // Windows that overlap as instants (a repeated hour) can interleave or repeat starts.
    if (!std::is_sorted(starts.begin(), starts.end())) std::sort(starts.begin(), starts.end());
    starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
    return starts;
}

std::string_view to_string(Verdict verdict) noexcept {
    switch (verdict) {
        case Verdict::ok: return "OK";
        case Verdict::unknown_service: return "UNKNOWN_SERVICE";
        case Verdict::provider_inactive: return "PROVIDER_INACTIVE";
        case Verdict::service_inactive: return "SERVICE_INACTIVE";
        case Verdict::invalid_duration: return "INVALID_DURATION";
        case Verdict::too_soon: return "TOO_SOON";
        case Verdict::too_far: return "TOO_FAR";
        case Verdict::outside_availability: return "OUTSIDE_AVAILABILITY";
        case Verdict::off_grid: return "OFF_GRID";
        case Verdict::slot_taken: return "SLOT_TAKEN";
    }
    return "OK";
}

Verdict validate_booking(const Snapshot& snapshot, std::string_view service_id, std::optional<std::int64_t> duration,
                         Instant start, Instant now) {
    const Service* service = snapshot.find_service(service_id);
    if (!service) return Verdict::unknown_service;
    if (!snapshot.provider_active) return Verdict::provider_inactive;
    if (!service->active) return Verdict::service_inactive;
    if (duration && !service->offers(*duration)) return Verdict::invalid_duration;
    const int minutes = duration ? static_cast<int>(*duration) : service->durations.front();
    const Minutes d{minutes};
    if (start < now + Minutes{service->min_notice}) return Verdict::too_soon;
    const auto last_date = last_bookable_date(snapshot, *service, now);
    const TimeZone& zone = *snapshot.zone;
    if (last_date && zone.local_date(start) > *last_date) return Verdict::too_far;

    const Schedule& schedule = snapshot.schedules[service->schedule];
    const Minutes step{service->step_for(minutes)};
    bool inside = false, on_grid = false;
    const LocalDate day = zone.local_date(start);
    for (LocalDate date = day - Days{1}; date <= day + Days{1} && !on_grid; date += Days{1}) {
        for (const ClockWindow& window : windows_on(schedule, date)) {
            const auto instants = to_instants(zone, date, window);
            if (!instants || start < instants->start || instants->end < start + d) continue;
            inside = true;
            if ((start - instants->start) % step == Minutes{0}) on_grid = true;
        }
    }
    if (!inside) return Verdict::outside_availability;
    if (!on_grid) return Verdict::off_grid;
    auto cursor = std::partition_point(snapshot.busy.begin(), snapshot.busy.end(),
                                  [&](const Interval& b) { return b.end <= start - Minutes{service->buffer_before}; });
    if (overlaps_busy(snapshot.busy, cursor, start - Minutes{service->buffer_before},
                      start + d + Minutes{service->buffer_after}))
        return Verdict::slot_taken;
    return Verdict::ok;
}

}  // namespace slotwise
