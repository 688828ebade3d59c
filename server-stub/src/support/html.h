// Text into HTML: the one escaper for every page and mail the server writes.
#pragma once

#include <string>
#include <string_view>

namespace slotwise::server {

// & < > " ' as entities: safe in element content and in quoted attributes.
std::string html_escape(std::string_view text);

}  // namespace slotwise::server
