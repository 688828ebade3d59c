#!/usr/bin/env bash
# Benchmark of slotwise-server, the current build beside an "old" one,
# measured in the same run on the same machine:
# bookings per second and p50/p99 at 16 concurrent clients with half the
# requests conflicting, snapshot GETs per second, accept-queue overflows
# (TcpExtListenOverflows) under the booking load and under 500 simultaneous
# connection attempts, each beside the database's raw rate for a one-row
# insert transaction at the same durability; then 10,000 idle connections
# held open, the server's memory per connection and a normal client's p99
# while they are open.
#
#   server-stub/bench/bench.sh [sqlite|postgres|all]   (default all)
#
# Needs wrk, sqlite3, python3, nstat, PostgreSQL 15 (initdb, pg_ctl, pgbench)
# and a built build/bin/slotwise-server (or SLOTWISE_SERVER=path). The old
# side is, by OLD:
#   layer   today's tree with the HTTP layer swapped for cpp-httplib
#           (bench/httplib_layer, slotwise-server-httplib), built under /tmp:
#           the fair comparison of the two HTTP layers, nothing else differs;
#   commit  (the default) the last cpp-httplib build, commit OLD_COMMIT
#           (default 0f4d3f1), built once in a git worktree under /tmp; it
#           also differs in everything the booking path gained since;
#   skip    nothing: the current build alone.
# Both builds install libcpp-httplib-dev with apt-get when missing.
# OLD_SERVER=path takes another binary as the old one instead. ROUNDS (default
# 1) repeats each backend's pair of runs, which of the two goes first
# alternating, to average out a shared machine's noise; summarize.py sums up
# the rounds at the end (and takes the outputs of several runs). PROFILE=dir
# records the server under each load with perf (software clock, call graphs)
# into dir/<backend>-<new or old>-r<round>-<load>.data. DURATION (seconds per
# load, default 8), CLIENTS (default 16), PROVIDERS (the spread of the second
# booking run, default 8) and IDLE (default 10000) may be set; LOADS picks the
# loads of each build (default "snapshot booking spread burst"), IDLE=0 skips
# the idle-connection part; SERVER_FLAGS are passed to both servers. Each load
# also reports the server's CPU time (user + system, from /proc) per request:
# on a shared machine far steadier than the rate.
set -euo pipefail
# A build that fails inside $(build_layer) must stop the run, not leave an
# older binary to be measured.
shopt -s inherit_errexit
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
server_new=${SLOTWISE_SERVER:-$root/build/bin/slotwise-server}
pg_bin=${SLOTWISE_PG_BIN:-/usr/lib/postgresql/15/bin}
duration=${DURATION:-8}
clients=${CLIENTS:-16}
providers=${PROVIDERS:-8}
idle=${IDLE:-10000}
loads=${LOADS:-snapshot booking spread burst}
old_commit=${OLD_COMMIT:-0f4d3f1}
old_src=/tmp/slotwise-bench-old-src
old_build=/tmp/slotwise-bench-old-build
layer_build=/tmp/slotwise-bench-layer-build
old_mode=${OLD:-commit}
rounds=${ROUNDS:-1}
token=bench-operator-token-0123456789abcdef
which=${1:-all}
case $which in
  sqlite | postgres | all) ;;
  *) echo "usage: $0 [sqlite|postgres|all]" >&2; exit 2 ;;
esac
# wrk's threads; booking.lua interleaves their fresh slots by this count.
wrk_threads=2
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
ulimit -n "$(ulimit -Hn)"

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
overflows() { nstat -az TcpExtListenOverflows | awk '/TcpExtListenOverflows/ {print $2}'; }

need_httplib() {
  if ! dpkg -s libcpp-httplib-dev >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then apt-get install -y libcpp-httplib-dev >/dev/null; else sudo apt-get install -y libcpp-httplib-dev >/dev/null; fi
  fi
}

# The last cpp-httplib build, for the side-by-side figures.
build_old() {
  need_httplib
  if [ ! -d "$old_src" ]; then git -C "$root" worktree add --detach "$old_src" "$old_commit" >/dev/null; fi
  cmake -S "$old_src" -B "$old_build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$old_build" --target slotwise-server >/dev/null
  echo "$old_build/bin/slotwise-server"
}

# Today's server on the cpp-httplib layer: the same sources but for
# http/http_server.cpp. Its own build folder (only this target), so that the
# option never touches the current build's.
build_layer() {
  need_httplib
  # A build folder configured from another checkout (a worktree since removed) cannot be reused.
  if [ -f "$layer_build/CMakeCache.txt" ] && ! grep -qx "CMAKE_HOME_DIRECTORY:INTERNAL=$root" "$layer_build/CMakeCache.txt"; then
    rm -rf "$layer_build"
  fi
  cmake -S "$root" -B "$layer_build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLOTWISE_BENCH_HTTPLIB_LAYER=ON >/dev/null
  cmake --build "$layer_build" -j2 --target slotwise-server-httplib >/dev/null
  echo "$layer_build/bin/slotwise-server-httplib"
}

