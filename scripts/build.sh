#!/usr/bin/env bash
# Builds every part: native (engine, slotwise CLI, server, tests), the libFuzzer
# targets (clang), the WebAssembly module (Emscripten) and the web widget.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs   # Debian's Emscripten finds acorn there

cmake --preset native >/dev/null
cmake --build --preset native
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
cmake --preset wasm >/dev/null
cmake --build --preset wasm
if [ -f web/package.json ]; then
  (cd web && npm run --silent build)
fi
