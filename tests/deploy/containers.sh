#!/usr/bin/env bash
# Builds the Docker images and runs them for real, then checks the deployment from outside:
#   1. base images from Debian's packages when missing, a Docker daemon when none runs
#   2. the runtime image (what it holds and its size), the test image, the local stand-ins
#      for the official postgres and nginx images (which cannot be pulled here)
#   3. every test of the project inside the test image
#   4. docker-compose.yml: healthy app, /readyz, a drawing in Chromium stored with its
#      feedback, non-root server, the database stopped and started (503 meanwhile, recovers
#      by itself, nothing acknowledged lost), docker stop with records in flight (exit 0)
#   5. docker-compose.scale.yml: three replicas behind nginx keep taking records while one
#      is stopped
#   6. bad input: an empty or missing DB_PASSWORD stops docker-compose up naming it; a
#      database that never answers makes the app wait, say so, and exit non-zero
# Takes 20-40 minutes on 2 cores, so it is not part of scripts/test.sh.
#   tests/deploy/containers.sh
#   SKIP_TEST_IMAGE=1 tests/deploy/containers.sh   without step 3 (the longest)
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib/common.sh"
cd "$ROOT"
here="$ROOT/tests/deploy"
work="$ROOT/build/containers"
shared=${SHARED_DIR:-$ROOT/../shared}
mkdir -p "$work"

failed() {
  printf '\nFAILED: %s\n' "$*" >&2
  exit 1
}
ok() { printf 'ok: %s\n' "$*"; }

