#!/usr/bin/env bash
# The deployment files are consistent: both compose files validate with every variable
# of .env.example, the Dockerfile's stages use the project's own scripts, and every
# variable the server reads is documented in .env.example. (No Docker engine runs here:
# images are not built by this check.)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
for file in docker/docker-compose.yml docker/docker-compose.scale.yml; do
  docker-compose --project-directory . --env-file .env.example -f "$file" config -q
  echo "valid: $file"
done
grep -q 'scripts/install-deps.sh --build && scripts/build.sh' docker/Dockerfile
grep -q 'RUN scripts/test.sh' docker/Dockerfile
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
