# What the server benchmarks stand on (sourced): a private PostgreSQL with fsync on, in a
# temporary folder, migrated by digits-server; it and every process added to bench_pids
# are stopped at exit, and the folder removed.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
cd "$ROOT"

binary="$ROOT/build/native/server/digits-server"
[ -x "$binary" ] || die "build first: scripts/build.sh"
work=$(mktemp -d)
chmod 755 "$work"  # PostgreSQL runs as its own user and must reach its folder
bench_pids=()
bench_cleanup() {
  for pid in "${bench_pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  done
  "$ROOT/scripts/pg.sh" stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap bench_cleanup EXIT

# Starts and migrates the database; sets pg_port, DATABASE_URL and MIGRATE_DATABASE_URL.
bench_start_database() {
  step "starting PostgreSQL (fsync on)"
  pg_port=$("$ROOT/scripts/pg.sh" start "$work/pg")
  export DATABASE_URL="host=127.0.0.1 port=$pg_port dbname=digits user=digits"
  export MIGRATE_DATABASE_URL="host=127.0.0.1 port=$pg_port dbname=digits user=digits_owner"
  MIGRATIONS_DIR="$ROOT/sql" "$binary" migrate 2>/dev/null
}
psql_db() { psql -h 127.0.0.1 -p "$pg_port" -U digits_owner -d digits -tAqc "$1"; }
