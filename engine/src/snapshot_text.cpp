// A snapshot document's text to a Snapshot, with the busy list read straight
// from the text when it has the shape every producer writes:
//   "busy": [{"start": "YYYY-MM-DDTHH:MM:00Z", "end": "YYYY-MM-DDTHH:MM:00Z"}, ...]
// (either key order, any JSON whitespace). Building nlohmann's DOM for a
// busy list cost about 1 µs per interval (a std::map and four strings each),
// most of a snapshot's parse time. Anything else in that list (other keys,
// escapes, a malformed instant, a list that is not this shape) and any doubt
// about which top-level "busy" nlohmann would keep (a duplicate key, an
// escaped key) falls back to the DOM read, which then reports the defect.
//
// Why the answer is the same as the DOM read's, errors included:
// - The rest of the document is parsed with the busy list replaced by `[]`.
//   Both are complete JSON values at the same position, so the spliced text
//   is valid JSON exactly when the original is (a syntax error before the
//   list stays where it was; one after it meets the same parser state), its
//   nesting is deeper than 64 exactly when the original's is (the list is at
//   most 3 deep), and the list is plain ASCII, so no UTF-8 error hides in it.
// - read_snapshot_input reads `busy` last, and a list taken by this reader
//   has no read error, so every read error of the rest comes out as before;
//   make_snapshot then gets the same SnapshotInput as the DOM read gives it.
#include "slotwise/snapshot.h"
#include "slotwise/snapshot_input.h"

#include "json_reader.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace slotwise {

namespace {

constexpr std::size_t none = std::string_view::npos;

constexpr bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::size_t skip_space(std::string_view text, std::size_t at) noexcept {
    while (at < text.size() && is_space(text[at])) ++at;
    return at;
}

// Past the closing quote of the string opening at `at`, or none.
std::size_t skip_string(std::string_view text, std::size_t at, bool& escaped) noexcept {
    for (std::size_t i = at + 1; i < text.size(); ++i) {
        if (text[i] == '\\') {
            escaped = true;
            ++i;
        } else if (text[i] == '"') {
            return i + 1;
        }
    }
    return none;
}

// Past the JSON value starting at `at`, or none. Structure only: the DOM
// parse of the spliced text checks the value's syntax.
std::size_t skip_value(std::string_view text, std::size_t at) noexcept {
    if (at >= text.size()) return none;
    bool escaped = false;
    if (text[at] == '"') return skip_string(text, at, escaped);
    if (text[at] != '[' && text[at] != '{') {
        while (at < text.size() && !is_space(text[at]) && text[at] != ',' && text[at] != '}' && text[at] != ']') ++at;
        return at;
    }
    int depth = 0;
    for (std::size_t i = at; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"') {
            i = skip_string(text, i, escaped);
            if (i == none) return none;
            --i;
        } else if (c == '[' || c == '{') {
            ++depth;
        } else if (c == ']' || c == '}') {
            if (--depth == 0) return i + 1;
        }
    }
    return none;
}

// `"key"` at `at` (after spaces), then spaces and a colon: past the colon, or none.
std::size_t expect_key(std::string_view text, std::size_t at, std::string_view key) noexcept {
    at = skip_space(text, at);
    if (text.size() - at < key.size() + 2 || text[at] != '"' || text.compare(at + 1, key.size(), key) != 0 ||
        text[at + 1 + key.size()] != '"')
        return none;
    at = skip_space(text, at + key.size() + 2);
    return at < text.size() && text[at] == ':' ? at + 1 : none;
}

// The last date read: the instants of a busy list mostly share their dates,
// and the calendar arithmetic was a third of the read.
struct DateCache {
    char text[10] = {};
    LocalDate day{};
    bool valid = false;
};

