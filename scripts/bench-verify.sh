#!/usr/bin/env bash
# Times `ngxlint verify --fix` on the blog config: once cold (the harness
# images removed first) and several times warm, with the breakdown of each
# warm run by phase (images, network, edges, nginx start, probes, fix,
# teardown) from the report's timings_ms. Target: warm under 3 s on an
# idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/ngxlint" ./cmd/ngxlint

t() { local s e; s=$(date +%s.%N); "$@" >"$tmp/out.json" 2>/dev/null || true; e=$(date +%s.%N); echo "$e - $s" | bc; }
phases() {
  python3 -c 'import json,sys; t=json.load(open(sys.argv[1])).get("timings_ms",{}); print("  ".join("%s %d ms"%(k,t[k]) for k in ["images","network","edges","nginx","probes","fix","teardown"] if k in t))' "$tmp/out.json"
}

docker images -q 'ngxlint.local/*' | xargs -r docker rmi -f >/dev/null 2>&1 || true
cold=$(t "$tmp/ngxlint" verify --fix --format json fixtures/blog/broken.conf)
printf 'cold (images built first): %.2f s\n  %s\n' "$cold" "$(phases)"
sum=0
for i in $(seq "$runs"); do
  w=$(t "$tmp/ngxlint" verify --fix --format json fixtures/blog/broken.conf)
  printf 'warm run %d: %.2f s\n  %s\n' "$i" "$w" "$(phases)"
  sum=$(echo "$sum + $w" | bc)
done
printf 'warm mean over %d runs: %.2f s (target < 3 s)\n' "$runs" "$(echo "$sum / $runs" | bc -l)"
