#!/usr/bin/env bash
# Times `ngxlint verify --fix` on the blog config: once cold (the harness
# images removed first) and several times warm. Target: warm under 3 s.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/ngxlint" ./cmd/ngxlint

t() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc; }

docker images -q 'ngxlint.local/*' | xargs -r docker rmi -f >/dev/null 2>&1 || true
cold=$(t "$tmp/ngxlint" verify --fix fixtures/blog/broken.conf)
printf 'cold (images built first): %.2f s\n' "$cold"
sum=0
for i in $(seq "$runs"); do
  w=$(t "$tmp/ngxlint" verify --fix fixtures/blog/broken.conf)
  printf 'warm run %d: %.2f s\n' "$i" "$w"
  sum=$(echo "$sum + $w" | bc)
done
printf 'warm mean over %d runs: %.2f s (target < 3 s)\n' "$runs" "$(echo "$sum / $runs" | bc -l)"
