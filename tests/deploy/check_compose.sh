#!/usr/bin/env bash
# The deployment files are consistent: both compose files validate with every variable
# of .env.example, the Dockerfile's stages use the project's own scripts, and every
# variable the server reads is documented in .env.example. Building and running the images
# takes minutes and a container engine: tests/deploy/containers.sh does that.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
for file in docker/docker-compose.yml docker/docker-compose.scale.yml; do
  docker-compose --project-directory . --env-file .env.example -f "$file" config -q
  echo "valid: $file"
done
grep -q 'RUN scripts/install-deps.sh --build' docker/Dockerfile
grep -q 'RUN scripts/build.sh --image' docker/Dockerfile
grep -q 'RUN scripts/build.sh --web' docker/Dockerfile
grep -q 'CMD \["scripts/test.sh"\]' docker/Dockerfile
# The classic builder builds every stage before its target: the runtime stage comes last.
[ "$(grep '^FROM' docker/Dockerfile | tail -n 1)" = "FROM scratch AS runtime" ]
echo "Dockerfile builds with scripts/install-deps.sh and scripts/build.sh, tests with scripts/test.sh"
missing=0
for variable in $(grep -o 'read_[a-z]*("[A-Z_]*"' server/config.cpp | sed 's/.*("\(.*\)"/\1/'); do
  if ! grep -q "^#\? \?$variable=" .env.example; then
    echo "$variable is read by the server but not documented in .env.example" >&2
    missing=1
  fi
done
[ $missing = 0 ] && echo "every server variable is in .env.example"
exit $missing