// An instant string at `at` (after spaces), accepted exactly as parse_instant
// accepts it (the same checks, the date part from the cache when it repeats):
// past its closing quote, or none. An accepted value is digits and -T:Z only,
// so its JSON text is its value.
std::size_t expect_instant(std::string_view text, std::size_t at, Instant& out, DateCache& cache) noexcept {
    constexpr std::size_t length = 20;  // YYYY-MM-DDTHH:MM:00Z
    at = skip_space(text, at);
    if (text.size() - at < length + 2 || text[at] != '"' || text[at + 1 + length] != '"') return none;
    const std::string_view s = text.substr(at + 1, length);
    if (s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z' || s[17] != '0' || s[18] != '0') return none;
    if (!cache.valid || s.compare(0, 10, std::string_view(cache.text, 10)) != 0) {
        const auto day = parse_date(s.substr(0, 10));
        if (!day) return none;
        s.copy(cache.text, 10);
        cache.day = *day;
        cache.valid = true;
    }
    const auto time = parse_clock_time(s.substr(11, 5), false);
    if (!time) return none;
    out = Instant{cache.day.time_since_epoch()} + Minutes{time->minutes};
    return at + length + 2;
}

// One {"start": ..., "end": ...} object (either order) at `at`: past its
// closing brace, or none.
std::size_t read_interval(std::string_view text, std::size_t at, Interval& out, DateCache& cache) noexcept {
    if (at >= text.size() || text[at] != '{') return none;
    const std::size_t key = skip_space(text, at + 1);
    const bool start_first = text.compare(key, 7, "\"start\"") == 0;
    const std::string_view first = start_first ? "start" : "end";
    const std::string_view second = start_first ? "end" : "start";
    Instant a{}, b{};
    at = expect_key(text, key, first);
    if (at != none) at = expect_instant(text, at, a, cache);
    if (at != none) at = skip_space(text, at);
    if (at == none || at >= text.size() || text[at] != ',') return none;
    at = expect_key(text, at + 1, second);
    if (at != none) at = expect_instant(text, at, b, cache);
    if (at != none) at = skip_space(text, at);
    if (at == none || at >= text.size() || text[at] != '}') return none;
    out = start_first ? Interval{a, b} : Interval{b, a};
    return at + 1;
}

// The busy array at `at`: past its closing bracket, or none.
std::size_t read_busy(std::string_view text, std::size_t at, std::vector<Interval>& out) {
    if (at >= text.size() || text[at] != '[') return none;
    at = skip_space(text, at + 1);
    if (at < text.size() && text[at] == ']') return at + 1;
    // Each interval takes at least 57 bytes of text; reserve without overshooting much.
    out.reserve((text.size() - at) / 57 + 1);
    DateCache cache;
    for (;;) {
        Interval interval;
        at = read_interval(text, at, interval, cache);
        if (at == none) return none;
        out.push_back(interval);
        at = skip_space(text, at);
        if (at >= text.size()) return none;
        if (text[at] == ']') return at + 1;
        if (text[at] != ',') return none;
        at = skip_space(text, at + 1);
    }
}

struct BusySpan {
    std::size_t begin;
    std::size_t end;
    std::vector<Interval> intervals;
};

// The top-level "busy" list, read, when the document is an object that has
// exactly one unescaped top-level "busy" key, no escaped top-level key, and a
// busy list of the shape above; otherwise nullopt (the DOM read decides).
std::optional<BusySpan> find_busy(std::string_view text) {
    std::size_t at = skip_space(text, 0);
    if (at >= text.size() || text[at] != '{') return std::nullopt;
    std::optional<BusySpan> found;
    at = skip_space(text, at + 1);
    if (at < text.size() && text[at] == '}') return std::nullopt;
    for (;;) {
        if (at >= text.size() || text[at] != '"') return std::nullopt;
        bool escaped = false;
        const std::size_t key_end = skip_string(text, at, escaped);
        if (key_end == none || escaped) return std::nullopt;
        const std::string_view key = text.substr(at + 1, key_end - at - 2);
        at = skip_space(text, key_end);
        if (at >= text.size() || text[at] != ':') return std::nullopt;
        at = skip_space(text, at + 1);
        if (key == "busy") {
            if (found) return std::nullopt;
            BusySpan span{at, none, {}};
            span.end = read_busy(text, at, span.intervals);
            if (span.end == none) return std::nullopt;
            at = span.end;
            found = std::move(span);
        } else {
            at = skip_value(text, at);
            if (at == none) return std::nullopt;
        }
        at = skip_space(text, at);
        if (at >= text.size()) return std::nullopt;
        if (text[at] == '}') return found;
        if (text[at] != ',') return std::nullopt;
        at = skip_space(text, at + 1);
    }
}

Result<Snapshot> from_input(Result<SnapshotInput> input) {
    if (!input) return input.error();
    return make_snapshot(std::move(*input));
}

}  // namespace

Result<Snapshot> parse_snapshot_text_dom(std::string_view text) {
    auto document = json_reader::parse_document(text);
    if (!document) return document.error();
    return parse_snapshot(*document);
}

bool busy_read_from_text(std::string_view text) { return find_busy(text).has_value(); }

Result<Snapshot> parse_snapshot_text(std::string_view text) {
    auto busy = find_busy(text);
    if (!busy) return parse_snapshot_text_dom(text);
    std::string rest;
    rest.reserve(busy->begin + 2 + (text.size() - busy->end));
    rest.append(text.substr(0, busy->begin)).append("[]").append(text.substr(busy->end));
    auto document = json_reader::parse_document(rest);
    if (!document) return document.error();
    auto input = read_snapshot_input(*document);
    if (input) input->busy = std::move(busy->intervals);
    return from_input(std::move(input));
}

}  // namespace slotwise
