#!/usr/bin/env bash
# Builds everything the app needs: the native server and tools, the WebAssembly engine,
# and the web app. With --tests, also the fuzzing build the test suite runs (clang).
# The container image builds in layers: --image builds only the server and the engine it
# runs, --web only the web app.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$ROOT"

# build_preset CONFIGURE_PRESET DESCRIPTION [BUILD_PRESET]
build_preset() {
  step "building $1 ($2)"
  cmake --preset "$1" >"build/$1.configure.log" 2>&1 || { cat "build/$1.configure.log" >&2; die "cmake --preset $1 failed"; }
  # CMake's own [ NN%] lines show the progress. The filter always succeeds, so with
  # pipefail the pipeline fails exactly when the build does.
  cmake --build --preset "${3:-$1}" 2>&1 | { grep -E --line-buffered '^\[ *[0-9]+%\]|error|warning|Error' >&2 || true; } \
    || die "building $1 failed"
}

mkdir -p build
mode=${1:-}
build_web() {
  step "building the web app"
  node "$ROOT/scripts/build-web.mjs"
}
case "$mode" in
  --image)
    build_preset server "the server alone"
    build_preset wasm "WebAssembly engine" wasm-engine
    ;;
  --web) build_web ;;
  "" | --tests)
    build_preset native "server, command line tool, tests"
    build_preset wasm "WebAssembly engine"
    if [ "$mode" = --tests ]; then build_preset fuzz "libFuzzer targets"; fi
    build_web
    ;;
  *) die "unknown option $mode (use --tests, --image or --web)" ;;
esac
