#include "slotwise/snapshot.h"

#include <algorithm>

namespace slotwise {

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
