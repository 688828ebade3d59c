#!/usr/bin/env bash
# Every test of the project, on a fresh Debian machine: installs what is
# missing, builds the native tree, the fuzzers, the WebAssembly module and the
# widget, then runs the whole suite through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

scripts/setup.sh
scripts/build.sh

# CTest's own summary is the last thing printed.
ctest --preset native -j "$jobs" --timeout 1200 "$@"
