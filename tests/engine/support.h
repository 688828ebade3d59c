// Small builders shared by the engine's unit tests: a snapshot is written as
// JSON, as every caller of the engine writes it.
#pragma once

#include "slotwise/protocol.h"
#include "slotwise/time.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace slotwise::test {

using json = nlohmann::json;

inline Instant instant(const char* text) {
    const auto t = parse_instant(text);
    REQUIRE(t);
    return *t;
}

inline LocalDate day(const char* text) {
    const auto d = parse_date(text);
    REQUIRE(d);
    return *d;
}

inline LocalTime local(const char* date_text, int hour, int minute) {
    return LocalTime{day(date_text)} + Minutes{hour * 60 + minute};
}

// A provider with one schedule "default" and one service "s1".
inline json snapshot(const std::string& zone, json weekly, json service_fields = json::object(),
                     json overrides = json::array(), json busy = json::array()) {
    json service = {{"id", "s1"}, {"durations", {30}}};
    service.update(service_fields);
    return {{"provider", {{"id", "p1"}, {"time_zone", zone}}},
            {"schedules", {{"default", {{"weekly", weekly}, {"overrides", overrides}}}}},
            {"services", {service}},
            {"busy", busy}};
}

inline json window(const char* day_name, const char* start, const char* end) {
    return {{"day", day_name}, {"start", start}, {"end", end}};
}

inline json every_day(const char* start, const char* end) {
    json weekly = json::array();
    for (const char* d : {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}) weekly.push_back(window(d, start, end));
    return weekly;
}

inline json query(const char* from, const char* to, const char* zone, const char* now = "2020-01-01T00:00:00Z") {
    return {{"service", "s1"}, {"from", from}, {"to", to}, {"time_zone", zone}, {"now", now}};
}

inline json answer(const Answer& a) { return json::parse(a.json); }

inline json slots_of(const json& snap, const json& q) {
    const Answer a = Engine(snap.dump()).slots(q.dump());
    INFO(a.json);
    REQUIRE_FALSE(a.is_error);
    return answer(a)["slots"];
}

// "HH:MM" local starts of the slots, for compact expectations.
inline std::vector<std::string> starts_utc(const json& slots) {
    std::vector<std::string> out;
    for (const auto& s : slots) out.push_back(s["start"].get<std::string>());
    return out;
}

inline std::string verdict(const json& snap, json request) {
    const Answer a = Engine(snap.dump()).validate(request.dump());
    INFO(a.json);
    REQUIRE_FALSE(a.is_error);
    const json j = answer(a);
    return j["ok"].get<bool>() ? "OK" : j["code"].get<std::string>();
}

}  // namespace slotwise::test
