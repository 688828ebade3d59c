// engine.md "Errors": bad input gets the right code and JSON pointer, never a crash.
#include "support.h"

#include <functional>

using namespace slotwise;
using namespace slotwise::test;

namespace {

json error_of(const Answer& a) {
    INFO(a.json);
    REQUIRE(a.is_error);
    const json j = json::parse(a.json);
    REQUIRE(j.size() == 1);
    REQUIRE(j["error"].size() == 3);
    return j["error"];
}

json good_snapshot() {
    return snapshot("Europe/Berlin", {window("mon", "09:00", "12:00")},
                    {{"durations", {30, 60}}, {"slot_interval_minutes", nullptr}, {"max_advance_days", nullptr}},
                    {{{"date", "2026-12-24"}, {"kind", "block"}}},
                    {{{"start", "2026-12-21T09:00:00Z"}, {"end", "2026-12-21T09:40:00Z"}}});
}

// A document made bad by `mutate`, and the error code and path expected for it.
struct DefectCase {
    const char* name;
    std::function<void(json&)> mutate;
    const char* code;
    const char* path;
};

}  // namespace

TEST_CASE("malformed JSON", "[errors]") {
    const std::string text = GENERATE(as<std::string>{}, "", "   \n", "{", "{\"a\":}", "nul", "[1,]", "{\"a\":NaN}",
                                      "{\"a\":1} x", std::string("{\"a\":\"\xff\"}"), std::string("\"\xc3\x28\""),
                                      std::string(65, '[') + std::string(65, ']'));
    CAPTURE(text);
    const json e = error_of(Engine(text).slots("{}"));
    CHECK(e["code"] == "INVALID_JSON");
    CHECK(e["path"] == "");
    CHECK(error_of(refund(text))["code"] == "INVALID_JSON");
    CHECK(error_of(run_line(text))["code"] == "INVALID_JSON");
}

TEST_CASE("64 levels of nesting are still JSON", "[errors]") {
    const std::string deep = std::string(64, '[') + std::string(64, ']');
    CHECK(error_of(Engine(deep).slots("{}"))["code"] == "INVALID_SNAPSHOT");
    const std::string in_string = "{\"x\":\"" + std::string(100, '[') + "\"}";
    CHECK(error_of(Engine(in_string).slots("{}"))["path"] == "/provider");
}

