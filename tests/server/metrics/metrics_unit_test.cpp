// The registry of server-stub/src/metrics/: what it writes must be the
// Prometheus text format 0.0.4 to the letter, since a scraper that meets one
// malformed line drops the whole scrape.
#include <catch2/catch.hpp>

#include <limits>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "metrics/registry.h"

using namespace slotwise::metrics;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

bool has_line(const std::string& text, const std::string& line) {
    for (const auto& l : lines_of(text))
        if (l == line) return true;
    return false;
}

}  // namespace

TEST_CASE("label values escape backslash, double quote and line feed, and nothing else") {
    CHECK(escape_label_value(R"(a\b)") == R"(a\\b)");
    CHECK(escape_label_value("say \"hi\"") == R"(say \"hi\")");
    CHECK(escape_label_value("two\nlines") == R"(two\nlines)");
    CHECK(escape_label_value("tab\there, ünïcode, {braces}=,") == "tab\there, ünïcode, {braces}=,");
    CHECK(escape_help("a \"quoted\" \\ and\nmore") == "a \"quoted\" \\\\ and\\nmore");
}

TEST_CASE("values: +Inf, -Inf, NaN and the shortest decimal that reads back") {
    CHECK(format_value(std::numeric_limits<double>::infinity()) == "+Inf");
    CHECK(format_value(-std::numeric_limits<double>::infinity()) == "-Inf");
    CHECK(format_value(std::numeric_limits<double>::quiet_NaN()) == "NaN");
    CHECK(format_value(0.005) == "0.005");
    CHECK(format_value(2.5) == "2.5");
    CHECK(format_value(10) == "10");
    CHECK(format_value(0.1 + 0.2) == "0.30000000000000004");
}

TEST_CASE("a counter family: HELP, TYPE, one line per label set in a stable order") {
    Registry r;
    auto& c = r.counter("slotwise_things_total", "Things, with a \\ and a\nline feed.", {"route", "status"});
    c.with({"/v1/b", "2xx"}).inc(2);
    c.with({"/v1/a", "4xx"}).inc();
    c.with({"a\"b\\c\nd", "5xx"}).inc();
    c.with({"/v1/b", "2xx"}).inc();
    const auto out = lines_of(r.render());
    REQUIRE(out.size() == 5);
    CHECK(out[0] == "# HELP slotwise_things_total Things, with a \\\\ and a\\nline feed.");
    CHECK(out[1] == "# TYPE slotwise_things_total counter");
    CHECK(out[2] == "slotwise_things_total{route=\"/v1/a\",status=\"4xx\"} 1");
    CHECK(out[3] == "slotwise_things_total{route=\"/v1/b\",status=\"2xx\"} 3");
    CHECK(out[4] == "slotwise_things_total{route=\"a\\\"b\\\\c\\nd\",status=\"5xx\"} 1");
}

TEST_CASE("a family without labels, and one with labels but no samples yet") {
    Registry r;
    r.gauge("slotwise_lag_seconds", "Lag.").with({}).set(1.25);
    r.counter("slotwise_unused_total", "Nothing yet.", {"kind"});
    const std::string text = r.render();
    CHECK(has_line(text, "slotwise_lag_seconds 1.25"));
    CHECK(has_line(text, "# TYPE slotwise_unused_total counter"));
    CHECK(text.find("slotwise_unused_total{") == std::string::npos);
}

