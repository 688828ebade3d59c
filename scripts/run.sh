#!/usr/bin/env bash
# The main job: slotwise-server on SQLite in ./data with a demo provider, the
# widget's demo page and the provider dashboard at /app/ (it prints both URLs).
# Ctrl-C stops it (in-flight requests finish).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/build.sh
mkdir -p data
exec build/bin/slotwise-server --db sqlite:data/slotwise.db --listen "${SLOTWISE_LISTEN:-127.0.0.1:8080}" \
  --web-root web/dist --demo
