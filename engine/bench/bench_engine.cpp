// The engine's reference workload (issue 2, item 5): provider Europe/Berlin,
// viewer America/New_York, Mon-Fri 09:00-17:00, 30-minute slots every 15
// minutes, no buffers; 1, 30 and 90 days from 2026-03-01 (which spans Berlin's
// and New York's spring-forward days); 0, 100 and 1,000 busy intervals of 30
// minutes spread evenly over the range.
//
//   Query        Engine::slots on query JSON, snapshot parsed once: reading the
//                query, computing the slots and writing the result JSON.
//   SlotStarts   the typed core alone: slotwise::slot_starts on a parsed Snapshot.
//   ParseQuery   slotwise::slots(snapshot_json, query_json): parse + query.
//   Parse        slotwise::Engine(snapshot_json): parse and check the snapshot
//                (the busy list read straight from the text).
//   ParseDom     the same through nlohmann's DOM only (parse_snapshot_text_dom),
//                the reference the fast busy read is tested against.
// Query, Parse, ParseDom and ParseQuery also report `per_busy`: their time divided
// by the number of busy intervals (rows with busy intervals only).
#include "slotwise/availability.h"
#include "slotwise/protocol.h"
#include "slotwise/snapshot.h"

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace {

constexpr const char* first_day = "2026-03-01";

std::string snapshot_json(int days, int busy_count) {
    nlohmann::json weekly = nlohmann::json::array();
    for (const char* day : {"mon", "tue", "wed", "thu", "fri"})
        weekly.push_back({{"day", day}, {"start", "09:00"}, {"end", "17:00"}});
    nlohmann::json busy = nlohmann::json::array();
    const slotwise::Instant start = *slotwise::parse_instant("2026-03-01T00:00:00Z");
    const std::int64_t span = std::int64_t{days} * 1440;
    for (int i = 0; i < busy_count; ++i) {
        const slotwise::Instant b = start + slotwise::Minutes{span * i / busy_count};
        busy.push_back({{"start", slotwise::format_instant(b)},
                        {"end", slotwise::format_instant(b + slotwise::Minutes{30})}});
    }
    const nlohmann::json snapshot = {
        {"provider", {{"id", "bench"}, {"time_zone", "Europe/Berlin"}}},
        {"schedules", {{"default", {{"weekly", weekly}}}}},
        {"services", {{{"id", "consult"},
                       {"durations", {30}},
                       {"buffer_before_minutes", 0},
                       {"buffer_after_minutes", 0},
                       {"slot_interval_minutes", 15}}}},
        {"busy", busy}};
    return snapshot.dump();
}

std::string query_json(int days) {
    const slotwise::LocalDate from = *slotwise::parse_date(first_day);
    return nlohmann::json{{"service", "consult"},
                          {"duration_minutes", 30},
                          {"from", first_day},
                          {"to", slotwise::format_date(from + slotwise::Days{days - 1})},
                          {"time_zone", "America/New_York"},
                          {"now", "2026-02-20T12:00:00Z"}}
        .dump();
}

int days_of(const benchmark::State& state) { return static_cast<int>(state.range(0)); }
int busy_of(const benchmark::State& state) { return static_cast<int>(state.range(1)); }

void count_slots(benchmark::State& state, const slotwise::Answer& answer) {
    if (answer.is_error) throw std::runtime_error("benchmark input rejected: " + answer.json);
    const auto parsed = nlohmann::json::parse(answer.json);
    state.counters["slots"] = static_cast<double>(parsed["slots"].size());
}

// Time per busy interval, as a counter: iterations x busy items per second, inverted.
void count_per_busy(benchmark::State& state) {
    if (busy_of(state) == 0) return;
    state.counters["per_busy"] = benchmark::Counter(static_cast<double>(busy_of(state)),
                                                    benchmark::Counter::kIsIterationInvariantRate |
                                                        benchmark::Counter::kInvert);
}

void Query(benchmark::State& state) {
    const slotwise::Engine engine(snapshot_json(days_of(state), busy_of(state)));
    const std::string query = query_json(days_of(state));
    for (auto _ : state) {
        auto answer = engine.slots(query);
        benchmark::DoNotOptimize(answer);
    }
    count_slots(state, engine.slots(query));
    count_per_busy(state);
}

void SlotStarts(benchmark::State& state) {
    auto parsed = slotwise::parse_snapshot(nlohmann::json::parse(snapshot_json(days_of(state), busy_of(state))));
    if (!parsed) throw std::runtime_error("benchmark snapshot rejected: " + parsed.error().message);
    const slotwise::Snapshot& snapshot = *parsed;
    const slotwise::Service& service = *snapshot.find_service("consult");
    // The New York dates of the query, as instants.
    const slotwise::Instant from = *slotwise::parse_instant("2026-03-01T05:00:00Z");
    const slotwise::Interval range{from, from + slotwise::Days{days_of(state)}};
    const slotwise::Instant now = *slotwise::parse_instant("2026-02-20T12:00:00Z");
    std::size_t slots = 0;
    for (auto _ : state) {
        auto starts = slotwise::slot_starts(snapshot, service, 30, range, now);
        slots = starts.size();
        benchmark::DoNotOptimize(starts);
    }
    state.counters["slots"] = static_cast<double>(slots);
}

void ParseQuery(benchmark::State& state) {
    const std::string snapshot = snapshot_json(days_of(state), busy_of(state));
    const std::string query = query_json(days_of(state));
    for (auto _ : state) {
        auto answer = slotwise::slots(snapshot, query);
        benchmark::DoNotOptimize(answer);
    }
    count_slots(state, slotwise::slots(snapshot, query));
    count_per_busy(state);
    state.counters["snapshot_bytes"] = static_cast<double>(snapshot.size());
}

void Parse(benchmark::State& state) {
    const std::string snapshot = snapshot_json(days_of(state), busy_of(state));
    for (auto _ : state) {
        slotwise::Engine engine(snapshot);
        benchmark::DoNotOptimize(engine);
    }
    if (!slotwise::Engine(snapshot).ok()) throw std::runtime_error("benchmark snapshot rejected");
    count_per_busy(state);
}

void ParseDom(benchmark::State& state) {
    const std::string snapshot = snapshot_json(days_of(state), busy_of(state));
    for (auto _ : state) {
        auto parsed = slotwise::parse_snapshot_text_dom(snapshot);
        benchmark::DoNotOptimize(parsed);
    }
    if (!slotwise::parse_snapshot_text_dom(snapshot)) throw std::runtime_error("benchmark snapshot rejected");
    count_per_busy(state);
}

void workload(benchmark::internal::Benchmark* b) {
    b->ArgNames({"days", "busy"});
    for (int days : {1, 30, 90})
        for (int busy : {0, 100, 1000}) b->Args({days, busy});
    b->Unit(benchmark::kMicrosecond);
}

}  // namespace

BENCHMARK(Query)->Apply(workload);
BENCHMARK(SlotStarts)->Apply(workload);
BENCHMARK(ParseQuery)->Apply(workload);
BENCHMARK(Parse)->Apply(workload);
BENCHMARK(ParseDom)->Apply(workload);

BENCHMARK_MAIN();
