#!/usr/bin/env bash
# Lint speed: end-to-end lint on the generator's large tree (target at
# least 2M lines/s), and `ngxlint lint` wall time on a typical ~300-line
# repository config, process start included (target under 50 ms: the
# pre-commit latency).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== in-process (go test -bench)"
go test -run '^$' -bench 'BenchmarkLint' -benchtime 10x ./lint/ | grep -E '^Benchmark'

echo "== binary wall time on fixtures/typical (20 runs)"
go build -o "$tmp/ngxlint" ./cmd/ngxlint
runs=20
times=()
for i in $(seq $runs); do
  s=$(date +%s%N)
  "$tmp/ngxlint" lint fixtures/typical >/dev/null 2>&1 || true
  e=$(date +%s%N)
  times+=($(( (e - s) / 1000 )))
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(echo "$sorted" | sed -n "$((runs / 2))p")
max=$(echo "$sorted" | tail -1)
printf 'median %.1f ms, max %.1f ms (target < 50 ms)\n' "$(echo "$median / 1000" | bc -l)" "$(echo "$max / 1000" | bc -l)"
