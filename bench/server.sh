#!/usr/bin/env bash
# Server benchmark, one run on one fresh database (fsync on, as in production):
#   - PostgreSQL's own rate for the single-row INSERT of a prediction (pgbench, 8 clients)
#   - POST /log through digits-server at batch 1 and batch 50 (wrk, Lua bodies with new ids)
#   - a static file from digits-server and from nginx
# Prints a Markdown table. DURATION (seconds per run, default 10), CONNECTIONS (default 64).
set -euo pipefail
source "$(dirname "$0")/../scripts/lib/common.sh"
cd "$ROOT"

duration=${DURATION:-10}
connections=${CONNECTIONS:-64}
work=$(mktemp -d)
chmod 755 "$work"  # PostgreSQL runs as its own user and must reach its folder
server=""
nginx_pid=""
cleanup() {
  [ -n "$server" ] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  "$ROOT/scripts/pg.sh" stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

[ -x "$ROOT/build/native/server/digits-server" ] || die "build first: scripts/build.sh"
step "starting PostgreSQL (fsync on)"
pg_port=$("$ROOT/scripts/pg.sh" start "$work/pg")
export DATABASE_URL="host=127.0.0.1 port=$pg_port dbname=digits user=digits"
export MIGRATE_DATABASE_URL="host=127.0.0.1 port=$pg_port dbname=digits user=digits_owner"
MIGRATIONS_DIR="$ROOT/sql" "$ROOT/build/native/server/digits-server" migrate 2>/dev/null
psql_db() { psql -h 127.0.0.1 -p "$pg_port" -U digits_owner -d digits -tAc "$1"; }

step "pgbench: single-row INSERT of a prediction, 8 clients, ${duration} s"
image_hex=$(/usr/bin/python3 -c "print(bytes((i * 7) % 256 for i in range(784)).hex())")
cat > "$work/insert.sql" <<SQL
INSERT INTO predictions (record_id, client_id, client_created_at, predicted_digit, confidence, probabilities,
                         image_data, engine, model_version, latency_ms)
VALUES (gen_random_uuid(), 'pgbench', now(), 7, 0.91, '{0.01,0.01,0.01,0.01,0.01,0.01,0.01,0.91,0.01,0.01}',
        decode('$image_hex', 'hex'), 'native', 'bench', 0.4);
SQL
pgbench_tps=$(pgbench -n -c 8 -j 2 -T "$duration" -f "$work/insert.sql" -h 127.0.0.1 -p "$pg_port" -U digits digits \
  2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -n 1)
psql_db "TRUNCATE predictions"

step "starting digits-server"
port=$(free_port)
PORT=$port BIND_ADDRESS=127.0.0.1 WWW_DIR="$ROOT/build/www" MIGRATIONS_DIR="$ROOT/sql" RATE_LIMIT_PER_SECOND=0 \
  DB_WRITERS=${DB_WRITERS:-2} HTTP_THREADS=${HTTP_THREADS:-2} "$ROOT/build/native/server/digits-server" serve 2>"$work/server.log" &
server=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

declare -A rate p50 p99
for batch in 1 50; do
  step "POST /log, batch $batch, $connections connections, ${duration} s"
  before=$(psql_db "SELECT count(*) FROM predictions")
  line=$(wrk -t2 -c"$connections" -d"${duration}s" --latency -s "$ROOT/bench/log.lua" "http://127.0.0.1:$port/log" -- "$batch" \
    | grep '^RESULT')
  after=$(psql_db "SELECT count(*) FROM predictions")
  seconds=$(sed 's/.*seconds=\([0-9.]*\).*/\1/' <<<"$line")
  errors=$(sed 's/.*errors=\([0-9]*\).*/\1/' <<<"$line")
  rate[$batch]=$(awk -v n=$((after - before)) -v s="$seconds" 'BEGIN { printf "%.0f", n / s }')
  p50[$batch]=$(sed 's/.*p50_ms=\([0-9.]*\).*/\1/' <<<"$line")
  p99[$batch]=$(sed 's/.*p99_ms=\([0-9.]*\).*/\1/' <<<"$line")
  note "$((after - before)) records stored in $seconds s, $errors non-200 answers"
done

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
nginx_pid=$!
sleep 0.5
static_ours=$(wrk -t2 -c"$connections" -d"${duration}s" "http://127.0.0.1:$port/$file" | sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p')
static_nginx=$(wrk -t2 -c"$connections" -d"${duration}s" "http://127.0.0.1:$nginx_port/$file" | sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p')

size=$(stat -c %s "$ROOT/build/www/$file")
cat <<TABLE

Server benchmark: $(nproc) cores shared by load generator, server and database; ${duration} s per run, $connections connections

| what | rate | p50 (ms) | p99 (ms) |
| --- | ---: | ---: | ---: |
| pgbench, single-row INSERT, 8 clients | ${pgbench_tps%.*} inserts/s | | |
| POST /log, batch 1 | ${rate[1]} records/s | ${p50[1]} | ${p99[1]} |
| POST /log, batch 50 | ${rate[50]} records/s | ${p50[50]} | ${p99[50]} |
| GET /$file ($size bytes), digits-server | ${static_ours%.*} requests/s | | |
| GET /$file ($size bytes), nginx | ${static_nginx%.*} requests/s | | |

POST /log batch 1 / pgbench: $(awk -v a="${rate[1]}" -v b="$pgbench_tps" 'BEGIN { printf "%.2f", a / b }') (target at least 1)
Static files, digits-server / nginx: $(awk -v a="$static_ours" -v b="$static_nginx" 'BEGIN { printf "%.2f", a / b }') (target at least 0.8)
TABLE
