#!/usr/bin/env bash
# Lighthouse (mobile preset) on both pages, against a running server (scripts/run.sh),
# with Debian's Chromium: the four category scores, total blocking time, largest
# contentful paint and cumulative layout shift of each page.
#   bench/lighthouse.sh [http://localhost:8080]
# Lighthouse comes from npm on first use (npx caches it); it is not a project dependency.
set -euo pipefail
origin=${1:-http://localhost:8080}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
flags="--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync"
echo "| page | performance | accessibility | best practices | SEO | TBT | LCP | CLS |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for page in "" "stats.html"; do
  CHROME_PATH=/usr/bin/chromium npx --yes lighthouse@12.8 "$origin/$page" --quiet --chrome-flags="$flags" \
    --output=json --output-path="$out/report.json" >/dev/null 2>&1
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const score = (c) => Math.round(r.categories[c].score * 100);
    const audit = (a) => r.audits[a].numericValue;
    console.log(`| /${process.argv[2]} | ${score("performance")} | ${score("accessibility")} | ` +
      `${score("best-practices")} | ${score("seo")} | ${audit("total-blocking-time").toFixed(0)} ms | ` +
      `${audit("largest-contentful-paint").toFixed(0)} ms | ${audit("cumulative-layout-shift").toFixed(3)} |`);
  ' "$out/report.json" "$page"
done
