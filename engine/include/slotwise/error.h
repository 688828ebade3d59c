// Errors for bad input, as values. Codes and their spellings are the stable
// ids of engine.md; `path` is a JSON pointer into the offending document.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace slotwise {

enum class ErrorCode { invalid_json, invalid_snapshot, invalid_query, unknown_time_zone, out_of_range };

std::string_view to_string(ErrorCode code) noexcept;

struct Error {
    ErrorCode code;
    std::string message;
    std::string path;  // JSON pointer, "" for the whole document
};

// Either a value or the Error that prevented it.
template <class T>
class Result {
public:
    Result(T value) : v_(std::move(value)) {}
    Result(Error error) : v_(std::move(error)) {}
    bool ok() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }
    T& value() { return std::get<0>(v_); }
    const T& value() const { return std::get<0>(v_); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const Error& error() const { return std::get<1>(v_); }

private:
    std::variant<T, Error> v_;
};

}  // namespace slotwise
