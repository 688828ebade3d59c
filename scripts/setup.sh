#!/usr/bin/env bash
# Installs everything the build, the tests and the demo need, from Debian's
# archive and the npm registry only. Idempotent: a second run does no network
# I/O when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config
  nlohmann-json3-dev libhowardhinnant-date-dev catch2 libbenchmark-dev
  clang libclang-rt-14-dev
  tzdata
  emscripten binaryen
  libboost1.74-dev libicu-dev libssl-dev zlib1g-dev libsqlite3-dev sqlite3 libpq-dev postgresql-15
  chromium wrk curl procps libcurl4-openssl-dev python3-aiosmtpd libical-dev radicale python3-bcrypt apache2-utils
  nginx prometheus systemd shellcheck
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs)
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The web widget's build tools come from the npm registry, pinned by web/package-lock.json.
if [ -f web/package-lock.json ]; then
  if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