# ---- 1. a container engine and base images
missing=()
for tool in dockerd:docker.io docker-compose:docker-compose debootstrap:debootstrap; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
started_daemon=
if ! docker info >/dev/null 2>&1; then
  step "starting a Docker daemon (log: build/containers/dockerd.log)"
  # Machines without iptables or a default bridge: compose's own networks still work.
  as_root dockerd --iptables=false --bridge=none >"$work/dockerd.log" 2>&1 &
  started_daemon=$!
  for _ in $(seq 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || failed "the Docker daemon did not start: see build/containers/dockerd.log"
fi

projects=()
cleanup() {
  for project in "${projects[@]}"; do
    docker-compose -p "$project" --project-directory "$ROOT" -f docker/docker-compose.scale.yml \
      --env-file "$work/$project.env" down -v --remove-orphans >/dev/null 2>&1 || true
  done
  [ -z "$started_daemon" ] || kill "$started_daemon" 2>/dev/null || true
}
trap cleanup EXIT

step "base images"
"$here/base-images.sh" docker

# ---- 2. images
# The host's own extra certificate authorities (a TLS-inspecting network) go to the
# build stage only, as docker/build-ca/README.md describes.
for ca in /usr/local/share/ca-certificates/*.crt; do
  [ -f "$ca" ] && [ ! -f "docker/build-ca/$(basename "$ca")" ] && cp "$ca" docker/build-ca/
done
build() {
  local target=$1 tag=$2
  step "building $tag (log: build/containers/build-$target.log)"
  local started=$SECONDS
  # The host's network: builds need Debian's mirror and npm, and the daemon may have no bridge.
  docker build --network host -f docker/Dockerfile --target "$target" -t "$tag" . >"$work/build-$target.log" 2>&1 \
    || { tail -n 30 "$work/build-$target.log" >&2; failed "docker build --target $target"; }
  echo "built in $((SECONDS - started)) s"
}
build runtime digits:latest
docker build --network host -t digits-standin/postgres:15 "$here/standins/postgres" >"$work/build-postgres.log" 2>&1 \
  || failed "building the PostgreSQL stand-in (build/containers/build-postgres.log)"
docker build --network host -t digits-standin/nginx:1.22 "$here/standins/nginx" >"$work/build-nginx.log" 2>&1 \
  || failed "building the nginx stand-in (build/containers/build-nginx.log)"

step "what the runtime image holds"
size=$(docker image inspect -f '{{.Size}}' digits:latest)
echo "digits:latest: $((size / 1000)) kB in all"
probe=$(docker create digits:latest)
docker export "$probe" | tar -tv >"$work/runtime-files.txt"
docker rm "$probe" >/dev/null
# Sizes by part: the web app, the server, its libraries, the rest.
awk '{ if ($6 ~ /^app\/www\//) part = "web app (/app/www)"
       else if ($6 == "app/digits-server") part = "server binary"
       else if ($6 ~ /^(usr\/)?lib(64)?\//) part = "shared libraries"
       else part = "everything else"
       total[part] += $3 }
     END { for (part in total) printf "  %-22s %8.1f kB\n", part, total[part] / 1000 }' "$work/runtime-files.txt"
if grep -E ' (usr/)?s?bin/| node_modules/| src/| build/| tests/|\.o$' "$work/runtime-files.txt"; then
  failed "the runtime image holds programs, sources or build output beside the server"
fi
ok "the runtime image holds only the server, its libraries, the web app, the migrations and CA certificates"
# ---- 3. every test inside the test image
if [ -z "${SKIP_TEST_IMAGE:-}" ]; then
  [ -d "$shared/mnist" ] || failed "$shared (mnist, drawings, onnx-node-tests) is needed by the test image"
  build test digits-test:latest
  step "every test inside digits-test (log: build/containers/test-image.log)"
  # The host's network: the suite installs its tools (Debian packages, npm) first.
  docker run --rm --network host --shm-size=1g -v "$(cd "$shared" && pwd):/shared:ro" digits-test:latest \
    >"$work/test-image.log" 2>&1 || { tail -n 40 "$work/test-image.log" >&2; failed "scripts/test.sh in the test image"; }
  tail -n 3 "$work/test-image.log"
  ok "scripts/test.sh passed inside the test image"
fi

# ---- 4. the compose stack
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
# start_stack PROJECT COMPOSE_FILE STANDINS_FILE: the stack up, on a free port, with its own passwords.
start_stack() {
  project=$1
  port=$(free_port)
  cat >"$work/$project.env" <<ENV
DB_PASSWORD=app-$RANDOM$RANDOM
DB_OWNER_PASSWORD=owner-$RANDOM$RANDOM
APP_PORT=$port
ENV
  projects+=("$project")
  compose_files=(-f "$2" -f "$3")
  compose up -d --no-build >"$work/$project.up.log" 2>&1 || { cat "$work/$project.up.log" >&2; failed "docker-compose up ($2)"; }
  origin="http://127.0.0.1:$port"
}
compose() {
  docker-compose -p "$project" --project-directory "$ROOT" --env-file "$work/$project.env" "${compose_files[@]}" "$@"
}
show_logs() { compose logs --no-color --tail=40 >&2 || true; }
wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local seconds=$1 what=$2
  shift 2
  for _ in $(seq $((seconds * 2))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  show_logs
  failed "$what (waited $seconds s)"
}
status_of() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$1" || true; }
answers() { [ "$(status_of "$2")" = "$1" ]; }
healthy() { [ "$(docker inspect -f '{{.State.Health.Status}}' "$1")" = healthy ]; }
psql_db() { docker exec -i "$(compose ps -q db)" psql -U digits_owner -d digits -qtA -v ON_ERROR_STOP=1 "$@"; }
# Every id in FILE is a stored prediction: prints how many are not.
missing_from_database() {
  { echo "CREATE TEMP TABLE acknowledged (id uuid); COPY acknowledged FROM STDIN;"
    cat "$1"
    echo '\.'
    echo "SELECT count(*) FROM acknowledged a WHERE NOT EXISTS (SELECT 1 FROM predictions p WHERE p.record_id = a.id);"
  } | psql_db
}
# send_records NAME URL SENDERS RATE: POST /log in the background until stop_records.
send_records() {
  node "$here/send-records.mjs" "$2" "$work/$1.acknowledged" "$3" "$4" >"$work/$1.counts" 2>"$work/$1.errors" &
  sender=$!
}
stop_records() {  # not in a subshell: only this shell can wait for the sender
  kill -TERM "$sender"
  wait "$sender" || true
  echo "sender: $(cat "$work/$1.counts")"
}
acknowledged() { wc -l <"$work/$1.acknowledged"; }

step "docker-compose.yml with the PostgreSQL stand-in"
start_stack digitscheck docker/docker-compose.yml "$here/standins/compose-standins.yml"
app=$(compose ps -q app)
db=$(compose ps -q db)
wait_for 120 "the app container becomes healthy" healthy "$app"
ok "app container healthy (HEALTHCHECK: digits-server healthcheck)"
[ "$(docker inspect -f '{{.State.ExitCode}}' "$(compose ps -q migrate)")" = 0 ] || failed "the migrate service did not exit 0"
ok "migrate service applied sql/ and exited 0"
curl -fsS "$origin/readyz" | grep -q '"database":"up"' || failed "/readyz does not say the database answers"
ok "/readyz: $(curl -fsS "$origin/readyz")"
uids=$(docker top "$app" -o pid,uid,comm | awk 'NR > 1 { print $2 }' | sort -u)
[ "$uids" = 10001 ] || failed "the server runs as uid $uids, not 10001"
ok "the server runs as uid 10001, not root"

answer=$(node "$here/draw.mjs" "$origin") || { show_logs; failed "drawing in Chromium against the stack"; }
stored=$(psql_db -c "SELECT count(*) FROM predictions p JOIN feedback f ON f.prediction_id = p.record_id
                     WHERE p.model_version <> 'deploy-check' AND p.true_digit = 7 AND f.true_digit = 7")
[ "$stored" = 1 ] || failed "the drawing is not in the database with its feedback ($stored rows)"
ok "a 7 drawn in Chromium ($answer) is in the database container's predictions, with its feedback"

step "the database stopped and started again while records arrive"
started_at=$(docker inspect -f '{{.State.StartedAt}}' "$app")
send_records outage "$origin/log" 2 20
sleep 3
docker stop "$db" >/dev/null
wait_for 30 "/readyz answers 503 while the database is down" answers 503 "$origin/readyz"
ok "/readyz 503 while the database is down"
sleep 5
docker start "$db" >/dev/null
wait_for 90 "/readyz answers 200 again" answers 200 "$origin/readyz"
ok "/readyz 200 again by itself"
sleep 3
stop_records outage
[ "$(docker inspect -f '{{.State.StartedAt}} {{.RestartCount}}' "$app")" = "$started_at 0" ] \
  || failed "the app was restarted to recover"
[ "$(acknowledged outage)" -gt 0 ] || failed "no record was acknowledged around the outage"
lost=$(missing_from_database "$work/outage.acknowledged")
[ "$lost" = 0 ] || failed "$lost acknowledged records are not in the database"
ok "the app recovered without a restart; all $(acknowledged outage) acknowledged records are stored"

step "docker stop of the app with records in flight"
send_records stop "$origin/log" 4 60
sleep 4
docker stop -t 30 "$app" >/dev/null
sleep 1
stop_records stop
code=$(docker inspect -f '{{.State.ExitCode}}' "$app")
[ "$code" = 0 ] || { show_logs; failed "docker stop: the server exited with $code"; }
lost=$(missing_from_database "$work/stop.acknowledged")
[ "$lost" = 0 ] || failed "$lost acknowledged records are not in the database after docker stop"
ok "docker stop: exit 0, all $(acknowledged stop) acknowledged records stored"
compose down -v >/dev/null 2>&1

# ---- 5. three replicas behind nginx
step "docker-compose.scale.yml: three replicas behind the nginx stand-in"
start_stack digitsscale docker/docker-compose.scale.yml "$here/standins/compose-standins-scale.yml"
replicas=($(compose ps -q app))
[ ${#replicas[@]} = 3 ] || failed "${#replicas[@]} app replicas, not 3"
for replica in "${replicas[@]}"; do wait_for 120 "replica $replica becomes healthy" healthy "$replica"; done
wait_for 30 "/readyz through the proxy" answers 200 "$origin/readyz"
ok "3 replicas healthy, /readyz through nginx"
send_records scale "$origin/log" 2 30
sleep 4
before=$(acknowledged scale)
docker stop -t 30 "${replicas[0]}" >/dev/null
sleep 6
stop_records scale
counts=$(cat "$work/scale.counts")
after=$(( $(acknowledged scale) - before ))
[ "$after" -gt 50 ] || failed "only $after records acknowledged once a replica was stopped"
echo "$counts" | grep -q '"unavailable":0,"other":0,"failed":0' || failed "some requests were not answered 200: $counts"
lost=$(missing_from_database "$work/scale.acknowledged")
[ "$lost" = 0 ] || failed "$lost acknowledged records are not in the database"
ok "with one replica stopped the others took $after more records; every request answered 200, all stored"
compose down -v >/dev/null 2>&1

# ---- 6. bad input
step "bad configuration"
project=digitsbad
compose_files=(-f docker/docker-compose.yml -f "$here/standins/compose-standins.yml")
for password_line in "DB_PASSWORD=" ""; do
  printf '%s\nDB_OWNER_PASSWORD=owner\n' "$password_line" >"$work/$project.env"
  if compose up -d --no-build >"$work/bad.log" 2>&1; then
    compose down -v >/dev/null 2>&1
    failed "docker-compose up started with ${password_line:-no DB_PASSWORD}"
  fi
  grep -q 'DB_PASSWORD' "$work/bad.log" || { cat "$work/bad.log" >&2; failed "the error does not name DB_PASSWORD"; }
  ok "${password_line:-a missing DB_PASSWORD}: docker-compose up refused: $(grep -o "set DB_PASSWORD in .env" "$work/bad.log" | head -n 1)"
done
set +e
docker run --rm --network none -e DB_HOST=127.0.0.1 -e DB_PORT=9 -e DB_START_TIMEOUT_SECONDS=12 \
  digits:latest >"$work/no-database.log" 2>&1
code=$?
set -e
[ "$code" != 0 ] || failed "the app exited 0 without a database"
grep -q 'waiting for PostgreSQL' "$work/no-database.log" && grep -q 'did not answer within' "$work/no-database.log" \
  || { cat "$work/no-database.log" >&2; failed "the app's log does not say it waits for the database"; }
ok "no database: the app logged $(grep -c 'waiting for PostgreSQL' "$work/no-database.log") waits, then exited $code"

step "every container check passed"
