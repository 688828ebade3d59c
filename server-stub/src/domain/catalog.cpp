// Providers, their public snapshot and slots, the provider's booking list,
// health and housekeeping.
#include <slotwise/protocol.h>
#include <slotwise/slots.h>

#include <algorithm>

#include "domain/booking_service.h"
#include "domain/client_address.h"
#include "domain/providers_access.h"
#include "store/ownership_records.h"
#include "jobs/job_queue.h"
#include "store/records.h"
#include "domain/request_parsing.h"
#include "domain/snapshot.h"

namespace slotwise::server {
namespace {

constexpr Days kMaxRange{366};

// The same 404 as an unknown booking: a token of another provider's booking
// tells nothing about it.
DomainError unknown_booking_of_provider(const std::string& booking_id) {
    return DomainError(ErrorKind::not_found, "UNKNOWN_BOOKING", "no booking " + booking_id);
}

std::optional<std::string> param(const Query& q, const std::string& key) {
    auto it = q.find(key);
    if (it == q.end()) return std::nullopt;
    return it->second;
}

// from/to as dates; `from` defaults to today (UTC) and `to` to 30 days later.
std::pair<LocalDate, LocalDate> date_range(const Query& q, Timestamp now) {
    auto date = [&](const char* key, LocalDate fallback) {
        auto text = param(q, key);
        if (!text) return fallback;
        auto d = parse_date(*text);
        if (!d) throw invalid_input(std::string(key) + " must be a date like 2026-12-01");
        return *d;
    };
    const LocalDate from = date("from", LocalDate{date::floor<Days>(now).time_since_epoch()});
    const LocalDate to = date("to", from + Days{30});
    if (to < from) throw invalid_input("from must not be after to");
    if (to - from > kMaxRange) throw DomainError(ErrorKind::invalid_input, "RANGE_TOO_LARGE", "to may be at most 366 days after from");
    return {from, to};
}

// The provider's configuration from the cache (one revision read when it is current).
std::shared_ptr<const LoadedProvider> existing_provider(ProviderCache& cache, Session& s, const std::string& provider_id) {
    auto p = is_valid_id(provider_id) ? cache.get(s, provider_id) : nullptr;
    if (!p) throw domain::unknown_provider(provider_id);
    return p;
}

// A provider and its busy intervals for dates [from, to] in any zone (offsets
// stay within a day, so a day of margin on each side). The revision that
// proves the cached configuration current and the busy read go together: one
// round trip in PostgreSQL for the public GETs, which are most of the traffic.
struct ProviderWithBusy {
    std::shared_ptr<const LoadedProvider> provider;
    std::vector<Interval> busy;
};

ProviderWithBusy provider_with_busy(ProviderCache& cache, Session& s, const std::string& provider_id, LocalDate from,
                                    LocalDate to, Timestamp now, const std::string& except_booking_id = {}) {
    // The UTC day that starts when `date` starts on the wall clock.
    const auto utc_day = [](LocalDate date) { return Instant{date.time_since_epoch()}; };
    if (!is_valid_id(provider_id)) throw domain::unknown_provider(provider_id);
    const auto rows = s.read_all({records::provider_revision_statement(provider_id),
                                  records::busy_statement(s.dialect(), provider_id, utc_day(from - Days{2}),
                                                          utc_day(to + Days{3}), now, except_booking_id)});
    const auto revision = records::revision_from(rows[0]);
    if (!revision) throw domain::unknown_provider(provider_id);
    auto provider = cache.latest(provider_id);
    if (!provider || provider->revision != *revision) provider = existing_provider(cache, s, provider_id);
    return {std::move(provider), merge_intervals(records::busy_from(rows[1]))};
}

}  // namespace

SavedProvider BookingService::put_provider(const Actor& actor, const std::string& provider_id, std::string_view body) {
    // An account (by session or API key) configures the providers it owns
    // and creates new ones; the operator configures any.
    const auto account = domain::acting_account(actor);
    if (!account && !std::holds_alternative<domain::Operator>(actor))
        throw DomainError(ErrorKind::unauthenticated, "UNAUTHORIZED", "configuring a provider needs a provider credential")
            .with_challenge("Bearer");
    if (!is_valid_id(provider_id)) throw invalid_input("provider ids are 1..64 of A-Z a-z 0-9 _ -");
    const json document = parse_json_body(body);
    const ProviderConfig p = parse_provider_config(provider_id, document);
    auto s = store_.session();
    const Timestamp now = clock_.now();
    const bool created = in_transaction(*s, provider_id, [&] {
        // Another account's provider, one the operator made (it is the
        // operator's) and one of a deleted account keep their ids.
        const auto ownership = records::provider_ownership(*s, provider_id);
        if (ownership && (ownership->deleted || !domain::reaches_provider(actor, ownership->owner_account_id)))
            throw DomainError(ErrorKind::conflict, "PROVIDER_ID_TAKEN",
                              "the provider id " + provider_id + " is taken; choose another");
        // The PUT of what is stored (a GET sent back) changes nothing: no
        // revision, so cached copies stay current, and no audit entry.
        const auto stored = ownership ? records::load_provider(*s, provider_id) : std::nullopt;
        if (stored && domain::provider_put_document(*stored) == domain::provider_put_document(p)) return false;
        if (account) {
            const auto plan = records::account_plan(*s, *account);
            if (!plan) throw DomainError(ErrorKind::unauthenticated, "UNAUTHORIZED", "the account no longer exists").with_challenge("Bearer");
            domain::check_plan_or_throw(*plan, p);
        }
        const bool is_new = records::put_provider(*s, p, now);
        if (is_new && account) records::set_provider_owner(*s, provider_id, *account);
        records::audit(*s, now, audit_name(actor), is_new ? "provider.create" : "provider.replace", "provider", p.id,
                       document);
        return is_new;
    });
    json snapshot = engine_snapshot(p, {});
    snapshot.erase("busy");
    // The limits in force, the server's defaults filled in.
    snapshot["booking_limits"] = {
        {"open_bookings_per_client", p.open_bookings_per_client.value_or(options_.open_bookings_cap)},
        {"pending_expiry_minutes", p.pending_expiry_minutes.value_or(static_cast<int>(options_.pending_expiry.count()))}};
    return {created, std::move(snapshot)};
}

ProviderDocument BookingService::get_provider(const Actor& actor, const std::string& provider_id) {
    auto s = store_.session();
    domain::reach_provider_or_throw(*s, actor, provider_id);
    return {domain::provider_put_document(existing_provider(providers_, *s, provider_id)->config)};
}

SnapshotDocument BookingService::snapshot(const Actor&, const std::string& provider_id, const Query& query) {
    const auto [from, to] = date_range(query, clock_.now());
    auto s = store_.session();
    // ?reschedule=BOOKING&token=MANAGE_TOKEN: the snapshot a client moving
    // that booking sees, where the booking's own occupied time (buffers
    // included) does not block its new time, exactly as the reschedule
    // itself counts it. The widget then needs no interval arithmetic of its own.
    std::string except;
    if (auto booking_id = param(query, "reschedule")) {
        const Booking b = authorized_booking(*s, *booking_id, domain::BookingClient{*booking_id, param(query, "token").value_or(""), {}});
        if (b.provider_id != provider_id) throw unknown_booking_of_provider(*booking_id);
        except = b.id;
    }
    const auto [loaded, busy] = provider_with_busy(providers_, *s, provider_id, from, to, clock_.now(), except);
    return {snapshot_document(loaded->snapshot_members, busy, clock_.now())};
}

SlotList BookingService::slots(const Actor&, const std::string& provider_id, const Query& query) {
    const auto [from, to] = date_range(query, clock_.now());
    auto s = store_.session();
    const auto [loaded, busy] = provider_with_busy(providers_, *s, provider_id, from, to, clock_.now());
    const ProviderConfig& p = loaded->config;
    auto service = param(query, "service");
    if (!service) throw invalid_input("the service parameter is required");
    if (!p.service(*service)) throw DomainError(ErrorKind::not_found, "UNKNOWN_SERVICE", "no service " + *service);
    slotwise::SlotsQuery q{*service,
                           std::nullopt,
                           from,
                           to,
                           param(query, "time_zone").value_or(p.time_zone),
                           clock_.now_minute()};
    if (auto d = param(query, "duration_minutes")) {
        if (d->empty() || d->size() > 5 || d->find_first_not_of("0123456789") != std::string::npos)
            throw invalid_input("duration_minutes must be a number of minutes");
        q.duration_minutes = std::stoi(*d);
    }
    // The cached snapshot is shared between requests; busy time is this request's own.
    slotwise::Snapshot snapshot = loaded->engine_snapshot;
    slotwise::set_busy(snapshot, busy);
    const auto list = slotwise::find_slots(snapshot, q);
    if (!list) {
        const slotwise::Error& error = list.error();
        const slotwise::ErrorCode code = error.code;
        DomainError e(ErrorKind::invalid_input,
                   code == slotwise::ErrorCode::unknown_time_zone || code == slotwise::ErrorCode::out_of_range
                       ? std::string(slotwise::to_string(code))
                       : "INVALID_REQUEST",
                   error.message);
        e.extensions.emplace_back("engine_error", json::parse(slotwise::to_answer(error).json).at("error").dump());
        throw e;
    }
    return {slotwise::to_answer(*list).json};
}

BookingList BookingService::list_bookings(const Actor& actor, const std::string& provider_id, const Query& query) {
    auto s = store_.session();
    domain::reach_provider_or_throw(*s, actor, provider_id);
    const auto loaded = existing_provider(providers_, *s, provider_id);
    const TimeZone& zone = *loaded->engine_snapshot.zone;
    const LocalDate today = zone.local_date(clock_.now_minute());
    const auto [from, to] = date_range(
        [&] {
            Query q = query;
            if (!q.count("from")) q["from"] = format_date(today - Days{30});
            if (!q.count("to")) q["to"] = format_date(parse_date(q["from"]).value_or(today) + Days{90});
            return q;
        }(),
        clock_.now());
    std::vector<BookingStatus> statuses;
    if (auto text = param(query, "status")) {
        std::size_t start = 0;
        while (start <= text->size()) {
            const std::size_t comma = std::min(text->find(',', start), text->size());
            const auto status = domain::booking_status_from(std::string_view(*text).substr(start, comma - start));
            if (!status)
                throw invalid_input("status must be a comma-separated list of HELD, PENDING, CONFIRMED, DECLINED, "
                                    "CANCELLED, EXPIRED, COMPLETED, NO_SHOW");
            statuses.push_back(*status);
            start = comma + 1;
        }
    }
    BookingList list{provider_id, from, to, {}};
    // A midnight that the clocks skip starts the day at the jump.
    const auto day_start = [&](LocalDate date) { return zone.resolve(LocalTime{date}).earliest; };
    const Timestamp now = clock_.now();
    for (const Booking& stored :
         records::list_bookings(*s, provider_id, day_start(from), day_start(to + Days{1}), statuses, now))
        list.bookings.push_back(as_of(stored, now));  // at the `now` the filter used
    return list;
}

HealthReport BookingService::health(const Actor&) {
    try {
        auto s = store_.session();
        return {store_.backend(), jobs::read_health(*s, clock_.now())};
    } catch (const std::exception&) {
        throw DomainError(ErrorKind::unavailable, "DATABASE_UNAVAILABLE", "the database cannot be reached");
    }
}

std::int64_t BookingService::purge_expired_idempotency_keys() {
    auto s = store_.session();
    return records::purge_idempotency_keys(*s, clock_.now() - options_.idempotency_ttl);
}

std::int64_t BookingService::backfill_client_keys() {
    auto s = store_.session();
    return in_transaction(*s, std::nullopt, [&] { return records::backfill_client_keys(*s, client_key); });
}

std::optional<std::string> BookingService::create_demo_provider_if_empty() {
    {
        auto s = store_.session();
        if (records::provider_count(*s) > 0) return std::nullopt;
    }
    const json weekly = json::parse(R"([
        {"day": "mon", "start": "09:00", "end": "17:00"}, {"day": "tue", "start": "09:00", "end": "17:00"},
        {"day": "wed", "start": "09:00", "end": "17:00"}, {"day": "thu", "start": "09:00", "end": "17:00"},
        {"day": "fri", "start": "09:00", "end": "17:00"}])");
    // Closed on Christmas Day and New Year's Day of this year and the next
    // two: overrides are dated, and the demo's bookable range is 60 days.
    json overrides = json::array();
    const auto year = static_cast<int>(date::year_month_day{date::floor<Days>(clock_.now())}.year());
    for (int y = year; y <= year + 2; ++y) {
        overrides.push_back({{"date", std::to_string(y) + "-01-01"}, {"kind", "block"}});
        overrides.push_back({{"date", std::to_string(y) + "-12-25"}, {"kind", "block"}});
    }
    const json demo = {
        {"name", "Dr. Demo Example"},
        {"kind", "consultant"},
        {"time_zone", "Europe/Berlin"},
        {"active", true},
        {"bio", "General practice consultations in person in Berlin, and video calls."},
        {"address", "Torstraße 1, 10119 Berlin"},
        // So that the provider's "new booking" mail lands in the .eml folder beside the client's confirmation.
        {"notifications", {{"provider_email", kDemoProviderEmail}}},
        {"schedules", {{"default", {{"weekly", weekly}, {"overrides", overrides}}}}},
        {"services",
         // Times on the half hour: without an interval the grid would step
         // by duration plus buffer (40 minutes: 9:00, 9:40, 10:20).
         {{{"id", "consult"}, {"name", "Consultation"}, {"durations", {30, 60}}, {"buffer_after_minutes", 10},
           {"slot_interval_minutes", 30},
           {"min_notice_minutes", 120}, {"max_advance_days", 60}, {"price", {{"amount", 5000}, {"currency", "EUR"}}},
           {"cancellation_policy", "moderate"}, {"virtual", false}, {"requires_confirmation", false}},
          {{"id", "video"}, {"name", "Video call"}, {"durations", {45}}, {"slot_interval_minutes", 60},
           {"min_notice_minutes", 60}, {"max_advance_days", 60}, {"price", {{"amount", 3000}, {"currency", "EUR"}}},
           {"cancellation_policy", "flexible"}, {"virtual", true}, {"requires_confirmation", true}}}}};
    put_provider(domain::Operator{}, "demo", demo.dump());
    return std::string("demo");
}

}  // namespace slotwise::server
