#!/usr/bin/env bash
# Benchmark of slotwise-server (issue 4): bookings per second and p50/p99 at
# 16 concurrent clients with half the requests conflicting, snapshot GETs per
# second, each beside the database's raw rate for a one-row insert
# transaction at the same durability, measured in the same run.
#
#   server-stub/bench/bench.sh [sqlite|postgres|all]   (default all)
#
# Needs wrk, sqlite3, PostgreSQL 15 (initdb, pg_ctl, pgbench) and a built
# build/bin/slotwise-server (or SLOTWISE_SERVER=path). DURATION (seconds,
# default 15), CLIENTS (default 16) and PROVIDERS (the spread of the second
# booking run, default 16) may be set in the environment.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
server=${SLOTWISE_SERVER:-$root/build/bin/slotwise-server}
pg_bin=${SLOTWISE_PG_BIN:-/usr/lib/postgresql/15/bin}
duration=${DURATION:-15}
clients=${CLIENTS:-16}
providers=${PROVIDERS:-16}
which=${1:-all}
work=$(mktemp -d /tmp/slotwise-bench-XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -d "$work/pg" ]; then runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/pg" -m fast -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

now=$(date -u +%s)
now=$((now - now % 300))
# Taken slots on the day after tomorrow; fresh ones from a week ahead on.
taken_base=$(( (now / 86400 + 2) * 86400 + 3600 ))
fresh_base=$(( (now / 86400 + 7) * 86400 ))
taken_count=100

provider_json='{"name":"Bench","kind":"other","time_zone":"UTC","active":true,
 "schedules":{"default":{"weekly":[{"day":"mon","start":"00:00","end":"24:00"},{"day":"tue","start":"00:00","end":"24:00"},
 {"day":"wed","start":"00:00","end":"24:00"},{"day":"thu","start":"00:00","end":"24:00"},{"day":"fri","start":"00:00","end":"24:00"},
 {"day":"sat","start":"00:00","end":"24:00"},{"day":"sun","start":"00:00","end":"24:00"}]}},
 "services":[{"id":"s5","name":"Five","durations":[5],"price":{"amount":100,"currency":"EUR"},"cancellation_policy":"flexible"}]}'

run_server() {  # db-url -> sets url
  local port; port=$(free_port)
  SLOTWISE_ADMIN_TOKEN=bench "$server" --db "$1" --listen "127.0.0.1:$port" --access-log off --rate-limit 0 >"$work/server.log" 2>&1 &
  pids+=($!)
  url="http://127.0.0.1:$port"
  for _ in $(seq 100); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.1; done
  # The slots that half of the requests will find taken.
  local seeders=()
  for p in bench $(seq -f "bench%g" 0 $((providers - 1))); do
    curl -sf -X PUT "$url/v1/providers/$p" -H 'Authorization: Bearer bench' -d "$provider_json" >/dev/null
    for i in $(seq 0 $((taken_count - 1))); do
      start=$(date -u -d "@$((taken_base + i * 300))" +%Y-%m-%dT%H:%M:00Z)
      curl -sf -X POST "$url/v1/bookings" -H "Idempotency-Key: seed-$p-$i-$fresh_base" \
        -d "{\"provider\":\"$p\",\"service\":\"s5\",\"start\":\"$start\",\"client\":{\"name\":\"Seed\",\"email\":\"seed@example.com\"}}" >/dev/null &
      seeders+=($!)
    done
    wait "${seeders[@]}"
  done
}

bench_http() {  # label
  local label=$1
  local today; today=$(date -u +%Y-%m-%d)
  local to; to=$(date -u -d "@$((now + 13 * 86400))" +%Y-%m-%d)
  echo "== $label: GET snapshot (14 days, 100 bookings), $clients clients, ${duration}s"
  wrk -t2 -c"$clients" -d"${duration}s" --latency -s "$here/snapshot.lua" "$url/v1/providers/bench/snapshot?from=$today&to=$to" | grep RESULT
  echo "== $label: POST /v1/bookings, one provider, $clients clients, half conflicting, ${duration}s"
  FRESH_BASE=$fresh_base TAKEN_BASE=$taken_base TAKEN_COUNT=$taken_count CONFLICT_SHARE=0.5 PROVIDERS=1 \
    wrk -t2 -c"$clients" -d"${duration}s" --latency -s "$here/booking.lua" "$url" | grep RESULT
  echo "== $label: POST /v1/bookings, $providers providers, $clients clients, half conflicting, ${duration}s"
  FRESH_BASE=$((fresh_base + 86400 * 400)) TAKEN_BASE=$taken_base TAKEN_COUNT=$taken_count CONFLICT_SHARE=0.5 PROVIDERS=$providers \
    wrk -t2 -c"$clients" -d"${duration}s" --latency -s "$here/booking.lua" "$url" | grep RESULT
}

bench_sqlite() {
  local db="$work/bench.db"
  echo "== sqlite: raw one-row INSERT transactions (WAL, synchronous=FULL, one connection; SQLite has one writer)"
  sqlite3 "$work/raw.db" "PRAGMA journal_mode=WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);" >/dev/null
  local n=2000
  local t0 t1
  { echo "PRAGMA synchronous=FULL;"; for i in $(seq $n); do echo "BEGIN IMMEDIATE; INSERT INTO t (v) VALUES ('row $i'); COMMIT;"; done; } >"$work/raw.sql"
  t0=$(date +%s.%N); sqlite3 "$work/raw.db" <"$work/raw.sql"; t1=$(date +%s.%N)
  awk -v n=$n -v a="$t0" -v b="$t1" 'BEGIN { printf "RESULT raw_inserts_per_s=%.1f\n", n / (b - a) }'
  run_server "sqlite:$db"
  bench_http sqlite
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
}

bench_postgres() {
  local port; port=$(free_port)
  chown postgres "$work" 2>/dev/null || true
  as_pg "$pg_bin/initdb" -D "$work/pg" -A trust -U postgres >/dev/null
  as_pg "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
  local pg="postgres://postgres@127.0.0.1:$port/postgres"
  echo "== postgres: raw one-row INSERT transactions (pgbench, synchronous_commit=on, $clients clients)"
  psql -X -q -h 127.0.0.1 -p "$port" -U postgres -c "CREATE TABLE raw_insert (id BIGSERIAL PRIMARY KEY, v TEXT)" postgres
  echo "INSERT INTO raw_insert (v) VALUES ('row');" >"$work/raw.sql"
  "$pg_bin/pgbench" -h 127.0.0.1 -p "$port" -U postgres -n -c "$clients" -j 2 -T "$duration" -f "$work/raw.sql" postgres 2>/dev/null |
    awk '/^tps/ {printf "RESULT raw_inserts_per_s=%.1f\n", $3}'
  run_server "$pg"
  bench_http postgres
}

echo "slotwise-server benchmark, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
case $which in
  sqlite) bench_sqlite ;;
  postgres) bench_postgres ;;
  all) bench_sqlite; bench_postgres ;;
  *) echo "usage: $0 [sqlite|postgres|all]" >&2; exit 2 ;;
esac
