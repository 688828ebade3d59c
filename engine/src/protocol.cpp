// The JSON shell around the engine: reads engine.md's documents into typed
// values, calls the pure functions, and writes compact JSON with the keys in
// the order engine.md shows.
#include "slotwise/protocol.h"

#include "json_reader.h"
#include "slotwise/availability.h"
#include "slotwise/refund.h"
#include "slotwise/slots.h"
#include "slotwise/snapshot.h"

#include <cstring>

namespace slotwise {

using json_reader::child_path;
using json_reader::json;
using json_reader::Reader;

namespace {

void append_quoted(std::string& out, std::string_view text) {
    out += json(std::string(text)).dump(-1, ' ', false, json::error_handler_t::replace);
}

Answer error_answer(const Error& error) {
    std::string out = R"({"error":{"code":")";
    out += to_string(error.code);
    out += R"(","message":)";
    append_quoted(out, error.message);
    out += R"(,"path":)";
    append_quoted(out, error.path);
    out += "}}";
    return {std::move(out), true};
}

Answer invalid_query(std::string path, std::string message) {
    return error_answer({ErrorCode::invalid_query, std::move(message), std::move(path)});
}

Answer out_of_range(std::string path, std::string message) {
    return error_answer({ErrorCode::out_of_range, std::move(message), std::move(path)});
}

// One slot object, written by filling this fixed template in place: a long
// query's answer is hundreds of kilobytes, and formatting is most of its cost.
constexpr std::string_view slot_form =
    R"({"start":"YYYY-MM-DDTHH:MM:00Z","end":"YYYY-MM-DDTHH:MM:00Z","local_date":"YYYY-MM-DD",)"
    R"("local_start":"HH:MM","local_end":"HH:MM","utc_offset":"+HH:MM"})";
// Where the value of `"key":"` starts in slot_form.
constexpr std::size_t value_at(std::string_view key) { return slot_form.find(key) + key.size() + 3; }

class SlotWriter {
public:
    static constexpr std::size_t size = slot_form.size();
    static constexpr std::size_t start_at = value_at("\"start"), end_at = value_at("\"end"),
                                 local_date_at = value_at("\"local_date"), local_start_at = value_at("\"local_start"),
                                 local_end_at = value_at("\"local_end"), offset_at = value_at("\"utc_offset");

    SlotWriter() { std::memcpy(text_, slot_form.data(), size); }

    void write(std::string& out, const Slot& slot) {
        char* p = text_;
        put_instant(p + start_at, slot.start);
        put_instant(p + end_at, slot.end);
        put_date(p + local_date_at, slot.local_date);
        write_clock(p + local_start_at, slot.local_start - slot.local_date);
        write_clock(p + local_end_at, slot.local_end - date::floor<Days>(slot.local_end));
        write_utc_offset(p + offset_at, slot.utc_offset);
        out.append(text_, size);
    }

private:
    void put_instant(char* p, Instant t) {
        const auto day = date::floor<Days>(t);
        put_date(p, LocalDate{day.time_since_epoch()});
        write_clock(p + 11, t - day);  // past "YYYY-MM-DDT"
    }
    // Consecutive slots mostly share their dates: remember the last few.
    void put_date(char* p, LocalDate d) {
        Cached& slot = cache_[static_cast<std::size_t>(d.time_since_epoch().count()) % 4];
        if (!slot.valid || slot.date != d) {
            write_date(slot.text, d);
            slot.date = d;
            slot.valid = true;
        }
        std::memcpy(p, slot.text, sizeof slot.text);
    }

    struct Cached {
        LocalDate date;
        bool valid = false;
        char text[10];
    };
    Cached cache_[4];
    char text_[size + 1] = {};
};

Answer slots_list_answer(const SlotList& list) {
    std::string out = R"({"time_zone":)";
    append_quoted(out, list.time_zone_name);
    out += R"(,"slots":[)";
    SlotWriter writer;
    out.reserve(out.size() + list.slots.size() * (SlotWriter::size + 1) + 2);
    for (std::size_t i = 0; i < list.slots.size(); ++i) {
        if (i > 0) out.push_back(',');
        writer.write(out, list.slots[i]);
    }
    out += "]}";
    return {std::move(out), false};
}

