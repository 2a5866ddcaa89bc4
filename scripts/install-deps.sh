#!/usr/bin/env bash
# Installs what the project needs on Debian 12 and skips what is already there.
#   scripts/install-deps.sh           build, run and test
#   scripts/install-deps.sh --build   only what building needs (the Docker image's build stage)
#   scripts/install-deps.sh --train   also what model/train.py needs (PyTorch, ONNX)
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

packages=(
  build-essential cmake pkg-config git ca-certificates curl
  emscripten                                      # the WebAssembly engine
  libpng-dev zlib1g-dev libcli11-dev doctest-dev  # engine command line and tests
  libpistache-dev libpqxx-dev libpq-dev rapidjson-dev  # server
)
if [ "${1:-}" != "--build" ]; then
  packages+=(
    postgresql                                    # the embedded database of scripts/run.sh
    clang-14 libclang-rt-14-dev                   # libFuzzer
    chromium wrk nginx docker-compose             # browser tests, benchmarks, compose checks
    python3 python3-numpy python3-pil python3-cairo  # preprocessing reference and stroke renderer in model/
  )
fi
if [ "${1:-}" = "--train" ]; then
  packages+=(python3-torch python3-onnx python3-matplotlib python3-tqdm)
fi
command -v node >/dev/null || packages+=(nodejs npm)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${#missing[@]} Debian packages: ${missing[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm ci only when the lock file (or what is wanted of it) changed since the last install.
# Building needs only the packages the app serves; the test tools are devDependencies.
npm_options=(--no-audit --no-fund --loglevel=error)
[ "${1:-}" = "--build" ] && npm_options+=(--omit=dev)
stamp="$ROOT/node_modules/.digits-lock.sha256"
wanted="$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1) ${npm_options[*]}"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  step "installing npm packages (npm ci ${npm_options[*]})"
  (cd "$ROOT" && npm ci "${npm_options[@]}")
  echo "$wanted" > "$stamp"
fi
