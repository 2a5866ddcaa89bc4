#!/usr/bin/env bash
# What the statistics counting costs the write path: the server as built, and the same
# commit with the two counting clauses taken out of its SQL (server/repository.cpp),
# alternating, each run on an emptied table after a checkpoint. Prints records/s and the
# CPU PostgreSQL's processes and the server used per 1,000 records stored (from /proc,
# steadier than the rate on a shared machine).
#   ROUNDS        alternating rounds (default 7)
#   DURATION      seconds per run (default 8)
#   CONNECTIONS   wrk connections (default 16)
#   BATCH         records per request (default 1)
#   BEFORE        a commit: compare with the server as built there instead, e.g. BEFORE=24e3f66,
#                 the write path before the counting existed (its SQL as it was; the schema is today's)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

rounds=${ROUNDS:-7}
duration=${DURATION:-8}
connections=${CONNECTIONS:-16}
batch=${BATCH:-1}

baseline=${BEFORE:-}
other=${baseline:+before}
other=${other:-uncounted}
if [ -n "$baseline" ]; then step "building the server of $baseline (a worktree in $work)"
else step "building the server without the counting (a worktree of HEAD in $work)"; fi
git -C "$ROOT" worktree add -q --detach "$work/uncounted" "${baseline:-HEAD}"
bench_cleanup_worktree() { git -C "$ROOT" worktree remove --force "$work/uncounted" 2>/dev/null || true; bench_cleanup; }
trap bench_cleanup_worktree EXIT
[ -n "$baseline" ] || /usr/bin/python3 - "$work/uncounted/server/repository.cpp" <<'PY'
import re, sys
path = sys.argv[1]
sql = open(path).read()
# The predictions INSERT appends its counts in a CTE; the feedback apply ends in one.
sql, a = re.subn(r'RETURNING record_id, "timestamp",[^)]*\),\ncounted AS \(.*?GROUP BY 1, 2, 3, 5, 8, 9\)\n',
                 'RETURNING record_id)\n', sql, flags=re.S)
sql, b = re.subn(r'INSERT INTO stats_changes[^\n]*\n[^\n]*\nSELECT stats_day\(c\."timestamp"\).*?GROUP BY 1, 2, 3, 4, 5, 8, 9\n',
                 'SELECT count(*) FROM changed\n', sql, flags=re.S)
if (a, b) != (1, 1):
    sys.exit(f"server/repository.cpp changed: found {a} and {b} of the two counting clauses")
open(path, "w").write(sql)
PY
(cd "$work/uncounted" && cmake --preset native >/dev/null && cmake --build --preset native --target digits-server >/dev/null) ||
  die "building the $other server failed"
uncounted="$work/uncounted/build/native/server/digits-server"

bench_start_database
hz=$(getconf CLK_TCK)
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# One run of a server binary: prints "records/s pg_ms_per_1k server_ms_per_1k".
run() {
  local server=$1 port pid p pg0=0 pg1=0 s0 s1 rows
  port=$(free_port)
  psql_db "TRUNCATE predictions, feedback"
  psql -h 127.0.0.1 -p "$pg_port" -U postgres -d digits -qc CHECKPOINT
  PORT=$port BIND_ADDRESS=127.0.0.1 WWW_DIR="$ROOT/build/www" MIGRATIONS_DIR="$ROOT/sql" RATE_LIMIT_PER_SECOND=0 \
    HTTP_THREADS=2 "$server" serve 2>/dev/null &
  pid=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  declare -A before=()
  for p in $(pgrep -u postgres); do before[$p]=$(ticks "$p"); done
  s0=$(ticks "$pid")
  wrk -t2 -c"$connections" -d"${duration}s" -s "$ROOT/bench/log.lua" "http://127.0.0.1:$port/log" -- "$batch" >/dev/null
  s1=$(ticks "$pid")
  # Backends that connected during the run count from zero.
  for p in $(pgrep -u postgres); do pg1=$((pg1 + $(ticks "$p"))); pg0=$((pg0 + ${before[$p]:-0})); done
  rows=$(psql_db "SELECT count(*) FROM predictions")
  kill -TERM "$pid" && wait "$pid" || true
  awk -v r="$rows" -v d="$duration" -v pg=$((pg1 - pg0)) -v s=$((s1 - s0)) -v hz="$hz" \
    'BEGIN { printf "%.0f %.1f %.1f\n", r / d, pg * 1000 / hz / (r / 1000), s * 1000 / hz / (r / 1000) }'
}

echo "| round | server | records/s | PostgreSQL CPU ms per 1,000 | server CPU ms per 1,000 |"
echo "| ---: | --- | ---: | ---: | ---: |"
for round in $(seq 1 "$rounds"); do
  for variant in counted "$other"; do
    [ "$variant" = counted ] && server=$binary || server=$uncounted
    read -r rate pg own <<<"$(run "$server")"
    echo "| $round | $variant | $rate | $pg | $own |"
  done
done