now=$(date -u +%s)
now=$((now - now % 300))
# Taken slots on the day after tomorrow; fresh ones from a week ahead on.
taken_base=$(( (now / 86400 + 2) * 86400 + 3600 ))
fresh_base=$(( (now / 86400 + 7) * 86400 ))
# Each load books fresh slots in its own window (booking.lua: 20 minutes
# apart, 28,800 slots in 400 days, enough for 20 s at 1,400 fresh
# bookings/s), two loads a round: 10 rounds end in 2049, inside the dates the
# engine accepts (to 2051).
window_days=400
if [ "$rounds" -gt 10 ]; then echo "ROUNDS must be at most 10: each round books $((2 * window_days)) days further ahead" >&2; exit 2; fi
taken_count=100

provider_json='{"name":"Bench","kind":"other","time_zone":"UTC","active":true,
 "schedules":{"default":{"weekly":[{"day":"mon","start":"00:00","end":"24:00"},{"day":"tue","start":"00:00","end":"24:00"},
 {"day":"wed","start":"00:00","end":"24:00"},{"day":"thu","start":"00:00","end":"24:00"},{"day":"fri","start":"00:00","end":"24:00"},
 {"day":"sat","start":"00:00","end":"24:00"},{"day":"sun","start":"00:00","end":"24:00"}]}},
 "services":[{"id":"s5","name":"Five","durations":[5],"price":{"amount":100,"currency":"EUR"},"cancellation_policy":"flexible"}]}'

run_server() {  # binary db-url [flags...] -> sets url, port, pid
  local binary=$1 db=$2
  shift 2
  port=$(free_port)
  # shellcheck disable=SC2086 # SERVER_FLAGS holds several flags
  SLOTWISE_ADMIN_TOKEN=$token "$binary" --db "$db" --listen "127.0.0.1:$port" --access-log off --rate-limit 0 ${SERVER_FLAGS:-} "$@" >"$work/server.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  url="http://127.0.0.1:$port"
  for _ in $(seq 100); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.1; done
}

stop_server() { kill "$pid"; wait "$pid" 2>/dev/null || true; }

