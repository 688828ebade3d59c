// The fast busy read (parse_snapshot_text) against the DOM read it replaces
// (parse_snapshot_text_dom): the same snapshot or the same error for every
// text, and the fast path actually taken for the shapes producers write.
#include "support.h"

#include "slotwise/protocol.h"
#include "slotwise/snapshot.h"

#include <cstdint>
#include <cstdio>
#include <random>
#include <sstream>
#include <string>

namespace {

using slotwise::Result;
using slotwise::Snapshot;

// Everything a snapshot holds that the two reads could disagree on.
std::string describe(const Result<Snapshot>& result) {
    if (!result) return slotwise::to_answer(result.error()).json;
    const Snapshot& s = *result;
    std::ostringstream out;
    out << "ok " << s.provider_id << ' ' << s.provider_active << ' ' << s.schedules.size() << ' '
        << s.services.size() << " busy";
    for (const auto& b : s.busy) out << ' ' << slotwise::format_instant(b.start) << '/' << slotwise::format_instant(b.end);
    return out.str();
}

void require_same(const std::string& text) {
    INFO("snapshot text: " << text);
    REQUIRE(describe(slotwise::parse_snapshot_text(text)) == describe(slotwise::parse_snapshot_text_dom(text)));
}

const std::string head =
    R"({"provider":{"id":"p1","time_zone":"Europe/Berlin"},"schedules":{"default":{"weekly":[{"day":"mon","start":"09:00","end":"17:00"}]}},"services":[{"id":"s1","durations":[30]}])";
const std::string two_busy =
    R"([{"start":"2026-03-02T09:00:00Z","end":"2026-03-02T09:30:00Z"},{"start":"2026-03-01T08:00:00Z","end":"2026-03-02T09:10:00Z"}])";

std::string with_busy(const std::string& busy) { return head + R"(,"busy":)" + busy + "}"; }

}  // namespace

TEST_CASE("the usual busy shapes are read from the text, with the DOM read's result", "[snapshot_text]") {
    const std::string text = GENERATE(
        with_busy(two_busy), with_busy("[]"), with_busy(" [ ] "),
        with_busy(R"([{"end":"2026-03-02T09:30:00Z","start":"2026-03-02T09:00:00Z"}])"),
        with_busy("[\r\n\t{ \"start\" : \"2026-03-02T09:00:00Z\" ,\n \"end\":\"2026-03-02T10:00:00Z\" } ,\n"
                  "{\"end\":\"2026-03-03T09:30:00Z\",\"start\":\"2026-03-03T09:00:00Z\"}\n]"),
        // instants anywhere in engine.md's years, not only the query range
        with_busy(R"([{"start":"0000-01-01T00:00:00Z","end":"9999-12-31T23:59:00Z"}])"),
        // busy first, before the keys the DOM reads first
        std::string(R"({"busy":)") + two_busy + "," + head.substr(1) + "}",
        // a rule broken by the busy list itself: end not after start
        with_busy(R"([{"start":"2026-03-02T09:00:00Z","end":"2026-03-02T09:30:00Z"},{"start":"2026-03-02T09:00:00Z","end":"2026-03-02T09:00:00Z"}])"),
        // read errors and rules elsewhere, reported as before
        std::string(R"({"busy":[],"provider":{"id":"p1","time_zone":"Mars/Olympus"},"schedules":{},"services":[]})"),
        std::string(R"({"provider":{"id":"p1"},"busy":)") + two_busy + "}",
        std::string(R"({"provider":{"id":"p1","time_zone":"UTC"},"schedules":{},"services":[{"id":"s","durations":[0]}],"busy":)") + two_busy + "}",
        std::string(R"({"provider":{"id":"p1","time_zone":"UTC","busy":{"not":"read"}},"schedules":{},"services":[],"busy":)") + two_busy + "}",
        // a provider id that looks like a busy key
        std::string(R"({"provider":{"id":"\",\"busy\":[","time_zone":"UTC"},"schedules":{},"services":[],"busy":[]})"),
        // text that is not JSON after, before or around the list
        with_busy(two_busy) + "x", with_busy(two_busy) + "}",
        "{\"provider\":{\"id\":\"\xff\",\"time_zone\":\"UTC\"},\"schedules\":{},\"services\":[],\"busy\":[]}",
        std::string(R"({"provider":tru,"busy":[]})"), std::string(R"({"busy":[]})"),
        "{\"x\":" + std::string(63, '[') + std::string(63, ']') + R"(,"busy":[]})",
        "{\"x\":" + std::string(64, '[') + std::string(64, ']') + R"(,"busy":[]})");
    CHECK(slotwise::busy_read_from_text(text));
    require_same(text);
}

