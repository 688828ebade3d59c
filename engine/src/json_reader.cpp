#include "json_reader.h"

#include "slotwise/json_depth.h"

namespace slotwise::json_reader {

std::string child_path(const std::string& parent, std::string_view key) {
    std::string path = parent;
    path.push_back('/');
    for (char c : key) {
        if (c == '~') path += "~0";
        else if (c == '/') path += "~1";
        else path.push_back(c);
    }
    return path;
}

std::string child_path(const std::string& parent, std::size_t index) {
    return parent + "/" + std::to_string(index);
}

namespace {
constexpr int max_depth = 64;
}  // namespace

Result<json> parse_document(std::string_view text) {
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
        return Error{ErrorCode::invalid_json, "empty input", ""};
    if (!json_nesting_within(text, max_depth))
        return Error{ErrorCode::invalid_json, "nesting deeper than 64 levels", ""};
    json value = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) return Error{ErrorCode::invalid_json, "not valid JSON (syntax or UTF-8)", ""};
    return Result<json>(std::move(value));  // spelled out: not every compiler moves into a converting constructor
}

bool Reader::fail(std::string path, std::string message, std::optional<ErrorCode> code) {
    if (!error_) error_ = Error{code.value_or(code_), std::move(message), std::move(path)};
    return false;
}

const json::object_t* Reader::object(const json& value, const std::string& path) {
    if (failed()) return nullptr;
    if (!value.is_object()) {
        fail(path, "expected an object");
        return nullptr;
    }
    return value.get_ptr<const json::object_t*>();
}

const json::array_t* Reader::array(const json& value, const std::string& path) {
    if (failed()) return nullptr;
    if (!value.is_array()) {
        fail(path, "expected an array");
        return nullptr;
    }
    return value.get_ptr<const json::array_t*>();
}

const json* Reader::member(const json::object_t& object, std::string_view key, const std::string& path,
                           bool required) {
    if (failed()) return nullptr;
    const auto it = object.find(std::string(key));
    if (it == object.end()) {
        if (required) fail(child_path(path, key), "missing required key \"" + std::string(key) + "\"");
        return nullptr;
    }
    return &it->second;
}

std::optional<std::string> Reader::string(const json& value, const std::string& path) {
    if (failed()) return std::nullopt;
    if (!value.is_string()) {
        fail(path, "expected a string");
        return std::nullopt;
    }
    return value.get_ref<const std::string&>();
}

std::optional<bool> Reader::boolean(const json& value, const std::string& path) {
    if (failed()) return std::nullopt;
    if (!value.is_boolean()) {
        fail(path, "expected true or false");
        return std::nullopt;
    }
    return value.get<bool>();
}

std::optional<std::int64_t> Reader::integer(const json& value, const std::string& path, std::int64_t min,
                                            std::int64_t max) {
    if (failed()) return std::nullopt;
    const bool bounded = min != INT64_MIN || max != INT64_MAX;
    const std::string range = bounded ? " from " + std::to_string(min) + " to " + std::to_string(max) : "";
    if (!value.is_number_integer()) {
        fail(path, "expected an integer" + range);
        return std::nullopt;
    }
    // Unsigned values above INT64_MAX are out of every range we accept.
    const bool too_big = value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(max);
    const std::int64_t v = too_big ? max : value.get<std::int64_t>();
    if (too_big || v < min || v > max) {
        fail(path, "must be an integer" + range);
        return std::nullopt;
    }
    return v;
}

std::optional<std::int64_t> Reader::integer_for_range(const json& value, const std::string& path,
                                                      std::int64_t min, std::int64_t max) {
    if (failed()) return std::nullopt;
    if (!value.is_number_integer()) {
        fail(path, "expected an integer from " + std::to_string(min) + " to " + std::to_string(max));
        return std::nullopt;
    }
    if (value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
        return INT64_MAX;
    return value.get<std::int64_t>();
}

std::optional<LocalDate> Reader::date(const json& value, const std::string& path) {
    const auto text = string(value, path);
    if (!text) return std::nullopt;
    const auto d = parse_date(*text);
    if (!d) fail(path, "expected a date YYYY-MM-DD");
    return d;
}

std::optional<ClockTime> Reader::clock_time(const json& value, const std::string& path, bool allow_end_of_day) {
    const auto text = string(value, path);
    if (!text) return std::nullopt;
    const auto t = parse_clock_time(*text, allow_end_of_day);
    if (!t) fail(path, allow_end_of_day ? "expected a time HH:MM from 00:00 to 24:00" : "expected a time HH:MM from 00:00 to 23:59");
    return t;
}

std::optional<Instant> Reader::instant(const json& value, const std::string& path) {
    const auto text = string(value, path);
    if (!text) return std::nullopt;
    const auto t = parse_instant(*text);
    if (!t) fail(path, "expected an instant YYYY-MM-DDTHH:MM:00Z");
    return t;
}

}  // namespace slotwise::json_reader

namespace slotwise {

bool json_nesting_within(std::string_view text, int limit) noexcept {
    int depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') ++i;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > limit) return false;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return true;
}

}  // namespace slotwise
