#!/usr/bin/env bash
# The committed preprocessing fixtures must be what model/preprocess.py makes today:
# regenerates them and compares the expected images and the case list.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
/usr/bin/python3 "$root/model/make_fixtures.py" --data "$root/tests/fixtures/mnist" --out "$out" >/dev/null
committed="$root/model/fixtures/preprocess"
status=0
for file in "$out"/*.u8 "$out"/cases.json; do
  name=$(basename "$file")
  if ! cmp -s "$file" "$committed/$name"; then
    echo "model/fixtures/preprocess/$name differs from what model/preprocess.py makes now; run model/make_fixtures.py" >&2
    status=1
  fi
done
[ $status = 0 ] && echo "$(ls "$out"/*.u8 | wc -l) fixture images match model/preprocess.py"
exit $status
