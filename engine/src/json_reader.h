// Reading engine.md's JSON documents field by field, with JSON-pointer paths
// in every error. The reader keeps the first error; after it every read
// fails fast, so parsing code reads straight through and checks once.
// Never throws: every nlohmann access is guarded by a type check.
#pragma once

#include "slotwise/error.h"
#include "slotwise/time.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace slotwise::json_reader {

using json = nlohmann::json;

std::string child_path(const std::string& parent, std::string_view key);
std::string child_path(const std::string& parent, std::size_t index);

// Parses `text` as one JSON document; INVALID_JSON for anything the spec
// rejects (syntax, invalid UTF-8, empty text, nesting deeper than 64).
Result<json> parse_document(std::string_view text);

class Reader {
public:
    explicit Reader(ErrorCode code) : code_(code) {}

    bool failed() const noexcept { return error_.has_value(); }
    const Error& error() const { return *error_; }
    Error take_error() { return std::move(*error_); }

    // Records an error (only the first one counts); returns false.
    bool fail(std::string path, std::string message, std::optional<ErrorCode> code = std::nullopt);

    // The object at `path`, or nullptr after recording a type error.
    const json::object_t* object(const json& value, const std::string& path);
    const json::array_t* array(const json& value, const std::string& path);

    // A member of `object`: nullptr when absent (an error when `required`).
    const json* member(const json::object_t& object, std::string_view key, const std::string& path, bool required);

    std::optional<std::string> string(const json& value, const std::string& path);
    std::optional<bool> boolean(const json& value, const std::string& path);
    std::optional<std::int64_t> integer(const json& value, const std::string& path, std::int64_t min,
                                        std::int64_t max);
    // Type-checks as integer() does, with the same message, but leaves the
    // range to the typed layer: values above INT64_MAX come back as INT64_MAX,
    // which every range rejects.
    std::optional<std::int64_t> integer_for_range(const json& value, const std::string& path, std::int64_t min,
                                                  std::int64_t max);
    std::optional<LocalDate> date(const json& value, const std::string& path);
    std::optional<ClockTime> clock_time(const json& value, const std::string& path, bool allow_end_of_day);
    std::optional<Instant> instant(const json& value, const std::string& path);

private:
    ErrorCode code_;
    std::optional<Error> error_;
};

}  // namespace slotwise::json_reader
