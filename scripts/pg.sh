#!/usr/bin/env bash
# A private PostgreSQL cluster in a folder of our own.
#   scripts/pg.sh start DIR [PORT]   create it on first use, start it, print its port
#   scripts/pg.sh stop DIR
# Extra server settings go in PG_OPTIONS (e.g. "-c fsync=off" for throwaway test data).
# As root the cluster runs as the postgres user: PostgreSQL refuses to run as root.
# Roles, as a deployment should have them: postgres (superuser, administration only),
# digits_owner (owns database digits and its schema; migrations run as it) and digits
# (the server's login: a member of digits_app, which sql/002_app_role.sql lets read,
# insert and update rows, nothing more).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

[ $# -ge 2 ] || die "usage: $0 start|stop DIR [PORT]"
command=$1
dir=$(realpath -m "$2")
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || die "PostgreSQL is not installed (scripts/install-deps.sh installs it)"

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$command" in
  start)
    if [ ! -f "$dir/PG_VERSION" ]; then
      mkdir -p "$dir"
      [ "$(id -u)" = 0 ] && chown postgres: "$dir"
      as_owner "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir.initdb.log" 2>&1 \
        || { cat "$dir.initdb.log" >&2; die "initdb failed"; }
      rm -f "$dir.initdb.log"
    fi
    if as_owner "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
      cat "$dir/digits.port"
      exit 0
    fi
    port=${3:-$(cat "$dir/digits.port" 2>/dev/null || free_port)}
    as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 ${PG_OPTIONS:-}" start >/dev/null \
      || { tail -n 20 "$dir/server.log" >&2; die "PostgreSQL did not start"; }
    echo "$port" | as_owner tee "$dir/digits.port" >/dev/null
    # Clusters made before the roles were split have only the superuser digits.
    admin=postgres
    as_owner "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc "SELECT 1" >/dev/null 2>&1 || admin=digits
    sql() { as_owner "$bin/psql" -h 127.0.0.1 -p "$port" -U "$admin" -d postgres -v ON_ERROR_STOP=1 -qtAc "$1"; }
    if [ "$admin" = postgres ]; then
      [ -n "$(sql "SELECT 1 FROM pg_roles WHERE rolname = 'digits_owner'")" ] \
        || { sql "CREATE ROLE digits_owner LOGIN CREATEROLE; CREATE ROLE digits_app NOLOGIN;
                  CREATE ROLE digits LOGIN IN ROLE digits_app" >/dev/null &&
             sql "CREATE DATABASE digits OWNER digits_owner" >/dev/null; }
    else
      note "data made before the server's own role: the server connects as the superuser digits" >&2
      [ -n "$(sql "SELECT 1 FROM pg_database WHERE datname = 'digits'")" ] || sql "CREATE DATABASE digits" >/dev/null
    fi
    echo "$port"
    ;;
  stop)
    if [ -f "$dir/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
      as_owner "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
    fi
    ;;
  *) die "unknown command $command" ;;
esac