TEST_CASE("histogram: cumulative buckets with inclusive upper bounds, +Inf equal to _count, _sum") {
    Registry r;
    auto& h = r.histogram("slotwise_wait_seconds", "Waits.", {"route"}, {0.1, 1, 2.5});
    auto& w = h.with({"/v1/x"});
    for (double v : {0.05, 0.1, 0.5, 1.0, 2.0, 3.0, 100.0}) w.observe(v);
    const std::string text = r.render();
    CHECK(has_line(text, "# TYPE slotwise_wait_seconds histogram"));
    CHECK(has_line(text, "slotwise_wait_seconds_bucket{route=\"/v1/x\",le=\"0.1\"} 2"));  // 0.05 and 0.1 itself
    CHECK(has_line(text, "slotwise_wait_seconds_bucket{route=\"/v1/x\",le=\"1\"} 4"));
    CHECK(has_line(text, "slotwise_wait_seconds_bucket{route=\"/v1/x\",le=\"2.5\"} 5"));
    CHECK(has_line(text, "slotwise_wait_seconds_bucket{route=\"/v1/x\",le=\"+Inf\"} 7"));
    CHECK(has_line(text, "slotwise_wait_seconds_sum{route=\"/v1/x\"} 106.65"));
    CHECK(has_line(text, "slotwise_wait_seconds_count{route=\"/v1/x\"} 7"));
    // Without labels, `le` is the only label.
    auto& plain = r.histogram("slotwise_plain_seconds", "Plain.", {}, {1});
    plain.with({}).observe(0.5);
    const std::string again = r.render();
    CHECK(has_line(again, "slotwise_plain_seconds_bucket{le=\"1\"} 1"));
    CHECK(has_line(again, "slotwise_plain_seconds_bucket{le=\"+Inf\"} 1"));
    CHECK(has_line(again, "slotwise_plain_seconds_count 1"));
}

TEST_CASE("bad registrations are programming errors") {
    Registry r;
    r.counter("slotwise_once_total", "Once.");
    CHECK_THROWS_AS(r.counter("slotwise_once_total", "Twice."), std::logic_error);
    CHECK_THROWS_AS(r.histogram("slotwise_bad_seconds", "Bad.", {}, {1, 0.5}), std::logic_error);
    CHECK_THROWS_AS(r.histogram("slotwise_inf_seconds", "Bad.", {}, {1, std::numeric_limits<double>::infinity()}), std::logic_error);
    auto& c = r.counter("slotwise_two_total", "Two labels.", {"a", "b"});
    CHECK_THROWS_AS(c.with({"only one"}), std::logic_error);
}

TEST_CASE("label sets beyond the capacity share one 'other' child instead of growing without bound") {
    Registry r;
    auto& c = r.counter("slotwise_many_total", "Many.", {"id"});
    const std::size_t n = FamilyBase::kCapacity;  // more than the 3/4 that get a child of their own
    for (std::size_t i = 0; i < n; ++i) c.with({std::to_string(i)}).inc();
    const std::string text = r.render();
    std::size_t series = 0;
    std::uint64_t total = 0;
    for (const auto& l : lines_of(text)) {
        if (l.rfind("slotwise_many_total{", 0) != 0) continue;
        ++series;
        total += std::stoull(l.substr(l.rfind(' ') + 1));
    }
    CHECK(series == FamilyBase::kCapacity * 3 / 4 + 1);
    CHECK(total == n);  // nothing counted is lost
    CHECK(text.find("slotwise_many_total{id=\"other\"} " + std::to_string(n - FamilyBase::kCapacity * 3 / 4)) != std::string::npos);
}

TEST_CASE("threads counting at once, into new and existing label sets, lose nothing") {
    Registry r;
    auto& c = r.counter("slotwise_race_total", "Race.", {"k"});
    auto& h = r.histogram("slotwise_race_seconds", "Race.", {"k"}, {0.5});
    constexpr int kThreads = 8, kEach = 20000, kKeys = 50;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i) {
                const std::string key = std::to_string((i + t) % kKeys);
                c.with({key}).inc();
                h.with({key}).observe(i % 2 ? 0.25 : 0.75);
            }
        });
    for (auto& t : threads) t.join();
    std::uint64_t total = 0, below = 0, all = 0;
    std::size_t series = 0;
    for (const auto& l : lines_of(r.render())) {
        const auto value = [&] { return std::stoull(l.substr(l.rfind(' ') + 1)); };
        if (l.rfind("slotwise_race_total{", 0) == 0) {
            ++series;
            total += value();
        } else if (l.rfind("slotwise_race_seconds_bucket{", 0) == 0 && l.find("le=\"0.5\"") != std::string::npos) {
            below += value();
        } else if (l.rfind("slotwise_race_seconds_count{", 0) == 0) {
            all += value();
        }
    }
    CHECK(series == kKeys);
    CHECK(total == std::uint64_t{kThreads} * kEach);
    CHECK(all == std::uint64_t{kThreads} * kEach);
    CHECK(below == std::uint64_t{kThreads} * kEach / 2);
}
