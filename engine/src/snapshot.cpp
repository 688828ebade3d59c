#include "slotwise/snapshot.h"

#include "json_reader.h"

#include <algorithm>
#include <map>
#include <set>

namespace slotwise {

using json_reader::child_path;
using json_reader::json;
using json_reader::Reader;

const DayOverrides* Schedule::overrides_on(LocalDate date) const noexcept {
    const auto it = std::lower_bound(overrides.begin(), overrides.end(), date,
                                     [](const DayOverrides& o, LocalDate d) { return o.date < d; });
    return it != overrides.end() && it->date == date ? &*it : nullptr;
}

bool Service::offers(std::int64_t duration) const noexcept {
    return std::find(durations.begin(), durations.end(), duration) != durations.end();
}

const Service* Snapshot::find_service(std::string_view id) const noexcept {
    for (const auto& s : services)
        if (s.id == id) return &s;
    return nullptr;
}

namespace {

constexpr std::string_view weekday_names[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

// Reads {"start", "end"} of a window, with end after start.
std::optional<ClockWindow> read_window(Reader& r, const json::object_t& object, const std::string& path) {
    const json* start = r.member(object, "start", path, true);
    const json* end = r.member(object, "end", path, true);
    if (!start || !end) return std::nullopt;
    const auto s = r.clock_time(*start, child_path(path, "start"), false);
    const auto e = r.clock_time(*end, child_path(path, "end"), true);
    if (!s || !e) return std::nullopt;
    if (!(*s < *e)) {
        r.fail(child_path(path, "end"), "a window's end must be after its start");
        return std::nullopt;
    }
    return ClockWindow{*s, *e};
}

// An optional list member: absent means empty.
const json::array_t* optional_list(Reader& r, const json::object_t& object, std::string_view key,
                                   const std::string& path) {
    static const json::array_t empty;
    const json* value = r.member(object, key, path, false);
    if (r.failed()) return nullptr;
    return value ? r.array(*value, child_path(path, key)) : &empty;
}

std::optional<Schedule> read_schedule(Reader& r, const std::string& name, const json& value,
                                      const std::string& path) {
    const auto* object = r.object(value, path);
    if (!object) return std::nullopt;
    Schedule schedule;
    schedule.name = name;

    const std::string weekly_path = child_path(path, "weekly");
    const auto* weekly = optional_list(r, *object, "weekly", path);
    if (!weekly) return std::nullopt;
    for (std::size_t i = 0; i < weekly->size(); ++i) {
        const std::string item_path = child_path(weekly_path, i);
        const auto* item = r.object((*weekly)[i], item_path);
        if (!item) return std::nullopt;
        const json* day = r.member(*item, "day", item_path, true);
        const auto day_name = day ? r.string(*day, child_path(item_path, "day")) : std::nullopt;
        if (!day_name) return std::nullopt;
        const auto found = std::find(std::begin(weekday_names), std::end(weekday_names), *day_name);
        if (found == std::end(weekday_names)) {
            r.fail(child_path(item_path, "day"), "expected one of mon tue wed thu fri sat sun");
            return std::nullopt;
        }
        const auto window = read_window(r, *item, item_path);
        if (!window) return std::nullopt;
        schedule.weekly[static_cast<std::size_t>(found - std::begin(weekday_names))].push_back(*window);
    }

    const std::string overrides_path = child_path(path, "overrides");
    const auto* overrides = optional_list(r, *object, "overrides", path);
    if (!overrides) return std::nullopt;
    std::map<LocalDate, DayOverrides> by_date;
    for (std::size_t i = 0; i < overrides->size(); ++i) {
        const std::string item_path = child_path(overrides_path, i);
        const auto* item = r.object((*overrides)[i], item_path);
        if (!item) return std::nullopt;
        const json* date_value = r.member(*item, "date", item_path, true);
        const auto date = date_value ? r.date(*date_value, child_path(item_path, "date")) : std::nullopt;
        const json* kind_value = date ? r.member(*item, "kind", item_path, true) : nullptr;
        const auto kind = kind_value ? r.string(*kind_value, child_path(item_path, "kind")) : std::nullopt;
        if (!kind) return std::nullopt;
        DayOverrides& day = by_date[*date];
        day.date = *date;
        if (*kind == "block") {
            const bool has_start = item->count("start") > 0, has_end = item->count("end") > 0;
            if (!has_start && !has_end) {
                day.blocks_whole_day = true;
                continue;
            }
            const auto window = read_window(r, *item, item_path);  // a block with times needs both
            if (!window) return std::nullopt;
            day.blocked.push_back(*window);
        } else if (*kind == "add") {
            const auto window = read_window(r, *item, item_path);
            if (!window) return std::nullopt;
            day.added.push_back(*window);
        } else if (*kind == "replace") {
            const json* windows_value = r.member(*item, "windows", item_path, true);
            const std::string windows_path = child_path(item_path, "windows");
            const auto* windows = windows_value ? r.array(*windows_value, windows_path) : nullptr;
            if (!windows) return std::nullopt;
            day.replaces_weekly = true;
            for (std::size_t k = 0; k < windows->size(); ++k) {
                const std::string window_path = child_path(windows_path, k);
                const auto* w = r.object((*windows)[k], window_path);
                const auto window = w ? read_window(r, *w, window_path) : std::nullopt;
                if (!window) return std::nullopt;
                day.replacement.push_back(*window);
            }
        } else {
            r.fail(child_path(item_path, "kind"), "expected one of block add replace");
            return std::nullopt;
        }
    }
    for (auto& entry : by_date) schedule.overrides.push_back(std::move(entry.second));
    return schedule;
}

// Reads an optional integer member: `fallback` when absent; null allowed only when `nullable`.
std::optional<std::optional<std::int64_t>> read_optional_integer(Reader& r, const json::object_t& object,
                                                                 std::string_view key, const std::string& path,
                                                                 std::int64_t min, std::int64_t max,
                                                                 std::optional<std::int64_t> fallback,
                                                                 bool nullable) {
    const json* value = r.member(object, key, path, false);
    if (r.failed()) return std::nullopt;
    if (!value || (nullable && value->is_null())) return fallback;
    const auto v = r.integer(*value, child_path(path, key), min, max);
    if (!v) return std::nullopt;
    return std::optional<std::int64_t>{*v};
}

std::optional<Service> read_service(Reader& r, const json& value, const std::string& path,
                                    const std::vector<Schedule>& schedules) {
    const auto* object = r.object(value, path);
    if (!object) return std::nullopt;
    Service service;

    const json* id = r.member(*object, "id", path, true);
    const auto id_text = id ? r.string(*id, child_path(path, "id")) : std::nullopt;
    if (!id_text) return std::nullopt;
    service.id = *id_text;

    const json* schedule = r.member(*object, "schedule", path, false);
    std::string schedule_name = "default";
    if (schedule) {
        const auto name = r.string(*schedule, child_path(path, "schedule"));
        if (!name) return std::nullopt;
        schedule_name = *name;
    }
    if (r.failed()) return std::nullopt;
    const auto named = std::find_if(schedules.begin(), schedules.end(),
                                    [&](const Schedule& s) { return s.name == schedule_name; });
    if (named == schedules.end()) {
        r.fail(child_path(path, "schedule"), "names no key of \"schedules\"");
        return std::nullopt;
    }
    service.schedule = static_cast<std::size_t>(named - schedules.begin());

    if (const json* active = r.member(*object, "active", path, false)) {
        const auto a = r.boolean(*active, child_path(path, "active"));
        if (!a) return std::nullopt;
        service.active = *a;
    }

    const json* durations_value = r.member(*object, "durations", path, true);
    const std::string durations_path = child_path(path, "durations");
    const auto* durations = durations_value ? r.array(*durations_value, durations_path) : nullptr;
    if (!durations) return std::nullopt;
    if (durations->empty() || durations->size() > 8) {
        r.fail(durations_path, "expected 1 to 8 durations");
        return std::nullopt;
    }
    for (std::size_t i = 0; i < durations->size(); ++i) {
        const auto d = r.integer((*durations)[i], child_path(durations_path, i), 5, 1440);
        if (!d) return std::nullopt;
        if (service.offers(*d)) {
            r.fail(child_path(durations_path, i), "durations must be distinct");
            return std::nullopt;
        }
        service.durations.push_back(static_cast<int>(*d));
    }

    const auto before = read_optional_integer(r, *object, "buffer_before_minutes", path, 0, 1440, 0, false);
    const auto after = read_optional_integer(r, *object, "buffer_after_minutes", path, 0, 1440, 0, false);
    const auto interval = read_optional_integer(r, *object, "slot_interval_minutes", path, 5, 1440, std::nullopt, true);
    const auto notice = read_optional_integer(r, *object, "min_notice_minutes", path, 0, 525600, 0, false);
    const auto advance = read_optional_integer(r, *object, "max_advance_days", path, 0, 3650, std::nullopt, true);
    if (r.failed()) return std::nullopt;
    service.buffer_before = static_cast<int>(**before);
    service.buffer_after = static_cast<int>(**after);
    if (*interval) service.slot_interval = static_cast<int>(**interval);
    service.min_notice = static_cast<int>(**notice);
    if (*advance) service.max_advance_days = static_cast<int>(**advance);
    return service;
}

}  // namespace

Result<Snapshot> parse_snapshot(const json& document) {
    Reader r(ErrorCode::invalid_snapshot);
    Snapshot snapshot;
    const std::string root;
    const auto* object = r.object(document, root);
    if (!object) return r.take_error();

    const json* provider_value = r.member(*object, "provider", root, true);
    const auto* provider = provider_value ? r.object(*provider_value, "/provider") : nullptr;
    if (!provider) return r.take_error();
    const json* id = r.member(*provider, "id", "/provider", true);
    const auto id_text = id ? r.string(*id, "/provider/id") : std::nullopt;
    const json* zone_value = id_text ? r.member(*provider, "time_zone", "/provider", true) : nullptr;
    const auto zone_name = zone_value ? r.string(*zone_value, "/provider/time_zone") : std::nullopt;
    if (!zone_name) return r.take_error();
    snapshot.provider_id = *id_text;
    snapshot.zone = find_zone(*zone_name);
    if (!snapshot.zone) {
        r.fail("/provider/time_zone", "unknown time zone", ErrorCode::unknown_time_zone);
        return r.take_error();
    }
    if (const json* active = r.member(*provider, "active", "/provider", false)) {
        const auto a = r.boolean(*active, "/provider/active");
        if (!a) return r.take_error();
        snapshot.provider_active = *a;
    }

    const json* schedules_value = r.member(*object, "schedules", root, true);
    const auto* schedules = schedules_value ? r.object(*schedules_value, "/schedules") : nullptr;
    if (!schedules) return r.take_error();
    for (const auto& [name, value] : *schedules) {
        auto schedule = read_schedule(r, name, value, child_path("/schedules", name));
        if (!schedule) return r.take_error();
        snapshot.schedules.push_back(std::move(*schedule));
    }

    const json* services_value = r.member(*object, "services", root, true);
    const auto* services = services_value ? r.array(*services_value, "/services") : nullptr;
    if (!services) return r.take_error();
    std::set<std::string> ids;
    for (std::size_t i = 0; i < services->size(); ++i) {
        const std::string path = child_path("/services", i);
        auto service = read_service(r, (*services)[i], path, snapshot.schedules);
        if (!service) return r.take_error();
        if (!ids.insert(service->id).second) {
            r.fail(child_path(path, "id"), "service ids must be unique");
            return r.take_error();
        }
        snapshot.services.push_back(std::move(*service));
    }

    const auto* busy = optional_list(r, *object, "busy", root);
    if (!busy) return r.take_error();
    std::vector<Interval> intervals;
    intervals.reserve(busy->size());
    for (std::size_t i = 0; i < busy->size(); ++i) {
        const std::string path = child_path("/busy", i);
        const auto* item = r.object((*busy)[i], path);
        const json* start = item ? r.member(*item, "start", path, true) : nullptr;
        const json* end = start ? r.member(*item, "end", path, true) : nullptr;
        const auto s = end ? r.instant(*start, child_path(path, "start")) : std::nullopt;
        const auto e = s ? r.instant(*end, child_path(path, "end")) : std::nullopt;
        if (!e) return r.take_error();
        if (!(*s < *e)) {
            r.fail(child_path(path, "end"), "a busy interval's end must be after its start");
            return r.take_error();
        }
        intervals.push_back({*s, *e});
    }
    set_busy(snapshot, std::move(intervals));
    return snapshot;
}

// Sorted and merged once, so that every query can sweep instead of scan.
void set_busy(Snapshot& snapshot, std::vector<Interval> busy) {
    std::sort(busy.begin(), busy.end(), [](const Interval& a, const Interval& b) { return a.start < b.start; });
    snapshot.busy.clear();
    for (const auto& interval : busy) {
        if (!snapshot.busy.empty() && interval.start <= snapshot.busy.back().end)
            snapshot.busy.back().end = std::max(snapshot.busy.back().end, interval.end);
        else
            snapshot.busy.push_back(interval);
    }
}

}  // namespace slotwise
