#!/usr/bin/env bash
# Runs the app at http://localhost:8080 (PORT to change it). Installs what is missing
# and builds first. Without DB_HOST or DATABASE_URL it starts a PostgreSQL of its own,
# created on the first run under data/postgres and kept between runs. Ctrl-C stops the
# server and that PostgreSQL.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$ROOT"

"$ROOT/scripts/install-deps.sh"
"$ROOT/scripts/build.sh"

embedded=""
if [ -z "${DB_HOST:-}${DATABASE_URL:-}" ]; then
  embedded="$ROOT/data/postgres"
  if [ -f "$embedded/PG_VERSION" ]; then
    step "starting the embedded PostgreSQL (data/postgres)"
  else
    step "creating the embedded PostgreSQL in data/postgres (first run only)"
  fi
  DB_PORT=$("$ROOT/scripts/pg.sh" start "$embedded")
  export DB_HOST=127.0.0.1 DB_PORT DB_NAME=digits DB_USER=digits
  # Migrations as the schema's owner; the server itself only reads and writes rows.
  export MIGRATE_DATABASE_URL="host=127.0.0.1 port=$DB_PORT dbname=digits user=digits_owner"
  note "PostgreSQL on 127.0.0.1:$DB_PORT, database digits (server role digits, owner digits_owner)"
fi
export PORT=${PORT:-8080}
export WWW_DIR=${WWW_DIR:-$ROOT/build/www}
export MIGRATIONS_DIR=${MIGRATIONS_DIR:-$ROOT/sql}

server=""
stop() {
  trap - INT TERM EXIT
  [ -n "$server" ] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  if [ -n "$embedded" ]; then
    step "stopping the embedded PostgreSQL"
    "$ROOT/scripts/pg.sh" stop "$embedded"
  fi
}
trap stop INT TERM EXIT

step "starting the server"
"$ROOT/build/native/server/digits-server" serve &
server=$!
for _ in $(seq 1 100); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null; then
    step "Digits is running at http://localhost:$PORT  (Ctrl-C to stop)"
    break
  fi
  kill -0 "$server" 2>/dev/null || die "the server did not start (see the messages above)"
  sleep 0.2
done
wait "$server"
