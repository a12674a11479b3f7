#!/usr/bin/env bash
# Benchmarks `ngxlint explain --config` on a generated 1 GB error log with
# ~1% upstream failures, side by side with `grep -c 'while SSL handshaking
# to upstream'` on the same file in the same run, and prints MB/s, the
# time ratio and explain's peak memory (max RSS from /usr/bin/time -v).
#
# Targets (issue "Log-driven: ngxlint explain"): >= 500 MB/s, no more than
# 2x grep's time, max RSS under 100 MB.
#
# Usage: scripts/bench-explain.sh [SIZE] (default 1G; K/M/G suffixes)
# Env: RUNS (default 3, best of), KEEP=1 keeps the temp dir.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"

size="${1:-1G}"
runs="${RUNS:-3}"
conf=fixtures/explain/nginx.conf

if [ ! -x /usr/bin/time ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends time >/dev/null
fi

tmp="$(mktemp -d)"
if [ "${KEEP:-}" != 1 ]; then trap 'rm -rf "$tmp"' EXIT; fi

go build -o "$tmp/ngxlint" ./cmd/ngxlint
go build -o "$tmp/genlog" ./lint/explain/internal/genlog
"$tmp/genlog" -size "$size" -ratio 0.01 -seed 1 -o "$tmp/error.log"
bytes=$(stat -c %s "$tmp/error.log")

# Warm the page cache so both tools read from memory, then take the best
# of $runs for each, alternating so background load hits both alike.
cat "$tmp/error.log" >/dev/null

best_e="" best_g="" rss=0
for _ in $(seq "$runs"); do
  /usr/bin/time -f '%e %M' -o "$tmp/t.explain" \
    "$tmp/ngxlint" explain --no-progress --format json --config "$conf" "$tmp/error.log" >"$tmp/out.json" || [ $? -eq 1 ]
  /usr/bin/time -f '%e %M' -o "$tmp/t.grep" \
    grep -c 'while SSL handshaking to upstream' "$tmp/error.log" >"$tmp/grep.out"
  # time(1) puts "Command exited with non-zero status 1" first: take the last line
  read -r e r < <(tail -n 1 "$tmp/t.explain")
  read -r g _ < <(tail -n 1 "$tmp/t.grep")
  if [ -z "$best_e" ] || awk -v a="$e" -v b="$best_e" 'BEGIN{exit !(a<b)}'; then best_e=$e; fi
  if [ -z "$best_g" ] || awk -v a="$g" -v b="$best_g" 'BEGIN{exit !(a<b)}'; then best_g=$g; fi
  if [ "$r" -gt "$rss" ]; then rss=$r; fi
done
# max RSS in detail, from the verbose form
/usr/bin/time -v "$tmp/ngxlint" explain --no-progress --format json --config "$conf" "$tmp/error.log" >/dev/null 2>"$tmp/t.verbose" || true
vrss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/t.verbose")
if [ "${vrss:-0}" -gt "$rss" ]; then rss=$vrss; fi

matched=$(grep -o '"matched": [0-9]*' "$tmp/out.json" | head -1 | grep -o '[0-9]*$')
groups=$(grep -c '"class":' "$tmp/out.json" || true)
awk -v bytes="$bytes" -v e="$best_e" -v g="$best_g" -v rss="$rss" -v grepc="$(cat "$tmp/grep.out")" \
    -v matched="$matched" -v groups="$groups" -v cpus="$(nproc)" 'BEGIN {
  mb = bytes / 1e6
  printf "input:    %.0f MB generated error log, ~1%% upstream failures (%d CPUs)\n", mb, cpus
  printf "explain:  %.2f s  %6.0f MB/s  (%d classified lines, %d groups; --config fixtures/explain/nginx.conf)\n", e, mb / e, matched, groups
  printf "grep -c:  %.2f s  %6.0f MB/s  (%d lines)\n", g, mb / g, grepc
  printf "ratio:    explain/grep = %.2fx (target <= 2x)\n", e / g
  printf "max RSS:  %.1f MB (target < 100 MB)\n", rss / 1024
  ok = (mb / e >= 500) && (rss / 1024 < 100)
  printf "throughput >= 500 MB/s and RSS < 100 MB: %s; ratio <= 2x: %s\n", ok ? "PASS" : "FAIL", (e / g <= 2) ? "PASS" : "MISS"
}'