TEST_CASE("any other busy list is left to the DOM read, which reports it", "[snapshot_text]") {
    const std::string text = GENERATE(
        with_busy(R"([{"start":"2026-03-02T09:00:00Z","end":"2026-03-02T09:30:00Z","note":"x"}])"),
        with_busy(R"([{"start":"2026-03-02T09:00:00Z"}])"),
        with_busy(R"([{"start":"2026-03-02T09:00:00Z","start":"2026-03-02T09:30:00Z"}])"),
        with_busy(R"([{"\u0073tart":"2026-03-02T09:00:00Z","end":"2026-03-02T09:30:00Z"}])"),
        with_busy(R"([{"start":"2026-03-02T09:00:00\u005a","end":"2026-03-02T09:30:00Z"}])"),
        with_busy(R"([{"start":"2026-03-02T09:00:30Z","end":"2026-03-02T09:30:00Z"}])"),
        with_busy(R"([{"start":"2026-02-30T09:00:00Z","end":"2026-03-02T09:30:00Z"}])"),
        with_busy(R"([{"start":"2026-03-02T24:00:00Z","end":"2026-03-02T09:30:00Z"}])"),
        with_busy(R"([{"start":"2026-03-02 09:00:00Z","end":"2026-03-02T09:30:00Z"}])"),
        with_busy(R"([{"start":"2026-03-02T09:00Z","end":"2026-03-02T09:30:00Z"}])"),
        with_busy("[{\"start\":\"2026-03-02T09:00:00Z\",\"end\":\"2026-03-02T09:30:00\xc3\x9a\"}]"),
        with_busy("[{\"start\":\"2026-03-02T09:00:00Z\",\"end\":\"2026-03-02T09:3\t:00Z\"}]"),
        with_busy(R"([{"start":"2026-03-02T09:00:00Z","end":"2026-03-02T09:30:00Z"},])"),
        with_busy(R"([{"start":"2026-03-02T09:00:00Z","end":"2026-03-02T09:30:00Z"})"),
        with_busy(R"([{"start":"2026-03-02T09:00:00Z","end":"2026-03-02T09:30:00Z"}})"),
        with_busy(R"([{"start":"2026-03-02T09:00:00Z","end":"2026-03-02T09:30:00Z"}],[])"),
        with_busy(R"([[]])"), with_busy(R"([null])"), with_busy("null"), with_busy("{}"), with_busy(R"("")"),
        // which of two busy keys nlohmann keeps is its business
        with_busy(two_busy).substr(0, with_busy(two_busy).size() - 1) + R"(,"busy":[{"start":"x","end":"y"}]})",
        with_busy(R"([{"start":"x","end":"y"}])").substr(0, with_busy(R"([{"start":"x","end":"y"}])").size() - 1) +
            R"(,"busy":)" + two_busy + "}",
        head + R"(,"\u0062usy":[{"start":"x","end":"y"}],"busy":)" + two_busy + "}",
        head + R"(,"busy":)" + two_busy + R"(,"bus\u0079":[{"start":"x","end":"y"}]})",
        head + R"(,"busy":)" + two_busy, head + R"(,"busy":)" + two_busy + ",}",
        head + R"(,,"busy":)" + two_busy + "}", "\xef\xbb\xbf" + with_busy(two_busy), std::string(" "), std::string(""), std::string("[]"),
        std::string("{}"), std::string("{"), std::string(R"({"busy")"), std::string(R"({"busy":)"));
    CHECK_FALSE(slotwise::busy_read_from_text(text));
    require_same(text);
}

// Random edits of a valid document, concentrated on its busy list: every
// result of the fast read equals the DOM read's, whichever path it takes.
TEST_CASE("random edits of a snapshot read alike on both paths", "[snapshot_text]") {
    const std::string base = with_busy(
        R"([{"start":"2026-03-02T09:00:00Z","end":"2026-03-02T09:30:00Z"}, {"end":"2026-03-03T10:00:00Z","start":"2026-03-03T09:00:00Z"},)"
        "\n" R"({"start":"2026-03-02T09:15:00Z","end":"2026-03-02T11:30:00Z"}])");
    const std::string alphabet = "{}[]\",: \t\n\\u0123456789TZ-xse";
    std::mt19937 random(13);
    int fast = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string text = base;
        const int edits = 1 + static_cast<int>(random() % 3);
        for (int e = 0; e < edits; ++e) {
            // Three in four edits fall inside the busy list.
            const std::size_t from = random() % 4 == 0 ? 0 : head.size();
            const std::size_t at = from + random() % (text.size() - from);
            const char c = alphabet[random() % alphabet.size()];
            switch (random() % 3) {
                case 0: text[at] = c; break;
                case 1: text.insert(at, 1, c); break;
                default: text.erase(at, 1); break;
            }
        }
        fast += slotwise::busy_read_from_text(text) ? 1 : 0;
        require_same(text);
    }
    // The edits must exercise both paths.
    CHECK(fast > 500);
    CHECK(fast < 19000);
}

TEST_CASE("Engine answers from a fast-read snapshot as from the DOM read", "[snapshot_text]") {
    using namespace slotwise::test;
    json busy = json::array();
    for (int d = 1; d <= 28; ++d) {
        char start[32], end[32];
        std::snprintf(start, sizeof start, "2026-02-%02dT10:00:00Z", d);
        std::snprintf(end, sizeof end, "2026-02-%02dT11:30:00Z", d);
        busy.push_back({{"start", start}, {"end", end}});
    }
    const std::string text = snapshot("Europe/Berlin", every_day("09:00", "17:00"), json::object(), json::array(), busy).dump();
    REQUIRE(slotwise::busy_read_from_text(text));
    const std::string q = query("2026-02-01", "2026-02-28", "America/New_York").dump();
    const slotwise::Answer fast = slotwise::Engine(text).slots(q);
    const slotwise::Answer batch = slotwise::run_line(R"({"op":"slots","snapshot":)" + text + R"(,"query":)" + q + "}");
    REQUIRE_FALSE(fast.is_error);
    CHECK(fast.json == batch.json);
    CHECK(answer(fast)["slots"].size() == 28 * (16 - 3));
}
