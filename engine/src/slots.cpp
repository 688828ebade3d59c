#include "slotwise/slots.h"

#include "slotwise/availability.h"

namespace slotwise {
namespace {

constexpr int max_query_days = 366;

Error invalid_query(std::string path, std::string message) {
    return {ErrorCode::invalid_query, std::move(message), std::move(path)};
}

Error out_of_range(std::string path, std::string message) {
    return {ErrorCode::out_of_range, std::move(message), std::move(path)};
}

}  // namespace

Result<SlotList> find_slots(const Snapshot& snapshot, const SlotsQuery& query) {
    const Service* service = snapshot.find_service(query.service);
    if (!service) return invalid_query("/service", "no service with this id");
    const auto& duration = query.duration_minutes;
    if (duration && !service->offers(*duration))
        return invalid_query("/duration_minutes", "not one of the service's durations");
    const TimeZone* viewer = find_zone(query.time_zone);
    if (!viewer) return Error{ErrorCode::unknown_time_zone, "unknown time zone", "/time_zone"};
    if (!is_supported(query.from)) return out_of_range("/from", "dates must be from 2020-01-01 to 2050-12-31");
    if (!is_supported(query.to)) return out_of_range("/to", "dates must be from 2020-01-01 to 2050-12-31");
    if (!is_supported(query.now))
        return out_of_range("/now", "now must be from 2019-12-31T00:00:00Z to 2051-01-01T23:59:00Z");
    if (query.to < query.from) return invalid_query("/to", "\"to\" must not be before \"from\"");
    if (query.to - query.from > Days{max_query_days}) return invalid_query("/to", "at most 366 days after \"from\"");

    const int minutes = duration ? static_cast<int>(*duration) : service->durations.front();
    // The viewer's dates as instants, with a day of margin: the exact test is
    // on each slot's local date below.
    const Interval range{Instant{query.from.time_since_epoch()} - Days{2},
                         Instant{query.to.time_since_epoch()} + Days{3}};
    const auto starts = slot_starts(snapshot, *service, minutes, range, query.now);

    SlotList list;
    list.time_zone_name = query.time_zone;
    list.time_zone = viewer;
    list.slots.reserve(starts.size());
    TimeZone::Span span = viewer->span_at(range.start);
    for (const Instant start : starts) {
        if (!span.contains(start)) span = viewer->span_at(start);
        const Minutes offset = span.offset;
        const LocalTime local_start{(start + offset).time_since_epoch()};
        const LocalDate local_date = date::floor<Days>(local_start);
        if (local_date < query.from || query.to < local_date) continue;
        const Instant end = start + Minutes{minutes};
        const Minutes end_offset = span.contains(end) ? offset : viewer->offset_at(end);
        list.slots.push_back({start, end, local_date, local_start, LocalTime{(end + end_offset).time_since_epoch()}, offset});
    }
    return Result<SlotList>(std::move(list));  // spelled out: not every compiler moves into a converting constructor
}

}  // namespace slotwise
