#!/bin/sh
# First start of the database container (docker-entrypoint-initdb.d): the server's own
# login role, which may only read, insert and update rows once sql/002_app_role.sql has
# run. POSTGRES_USER owns the database and runs the migrations (the migrate service).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_user="$APP_DB_USER" -v app_password="$APP_DB_PASSWORD" <<'SQL'
CREATE ROLE digits_app NOLOGIN;
CREATE ROLE :"app_user" LOGIN PASSWORD :'app_password' IN ROLE digits_app;
SQL
