// The engine's JSON entry points: text in, text out, exactly as
// shared/spec/engine.md and cli.md describe. The CLI, the WebAssembly
// bindings and the server all go through these, so every build answers alike.
// Nothing here does I/O or reads a clock; nothing throws on bad input.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace slotwise {

struct Snapshot;
struct SlotList;
struct Error;

// One answer: compact JSON text (no trailing newline) and whether it is an
// {"error": ...} answer (the CLI's exit status 2).
struct Answer {
    std::string json;
    bool is_error = false;
};

// A snapshot parsed once, answering many queries. A snapshot that fails to
// parse is kept as its error answer, which every query then returns.
class Engine {
public:
    explicit Engine(std::string_view snapshot_json);
    ~Engine();
    Engine(Engine&&) noexcept;
    Engine& operator=(Engine&&) noexcept;

    bool ok() const noexcept { return snapshot_ != nullptr; }
    // The snapshot's error answer, or an empty Answer when ok().
    const Answer& snapshot_error() const noexcept { return snapshot_error_; }

    Answer slots(std::string_view query_json) const;
    // The same query with typed slots: fills `slots` and returns an empty
    // Answer, or returns the error answer slots(query_json) gives. For callers
    // that want the slots without their JSON text (the WebAssembly module's
    // compact answer); to_answer(slots) is byte for byte slots(query_json).
    Answer slots(std::string_view query_json, SlotList& slots) const;
    Answer validate(std::string_view request_json) const;

private:
    std::unique_ptr<const Snapshot> snapshot_;
    Answer snapshot_error_;
};

// The single commands of cli.md.
Answer slots(std::string_view snapshot_json, std::string_view query_json);
Answer validate(std::string_view snapshot_json, std::string_view request_json);
Answer refund(std::string_view refund_json);

// The JSON answers of typed results, byte for byte what the JSON entry
// points write: {"error": ...} and a slots answer (slots.h).
Answer to_answer(const Error& error);
Answer to_answer(const SlotList& list);

// One line of the batch protocol (cli.md) in, its answer line out.
Answer run_line(std::string_view line);

}  // namespace slotwise
