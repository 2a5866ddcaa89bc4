#!/usr/bin/env bash
# How the read side holds up as the database grows. Fills one fresh PostgreSQL (fsync on)
# through the real write path (POST /log, batches of 50 predictions with a third labelled)
# to each size in SIZES, and prints at each size:
#   - GET /api/stats and GET /api/history latency, alone and under 16 concurrent readers
#   - /healthz latency while those 16 readers read as fast as they can
#   - whether the served statistics equal a full recount
#   - export-feedback time and peak memory, and bytes stored per prediction
#   - how long the server's comparison of its running statistics with a full recount
#     takes (at start and every STATS_VERIFY_SECONDS; figures stay served meanwhile)
#   SIZES      predictions (default "10000 100000 1000000"; add 10000000 for the long run,
#              about 13 GB of disk and 10 minutes of filling)
#   DURATION   seconds per latency run (default 5)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

sizes=${SIZES:-10000 100000 1000000}
duration=${DURATION:-5}
bench_start_database
port=$(free_port)
base="http://127.0.0.1:$port"
server_pid=
# (Re)starts the server; it compares its running statistics with a full recount as it
# starts, and this waits for that comparison and sets verify_seconds to how long it took.
start_server() {
  if [ -n "$server_pid" ]; then kill -TERM "$server_pid" && wait "$server_pid" || true; fi
  PORT=$port BIND_ADDRESS=127.0.0.1 WWW_DIR="$ROOT/build/www" MIGRATIONS_DIR="$ROOT/sql" RATE_LIMIT_PER_SECOND=0 \
    "$binary" serve >>"$work/server.log" 2>&1 &
  server_pid=$!
  bench_pids+=("$server_pid")
  local verified= deadline=$((SECONDS + 1800))  # the comparison's own statement bound
  while [ -z "$verified" ]; do
    sleep 0.2
    kill -0 "$server_pid" 2>/dev/null || die "the server stopped: $(tail -n 3 "$work/server.log")"
    [ "$SECONDS" -lt "$deadline" ] || die "no comparison with a recount after 30 minutes: $(tail -n 3 "$work/server.log")"
    verified=$(curl -fs "$base/metrics" | awk '$1 == "digits_stats_verifications_total" && $2 > 0 { print "yes" }') || true
  done
  verify_seconds=$(curl -fs "$base/metrics" | awk '$1 == "digits_stats_verify_seconds" { printf "%.2f\n", $2 }')
}
start_server
history_client=reader  # a client with no rows: the index walk, as for most people

# p50 and p99 in ms of wrk's run: prints "p50 p99".
latency() {
  local connections=$1 url=$2
  wrk -t"$((connections < 2 ? 1 : 2))" -c"$connections" -d"${duration}s" --latency "$url" |
    awk '/^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
         function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
         END { printf "%.2f %.2f\n", ms(p50), ms(p99) }'
}
# The same while 16 readers hammer url: prints "p50 p99 healthz_p50 healthz_p99".
under_load() {
  local url=$1
  wrk -t2 -c16 -d"$((duration + 2))s" "$url" >/dev/null &
  local readers=$!
  sleep 1
  local ours health
  health=$(latency 1 "$base/healthz")
  wait "$readers"
  ours=$(wrk -t2 -c16 -d"${duration}s" --latency "$url" |
    awk '/^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
         function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
         END { printf "%.2f %.2f\n", ms(p50), ms(p99) }')
  echo "$ours $health"
}

served_total() {
  curl -fs "$base/api/stats" | sed -n 's/.*"total":{"predictions":\([0-9]*\).*/\1/p' | grep . || echo 0
}

declare -A row
for size in $sizes; do
  have=$(psql_db "SELECT count(*) FROM predictions")
  if [ "$have" -lt "$size" ]; then
    step "filling to $size predictions"
    # wrk runs until stopped: its threads cannot end the run themselves.
    wrk -t2 -c16 -d10h -s "$ROOT/bench/fill.lua" "$base/log" -- 50 >/dev/null &
    filler=$!
    # The served total, not count(*): a scan of millions of rows would slow the filling.
    while [ "$(served_total)" -lt "$size" ]; do sleep 0.2; done
    kill "$filler"
    wait "$filler" 2>/dev/null || true
  fi
  stored=$(psql_db "SELECT count(*) FROM predictions")
  step "$stored predictions: restarting the server (it compares its statistics with a recount)"
  start_server
  step "$stored predictions: reading"
  sleep 2  # the statistics have caught up
  stats_alone=$(latency 1 "$base/api/stats")
  stats_loaded=$(under_load "$base/api/stats")
  history_alone=$(latency 1 "$base/api/history?client_id=$history_client")
  history_loaded=$(under_load "$base/api/history?client_id=$history_client")
  served=$(curl -fs "$base/api/stats" | /usr/bin/python3 -c "import json,sys; t=json.load(sys.stdin)['total']; print(t['predictions'], t['labelled'], t['correct'])")
  counted=$(psql_db "SELECT count(*) || ' ' || count(true_digit) || ' ' || count(*) FILTER (WHERE true_digit = predicted_digit) FROM predictions")
  [ "$served" = "$counted" ] && equal=yes || equal="no ($served vs $counted)"
  step "$stored predictions: export-feedback"
  /usr/bin/time -o "$work/export.time" -f "%e %M" "$binary" export-feedback --out "$work/export" 2>/dev/null
  export_figures=$(tail -n 1 "$work/export.time")
  bytes=$(psql_db "SELECT pg_total_relation_size('predictions') / greatest(count(*), 1) FROM predictions")
  row[$size]="| $stored | $(cut -d' ' -f1 <<<"$stats_alone") | $(cut -d' ' -f1,2 <<<"$stats_loaded" | tr ' ' /) |"
  row[$size]+=" $(cut -d' ' -f1 <<<"$history_alone") | $(cut -d' ' -f1,2 <<<"$history_loaded" | tr ' ' /) |"
  row[$size]+=" $(cut -d' ' -f3,4 <<<"$stats_loaded" | tr ' ' /) | $equal |"
  row[$size]+=" $(cut -d' ' -f1 <<<"$export_figures") s, $(($(cut -d' ' -f2 <<<"$export_figures") / 1024)) MB | $bytes |"
  row[$size]+=" $verify_seconds |"
done

cat <<TABLE

Growth: $(nproc) cores shared by load generator, server and database; ${duration} s per latency run

| predictions | /api/stats p50 alone (ms) | /api/stats p50/p99, 16 readers | /api/history p50 alone | /api/history p50/p99, 16 readers | /healthz p50/p99 meanwhile (stats readers) | stats = recount | export-feedback time, peak memory | bytes per prediction | recount comparison at start (s) |
| ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |
TABLE
for size in $sizes; do echo "${row[$size]}"; done
