// nlohmann's parser has no depth limit, so hostile JSON is measured as text
// first. Shared by the engine (64 levels, engine.md) and the server.
#pragma once

#include <string_view>

namespace slotwise {

// Whether no array or object in `text` nests deeper than `max_depth`.
// Brackets inside strings do not count; `text` need not be valid JSON.
bool json_nesting_within(std::string_view text, int max_depth) noexcept;

}  // namespace slotwise
