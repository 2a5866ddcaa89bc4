#!/usr/bin/env bash
# Server benchmark, one run on one fresh database (fsync on, as in production), each
# figure next to its reference measured in the same run:
#   - POST /log batch 1 at 1, 4, 16 and 64 connections (wrk, a new record and a new
#     client id per request) next to pgbench's single-row INSERT of the same row with as
#     many clients
#   - POST /log batch 50 next to COPY of the very rows the server stored
#   - a static file from digits-server and from nginx
# Record counts are read from the database, not from the load generators. Prints
# Markdown tables.
#   DURATION      seconds per run (default 10)
#   LEVELS        connection counts (default "1 4 16 64")
#   DB_WRITERS    the server's writer connections (default: the server's own default)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

duration=${DURATION:-10}
levels=${LEVELS:-1 4 16 64}
batch_connections=16
bench_start_database
stored() { psql_db "SELECT count(*) FROM predictions"; }
# Every run starts from an empty table and a fresh checkpoint, so none pays for another's
# index growth or full-page writes.
fresh_table() { psql_db "TRUNCATE predictions, feedback" && psql -h 127.0.0.1 -p "$pg_port" -U postgres -d digits -qc CHECKPOINT; }
threads_for() { echo $(($1 < 2 ? $1 : 2)); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

# The row POST /log stores for bench/log.lua's record, as one INSERT statement.
image_hex=$(/usr/bin/python3 -c "import base64,re; print(base64.b64decode(re.search(r'records.image = \"([^\"]+)\"', open('$ROOT/bench/records.lua').read()).group(1)).hex())")
cat > "$work/insert.sql" <<SQL
INSERT INTO predictions (record_id, client_id, client_created_at, predicted_digit, confidence, probabilities,
                         image_data, engine, model_version, latency_ms, model_digit)
VALUES (gen_random_uuid(), gen_random_uuid()::text, '2026-11-24T10:00:00.000Z', 7, 0.91,
        '{0.01,0.01,0.01,0.01,0.01,0.01,0.01,0.91,0.01,0.01}', decode('$image_hex', 'hex'), 'native', 'bench', 0.4, 7);
SQL

# pgbench with C clients: prints "rate p50_ms p99_ms", the rate from the table's count.
pgbench_run() {
  local clients=$1
  fresh_table
  rm -f "$work"/pgb.*
  (cd "$work" && pgbench -n -c "$clients" -j "$(threads_for "$clients")" -T "$duration" -l --log-prefix=pgb \
    -f insert.sql -h 127.0.0.1 -p "$pg_port" -U digits digits >/dev/null 2>&1)
  local rows
  rows=$(stored)
  # Per-transaction log: the third field is the latency in microseconds.
  cat "$work"/pgb.* | awk '{ print $3 / 1000 }' | sort -n | awk -v rows="$rows" -v s="$duration" '
    { v[NR] = $1 } END { printf "%.0f %.3f %.3f\n", rows / s, v[int(NR * 0.5) + 1], v[int(NR * 0.99) + 1] }'
}

# POST /log with C connections and B records per request: prints "rate p50_ms p99_ms".
log_run() {
  local connections=$1 batch=$2
  fresh_table
  local line rows seconds
  line=$(wrk -t"$(threads_for "$connections")" -c"$connections" -d"${duration}s" -s "$ROOT/bench/log.lua" \
    "http://127.0.0.1:$port/log" -- "$batch" | grep '^RESULT')
  rows=$(stored)
  seconds=$(sed 's/.*seconds=\([0-9.]*\).*/\1/' <<<"$line")
  note "batch $batch, $connections connections: $rows records stored, $(sed 's/.*errors=\([0-9]*\).*/\1/' <<<"$line") failed requests"
  awk -v rows="$rows" -v s="$seconds" -v line="$line" 'BEGIN {
    match(line, /p50_ms=[0-9.]+/); p50 = substr(line, RSTART + 7, RLENGTH - 7)
    match(line, /p99_ms=[0-9.]+/); p99 = substr(line, RSTART + 7, RLENGTH - 7)
    printf "%.0f %s %s\n", rows / s, p50, p99 }'
}