# The server's CPU time so far in clock ticks (utime + stime of /proc/PID/stat).
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat"; }
# Context switches of all the server's threads so far.
switches() { cat /proc/"$pid"/task/*/status | awk '/ctxt_switches/ { n += $2 } END { print n }'; }
# Runs wrk (its arguments), prints its RESULT line with the server's CPU
# microseconds and context switches per request appended.
wrk_measured() {
  local before after switches_before switches_after line requests
  local profiler=
  if [ -n "${PROFILE:-}" ]; then
    mkdir -p "$PROFILE"
    perf record -q -e cpu-clock -g -p "$pid" -o "$PROFILE/$profile_name.data" >/dev/null 2>&1 &
    profiler=$!
  fi
  before=$(cpu_ticks)
  switches_before=$(switches)
  line=$(wrk "$@" | grep RESULT)
  after=$(cpu_ticks)
  switches_after=$(switches)
  if [ -n "$profiler" ]; then kill -INT "$profiler"; wait "$profiler" || true; fi
  requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$line")
  awk -v l="$line" -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" -v s=$((switches_after - switches_before)) \
    'BEGIN { printf "%s server_cpu_us_per_request=%.1f server_switches_per_request=%.2f\n", l, n ? t * 1e6 / hz / n : 0, n ? s / n : 0 }'
}
wants() { [[ " $loads " == *" $1 "* ]]; }

seed() {  # the slots that half of the booking requests will find taken
  local seeders=()
  for p in bench $(seq -f "bench%g" 0 $((providers - 1))); do
    curl -sf -X PUT "$url/v1/providers/$p" -H "Authorization: Bearer $token" -d "$provider_json" >/dev/null
    for i in $(seq 0 $((taken_count - 1))); do
      start=$(date -u -d "@$((taken_base + i * 300))" +%Y-%m-%dT%H:%M:00Z)
      curl -sf -X POST "$url/v1/bookings" -H "Idempotency-Key: seed-$p-$i-$fresh_base" \
        -d "{\"provider\":\"$p\",\"service\":\"s5\",\"start\":\"$start\",\"client\":{\"name\":\"Seed\",\"email\":\"seed$i@example.com\"}}" >/dev/null &
      seeders+=($!)
    done
    wait "${seeders[@]}"
  done
}

bench_http() {  # label fresh-offset profile-prefix
  local label=$1 offset=$2 prefix=$3
  local today; today=$(date -u +%Y-%m-%d)
  local to; to=$(date -u -d "@$((now + 13 * 86400))" +%Y-%m-%d)
  if wants snapshot; then
    profile_name=$prefix-snapshot
    settle_database
    echo "== $label: GET snapshot (14 days, 100 bookings), $clients clients, ${duration}s"
    wrk_measured -t"$wrk_threads" -c"$clients" -d"${duration}s" --latency -s "$here/snapshot.lua" "$url/v1/providers/bench/snapshot?from=$today&to=$to"
  fi
  local before; before=$(overflows)
  if wants booking; then
    profile_name=$prefix-booking
    settle_database
    echo "== $label: POST /v1/bookings, one provider, $clients clients, half conflicting, ${duration}s"
    FRESH_BASE=$((fresh_base + offset)) TAKEN_BASE=$taken_base TAKEN_COUNT=$taken_count CONFLICT_SHARE=0.5 PROVIDERS=1 WRK_THREADS=$wrk_threads \
      wrk_measured -t"$wrk_threads" -c"$clients" -d"${duration}s" --latency -s "$here/booking.lua" "$url"
  fi
  if wants spread; then
    profile_name=$prefix-spread
    settle_database
    echo "== $label: POST /v1/bookings, $providers providers, $clients clients, half conflicting, ${duration}s"
    FRESH_BASE=$((fresh_base + offset + 86400 * window_days)) TAKEN_BASE=$taken_base TAKEN_COUNT=$taken_count CONFLICT_SHARE=0.5 PROVIDERS=$providers WRK_THREADS=$wrk_threads \
      wrk_measured -t"$wrk_threads" -c"$clients" -d"${duration}s" --latency -s "$here/booking.lua" "$url"
    echo "RESULT listen_overflows_during_booking_load=$(( $(overflows) - before ))"
  fi
  if wants burst; then
    echo "== $label: 500 simultaneous connection attempts"
    before=$(overflows)
    python3 "$here/connect_burst.py" "$port" 500
    echo "RESULT listen_overflows_during_burst=$(( $(overflows) - before ))"
  fi
}

# Before each load: the database's dirty pages written out (a checkpoint), so
# that no load inherits another's backlog of writes and each starts with the
# same cost of first writes after a checkpoint.
settle_database() {
  case $database in
    sqlite:*) sqlite3 "${database#sqlite:}" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null ;;
    postgres://*) psql -X -q "$database" -c CHECKPOINT ;;
  esac
}

bench_build() {  # backend round NEW|OLD binary db-url
  local backend=$1 round=$2 side=$3 binary=$4 label=$new_label
  database=$5
  [ "$side" = OLD ] && label=$old_label
  run_server "$binary" "$database"
  [ "$round" = 1 ] && seed
  bench_http "$backend, round $round, $side: $label" $(( (round - 1) * 86400 * 2 * window_days )) "$backend-${side,,}-r$round"
  stop_server
}

# Each build against its own fresh database of the backend, seeded once;
# round r books from its own offset, so no round finds another's bookings.
# The order alternates (new-old, old-new, ...) so that neither side always
# runs on the other's heels: a checkpoint, the page cache or a neighbour on
# the machine then falls on both alike.
bench_builds() {  # backend url-of-new-db url-of-old-db
  local backend=$1 round
  for round in $(seq "$rounds"); do
    if [ -z "$server_old" ]; then
      bench_build "$backend" "$round" NEW "$server_new" "$2"
    elif [ $((round % 2)) = 1 ]; then
      bench_build "$backend" "$round" NEW "$server_new" "$2"
      bench_build "$backend" "$round" OLD "$server_old" "$3"
    else
      bench_build "$backend" "$round" OLD "$server_old" "$3"
      bench_build "$backend" "$round" NEW "$server_new" "$2"
    fi
  done
}

bench_sqlite() {
  echo "== sqlite: raw one-row INSERT transactions (WAL, synchronous=FULL, one connection; SQLite has one writer)"
  sqlite3 "$work/raw.db" "PRAGMA journal_mode=WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);" >/dev/null
  local n=2000
  local t0 t1
  { echo "PRAGMA synchronous=FULL;"; for i in $(seq $n); do echo "BEGIN IMMEDIATE; INSERT INTO t (v) VALUES ('row $i'); COMMIT;"; done; } >"$work/raw.sql"
  t0=$(date +%s.%N); sqlite3 "$work/raw.db" <"$work/raw.sql"; t1=$(date +%s.%N)
  awk -v n=$n -v a="$t0" -v b="$t1" 'BEGIN { printf "RESULT raw_inserts_per_s=%.1f\n", n / (b - a) }'
  bench_builds sqlite "sqlite:$work/new.db" "sqlite:$work/old.db"
}

bench_postgres() {
  local pgport; pgport=$(free_port)
  chown postgres "$work" 2>/dev/null || true
  as_pg "$pg_bin/initdb" -D "$work/pg" -A trust -U postgres >/dev/null
  # Checkpoints only when settle_database asks (before each load), none by the
  # clock in the middle of one side's load.
  as_pg "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w -o "-p $pgport -k $work -c listen_addresses=127.0.0.1 -c max_connections=200 -c checkpoint_timeout=1h -c max_wal_size=2GB" start >/dev/null
  local pg="postgres://postgres@127.0.0.1:$pgport"
  echo "== postgres: raw one-row INSERT transactions (pgbench, synchronous_commit=on, $clients clients)"
  psql -X -q -h 127.0.0.1 -p "$pgport" -U postgres -c "CREATE TABLE raw_insert (id BIGSERIAL PRIMARY KEY, v TEXT)" postgres
  psql -X -q -h 127.0.0.1 -p "$pgport" -U postgres -c "CREATE DATABASE bench_new" -c "CREATE DATABASE bench_old" postgres
  echo "INSERT INTO raw_insert (v) VALUES ('row');" >"$work/raw.sql"
  "$pg_bin/pgbench" -h 127.0.0.1 -p "$pgport" -U postgres -n -c "$clients" -j 2 -T "$duration" -f "$work/raw.sql" postgres 2>/dev/null |
    awk '/^tps/ {printf "RESULT raw_inserts_per_s=%.1f\n", $3}'
  bench_builds postgres "$pg/bench_new" "$pg/bench_old"
}

# Idle connections: keep-alive ones that made a request (current build; the
# idle timeout is raised so that they stay for the measurement), and silent
# ones that never send a byte (both builds, inside the header timeout).
bench_idle() {
  local path=/v1/providers/bench/snapshot
  run_server "$server_new" "sqlite:$work/idle-new.db" --idle-timeout 120
  curl -sf -X PUT "$url/v1/providers/bench" -H "Authorization: Bearer $token" -d "$provider_json" >/dev/null
  echo "== NEW (Beast layer): $idle idle keep-alive connections, then a normal client's GETs"
  python3 "$here/idle_clients.py" "$port" "$pid" "$idle" "$path" keepalive
  stop_server
  run_server "$server_new" "sqlite:$work/idle-new.db"
  echo "== NEW (Beast layer): $idle silent connections, then a normal client's GETs"
  python3 "$here/idle_clients.py" "$port" "$pid" "$idle" "$path" silent
  stop_server
  if [ -n "$server_old" ]; then
    run_server "$server_old" "sqlite:$work/idle-old.db"
    curl -sf -X PUT "$url/v1/providers/bench" -H "Authorization: Bearer $token" -d "$provider_json" >/dev/null
    echo "== OLD (cpp-httplib): $idle silent connections, then a normal client's GETs"
    python3 "$here/idle_clients.py" "$port" "$pid" "$idle" "$path" silent
    stop_server
  fi
}

server_old=
new_label="today's server, Beast layer"
if [ -n "${OLD_SERVER:-}" ]; then
  server_old=$OLD_SERVER
  old_label="OLD_SERVER"
else
  case $old_mode in
    layer) server_old=$(build_layer); old_label="today's server, cpp-httplib layer" ;;
    commit) server_old=$(build_old); old_label="cpp-httplib server of commit $old_commit" ;;
    skip) ;;
    *) echo "OLD must be layer, commit or skip" >&2; exit 2 ;;
  esac
fi
echo "slotwise-server benchmark, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%M:%SZ), somaxconn $(cat /proc/sys/net/core/somaxconn), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "NEW = $new_label: $server_new"
if [ -n "$server_old" ]; then echo "OLD = $old_label: $server_old"; fi
# The whole output is kept for the summary at the end; the loads run in this
# shell (not a pipeline's), so that the cleanup trap sees their servers.
exec 3>&1
exec > >(tee "$work/output")
tee_pid=$!
case $which in
  sqlite) bench_sqlite ;;
  postgres) bench_postgres ;;
  all) bench_sqlite; bench_postgres ;;
esac
if [ "$idle" -gt 0 ]; then bench_idle; fi
exec >&3 3>&-
wait "$tee_pid"
echo
echo "== summary (summarize.py; rates over rounds, p50/p99 and CPU medians)"
python3 "$here/summarize.py" "$work/output"
