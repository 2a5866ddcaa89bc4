#!/usr/bin/env bash
# Runs every test of the project on a fresh Debian 12 machine: installs what is missing,
# builds, then runs one CTest over every suite (engine, conformance, model, WebAssembly,
# fuzzing, server against a real PostgreSQL, browser end-to-end) and prints one line
# per suite and "N passed, N failed". Exits non-zero on any failure.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$ROOT"

"$ROOT/scripts/install-deps.sh"
"$ROOT/scripts/build.sh" --tests

step "running the tests"
report="$ROOT/build/native/test-results.xml"
rm -f "$report"
ctest --test-dir "$ROOT/build/native" --output-on-failure --output-junit "$report" || true
echo
node "$ROOT/scripts/lib/summary.mjs" "$report"
