#include "http/openapi_document.h"

#include <cstdint>
#include <cstdio>
#include <string>

#include "http/field_list.h"

namespace slotwise::server::http {
namespace {

// FNV-1a over the bytes: the document changes only with a new build, so any
// stable digest of its content makes a strong validator.
const std::string& document_etag() {
    static const std::string etag = [] {
        std::uint64_t hash = 1469598103934665603ull;
        for (unsigned char c : embedded_openapi_json()) hash = (hash ^ c) * 1099511628211ull;
        char text[40];
        std::snprintf(text, sizeof text, "\"%016llx\"", static_cast<unsigned long long>(hash));
        return std::string(text);
    }();
    return etag;
}

bool names_etag(std::string_view if_none_match, const std::string& etag) {
    bool found = false;
    any_list_element(if_none_match, [&](std::string_view item) {
        // A weak comparison (RFC 9110 13.1.2): W/"x" matches "x".
        if (item.substr(0, 2) == "W/") item.remove_prefix(2);
        found = item == "*" || item == etag;
        return found;
    });
    return found;
}

}  // namespace

Response openapi_response(const Request& request) {
    Response r;
    const std::string& etag = document_etag();
    r.headers = {{"ETag", etag}, {"Cache-Control", "public, max-age=300"}};
    if (const auto inm = request.field("if-none-match"); inm && names_etag(*inm, etag)) {
        r.status = 304;
        return r;
    }
    r.status = 200;
    r.headers.emplace_back("Content-Type", "application/json");
    r.set_body(std::string(embedded_openapi_json()));
    return r;
}

}  // namespace slotwise::server::http
