// gzip for answers: API answers at a fast level, static files once per file.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace slotwise::server::http {

// Whether an Accept-Encoding value accepts gzip (a q of 0 refuses it).
bool accepts_gzip(std::string_view accept_encoding);

// The gzip form of `data` at zlib `level` (1 fastest .. 9 smallest); nullopt if zlib fails.
std::optional<std::string> gzip(std::string_view data, int level);

}  // namespace slotwise::server::http