TEST_CASE("snapshot rules, each with its path", "[errors]") {
    const DefectCase c = GENERATE(values<DefectCase>({
        {"not an object", [](json& s) { s = json::array(); }, "INVALID_SNAPSHOT", ""},
        {"no provider", [](json& s) { s.erase("provider"); }, "INVALID_SNAPSHOT", "/provider"},
        {"no provider id", [](json& s) { s["provider"].erase("id"); }, "INVALID_SNAPSHOT", "/provider/id"},
        {"zone not a string", [](json& s) { s["provider"]["time_zone"] = 5; }, "INVALID_SNAPSHOT", "/provider/time_zone"},
        {"unknown zone", [](json& s) { s["provider"]["time_zone"] = "Mars/Olympus"; }, "UNKNOWN_TIME_ZONE", "/provider/time_zone"},
        {"zone case matters", [](json& s) { s["provider"]["time_zone"] = "europe/berlin"; }, "UNKNOWN_TIME_ZONE", "/provider/time_zone"},
        {"active not a bool", [](json& s) { s["provider"]["active"] = "yes"; }, "INVALID_SNAPSHOT", "/provider/active"},
        {"active null", [](json& s) { s["provider"]["active"] = nullptr; }, "INVALID_SNAPSHOT", "/provider/active"},
        {"no schedules", [](json& s) { s.erase("schedules"); }, "INVALID_SNAPSHOT", "/schedules"},
        {"schedules a list", [](json& s) { s["schedules"] = json::array(); }, "INVALID_SNAPSHOT", "/schedules"},
        {"no services", [](json& s) { s.erase("services"); }, "INVALID_SNAPSHOT", "/services"},
        {"weekday spelling", [](json& s) { s["schedules"]["default"]["weekly"][0]["day"] = "Mon"; }, "INVALID_SNAPSHOT", "/schedules/default/weekly/0/day"},
        {"end before start", [](json& s) { s["schedules"]["default"]["weekly"][0]["end"] = "08:00"; }, "INVALID_SNAPSHOT", "/schedules/default/weekly/0/end"},
        {"empty window", [](json& s) { s["schedules"]["default"]["weekly"][0]["end"] = "09:00"; }, "INVALID_SNAPSHOT", "/schedules/default/weekly/0/end"},
        {"24:00 as a start", [](json& s) { s["schedules"]["default"]["weekly"][0]["start"] = "24:00"; }, "INVALID_SNAPSHOT", "/schedules/default/weekly/0/start"},
        {"time without leading zero", [](json& s) { s["schedules"]["default"]["weekly"][0]["start"] = "9:00"; }, "INVALID_SNAPSHOT", "/schedules/default/weekly/0/start"},
        {"24:30", [](json& s) { s["schedules"]["default"]["weekly"][0]["end"] = "24:30"; }, "INVALID_SNAPSHOT", "/schedules/default/weekly/0/end"},
        {"weekly not a list", [](json& s) { s["schedules"]["default"]["weekly"] = json::object(); }, "INVALID_SNAPSHOT", "/schedules/default/weekly"},
        {"unknown override kind", [](json& s) { s["schedules"]["default"]["overrides"][0]["kind"] = "remove"; }, "INVALID_SNAPSHOT", "/schedules/default/overrides/0/kind"},
        {"block with a start only", [](json& s) { s["schedules"]["default"]["overrides"][0]["start"] = "10:00"; }, "INVALID_SNAPSHOT", "/schedules/default/overrides/0/end"},
        {"impossible date", [](json& s) { s["schedules"]["default"]["overrides"][0]["date"] = "2026-02-30"; }, "INVALID_SNAPSHOT", "/schedules/default/overrides/0/date"},
        {"replace without windows", [](json& s) { s["schedules"]["default"]["overrides"][0]["kind"] = "replace"; }, "INVALID_SNAPSHOT", "/schedules/default/overrides/0/windows"},
        {"add without times", [](json& s) { s["schedules"]["default"]["overrides"][0]["kind"] = "add"; }, "INVALID_SNAPSHOT", "/schedules/default/overrides/0/start"},
        {"schedule name escaped in the path", [](json& s) { s["schedules"]["a/b~c"] = {{"weekly", 1}}; }, "INVALID_SNAPSHOT", "/schedules/a~1b~0c/weekly"},
        {"no service id", [](json& s) { s["services"][0].erase("id"); }, "INVALID_SNAPSHOT", "/services/0/id"},
        {"duplicate service id", [](json& s) { s["services"].push_back(s["services"][0]); }, "INVALID_SNAPSHOT", "/services/1/id"},
        {"unknown schedule", [](json& s) { s["services"][0]["schedule"] = "other"; }, "INVALID_SNAPSHOT", "/services/0/schedule"},
        {"no durations", [](json& s) { s["services"][0]["durations"] = json::array(); }, "INVALID_SNAPSHOT", "/services/0/durations"},
        {"nine durations", [](json& s) { s["services"][0]["durations"] = {5, 10, 15, 20, 25, 30, 35, 40, 45}; }, "INVALID_SNAPSHOT", "/services/0/durations"},
        {"repeated duration", [](json& s) { s["services"][0]["durations"] = {30, 30}; }, "INVALID_SNAPSHOT", "/services/0/durations/1"},
        {"duration 4", [](json& s) { s["services"][0]["durations"] = {4}; }, "INVALID_SNAPSHOT", "/services/0/durations/0"},
        {"duration 1441", [](json& s) { s["services"][0]["durations"] = {1441}; }, "INVALID_SNAPSHOT", "/services/0/durations/0"},
        {"duration 30.0", [](json& s) { s["services"][0]["durations"] = json::parse("[30.0]"); }, "INVALID_SNAPSHOT", "/services/0/durations/0"},
        {"duration 3e1", [](json& s) { s["services"][0]["durations"] = json::parse("[3e1]"); }, "INVALID_SNAPSHOT", "/services/0/durations/0"},
        {"duration as text", [](json& s) { s["services"][0]["durations"] = {"30"}; }, "INVALID_SNAPSHOT", "/services/0/durations/0"},
        {"huge duration", [](json& s) { s["services"][0]["durations"] = json::parse("[18446744073709551615]"); }, "INVALID_SNAPSHOT", "/services/0/durations/0"},
        {"buffer 1441", [](json& s) { s["services"][0]["buffer_after_minutes"] = 1441; }, "INVALID_SNAPSHOT", "/services/0/buffer_after_minutes"},
        {"negative buffer", [](json& s) { s["services"][0]["buffer_before_minutes"] = -1; }, "INVALID_SNAPSHOT", "/services/0/buffer_before_minutes"},
        {"buffer null", [](json& s) { s["services"][0]["buffer_before_minutes"] = nullptr; }, "INVALID_SNAPSHOT", "/services/0/buffer_before_minutes"},
        {"interval 4", [](json& s) { s["services"][0]["slot_interval_minutes"] = 4; }, "INVALID_SNAPSHOT", "/services/0/slot_interval_minutes"},
        {"notice too long", [](json& s) { s["services"][0]["min_notice_minutes"] = 525601; }, "INVALID_SNAPSHOT", "/services/0/min_notice_minutes"},
        {"advance too far", [](json& s) { s["services"][0]["max_advance_days"] = 3651; }, "INVALID_SNAPSHOT", "/services/0/max_advance_days"},
        {"service active as number", [](json& s) { s["services"][0]["active"] = 1; }, "INVALID_SNAPSHOT", "/services/0/active"},
        {"busy end before start", [](json& s) { s["busy"][0]["end"] = "2026-12-21T08:00:00Z"; }, "INVALID_SNAPSHOT", "/busy/0/end"},
        {"busy with seconds", [](json& s) { s["busy"][0]["start"] = "2026-12-21T09:00:30Z"; }, "INVALID_SNAPSHOT", "/busy/0/start"},
        {"busy with an offset", [](json& s) { s["busy"][0]["start"] = "2026-12-21T09:00:00+01:00"; }, "INVALID_SNAPSHOT", "/busy/0/start"},
        {"busy missing end", [](json& s) { s["busy"][0].erase("end"); }, "INVALID_SNAPSHOT", "/busy/0/end"},
    }));
    CAPTURE(c.name);
    json snap = good_snapshot();
    c.mutate(snap);
    const json e = error_of(Engine(snap.dump()).slots(query("2026-12-21", "2026-12-21", "UTC").dump()));
    CHECK(e["code"] == c.code);
    CHECK(e["path"] == c.path);
}

