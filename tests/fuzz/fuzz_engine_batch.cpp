// libFuzzer target over the engine's text entry points. The input is read
// three ways so that one corpus reaches every parser and every query path:
//   - as one batch line (run_line), the CLI's and the WebAssembly module's way in;
//   - as a refund document;
//   - split at its first newline into a snapshot and a query/request, fed to a
//     parsed Engine (slots and validate), the server's way in.
// Beyond "no crash, no sanitizer report", every answer must be one line of
// valid JSON whose top-level shape matches its is_error flag: a malformed
// answer would break the byte-for-byte comparison between the two builds.
// And the snapshot part must read alike through the fast busy read
// (parse_snapshot_text) and the DOM read it falls back to.
#include "slotwise/protocol.h"
#include "slotwise/snapshot.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace {

void check(const slotwise::Answer& answer, const char* entry_point) {
    const bool one_line = answer.json.find('\n') == std::string::npos && !answer.json.empty();
    const auto parsed = nlohmann::json::parse(answer.json, nullptr, /*allow_exceptions=*/false);
    const bool shape_ok = parsed.is_object() && (parsed.contains("error") == answer.is_error);
    if (one_line && !parsed.is_discarded() && shape_ok) return;
    std::fprintf(stderr, "%s returned a malformed answer (is_error=%d): %s\n", entry_point,
                 static_cast<int>(answer.is_error), answer.json.c_str());
    std::abort();
}

void check_same_snapshot(std::string_view text) {
    const auto fast = slotwise::parse_snapshot_text(text);
    const auto dom = slotwise::parse_snapshot_text_dom(text);
    bool same = static_cast<bool>(fast) == static_cast<bool>(dom);
    if (same && !fast) same = slotwise::to_answer(fast.error()).json == slotwise::to_answer(dom.error()).json;
    if (same && fast) {
        same = fast->busy.size() == dom->busy.size() && fast->provider_id == dom->provider_id &&
               fast->services.size() == dom->services.size() && fast->schedules.size() == dom->schedules.size();
        for (std::size_t i = 0; same && i < fast->busy.size(); ++i)
            same = fast->busy[i].start == dom->busy[i].start && fast->busy[i].end == dom->busy[i].end;
    }
    if (same) return;
    std::fprintf(stderr, "parse_snapshot_text and parse_snapshot_text_dom disagree on: %.*s\n",
                 static_cast<int>(text.size()), text.data());
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    check(slotwise::run_line(input), "run_line");
    check(slotwise::refund(input), "refund");

    const auto newline = input.find('\n');
    if (newline != std::string_view::npos) {
        check_same_snapshot(input.substr(0, newline));
        const slotwise::Engine engine(input.substr(0, newline));
        const std::string_view second = input.substr(newline + 1);
        check(engine.slots(second), "Engine::slots");
        check(engine.validate(second), "Engine::validate");
    }
    return 0;
}
