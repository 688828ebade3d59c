# Writes OUTPUT: a C++ file holding docs/openapi.json (INPUT), so that the
# server serves the document it was built with at GET /v1/openapi.json. Run
# at build time (cmake -P), like embed_migrations.cmake.
cmake_minimum_required(VERSION 3.21)
file(READ "${INPUT}" document)
string(FIND "${document}" ")slotwise_openapi\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw string's end marker")
endif()
# GCC and Clang take long raw strings; the document stays well under their limits.
set(code "// Generated from docs/openapi.json by embed_openapi.cmake. Do not edit.\n#include \"http/openapi_document.h\"\n\nnamespace slotwise::server::http {\n\nstd::string_view embedded_openapi_json() {\n    static const char text[] = R\"slotwise_openapi(${document})slotwise_openapi\";\n    return {text, sizeof text - 1};\n}\n\n}  // namespace slotwise::server::http\n")
file(WRITE "${OUTPUT}.tmp" "${code}")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
