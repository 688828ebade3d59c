// A snapshot document read into SnapshotInput: only what JSON itself can get
// wrong (a missing key, a wrong type, text that is not a date, time, instant,
// weekday or kind) is found here; every other rule is make_snapshot's.
#include "slotwise/snapshot.h"
#include "slotwise/snapshot_input.h"

#include "json_reader.h"

namespace slotwise {

using json_reader::child_path;
using json_reader::json;
using json_reader::Reader;

namespace {

const json::array_t* optional_list(Reader& r, const json::object_t& object, std::string_view key,
                                   const std::string& path) {
    static const json::array_t empty;
    const json* value = r.member(object, key, path, false);
    if (r.failed()) return nullptr;
    return value ? r.array(*value, child_path(path, key)) : &empty;
}

// "24:00" is read as a start too, so that make_snapshot gives its error.
std::optional<ClockTime> read_clock(Reader& r, const json& value, const std::string& path, bool is_end) {
    const auto text = r.string(value, path);
    if (!text) return std::nullopt;
    const auto t = parse_clock_time(*text, true);
    if (!t) r.fail(path, is_end ? "expected a time HH:MM from 00:00 to 24:00" : "expected a time HH:MM from 00:00 to 23:59");
    return t;
}

std::optional<WindowInput> read_window(Reader& r, const json::object_t& object, const std::string& path) {
    const json* start = r.member(object, "start", path, true);
    const json* end = r.member(object, "end", path, true);
    if (!start || !end) return std::nullopt;
    const auto s = read_clock(r, *start, child_path(path, "start"), false);
    const auto e = s ? read_clock(r, *end, child_path(path, "end"), true) : std::nullopt;
    if (!e) return std::nullopt;
    return WindowInput{*s, *e};
}

// An optional time member of a block or add override.
bool read_optional_clock(Reader& r, const json::object_t& object, std::string_view key, const std::string& path,
                         std::optional<ClockTime>& out) {
    const json* value = r.member(object, key, path, false);
    if (!value) return !r.failed();
    out = read_clock(r, *value, child_path(path, key), key == "end");
    return out.has_value();
}

bool read_schedule(Reader& r, const json& value, const std::string& path, ScheduleInput& schedule) {
    const auto* object = r.object(value, path);
    if (!object) return false;

    const std::string weekly_path = child_path(path, "weekly");
    const auto* weekly = optional_list(r, *object, "weekly", path);
    if (!weekly) return false;
    for (std::size_t i = 0; i < weekly->size(); ++i) {
        const std::string item_path = child_path(weekly_path, i);
        const auto* item = r.object((*weekly)[i], item_path);
        const json* day = item ? r.member(*item, "day", item_path, true) : nullptr;
        const auto day_name = day ? r.string(*day, child_path(item_path, "day")) : std::nullopt;
        if (!day_name) return false;
        const auto weekday = parse_weekday(*day_name);
        if (!weekday) return r.fail(child_path(item_path, "day"), "expected one of mon tue wed thu fri sat sun");
        const auto window = read_window(r, *item, item_path);
        if (!window) return false;
        schedule.weekly.push_back({*weekday, window->start, window->end});
    }

    const std::string overrides_path = child_path(path, "overrides");
    const auto* overrides = optional_list(r, *object, "overrides", path);
    if (!overrides) return false;
    for (std::size_t i = 0; i < overrides->size(); ++i) {
        const std::string item_path = child_path(overrides_path, i);
        const auto* item = r.object((*overrides)[i], item_path);
        if (!item) return false;
        OverrideInput input;
        const json* date_value = r.member(*item, "date", item_path, true);
        const auto date = date_value ? r.date(*date_value, child_path(item_path, "date")) : std::nullopt;
        const json* kind_value = date ? r.member(*item, "kind", item_path, true) : nullptr;
        const auto kind_name = kind_value ? r.string(*kind_value, child_path(item_path, "kind")) : std::nullopt;
        if (!kind_name) return false;
        const auto kind = parse_override_kind(*kind_name);
        if (!kind) return r.fail(child_path(item_path, "kind"), "expected one of block add replace");
        input.date = *date;
        input.kind = *kind;
        if (*kind == OverrideKind::replace) {
            const json* windows_value = r.member(*item, "windows", item_path, true);
            const std::string windows_path = child_path(item_path, "windows");
            const auto* windows = windows_value ? r.array(*windows_value, windows_path) : nullptr;
            if (!windows) return false;
            for (std::size_t k = 0; k < windows->size(); ++k) {
                const std::string window_path = child_path(windows_path, k);
                const auto* w = r.object((*windows)[k], window_path);
                const auto window = w ? read_window(r, *w, window_path) : std::nullopt;
                if (!window) return false;
                input.windows.push_back(*window);
            }
        } else if (!read_optional_clock(r, *item, "start", item_path, input.start) ||
                   !read_optional_clock(r, *item, "end", item_path, input.end)) {
            return false;
        }
        schedule.overrides.push_back(std::move(input));
    }
    return true;
}

// An optional integer member: `out` untouched when absent (or null, when `nullable`).
template <class Out>
bool read_optional_integer(Reader& r, const json::object_t& object, std::string_view key, const std::string& path,
                           IntegerRange range, bool nullable, Out& out) {
    const json* value = r.member(object, key, path, false);
    if (!value || (nullable && value->is_null())) return !r.failed();
    const auto v = r.integer_for_range(*value, child_path(path, key), range.min, range.max);
    if (v) out = *v;
    return v.has_value();
}

bool read_service(Reader& r, const json& value, const std::string& path, ServiceInput& service) {
    const auto* object = r.object(value, path);
    const json* id = object ? r.member(*object, "id", path, true) : nullptr;
    const auto id_text = id ? r.string(*id, child_path(path, "id")) : std::nullopt;
    if (!id_text) return false;
    service.id = *id_text;

    if (const json* schedule = r.member(*object, "schedule", path, false)) {
        const auto name = r.string(*schedule, child_path(path, "schedule"));
        if (!name) return false;
        service.schedule = *name;
    }
    if (const json* active = r.member(*object, "active", path, false)) {
        const auto a = r.boolean(*active, child_path(path, "active"));
        if (!a) return false;
        service.active = *a;
    }

    const json* durations_value = r.member(*object, "durations", path, true);
    const std::string durations_path = child_path(path, "durations");
    const auto* durations = durations_value ? r.array(*durations_value, durations_path) : nullptr;
    if (!durations) return false;
    service.durations.reserve(durations->size());
    for (std::size_t i = 0; i < durations->size(); ++i) {
        const auto d = r.integer_for_range((*durations)[i], child_path(durations_path, i), duration_range.min,
                                           duration_range.max);
        if (!d) return false;
        service.durations.push_back(*d);
    }

    return read_optional_integer(r, *object, "buffer_before_minutes", path, buffer_range, false,
                                 service.buffer_before_minutes) &&
           read_optional_integer(r, *object, "buffer_after_minutes", path, buffer_range, false,
                                 service.buffer_after_minutes) &&
           read_optional_integer(r, *object, "slot_interval_minutes", path, slot_interval_range, true,
                                 service.slot_interval_minutes) &&
           read_optional_integer(r, *object, "min_notice_minutes", path, min_notice_range, false,
                                 service.min_notice_minutes) &&
           read_optional_integer(r, *object, "max_advance_days", path, max_advance_days_range, true,
                                 service.max_advance_days);
}

bool read_provider(Reader& r, const json::object_t& root, ProviderInput& provider) {
    const json* value = r.member(root, "provider", "", true);
    const auto* object = value ? r.object(*value, "/provider") : nullptr;
    const json* id = object ? r.member(*object, "id", "/provider", true) : nullptr;
    const auto id_text = id ? r.string(*id, "/provider/id") : std::nullopt;
    const json* zone_value = id_text ? r.member(*object, "time_zone", "/provider", true) : nullptr;
    const auto zone_name = zone_value ? r.string(*zone_value, "/provider/time_zone") : std::nullopt;
    if (!zone_name) return false;
    provider.id = *id_text;
    provider.time_zone = *zone_name;
    if (const json* active = r.member(*object, "active", "/provider", false)) {
        const auto a = r.boolean(*active, "/provider/active");
        if (!a) return false;
        provider.active = *a;
    }
    return true;
}

bool read_snapshot(Reader& r, const json& document, SnapshotInput& input) {
    const auto* object = r.object(document, "");
    if (!object || !read_provider(r, *object, input.provider)) return false;

    const json* schedules_value = r.member(*object, "schedules", "", true);
    const auto* schedules = schedules_value ? r.object(*schedules_value, "/schedules") : nullptr;
    if (!schedules) return false;
    for (const auto& [name, value] : *schedules)
        if (!read_schedule(r, value, child_path("/schedules", name), input.schedules[name])) return false;

    const json* services_value = r.member(*object, "services", "", true);
    const auto* services = services_value ? r.array(*services_value, "/services") : nullptr;
    if (!services) return false;
    input.services.resize(services->size());
    for (std::size_t i = 0; i < services->size(); ++i)
        if (!read_service(r, (*services)[i], child_path("/services", i), input.services[i])) return false;

    const auto* busy = optional_list(r, *object, "busy", "");
    if (!busy) return false;
    input.busy.reserve(busy->size());
    for (std::size_t i = 0; i < busy->size(); ++i) {
        const std::string path = child_path("/busy", i);
        const auto* item = r.object((*busy)[i], path);
        const json* start = item ? r.member(*item, "start", path, true) : nullptr;
        const json* end = start ? r.member(*item, "end", path, true) : nullptr;
        const auto s = end ? r.instant(*start, child_path(path, "start")) : std::nullopt;
        const auto e = s ? r.instant(*end, child_path(path, "end")) : std::nullopt;
        if (!e) return false;
        input.busy.push_back({*s, *e});
    }
    return true;
}

}  // namespace

Result<SnapshotInput> read_snapshot_input(const json& document) {
    Reader r(ErrorCode::invalid_snapshot);
    SnapshotInput input;
    if (!read_snapshot(r, document, input)) return r.take_error();
    return Result<SnapshotInput>(std::move(input));
}

Result<Snapshot> parse_snapshot(const json& document) {
    auto input = read_snapshot_input(document);
    if (!input) return input.error();
    return make_snapshot(std::move(*input));
}

}  // namespace slotwise
