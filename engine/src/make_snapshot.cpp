#include "slotwise/snapshot_input.h"

#include "json_reader.h"

#include <algorithm>
#include <set>

namespace slotwise {

using json_reader::child_path;

std::optional<OverrideKind> parse_override_kind(std::string_view text) noexcept {
    if (text == "block") return OverrideKind::block;
    if (text == "add") return OverrideKind::add;
    if (text == "replace") return OverrideKind::replace;
    return std::nullopt;
}

namespace {

// The messages are those of the JSON reader (json_reader.cpp), so that both
// ways in give identical answers.
constexpr std::string_view start_format = "expected a time HH:MM from 00:00 to 23:59";
constexpr std::string_view end_format = "expected a time HH:MM from 00:00 to 24:00";

std::string range_message(IntegerRange range) {
    return "must be an integer from " + std::to_string(range.min) + " to " + std::to_string(range.max);
}

// Walks the input in the order of a snapshot document and keeps the first
// broken rule.
class Checker {
public:
    bool failed() const noexcept { return error_.has_value(); }
    Error take_error() { return std::move(*error_); }

    bool fail(std::string path, std::string message, ErrorCode code = ErrorCode::invalid_snapshot) {
        if (!error_) error_ = Error{code, std::move(message), std::move(path)};
        return false;
    }

    std::optional<ClockWindow> window(ClockTime start, ClockTime end, const std::string& path) {
        if (start.minutes < 0 || start.minutes > 1439) return fail_window(child_path(path, "start"), start_format);
        if (end.minutes < 0 || end.minutes > 1440) return fail_window(child_path(path, "end"), end_format);
        if (!(start < end)) return fail_window(child_path(path, "end"), "a window's end must be after its start");
        return ClockWindow{start, end};
    }

    // A window whose times are optional members: missing ones are reported as
    // the JSON reader reports a missing required key.
    std::optional<ClockWindow> window(std::optional<ClockTime> start, std::optional<ClockTime> end,
                                      const std::string& path) {
        if (!start) return fail_window(child_path(path, "start"), "missing required key \"start\"");
        if (!end) return fail_window(child_path(path, "end"), "missing required key \"end\"");
        return window(*start, *end, path);
    }

    bool integer(std::int64_t value, IntegerRange range, const std::string& path) {
        return range.contains(value) || fail(path, range_message(range));
    }

private:
    std::optional<ClockWindow> fail_window(std::string path, std::string_view message) {
        fail(std::move(path), std::string(message));
        return std::nullopt;
    }

