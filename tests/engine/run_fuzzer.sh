#!/usr/bin/env bash
# Runs a libFuzzer target for a while, seeded with the given files (models, requests).
#   run_fuzzer.sh FUZZER SECONDS SEED_FILE...
set -euo pipefail
fuzzer=$1 seconds=$2
shift 2
[ -x "$fuzzer" ] || { echo "no fuzzer at $fuzzer: build the fuzz preset (cmake --preset fuzz)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
i=0
for seed in "$@"; do cp "$seed" "$work/corpus/seed$((i++))"; done
# -max_len keeps mutations fast; the shipped model is larger and enters truncated.
# Undefined behaviour fails the run like a crash does (UBSan alone would report and go on).
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$(dirname "$0")/ubsan.supp"
status=0
"$fuzzer" -max_total_time="$seconds" -max_len=32768 -rss_limit_mb=2048 -timeout=10 \
  -artifact_prefix="$work/" -print_final_stats=1 "$work/corpus" >"$work/log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
  # What failed and where: the report's first lines name the function, which the summary's do not.
  grep -m1 -A40 -E '^==[0-9]+==|ALARM|ERROR|runtime error' "$work/log" || true
  echo "..."
  for artifact in "$work"/crash-* "$work"/timeout-* "$work"/oom-* "$work"/leak-*; do
    [ -e "$artifact" ] && echo "reproducer: $(basename "$artifact"), $(stat -c %s "$artifact") bytes, base64 $(head -c 2048 "$artifact" | base64 -w0)"
  done
fi
tail -n 12 "$work/log"
exit "$status"