// A member read through `r`; nullptr when absent (and an error when required).
const json* field(Reader& r, const json::object_t& object, std::string_view key, bool required) {
    return r.member(object, key, "", required);
}

// The query read and answered as typed slots; an error answer otherwise.
Answer find_slots_answer(const Snapshot& snapshot, const json& query, SlotList& slots) {
    Reader r(ErrorCode::invalid_query);
    const auto* object = r.object(query, "");
    if (!object) return error_answer(r.error());
    const json* service_value = field(r, *object, "service", true);
    const auto service_id = service_value ? r.string(*service_value, "/service") : std::nullopt;
    const json* duration_value = service_id ? field(r, *object, "duration_minutes", false) : nullptr;
    const auto duration =
        duration_value ? r.integer(*duration_value, "/duration_minutes", INT64_MIN, INT64_MAX) : std::nullopt;
    const json* from_value = field(r, *object, "from", true);
    const auto from = from_value ? r.date(*from_value, "/from") : std::nullopt;
    const json* to_value = field(r, *object, "to", true);
    const auto to = to_value ? r.date(*to_value, "/to") : std::nullopt;
    const json* zone_value = field(r, *object, "time_zone", true);
    const auto zone_name = zone_value ? r.string(*zone_value, "/time_zone") : std::nullopt;
    const json* now_value = field(r, *object, "now", true);
    const auto now = now_value ? r.instant(*now_value, "/now") : std::nullopt;
    if (r.failed()) return error_answer(r.error());

    auto list = find_slots(snapshot, {*service_id, duration, *from, *to, *zone_name, *now});
    if (!list) return error_answer(list.error());
    slots = std::move(*list);
    return {};
}

Answer slots_answer(const Snapshot& snapshot, const json& query) {
    SlotList slots;
    Answer error = find_slots_answer(snapshot, query, slots);
    return error.is_error ? error : slots_list_answer(slots);
}

Answer validate_answer(const Snapshot& snapshot, const json& request) {
    Reader r(ErrorCode::invalid_query);
    const auto* object = r.object(request, "");
    if (!object) return error_answer(r.error());
    const json* service_value = field(r, *object, "service", true);
    const auto service_id = service_value ? r.string(*service_value, "/service") : std::nullopt;
    const json* start_value = field(r, *object, "start", true);
    const auto start = start_value ? r.instant(*start_value, "/start") : std::nullopt;
    const json* duration_value = field(r, *object, "duration_minutes", false);
    const auto duration =
        duration_value ? r.integer(*duration_value, "/duration_minutes", INT64_MIN, INT64_MAX) : std::nullopt;
    const json* now_value = field(r, *object, "now", true);
    const auto now = now_value ? r.instant(*now_value, "/now") : std::nullopt;
    if (r.failed()) return error_answer(r.error());
    if (!is_supported(*start)) return out_of_range("/start", "start must be from 2019-12-31T00:00:00Z to 2051-01-01T23:59:00Z");
    if (!is_supported(*now)) return out_of_range("/now", "now must be from 2019-12-31T00:00:00Z to 2051-01-01T23:59:00Z");

    const Verdict verdict = validate_booking(snapshot, *service_id, duration, *start, *now);
    if (verdict == Verdict::ok) return {R"({"ok":true})", false};
    std::string out = R"({"ok":false,"code":")";
    out += to_string(verdict);
    out += "\"}";
    return {std::move(out), false};
}

Answer refund_answer(const json& input) {
    Reader r(ErrorCode::invalid_query);
    const auto* object = r.object(input, "");
    if (!object) return error_answer(r.error());
    const json* policy_value = field(r, *object, "policy", true);
    if (!policy_value) return error_answer(r.error());
    auto policy = parse_cancellation_policy(*policy_value);
    if (!policy) {
        Error error = policy.error();
        error.path.insert(0, "/policy");
        return error_answer(error);
    }
    const json* price_value = field(r, *object, "price", true);
    const auto price = price_value ? r.integer_for_range(*price_value, "/price", 0, max_price) : std::nullopt;
    const json* start_value = field(r, *object, "start", true);
    const auto start = start_value ? r.instant(*start_value, "/start") : std::nullopt;
    const json* cancelled_value = field(r, *object, "cancelled_at", true);
    const auto cancelled_at = cancelled_value ? r.instant(*cancelled_value, "/cancelled_at") : std::nullopt;
    CancelledBy by = CancelledBy::client;
    if (const json* by_value = field(r, *object, "by", false)) {
        const auto name = r.string(*by_value, "/by");
        const auto parsed = name ? parse_cancelled_by(*name) : std::nullopt;
        if (parsed) by = *parsed;
        else if (name) r.fail("/by", "expected client, provider or no_show");
    }
    if (r.failed()) return error_answer(r.error());
    const auto amount = refund(*policy, *price, *start, *cancelled_at, by);
    if (!amount) return error_answer(amount.error());
    return {R"({"refund":)" + std::to_string(*amount) + "}", false};
}

