#!/usr/bin/env bash
# Builds everything the app needs: the native server and tools, the WebAssembly engine,
# and the web app. With --tests, also the fuzzing build the test suite runs (clang).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$ROOT"

build_preset() {
  step "building $1 ($2)"
  cmake --preset "$1" >"build/$1.configure.log" 2>&1 || { cat "build/$1.configure.log" >&2; die "cmake --preset $1 failed"; }
  # CMake's own [ NN%] lines show the progress.
  cmake --build --preset "$1" 2>&1 | grep -E --line-buffered '^\[ *[0-9]+%\]|error|warning|Error' >&2 \
    || true
  [ "${PIPESTATUS[0]}" = 0 ] || die "building $1 failed"
}

mkdir -p build
build_preset native "server, command line tool, tests"
build_preset wasm "WebAssembly engine"
if [ "${1:-}" = "--tests" ]; then
  build_preset fuzz "libFuzzer target"
fi
if [ -f "$ROOT/scripts/build-web.mjs" ]; then
  step "building the web app"
  node "$ROOT/scripts/build-web.mjs"
fi
