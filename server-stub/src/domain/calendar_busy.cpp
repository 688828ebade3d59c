#include "domain/calendar_busy.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>

#include <libical/ical.h>

namespace slotwise::server::domain {
namespace {

using Seconds = std::chrono::seconds;
using LocalSeconds = date::local_seconds;
using SysSeconds = date::sys_seconds;

// A rule that yields this many occurrences before reaching the window is
// treated as unreadable: a MINUTELY rule from years ago would otherwise keep
// a sync busy for seconds per object.
constexpr int kMaxIterations = 200'000;
// Far beyond any real event, small enough that local-day arithmetic cannot overflow.
constexpr long kMaxNominalDays = 100'000;

struct ComponentFree {
    void operator()(icalcomponent* c) const { icalcomponent_free(c); }
};
struct IteratorFree {
    void operator()(icalrecur_iterator* i) const { icalrecur_iterator_free(i); }
};

std::optional<LocalSeconds> local_of(const icaltimetype& t) {
    if (icaltime_is_null_time(t)) return std::nullopt;
    // Gregorian years up to where libical stops iterating; Apple writes
    // year-less birthdays as 1604, Outlook zone rules start in 1601.
    if (t.year < 1583 || t.year > 2500) return std::nullopt;
    date::year_month_day ymd{date::year{t.year}, date::month{static_cast<unsigned>(t.month)},
                             date::day{static_cast<unsigned>(t.day)}};
    if (t.month < 1 || t.month > 12 || t.day < 1 || !ymd.ok()) return std::nullopt;
    LocalSeconds day{date::local_days{ymd}};
    if (t.is_date) return day;
    if (t.hour < 0 || t.hour > 23 || t.minute < 0 || t.minute > 59 || t.second < 0 || t.second > 60) return std::nullopt;
    // A leap second (:60) is read as the last second of its minute.
    return day + std::chrono::hours{t.hour} + std::chrono::minutes{t.minute} + Seconds{std::min(t.second, 59)};
}

// Where a wall-clock reading of an event lies on the UTC line: UTC itself, an
// engine zone (IANA names, and the provider's zone for floating times), or
// the VTIMEZONE the object carries for a name the engine does not know.
struct EventZone {
    bool utc = false;
    const TimeZone* engine = nullptr;
    icaltimezone* ical = nullptr;

    SysSeconds to_utc(LocalSeconds local) const {
        if (utc) return SysSeconds{local.time_since_epoch()};
        if (engine) {
            auto minute = date::floor<Minutes>(local);
            Seconds rest = local - minute;
            LocalResolution r = engine->resolve(minute);
            // RFC 5545 3.3.5: a time in a gap is read with the offset before
            // the gap; a repeated time is its first occurrence.
            Instant at = r.kind == LocalResolution::Kind::skipped
                             ? Instant{minute.time_since_epoch() - engine->offset_at(r.earliest - Minutes{1})}
                             : r.earliest;
            return SysSeconds{at} + rest;
        }
        auto days = date::floor<date::days>(local);
        date::year_month_day ymd{days};
        date::hh_mm_ss<Seconds> hms{local - days};
        icaltimetype t = icaltime_null_time();
        t.year = static_cast<int>(ymd.year());
        t.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
        t.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
        t.hour = static_cast<int>(hms.hours().count());
        t.minute = static_cast<int>(hms.minutes().count());
        t.second = static_cast<int>(hms.seconds().count());
        return SysSeconds{Seconds{icaltime_as_timet_with_zone(t, ical)}};
    }

    LocalSeconds to_local(SysSeconds at) const {
        if (utc) return LocalSeconds{at.time_since_epoch()};
        if (engine) return LocalSeconds{at.time_since_epoch() + engine->offset_at(date::floor<Minutes>(at))};
        icaltimetype t = icaltime_from_timet_with_zone(static_cast<time_t>(at.time_since_epoch().count()), 0, ical);
        if (auto local = local_of(t)) return *local;
        return LocalSeconds{at.time_since_epoch()};
    }
};

// Calendar apps prefix IANA names ("/mozilla.org/20050126_1/Europe/Berlin",
// "/freeassociation.sourceforge.net/Tzfile/Europe/Berlin"); the longest
// suffix the engine knows is the zone meant.
const TimeZone* engine_zone(std::string_view tzid) {
    if (const TimeZone* z = find_zone(tzid)) return z;
    for (std::size_t i = tzid.find('/'); i != std::string_view::npos; i = tzid.find('/', i + 1)) {
        if (const TimeZone* z = find_zone(tzid.substr(i + 1))) return z;
    }
    return nullptr;
}

class Reader {
public:
    Reader(icalcomponent* calendar, Instant from, Instant to, const TimeZone& provider)
        : calendar_(calendar), from_(from), to_(to), provider_{false, &provider, nullptr} {}

