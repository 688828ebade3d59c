// The engine's JavaScript API (embind): a thin shell around
// slotwise/protocol.h and slotwise/zone.h, with the shape the hand-written
// slotwise-engine.d.ts declares. JSON text goes in and out unchanged, so the
// module answers byte for byte what the native `slotwise batch` prints.
#include <slotwise/protocol.h>
#include <slotwise/slots.h>
#include <slotwise/zone.h>

#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using emscripten::val;

// Answers go to JS through TextDecoder on a view of the module's memory:
// embind's own std::string conversion walks the bytes in a JS loop, which
// made a 90-day answer (~170 KB) cost more than computing it.
val js_string(const std::string& utf8) {
    static const val decoder = val::global("TextDecoder").new_();
    const auto* bytes = reinterpret_cast<const unsigned char*>(utf8.data());
    return decoder.call<val>("decode", val(emscripten::typed_memory_view(utf8.size(), bytes)));
}

// A snapshot's text into the module: TextEncoder.encodeInto writes the UTF-8
// straight into a buffer in the module's memory. Embind's own std::string
// conversion in 3.1.6 walks the string twice in JS loops (its UTF-8 length,
// then its bytes), which cost more than reading the snapshot's busy list.
// A string with a lone surrogate (which encodeInto would replace by U+FFFD)
// and anything that is not a string keep embind's conversion, so every
// input reads exactly as before.
slotwise::Engine* engine_from_text(const val& text) {
    static const bool can_check = val::global("String")["prototype"]["isWellFormed"].typeOf().as<std::string>() == "function";
    if (can_check && text.isString() && text.call<bool>("isWellFormed")) {
        static const val encoder = val::global("TextEncoder").new_();
        const std::size_t units = text["length"].as<std::size_t>();
        // A snapshot is mostly ASCII: one byte per UTF-16 code unit fits it
        // the first time; otherwise three (the most one unit takes) always fit.
        for (const std::size_t capacity : {units, units * 3}) {
            const std::unique_ptr<unsigned char[]> bytes(new unsigned char[capacity + 1]);
            const val result =
                encoder.call<val>("encodeInto", text, val(emscripten::typed_memory_view(capacity, bytes.get())));
            if (result["read"].as<std::size_t>() != units) continue;
            const auto written = result["written"].as<std::size_t>();
            return new slotwise::Engine(std::string_view(reinterpret_cast<const char*>(bytes.get()), written));
        }
    }
    return new slotwise::Engine(text.as<std::string>());
}

// The engine never throws on bad input (errors are values). When the module
// is built with exceptions, anything that still escapes (std::bad_alloc) is
// turned into an error answer here rather than left to abort the module.
template <class Call>
val answer(Call&& call) {
#if defined(__cpp_exceptions)
    try {
        return js_string(std::forward<Call>(call)().json);
    } catch (...) {
        return js_string(R"({"error":{"code":"INTERNAL","message":"the engine failed","path":""}})");
    }
#else
    return js_string(std::forward<Call>(call)().json);
#endif
}

val engine_slots(const slotwise::Engine& engine, const std::string& query_json) {
    return answer([&] { return engine.slots(query_json); });
}

// The slots as numbers instead of JSON text: six int32 per slot (start and
// end in minutes since 1970-01-01T00:00Z, local_date in days since
// 1970-01-01, local_start and local_end in minutes since their local
// midnight, utc_offset in minutes), copied into a JS-owned Int32Array. A
// 90-day answer is 26 KB of numbers instead of a 167 KB string, and V8 never
// builds that string. Errors come as the same JSON text slots() gives.
// web/src/engine.js (decodeSlots) turns the numbers into the slots of the
// JSON answer, byte for byte (tests/wasm checks it on every parity case).
constexpr std::size_t compact_fields = 6;

val engine_slots_compact(const slotwise::Engine& engine, const std::string& query_json) {
    slotwise::SlotList list;
    const slotwise::Answer error = engine.slots(query_json, list);
    if (error.is_error) return js_string(error.json);
    static std::vector<std::int32_t> numbers;
    numbers.resize(list.slots.size() * compact_fields);
    std::int32_t* out = numbers.data();
    for (const slotwise::Slot& slot : list.slots) {
        out[0] = static_cast<std::int32_t>(slot.start.time_since_epoch().count());
        out[1] = static_cast<std::int32_t>(slot.end.time_since_epoch().count());
        out[2] = static_cast<std::int32_t>(slot.local_date.time_since_epoch().count());
        out[3] = static_cast<std::int32_t>((slot.local_start - slot.local_date).count());
        out[4] = static_cast<std::int32_t>((slot.local_end - date::floor<slotwise::Days>(slot.local_end)).count());
        out[5] = static_cast<std::int32_t>(slot.utc_offset.count());
        out += compact_fields;
    }
    return val(emscripten::typed_memory_view(numbers.size(), numbers.data())).call<val>("slice");
}

val engine_validate(const slotwise::Engine& engine, const std::string& request_json) {
    return answer([&] { return engine.validate(request_json); });
}

val refund(const std::string& refund_json) {
    return answer([&] { return slotwise::refund(refund_json); });
}

val run(const std::string& line) {
    return answer([&] { return slotwise::run_line(line); });
}

// A real JS string[] rather than an embind vector handle, so callers need no
// .delete() and can use array methods directly.
val zones() {
    val names = val::array();
    unsigned index = 0;
    for (const std::string& name : slotwise::zone_names()) {
        names.set(index++, js_string(name));
    }
    return names;
}

std::string tz_version() {
    return std::string(slotwise::tz_version());
}

}  // namespace

EMSCRIPTEN_BINDINGS(slotwise_engine) {
    // The parsed snapshot owns its data, so the text's buffer may go.
    emscripten::class_<slotwise::Engine>("Engine")
        .constructor(&engine_from_text)
        .function("slots", &engine_slots)
        .function("slotsCompact", &engine_slots_compact)
        .function("validate", &engine_validate);
    emscripten::function("refund", &refund);
    emscripten::function("run", &run);
    emscripten::function("zones", &zones);
    emscripten::function("tzVersion", &tz_version);
}
