#!/usr/bin/env bash
# Benchmarks the config loader against gonginx on the same generated tree
# (lint/config GenerateTree: 503 files, 5,000 servers and upstreams, ~190k
# lines, globbed includes, maps, comments and Lua blocks) and prints the
# throughput ratio and allocated bytes per input byte.
#
# Targets: ours >= 10x gonginx's lines/s; ours allocates <= 3x the input size.
# Exits 1 when a target is missed.
#
#   scripts/bench-parse.sh                      # 5 iterations x 3 runs
#   BENCHTIME=10x COUNT=5 scripts/bench-parse.sh
set -euo pipefail
cd "$(dirname "$0")/.."

benchtime=${BENCHTIME:-5x}
count=${COUNT:-3}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

cmd=(go test -run '^$' -bench '^Benchmark(Load|Gonginx)$' -benchtime "$benchtime" -count "$count" ./lint/config/)
echo "+ ${cmd[*]}"
"${cmd[@]}" | tee "$out"

awk '
/^Benchmark(Load|Gonginx)(-[0-9]+)?[ \t]/ {
	name = $1; sub(/-[0-9]+$/, "", name); sub(/^Benchmark/, "", name)
	n[name]++
	for (i = 3; i < NF; i += 2) sum[name, $(i+1)] += $i
}
function avg(name, unit) { return sum[name, unit] / n[name] }
END {
	if (!n["Load"] || !n["Gonginx"]) { print "missing benchmark results"; exit 2 }
	printf "\n%-10s %12s %12s %10s %14s %12s\n", "parser", "ms/op", "lines/s", "MB/s", "B/op", "alloc/input"
	split("Load Gonginx", names, " ")
	for (k = 1; k <= 2; k++) {
		nm = names[k]
		printf "%-10s %12.1f %12.0f %10.1f %14.0f %12.2f\n", (nm == "Load" ? "ngxlint" : "gonginx"),
			avg(nm, "ns/op") / 1e6, avg(nm, "lines/s"), avg(nm, "MB/s"), avg(nm, "B/op"), avg(nm, "alloc/input")
	}
	ratio = avg("Load", "lines/s") / avg("Gonginx", "lines/s")
	alloc = avg("Load", "alloc/input")
	printf "\nthroughput ratio ngxlint/gonginx: %.1fx (target >= 10x) %s\n", ratio, (ratio >= 10 ? "OK" : "MISSED")
	printf "ngxlint allocated bytes / input bytes: %.2f (target <= 3) %s\n", alloc, (alloc <= 3 ? "OK" : "MISSED")
	printf "gonginx allocated bytes / input bytes: %.2f\n", avg("Gonginx", "alloc/input")
	exit (ratio >= 10 && alloc <= 3) ? 0 : 1
}' "$out"