TEST_CASE("unknown keys are ignored; null means absent where engine.md says so", "[errors]") {
    json snap = good_snapshot();
    snap["provider"]["name"] = "Dr. Who";
    snap["services"][0]["price"] = {{"amount", 5000}};
    snap["future"] = {1, 2, 3};
    CHECK(Engine(snap.dump()).ok());
}

TEST_CASE("query rules, each with its path", "[errors]") {
    const DefectCase c = GENERATE(values<DefectCase>({
        {"not an object", [](json& q) { q = "s1"; }, "INVALID_QUERY", ""},
        {"no service", [](json& q) { q.erase("service"); }, "INVALID_QUERY", "/service"},
        {"unknown service", [](json& q) { q["service"] = "s9"; }, "INVALID_QUERY", "/service"},
        {"duration not offered", [](json& q) { q["duration_minutes"] = 45; }, "INVALID_QUERY", "/duration_minutes"},
        {"duration as float", [](json& q) { q["duration_minutes"] = 30.0; }, "INVALID_QUERY", "/duration_minutes"},
        {"duration null", [](json& q) { q["duration_minutes"] = nullptr; }, "INVALID_QUERY", "/duration_minutes"},
        {"bad from", [](json& q) { q["from"] = "2026-13-01"; }, "INVALID_QUERY", "/from"},
        {"no to", [](json& q) { q.erase("to"); }, "INVALID_QUERY", "/to"},
        {"to before from", [](json& q) { q["to"] = "2026-11-30"; }, "INVALID_QUERY", "/to"},
        {"367 days", [](json& q) { q["to"] = "2027-12-03"; }, "INVALID_QUERY", "/to"},
        {"zone not a string", [](json& q) { q["time_zone"] = 1; }, "INVALID_QUERY", "/time_zone"},
        {"unknown zone", [](json& q) { q["time_zone"] = "Local"; }, "UNKNOWN_TIME_ZONE", "/time_zone"},
        {"no now", [](json& q) { q.erase("now"); }, "INVALID_QUERY", "/now"},
        {"now with seconds", [](json& q) { q["now"] = "2026-11-21T10:00:01Z"; }, "INVALID_QUERY", "/now"},
        {"from before 2020", [](json& q) { q["from"] = "2019-12-31"; }, "OUT_OF_RANGE", "/from"},
        {"to after 2050", [](json& q) { q["from"] = "2050-12-01"; q["to"] = "2051-01-01"; }, "OUT_OF_RANGE", "/to"},
        {"now after range", [](json& q) { q["now"] = "2051-01-02T00:00:00Z"; }, "OUT_OF_RANGE", "/now"},
        {"now before range", [](json& q) { q["now"] = "2019-12-30T23:59:00Z"; }, "OUT_OF_RANGE", "/now"},
    }));
    CAPTURE(c.name);
    json q = query("2026-12-01", "2026-12-31", "America/New_York", "2026-11-21T10:00:00Z");
    c.mutate(q);
    const json e = error_of(Engine(good_snapshot().dump()).slots(q.dump()));
    CHECK(e["code"] == c.code);
    CHECK(e["path"] == c.path);
}

