# Copies the linked WebAssembly artifacts to DIST:
#   slotwise-engine.<hash8>.mjs + slotwise-engine.<hash8>.wasm  (browser, immutable-cacheable)
#   slotwise-engine.node.cjs + slotwise-engine.node.wasm        (Node, fixed names)
#   slotwise-engine.d.ts, manifest.json
# hash8 is the first 8 hex digits of SHA-256 over both browser files as
# linked, so a change to either gives both new names.
#
# The browser .mjs names its .wasm as a string literal, used both by the
# default `new URL('slotwise-engine.wasm', import.meta.url)` and by a caller's
# locateFile. Rewriting that literal to the hashed name keeps streaming
# instantiation, bundlers' URL detection and custom locateFile hooks working
# with no runtime configuration; a locateFile default in a --pre-js would
# not apply when a caller passes their own. The build fails if the literal is
# not found, so an Emscripten upgrade that changes the loader cannot ship a
# module that fetches a missing file.
#
# tzVersion in the manifest is asked of the built module itself (Node form),
# which also proves that module instantiates.
cmake_minimum_required(VERSION 3.21)

foreach(var WEB_JS WEB_WASM NODE_JS NODE_WASM TYPES NODE DIST)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "dist.cmake: ${var} is not set")
  endif()
endforeach()

file(SHA256 "${WEB_JS}" js_sha)
file(SHA256 "${WEB_WASM}" wasm_sha)
string(SHA256 pair_sha "${js_sha}${wasm_sha}")
string(SUBSTRING "${pair_sha}" 0 8 hash8)

set(module_name "slotwise-engine.${hash8}.mjs")
set(wasm_name "slotwise-engine.${hash8}.wasm")

file(READ "${WEB_JS}" js_text)
string(REGEX MATCHALL "slotwise-engine\\.wasm" refs "${js_text}")
list(LENGTH refs ref_count)
if(ref_count EQUAL 0)
  message(FATAL_ERROR "dist.cmake: ${WEB_JS} does not name slotwise-engine.wasm; the loader changed, see bindings/dist.cmake")
endif()
string(REPLACE "slotwise-engine.wasm" "${wasm_name}" js_text "${js_text}")

execute_process(
  COMMAND "${NODE}" -e "
    const fs = require('fs');
    require(process.argv[1])({ wasmBinary: fs.readFileSync(process.argv[2]) })
      .then((m) => process.stdout.write(m.tzVersion()))
      .catch((e) => { console.error(e); process.exit(1); });"
    "${NODE_JS}" "${NODE_WASM}"
  OUTPUT_VARIABLE tz_version
  RESULT_VARIABLE node_status)
if(NOT node_status EQUAL 0 OR tz_version STREQUAL "")
  message(FATAL_ERROR "dist.cmake: the Node module did not load or report tzVersion (${node_status})")
endif()

# Old hashed files would be served next to the new ones; dist/ holds only
# the current build.
file(GLOB stale "${DIST}/slotwise-engine.*")
if(stale)
  file(REMOVE ${stale})
endif()
file(MAKE_DIRECTORY "${DIST}")

file(WRITE "${DIST}/${module_name}" "${js_text}")
file(COPY_FILE "${WEB_WASM}" "${DIST}/${wasm_name}")
file(COPY_FILE "${NODE_JS}" "${DIST}/slotwise-engine.node.cjs")
file(COPY_FILE "${NODE_WASM}" "${DIST}/slotwise-engine.node.wasm")
file(COPY_FILE "${TYPES}" "${DIST}/slotwise-engine.d.ts")
file(WRITE "${DIST}/manifest.json"
  "{\"module\": \"${module_name}\", \"wasm\": \"${wasm_name}\", \"tzVersion\": \"${tz_version}\"}\n")
message(STATUS "dist: ${module_name}, ${wasm_name}, tz ${tz_version}")