    std::optional<Error> error_;
};

std::optional<Schedule> make_schedule(Checker& c, const std::string& name, const ScheduleInput& input,
                                      const std::string& path) {
    Schedule schedule;
    schedule.name = name;
    const std::string weekly_path = child_path(path, "weekly");
    for (std::size_t i = 0; i < input.weekly.size(); ++i) {
        const WeeklyWindowInput& item = input.weekly[i];
        const std::string item_path = child_path(weekly_path, i);
        if (!item.day.ok()) {
            c.fail(child_path(item_path, "day"), "expected one of mon tue wed thu fri sat sun");
            return std::nullopt;
        }
        const auto window = c.window(item.start, item.end, item_path);
        if (!window) return std::nullopt;
        schedule.weekly[item.day.c_encoding()].push_back(*window);
    }

    const std::string overrides_path = child_path(path, "overrides");
    std::map<LocalDate, DayOverrides> by_date;
    for (std::size_t i = 0; i < input.overrides.size(); ++i) {
        const OverrideInput& item = input.overrides[i];
        const std::string item_path = child_path(overrides_path, i);
        DayOverrides& day = by_date[item.date];
        day.date = item.date;
        switch (item.kind) {
            case OverrideKind::block: {
                if (!item.start && !item.end) {
                    day.blocks_whole_day = true;
                    break;
                }
                const auto window = c.window(item.start, item.end, item_path);  // a block with times needs both
                if (!window) return std::nullopt;
                day.blocked.push_back(*window);
                break;
            }
            case OverrideKind::add: {
                const auto window = c.window(item.start, item.end, item_path);
                if (!window) return std::nullopt;
                day.added.push_back(*window);
                break;
            }
            case OverrideKind::replace: {
                day.replaces_weekly = true;
                const std::string windows_path = child_path(item_path, "windows");
                for (std::size_t k = 0; k < item.windows.size(); ++k) {
                    const auto window = c.window(item.windows[k].start, item.windows[k].end, child_path(windows_path, k));
                    if (!window) return std::nullopt;
                    day.replacement.push_back(*window);
                }
                break;
            }
            default:
                c.fail(child_path(item_path, "kind"), "expected one of block add replace");
                return std::nullopt;
        }
    }
    for (auto& entry : by_date) schedule.overrides.push_back(std::move(entry.second));
    return schedule;
}

std::optional<Service> make_service(Checker& c, const ServiceInput& input, const std::string& path,
                                    const std::vector<Schedule>& schedules) {
    Service service;
    service.id = input.id;
    const auto named = std::find_if(schedules.begin(), schedules.end(),
                                    [&](const Schedule& s) { return s.name == input.schedule; });
    if (named == schedules.end()) {
        c.fail(child_path(path, "schedule"), "names no key of \"schedules\"");
        return std::nullopt;
    }
    service.schedule = static_cast<std::size_t>(named - schedules.begin());
    service.active = input.active;

    const std::string durations_path = child_path(path, "durations");
    if (input.durations.empty() || input.durations.size() > max_durations) {
        c.fail(durations_path, "expected 1 to 8 durations");
        return std::nullopt;
    }
    for (std::size_t i = 0; i < input.durations.size(); ++i) {
        const std::int64_t d = input.durations[i];
        if (!c.integer(d, duration_range, child_path(durations_path, i))) return std::nullopt;
        if (service.offers(d)) {
            c.fail(child_path(durations_path, i), "durations must be distinct");
            return std::nullopt;
        }
        service.durations.push_back(static_cast<int>(d));
    }

    if (!c.integer(input.buffer_before_minutes, buffer_range, child_path(path, "buffer_before_minutes")) ||
        !c.integer(input.buffer_after_minutes, buffer_range, child_path(path, "buffer_after_minutes")) ||
        (input.slot_interval_minutes &&
         !c.integer(*input.slot_interval_minutes, slot_interval_range, child_path(path, "slot_interval_minutes"))) ||
        !c.integer(input.min_notice_minutes, min_notice_range, child_path(path, "min_notice_minutes")) ||
        (input.max_advance_days &&
         !c.integer(*input.max_advance_days, max_advance_days_range, child_path(path, "max_advance_days"))))
        return std::nullopt;
    service.buffer_before = static_cast<int>(input.buffer_before_minutes);
    service.buffer_after = static_cast<int>(input.buffer_after_minutes);
    if (input.slot_interval_minutes) service.slot_interval = static_cast<int>(*input.slot_interval_minutes);
    service.min_notice = static_cast<int>(input.min_notice_minutes);
    if (input.max_advance_days) service.max_advance_days = static_cast<int>(*input.max_advance_days);
    return service;
}

Result<Snapshot> make(const SnapshotInput& input, std::vector<Interval> busy) {
    Checker c;
    Snapshot snapshot;
    snapshot.provider_id = input.provider.id;
    snapshot.zone = find_zone(input.provider.time_zone);
    if (!snapshot.zone) {
        c.fail("/provider/time_zone", "unknown time zone", ErrorCode::unknown_time_zone);
        return c.take_error();
    }
    snapshot.provider_active = input.provider.active;

    snapshot.schedules.reserve(input.schedules.size());
    for (const auto& [name, schedule_input] : input.schedules) {
        auto schedule = make_schedule(c, name, schedule_input, child_path("/schedules", name));
        if (!schedule) return c.take_error();
        snapshot.schedules.push_back(std::move(*schedule));
    }

    std::set<std::string_view> ids;
    snapshot.services.reserve(input.services.size());
    for (std::size_t i = 0; i < input.services.size(); ++i) {
        const std::string path = child_path("/services", i);
        auto service = make_service(c, input.services[i], path, snapshot.schedules);
        if (!service) return c.take_error();
        if (!ids.insert(input.services[i].id).second) {
            c.fail(child_path(path, "id"), "service ids must be unique");
            return c.take_error();
        }
        snapshot.services.push_back(std::move(*service));
    }

    for (std::size_t i = 0; i < busy.size(); ++i) {
        if (!(busy[i].start < busy[i].end)) {
            c.fail(child_path(child_path("/busy", i), "end"), "a busy interval's end must be after its start");
            return c.take_error();
        }
    }
    set_busy(snapshot, std::move(busy));
    return Result<Snapshot>(std::move(snapshot));  // spelled out: not every compiler moves into a converting constructor
}

}  // namespace

Result<Snapshot> make_snapshot(const SnapshotInput& input) { return make(input, input.busy); }

Result<Snapshot> make_snapshot(SnapshotInput&& input) {
    std::vector<Interval> busy = std::move(input.busy);
    return make(input, std::move(busy));
}

}  // namespace slotwise