step "starting digits-server"
port=$(free_port)
PORT=$port BIND_ADDRESS=127.0.0.1 WWW_DIR="$ROOT/build/www" MIGRATIONS_DIR="$ROOT/sql" RATE_LIMIT_PER_SECOND=0 \
  HTTP_THREADS=${HTTP_THREADS:-2} \
  "$binary" serve 2>"$work/server.log" &
bench_pids+=($!)
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

declare -A ours theirs
for c in $levels; do
  step "$c connections: pgbench INSERT, then POST /log batch 1 (${duration} s each)"
  theirs[$c]=$(pgbench_run "$c")
  ours[$c]=$(log_run "$c" 1)
done

step "POST /log batch 50, $batch_connections connections, then COPY of the same rows"
batch50=$(log_run "$batch_connections" 50)
columns="record_id, client_id, client_created_at, predicted_digit, confidence, probabilities, image_data, engine,
         model_version, latency_ms, strokes, model_digit"
psql_db "\\copy (SELECT $columns FROM predictions) TO '$work/rows.copy'"
copy_rows=$(wc -l < "$work/rows.copy")
fresh_table
copy_start=$(date +%s.%N)
psql_db "\\copy predictions ($columns) FROM '$work/rows.copy'"
copy_end=$(date +%s.%N)
copy_rate=$(awk -v n="$copy_rows" -v a="$copy_start" -v b="$copy_end" 'BEGIN { printf "%.0f", n / (b - a) }')
[ "$(stored)" = "$copy_rows" ] || die "COPY stored $(stored) of $copy_rows rows"

step "static file: digits-server and nginx, the same file"
file=js/app.js
nginx_port=$(free_port)
cat > "$work/nginx.conf" <<NGINX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  server {
    listen 127.0.0.1:$nginx_port;
    root $ROOT/build/www;
    etag on;
  }
}
NGINX
nginx -c "$work/nginx.conf" -g 'daemon off;' &
bench_pids+=($!)
sleep 0.5
static_requests() {
  wrk -t2 -c64 -d"${duration}s" "$1" | sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p'
}
static_ours=$(static_requests "http://127.0.0.1:$port/$file")
static_nginx=$(static_requests "http://127.0.0.1:$nginx_port/$file")

field() { cut -d' ' -f"$2" <<<"$1"; }
{
  echo
  echo "Server benchmark: $(nproc) cores shared by load generator, server and database; ${duration} s per run;"
  echo "DB_WRITERS=${DB_WRITERS:-default}; counts read from the database"
  echo
  echo "| connections | POST /log batch 1 (records/s) | p50 / p99 (ms) | pgbench INSERT (rows/s) | p50 / p99 (ms) | ratio |"
  echo "| ---: | ---: | ---: | ---: | ---: | ---: |"
  for c in $levels; do
    echo "| $c | $(field "${ours[$c]}" 1) | $(field "${ours[$c]}" 2) / $(field "${ours[$c]}" 3) |" \
      "$(field "${theirs[$c]}" 1) | $(field "${theirs[$c]}" 2) / $(field "${theirs[$c]}" 3) |" \
      "$(ratio "$(field "${ours[$c]}" 1)" "$(field "${theirs[$c]}" 1)") |"
  done
  echo
  echo "| what | rows/s | p50 / p99 (ms) | ratio |"
  echo "| --- | ---: | ---: | ---: |"
  echo "| POST /log batch 50, $batch_connections connections | $(field "$batch50" 1) | $(field "$batch50" 2) / $(field "$batch50" 3) |" \
    "$(ratio "$(field "$batch50" 1)" "$copy_rate") |"
  echo "| COPY of the same $copy_rows rows, one stream | $copy_rate | | 1 |"
  echo
  echo "| static file /$file ($(stat -c %s "$ROOT/build/www/$file") bytes), 64 connections | requests/s | ratio |"
  echo "| --- | ---: | ---: |"
  echo "| digits-server | ${static_ours%.*} | $(ratio "$static_ours" "$static_nginx") |"
  echo "| nginx | ${static_nginx%.*} | 1 |"
  echo
  echo "Targets: batch 1 at least 1.5x pgbench at 4, 16 and 64 connections; batch 50 at least 0.5x COPY;"
  echo "p99 at 16 connections under 10 ms; static files at least 0.8x nginx."
}