// Parses a snapshot given as a JSON value (batch) into the engine's model.
Result<Snapshot> snapshot_from(const json& value) { return parse_snapshot(value); }

template <class Respond>
Answer with_document(std::string_view text, Respond respond) {
    auto document = json_reader::parse_document(text);
    if (!document) return error_answer(document.error());
    return respond(*document);
}

}  // namespace

std::string_view to_string(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::invalid_json: return "INVALID_JSON";
        case ErrorCode::invalid_snapshot: return "INVALID_SNAPSHOT";
        case ErrorCode::invalid_query: return "INVALID_QUERY";
        case ErrorCode::unknown_time_zone: return "UNKNOWN_TIME_ZONE";
        case ErrorCode::out_of_range: return "OUT_OF_RANGE";
    }
    return "INVALID_JSON";
}

Answer to_answer(const Error& error) { return error_answer(error); }

Answer to_answer(const SlotList& list) { return slots_list_answer(list); }

Engine::Engine(std::string_view snapshot_json) {
    auto snapshot = parse_snapshot_text(snapshot_json);
    if (!snapshot) {
        snapshot_error_ = error_answer(snapshot.error());
        return;
    }
    snapshot_ = std::make_unique<const Snapshot>(std::move(*snapshot));
}

Engine::~Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;

Answer Engine::slots(std::string_view query_json) const {
    if (!snapshot_) return snapshot_error_;
    return with_document(query_json, [&](const json& query) { return slots_answer(*snapshot_, query); });
}

Answer Engine::slots(std::string_view query_json, SlotList& slots) const {
    if (!snapshot_) return snapshot_error_;
    return with_document(query_json, [&](const json& query) { return find_slots_answer(*snapshot_, query, slots); });
}

Answer Engine::validate(std::string_view request_json) const {
    if (!snapshot_) return snapshot_error_;
    return with_document(request_json, [&](const json& request) { return validate_answer(*snapshot_, request); });
}

Answer slots(std::string_view snapshot_json, std::string_view query_json) {
    return Engine(snapshot_json).slots(query_json);
}

Answer validate(std::string_view snapshot_json, std::string_view request_json) {
    return Engine(snapshot_json).validate(request_json);
}

Answer refund(std::string_view refund_json) { return with_document(refund_json, refund_answer); }

Answer run_line(std::string_view line) {
    return with_document(line, [](const json& document) {
        Reader r(ErrorCode::invalid_query);
        const auto* object = r.object(document, "");
        if (!object) return error_answer(r.error());
        const json* op_value = field(r, *object, "op", true);
        const auto op = op_value ? r.string(*op_value, "/op") : std::nullopt;
        if (!op) return error_answer(r.error());
        if (*op == "refund") {
            const json* input = field(r, *object, "refund", true);
            return input ? refund_answer(*input) : error_answer(r.error());
        }
        if (*op != "slots" && *op != "validate") return invalid_query("/op", "expected slots, validate or refund");
        const auto snapshot_member = object->find("snapshot");
        if (snapshot_member == object->end()) return error_answer({ErrorCode::invalid_snapshot, "missing required key \"snapshot\"", "/snapshot"});
        const std::string_view key = *op == "slots" ? "query" : "request";
        const json* input = field(r, *object, key, true);
        if (!input) return error_answer(r.error());
        const auto snapshot = snapshot_from(snapshot_member->second);
        if (!snapshot) return error_answer(snapshot.error());
        return *op == "slots" ? slots_answer(*snapshot, *input) : validate_answer(*snapshot, *input);
    });
}

}  // namespace slotwise
