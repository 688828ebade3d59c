// GET /v1/openapi.json: docs/openapi.json as it was when the server was
// built (embedded by embed_openapi.cmake), with a strong ETag so that a
// client or cache revalidates with If-None-Match and gets 304.
#pragma once

#include <string_view>

#include "http/http_server.h"

namespace slotwise::server::http {

// The document's bytes (generated file embedded_openapi.cpp).
std::string_view embedded_openapi_json();

// 200 with the document, or 304 when If-None-Match names its ETag.
Response openapi_response(const Request& request);

}  // namespace slotwise::server::http