    // One UID's master and overrides; appends to `spans`, false when unreadable.
    bool read_group(icalcomponent* master, const std::vector<icalcomponent*>& overrides, std::vector<BusySpan>& spans,
                    int& skipped);

private:
    struct Timing {
        bool all_day = false;
        icaltimetype dtstart{};
        EventZone zone;
        LocalSeconds local_start{};
        long nominal_days = 0;  // whole days on the wall clock (DURATION's D and W, an all-day DTEND)
        Seconds exact{0};       // elapsed time on top of them
    };
    struct Occurrence {
        SysSeconds start, end;
        LocalSeconds local;
    };

    EventZone zone_of(icalproperty* property, const icaltimetype& t);
    std::optional<Timing> read_timing(icalcomponent* event);
    Occurrence occurrence_at(const Timing& timing, LocalSeconds local) const;
    SysSeconds day_start(date::local_days day) const { return provider_.to_utc(LocalSeconds{day}); }
    std::optional<SysSeconds> key_of(const Timing& timing, icalproperty* property, const icaltimetype& t);
    bool expand(const Timing& timing, icalcomponent* master, std::map<SysSeconds, Occurrence>& out);
    void emit(SysSeconds start, SysSeconds end, std::vector<BusySpan>& spans) const;

    icalcomponent* calendar_;
    Instant from_, to_;
    EventZone provider_;
    std::unordered_map<std::string, EventZone> zones_;
};

EventZone Reader::zone_of(icalproperty* property, const icaltimetype& t) {
    if (icaltime_is_utc(t)) return EventZone{true, nullptr, nullptr};
    icalparameter* param = icalproperty_get_first_parameter(property, ICAL_TZID_PARAMETER);
    const char* tzid = param ? icalparameter_get_tzid(param) : nullptr;
    if (!tzid || !*tzid) return provider_;  // floating: the provider's wall clock
    auto [it, inserted] = zones_.try_emplace(tzid);
    if (inserted) {
        if (const TimeZone* z = engine_zone(tzid)) {
            it->second = EventZone{false, z, nullptr};
        } else if (icaltimezone* own = icalcomponent_get_timezone(calendar_, tzid)) {
            it->second = EventZone{false, nullptr, own};
        } else {
            // RFC 5545 requires a VTIMEZONE for every TZID; without one, the
            // provider's own clock is the likeliest reading and blocking
            // something beats blocking nothing.
            it->second = provider_;
        }
    }
    return it->second;
}

std::optional<Reader::Timing> Reader::read_timing(icalcomponent* event) {
    icalproperty* dtstart = icalcomponent_get_first_property(event, ICAL_DTSTART_PROPERTY);
    if (!dtstart) return std::nullopt;
    Timing timing;
    timing.dtstart = icalproperty_get_dtstart(dtstart);
    auto local = local_of(timing.dtstart);
    if (!local) return std::nullopt;
    timing.all_day = timing.dtstart.is_date;
    timing.zone = timing.all_day ? provider_ : zone_of(dtstart, timing.dtstart);
    timing.local_start = *local;
    timing.dtstart.zone = nullptr;  // the rule is expanded on the wall clock of DTSTART (RFC 5545 3.3.10)

    if (icalproperty* dtend = icalcomponent_get_first_property(event, ICAL_DTEND_PROPERTY)) {
        icaltimetype end = icalproperty_get_dtend(dtend);
        auto end_local = local_of(end);
        if (!end_local || static_cast<bool>(end.is_date) != timing.all_day) return std::nullopt;
        if (timing.all_day) {
            timing.nominal_days = (date::floor<date::days>(*end_local) - date::floor<date::days>(*local)).count();
            if (timing.nominal_days < 0 || timing.nominal_days > kMaxNominalDays) return std::nullopt;
        } else {
            // DTEND gives every occurrence the same elapsed time (RFC 5545 3.8.5.3).
            timing.exact = zone_of(dtend, end).to_utc(*end_local) - timing.zone.to_utc(*local);
            if (timing.exact < Seconds{0}) return std::nullopt;
        }
    } else if (icalproperty* duration = icalcomponent_get_first_property(event, ICAL_DURATION_PROPERTY)) {
        icaldurationtype d = icalproperty_get_duration(duration);
        if (icaldurationtype_is_bad_duration(d) || d.is_neg) return std::nullopt;
        long days = static_cast<long>(d.days) + 7L * static_cast<long>(d.weeks);
        if (d.days > kMaxNominalDays || d.weeks > kMaxNominalDays || days > kMaxNominalDays) return std::nullopt;
        timing.nominal_days = days;
        timing.exact = std::chrono::hours{d.hours} + std::chrono::minutes{d.minutes} + Seconds{d.seconds};
    } else if (timing.all_day) {
        timing.nominal_days = 1;  // RFC 5545 3.6.1: a DATE start alone is that one day
    }
    return timing;
}

Reader::Occurrence Reader::occurrence_at(const Timing& timing, LocalSeconds local) const {
    if (timing.all_day) {
        auto day = date::floor<date::days>(local);
        SysSeconds start = day_start(day);
        SysSeconds end = (timing.nominal_days > 0 ? day_start(day + date::days{timing.nominal_days}) : start) + timing.exact;
        return {start, end, local};
    }
    SysSeconds start = timing.zone.to_utc(local);
    SysSeconds end = timing.nominal_days > 0 ? timing.zone.to_utc(local + date::days{timing.nominal_days}) : start;
    return {start, end + timing.exact, local};
}

// The instant an EXDATE or RECURRENCE-ID names, comparable with occurrence starts.
std::optional<SysSeconds> Reader::key_of(const Timing& timing, icalproperty* property, const icaltimetype& t) {
    auto local = local_of(t);
    if (!local) return std::nullopt;
    if (timing.all_day) return day_start(date::floor<date::days>(*local));
    return zone_of(property, t).to_utc(*local);
}

bool Reader::expand(const Timing& timing, icalcomponent* master, std::map<SysSeconds, Occurrence>& out) {
    const SysSeconds window_start{from_}, window_end{to_};
    auto keep = [&](const Occurrence& o) {
        if (o.end > window_start && o.start < window_end) out[o.start] = o;
    };
    // Zones differ by at most a day; past this wall-clock reading no occurrence can start inside the window.
    const LocalSeconds horizon = timing.zone.to_local(window_end) + date::days{2};

    keep(occurrence_at(timing, timing.local_start));  // DTSTART is always the first occurrence

    for (icalproperty* p = icalcomponent_get_first_property(master, ICAL_RRULE_PROPERTY); p;
         p = icalcomponent_get_next_property(master, ICAL_RRULE_PROPERTY)) {
        icalrecurrencetype rule = icalproperty_get_rrule(p);
        if (rule.freq == ICAL_NO_RECURRENCE) return false;
        // libical compares UNTIL with the floating DTSTART as if both were
        // UTC; UNTIL is applied here instead, in its own terms.
        icaltimetype until = rule.until;
        rule.until = icaltime_null_time();
        std::optional<SysSeconds> until_utc;
        std::optional<LocalSeconds> until_local;
        if (!icaltime_is_null_time(until)) {
            auto until_reading = local_of(until);
            if (!until_reading) return false;
            if (icaltime_is_utc(until) && !timing.all_day) {
                until_utc = SysSeconds{until_reading->time_since_epoch()};
            } else if (until.is_date && !timing.all_day) {
                until_local = *until_reading + date::days{1} - Seconds{1};
            } else {
                until_local = *until_reading;
            }
        }
        std::unique_ptr<icalrecur_iterator, IteratorFree> it(icalrecur_iterator_new(rule, timing.dtstart));
        if (!it) return false;  // libical refuses rules it finds malformed, such as only February 30th
        int n = 0;
        for (;; ++n) {
            if (n == kMaxIterations) return false;
            icaltimetype next = icalrecur_iterator_next(it.get());
            if (icaltime_is_null_time(next)) break;
            auto local = local_of(next);
            if (!local || *local > horizon) break;
            if (until_local && *local > *until_local) break;
            Occurrence o = occurrence_at(timing, *local);
            if (until_utc && o.start > *until_utc) break;
            keep(o);
        }
    }

    for (icalproperty* p = icalcomponent_get_first_property(master, ICAL_RDATE_PROPERTY); p;
         p = icalcomponent_get_next_property(master, ICAL_RDATE_PROPERTY)) {
        icaldatetimeperiodtype v = icalproperty_get_rdate(p);
        if (!icaltime_is_null_time(v.time)) {
            auto local = local_of(v.time);
            if (!local) return false;
            if (timing.all_day || v.time.is_date) {
                keep(occurrence_at(timing, *local));
            } else {
                keep(occurrence_at(timing, timing.zone.to_local(zone_of(p, v.time).to_utc(*local))));
            }
            continue;
        }
        // A PERIOD: its own start and end (or duration) instead of the event's.
        auto start_local = local_of(v.period.start);
        if (!start_local) return false;
        SysSeconds start = zone_of(p, v.period.start).to_utc(*start_local);
        SysSeconds end;
        if (auto end_local = local_of(v.period.end)) {
            end = zone_of(p, v.period.end).to_utc(*end_local);
        } else {
            icaldurationtype d = v.period.duration;
            if (icaldurationtype_is_bad_duration(d) || d.is_neg) return false;
            end = start + Seconds{icaldurationtype_as_int(d)};
        }
        if (end < start) return false;
        keep(Occurrence{start, end, timing.zone.to_local(start)});
    }

    std::set<date::local_days> excluded_days;
    for (icalproperty* p = icalcomponent_get_first_property(master, ICAL_EXDATE_PROPERTY); p;
         p = icalcomponent_get_next_property(master, ICAL_EXDATE_PROPERTY)) {
        icaltimetype t = icalproperty_get_exdate(p);
        if (t.is_date && !timing.all_day) {
            // Some clients exclude a timed occurrence by its date alone.
            if (auto local = local_of(t)) excluded_days.insert(date::floor<date::days>(*local));
            continue;
        }
        if (auto key = key_of(timing, p, t)) out.erase(*key);
    }
    if (!excluded_days.empty()) {
        for (auto it = out.begin(); it != out.end();) {
            it = excluded_days.count(date::floor<date::days>(it->second.local)) ? out.erase(it) : std::next(it);
        }
    }
    return true;
}

bool blocks_time(icalcomponent* event) {
    if (icalproperty* s = icalcomponent_get_first_property(event, ICAL_STATUS_PROPERTY)) {
        if (icalproperty_get_status(s) == ICAL_STATUS_CANCELLED) return false;
    }
    if (icalproperty* t = icalcomponent_get_first_property(event, ICAL_TRANSP_PROPERTY)) {
        icalproperty_transp transp = icalproperty_get_transp(t);
        if (transp == ICAL_TRANSP_TRANSPARENT || transp == ICAL_TRANSP_TRANSPARENTNOCONFLICT) return false;
    }
    return true;
}

// libical drops a property it cannot read and leaves an X-LIC-ERROR naming
// it; an event whose times were dropped would otherwise be read wrongly
// (a broken RRULE as a single occurrence, a broken DTEND as no end).
bool lost_a_time_property(icalcomponent* event) {
    static constexpr std::string_view names[] = {" DTSTART property", " DTEND property", " DURATION property",
                                                 " RRULE property",   " RDATE property", " EXDATE property",
                                                 " RECURRENCE-ID property"};
    for (icalproperty* p = icalcomponent_get_first_property(event, ICAL_XLICERROR_PROPERTY); p;
         p = icalcomponent_get_next_property(event, ICAL_XLICERROR_PROPERTY)) {
        const char* text = icalproperty_get_xlicerror(p);
        if (!text) continue;
        std::string_view message{text};
        for (std::string_view name : names) {
            if (message.find(name) != std::string_view::npos) return true;
        }
    }
    return false;
}

void Reader::emit(SysSeconds start, SysSeconds end, std::vector<BusySpan>& spans) const {
    Instant s = std::max(date::floor<Minutes>(start), from_);
    Instant e = std::min(date::ceil<Minutes>(end), to_);
    if (s < e) spans.push_back({s, e});
}

bool Reader::read_group(icalcomponent* master, const std::vector<icalcomponent*>& overrides,
                        std::vector<BusySpan>& spans, int& skipped) {
    std::map<SysSeconds, Occurrence> occurrences;
    std::optional<Timing> master_timing;
    if (master) {
        if (lost_a_time_property(master)) return false;
        master_timing = read_timing(master);
        if (!master_timing) return false;
        if (!expand(*master_timing, master, occurrences)) return false;
        if (!blocks_time(master)) occurrences.clear();
    }
    for (icalcomponent* o : overrides) {
        std::optional<Timing> timing;
        if (!lost_a_time_property(o)) timing = read_timing(o);
        icalproperty* rid = icalcomponent_get_first_property(o, ICAL_RECURRENCEID_PROPERTY);
        if (!timing) {
            ++skipped;  // the occurrence it would move stays where it was
            continue;
        }
        // The override replaces the occurrence its RECURRENCE-ID names, if that is one of the master's.
        if (master_timing && rid) {
            if (auto key = key_of(*master_timing, rid, icalproperty_get_recurrenceid(rid))) occurrences.erase(*key);
        }
        if (!blocks_time(o)) continue;
        Occurrence moved = occurrence_at(*timing, timing->local_start);
        emit(moved.start, moved.end, spans);
    }
    for (const auto& [key, o] : occurrences) emit(o.start, o.end, spans);
    return true;
}

// libical writes "Encountered END before BEGIN" to stderr (an unconditional
// fprintf in its parser) for an END line with nothing open; a provider's
// calendar must not be able to fill the server's log, so such a text is
// refused before libical sees it.
bool unbalanced(const std::string& ics) {
    int depth = 0;
    std::size_t start = 0;
    while (start < ics.size()) {
        std::size_t end = ics.find('\n', start);
        if (end == std::string::npos) end = ics.size();
        std::string_view line(ics.data() + start, end - start);
        start = end + 1;
        std::size_t name_end = line.find_first_of(":;");
        if (name_end == std::string_view::npos) continue;
        std::string name(line.substr(0, name_end));
        for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (name == "BEGIN") ++depth;
        else if (name == "END" && --depth < 0) return true;
    }
    return false;
}

}  // namespace

CalendarBusy busy_from_ics(const std::string& ics, Instant from, Instant to, const TimeZone& zone) {
    CalendarBusy result;
    if (!(from < to)) return result;
    if (unbalanced(ics)) {
        result.skipped = 1;
        return result;
    }
    std::unique_ptr<icalcomponent, ComponentFree> root(icalparser_parse_string(ics.c_str()));
    if (!root) {
        result.skipped = 1;
        return result;
    }
    std::vector<icalcomponent*> calendars;
    if (icalcomponent_isa(root.get()) == ICAL_VCALENDAR_COMPONENT) {
        calendars.push_back(root.get());
    } else {
        for (icalcomponent* c = icalcomponent_get_first_component(root.get(), ICAL_VCALENDAR_COMPONENT); c;
             c = icalcomponent_get_next_component(root.get(), ICAL_VCALENDAR_COMPONENT)) {
            calendars.push_back(c);
        }
    }
    if (calendars.empty()) {
        result.skipped = 1;
        return result;
    }
    std::set<std::string> seen_uids;
    for (icalcomponent* calendar : calendars) {
        // A UID's master and its RECURRENCE-ID overrides, in the order first seen.
        struct Group {
            icalcomponent* master = nullptr;
            int masters = 0;
            std::vector<icalcomponent*> overrides;
        };
        std::vector<Group> groups;
        std::unordered_map<std::string, std::size_t> by_uid;
        for (icalcomponent* e = icalcomponent_get_first_component(calendar, ICAL_VEVENT_COMPONENT); e;
             e = icalcomponent_get_next_component(calendar, ICAL_VEVENT_COMPONENT)) {
            const char* uid_text = icalcomponent_get_uid(e);
            std::string uid = uid_text ? uid_text : "";
            std::size_t index;
            if (uid.empty()) {
                index = groups.size();  // without a UID nothing can refer to it: a group of its own
                groups.emplace_back();
            } else {
                if (seen_uids.insert(uid).second) result.uids.push_back(uid);
                auto [it, inserted] = by_uid.try_emplace(uid, groups.size());
                if (inserted) groups.emplace_back();
                index = it->second;
            }
            Group& g = groups[index];
            if (icalcomponent_get_first_property(e, ICAL_RECURRENCEID_PROPERTY)) {
                g.overrides.push_back(e);
            } else {
                g.master = e;
                ++g.masters;
            }
        }
        Reader reader(calendar, from, to, zone);
        for (const Group& g : groups) {
            if (g.masters > 1) {
                ++result.skipped;  // two different events claim one UID: neither can be trusted to be the series
                continue;
            }
            std::vector<BusySpan> spans;
            if (reader.read_group(g.master, g.overrides, spans, result.skipped)) {
                result.spans.insert(result.spans.end(), spans.begin(), spans.end());
            } else {
                ++result.skipped;
            }
        }
    }
    std::sort(result.spans.begin(), result.spans.end(),
              [](const BusySpan& a, const BusySpan& b) { return a.start != b.start ? a.start < b.start : a.end < b.end; });
    return result;
}

}  // namespace slotwise::server::domain
