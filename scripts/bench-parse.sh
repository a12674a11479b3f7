#!/usr/bin/env bash
# Benchmarks the config loader against gonginx on the same generated tree
# (nginx/config GenerateTree: 503 files, 5,000 servers and upstreams, ~190k
# lines, globbed includes, maps, comments and Lua blocks; its Lua bodies
# avoid braces in strings, which gonginx cannot parse) and prints the
# throughput ratio and allocated bytes per input byte.
#
# Targets: ours >= 10x gonginx's lines/s; ours allocates <= 3x the input size.
# Figures are medians over the runs (a shared machine is noisy); cpu-ms/op
# is user+system CPU time over all threads, GC included. Exits 1 when a
# target is missed.
#
#   scripts/bench-parse.sh                      # 10 iterations x 5 runs
#   BENCHTIME=20x COUNT=9 scripts/bench-parse.sh
set -euo pipefail
cd "$(dirname "$0")/.."

benchtime=${BENCHTIME:-10x}
count=${COUNT:-5}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

cmd=(go test -run '^$' -bench '^Benchmark(Load|Gonginx)$' -benchtime "$benchtime" -count "$count" ./nginx/config/)
echo "+ ${cmd[*]}"
"${cmd[@]}" | tee "$out"

awk '
/^Benchmark(Load|Gonginx)(-[0-9]+)?[ \t]/ {
	name = $1; sub(/-[0-9]+$/, "", name); sub(/^Benchmark/, "", name)
	k = ++n[name]
	for (i = 3; i < NF; i += 2) v[name, $(i+1), k] = $i
}
function med(name, unit,    m, i, j, t, a) {
	m = n[name]
	for (i = 1; i <= m; i++) a[i] = v[name, unit, i]
	for (i = 2; i <= m; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j+1] = a[j]; a[j+1] = t }
	return (m % 2) ? a[(m+1)/2] : (a[m/2] + a[m/2+1]) / 2
}
END {
	if (!n["Load"] || !n["Gonginx"]) { print "missing benchmark results"; exit 2 }
	printf "\nmedians of %d runs\n%-9s %9s %12s %8s %11s %13s %12s\n", n["Load"], "parser", "ms/op", "lines/s", "MB/s", "cpu-ms/op", "B/op", "alloc/input"
	split("Load Gonginx", names, " ")
	for (k = 1; k <= 2; k++) {
		nm = names[k]
		printf "%-9s %9.1f %12.0f %8.1f %11.1f %13.0f %12.2f\n", (nm == "Load" ? "ngxlint" : "gonginx"),
			med(nm, "ns/op") / 1e6, med(nm, "lines/s"), med(nm, "MB/s"), med(nm, "cpu-ms/op"), med(nm, "B/op"), med(nm, "alloc/input")
	}
	ratio = med("Load", "lines/s") / med("Gonginx", "lines/s")
	cpu = med("Gonginx", "cpu-ms/op") / med("Load", "cpu-ms/op")
	alloc = med("Load", "alloc/input")
	printf "\nthroughput ratio ngxlint/gonginx (lines/s): %.1fx (target >= 10x) %s\n", ratio, (ratio >= 10 ? "OK" : "MISSED")
	printf "CPU-time ratio gonginx/ngxlint: %.1fx\n", cpu
	printf "ngxlint allocated bytes / input bytes: %.2f (target <= 3) %s\n", alloc, (alloc <= 3 ? "OK" : "MISSED")
	printf "gonginx allocated bytes / input bytes: %.2f\n", med("Gonginx", "alloc/input")
	exit (ratio >= 10 && alloc <= 3) ? 0 : 1
}' "$out"