TEST_CASE("range limits are inclusive", "[errors]") {
    const Engine engine(good_snapshot().dump());
    CHECK_FALSE(engine.slots(query("2026-01-01", "2027-01-02", "UTC").dump()).is_error);  // 366 days after
    CHECK_FALSE(engine.slots(query("2050-12-31", "2050-12-31", "Pacific/Kiritimati", "2051-01-01T23:59:00Z").dump()).is_error);
    CHECK_FALSE(engine.slots(query("2020-01-01", "2020-01-01", "Etc/GMT+12", "2019-12-31T00:00:00Z").dump()).is_error);
    const json edge = {{"service", "s1"}, {"start", "2051-01-01T23:59:00Z"}, {"now", "2019-12-31T00:00:00Z"}};
    CHECK_FALSE(engine.validate(edge.dump()).is_error);
}

TEST_CASE("validation request and refund input errors", "[errors]") {
    const Engine engine(good_snapshot().dump());
    auto validate_error = [&](json r) { return error_of(engine.validate(r.dump())); };
    const json ok = {{"service", "s1"}, {"start", "2026-12-21T08:00:00Z"}, {"now", "2026-11-21T10:00:00Z"}};
    json r = ok;
    r["start"] = "2051-01-02T00:00:00Z";
    CHECK(validate_error(r) == json{{"code", "OUT_OF_RANGE"}, {"message", validate_error(r)["message"]}, {"path", "/start"}});
    r = ok;
    r.erase("service");
    CHECK(validate_error(r)["path"] == "/service");
    r = ok;
    r["duration_minutes"] = "30";
    CHECK(validate_error(r)["path"] == "/duration_minutes");
    r = ok;
    r["duration_minutes"] = 7;  // an integer that is not offered is a verdict, not an input error
    CHECK(json::parse(engine.validate(r.dump()).json) == json{{"ok", false}, {"code", "INVALID_DURATION"}});

    const json refund_ok = {{"policy", "moderate"}, {"price", 5000}, {"start", "2026-12-21T08:00:00Z"},
                            {"cancelled_at", "2026-12-19T08:00:00Z"}};
    auto refund_error = [](json input) { return error_of(refund(input.dump())); };
    json f = refund_ok;
    f["policy"] = "lenient";
    CHECK(refund_error(f)["path"] == "/policy");
    f["policy"] = {{{"hours_before", 24}, {"percent", 101}}};
    CHECK(refund_error(f)["path"] == "/policy/0/percent");
    f["policy"] = {{{"hours_before", 87601}, {"percent", 10}}};
    CHECK(refund_error(f)["path"] == "/policy/0/hours_before");
    f = refund_ok;
    f["price"] = -1;
    CHECK(refund_error(f)["path"] == "/price");
    f["price"] = 1000000000001;
    CHECK(refund_error(f)["path"] == "/price");
    f = refund_ok;
    f["by"] = "friend";
    CHECK(refund_error(f)["path"] == "/by");
    f = refund_ok;
    f.erase("cancelled_at");
    CHECK(refund_error(f) == json{{"code", "INVALID_QUERY"}, {"message", "missing required key \"cancelled_at\""}, {"path", "/cancelled_at"}});
}

TEST_CASE("huge inputs stay bounded and correct", "[errors]") {
    json snap = good_snapshot();
    snap["schedules"]["default"]["weekly"] = every_day("00:00", "24:00");
    for (int i = 0; i < 100000; ++i) {
        const Instant start = instant("2026-01-01T00:00:00Z") + Minutes{i * 7};
        snap["busy"].push_back({{"start", format_instant(start)}, {"end", format_instant(start + Minutes{5})}});
    }
    const Engine engine(snap.dump());
    REQUIRE(engine.ok());
    const Answer a = engine.slots(query("2026-01-01", "2026-12-31", "UTC", "2025-12-01T00:00:00Z").dump());
    CHECK_FALSE(a.is_error);
    const std::string long_name(1 << 20, 'x');
    json big = good_snapshot();
    big["provider"]["time_zone"] = long_name;
    CHECK(error_of(Engine(big.dump()).slots("{}"))["code"] == "UNKNOWN_TIME_ZONE");
}
