#!/usr/bin/env bash
# Runs a libFuzzer target for a while, seeded with the given files (models, requests).
#   run_fuzzer.sh FUZZER SECONDS SEED_FILE...
set -euo pipefail
fuzzer=$1 seconds=$2
shift 2
[ -x "$fuzzer" ] || { echo "no fuzzer at $fuzzer: build the fuzz preset (cmake --preset fuzz)" >&2; exit 1; }
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
i=0
for seed in "$@"; do cp "$seed" "$corpus/seed$((i++))"; done
# -max_len keeps mutations fast; the shipped model is larger and enters truncated.
"$fuzzer" -max_total_time="$seconds" -max_len=32768 -rss_limit_mb=2048 -timeout=10 \
  -print_final_stats=1 "$corpus" 2>&1 | tail -n 12
