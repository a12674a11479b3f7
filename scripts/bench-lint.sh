#!/usr/bin/env bash
# Lint speed and memory, in one run:
#  - `ngxlint lint --format json` (all rules) and `--format sarif` on
#    config.GenerateLintTree's trees of 1,250, 2,500 and 5,000 servers
#    (52k, 104k, 208k lines; every rule fires, ~4 findings a server):
#    wall time, CPU time and max RSS (median of RUNS runs), the growth per
#    doubling, and `nginx -t` on the same trees with the ratio. Targets:
#    growth <= 2.2, >= 20x faster than nginx -t and <= 100 MB at 5,000.
#  - `ngxlint lint fixtures/typical` wall time over 20 runs, process start
#    included (target under 20 ms: the pre-commit latency).
# nginx -t runs without network and with a private /etc/hosts mapping every
# host the trees name to 127.0.0.1 (unshare -m -n; needs root), so nginx
# never asks DNS. Timings move with the machine's load: the load average
# is printed before and after. SIZES and RUNS override the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sizes=${SIZES:-"1250 2500 5000"}
runs=${RUNS:-3}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
go build -o "$tmp/ngxlint" ./cmd/ngxlint
go build -o "$tmp/gentree" ./scripts/gentree

stream=""
if [ -f /usr/lib/nginx/modules/ngx_stream_module.so ]; then
  stream=/usr/lib/nginx/modules/ngx_stream_module.so
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
can_nginx=1
if [ ! -x "$nginx_bin" ] || ! unshare -m -n true 2>/dev/null; then
  can_nginx=0
  echo "nginx -t skipped: needs nginx and root (unshare -m -n for a private /etc/hosts without network)"
fi

# median of a list of numbers
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# measure OUT CMD...: RUNS runs of CMD; prints "wall cpu rss" medians
measure() {
  local out=$1; shift
  local w=() c=() r=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$@" >"$out" 2>/dev/null || true
    read -r e u s m < <(tail -1 "$tmp/time")
    w+=("$e"); c+=("$(echo "$u + $s" | bc -l | xargs printf "%.2f")"); r+=("$m")
  done
  echo "$(printf '%s\n' "${w[@]}" | median) $(printf '%s\n' "${c[@]}" | median) $(printf '%s\n' "${r[@]}" | median)"
}

printf '\n%-8s %-6s %-8s %-9s | %-28s | %-17s | %-15s | %s\n' servers files lines findings \
  "lint json: wall  cpu  maxRSS" "sarif: wall  RSS" "nginx -t: wall" "nginx -t / lint json"
declare -A jw jc jr sw sr nw
for n in $sizes; do
  dir="$tmp/t$n"
  read -r _ files lines _ <<<"$("$tmp/gentree" -servers "$n" -out "$dir" -hosts "$tmp/hosts$n" -stream-module "$stream" |
    sed -E 's/.* files=([0-9]+) lines=([0-9]+).*/x \1 \2 x/')"
  read -r jw[$n] jc[$n] jr[$n] <<<"$(measure "$tmp/out.json" "$tmp/ngxlint" lint --format json "$dir/nginx.conf")"
  findings=$(grep -c '"rule":' "$tmp/out.json" || true)
  read -r sw[$n] _ sr[$n] <<<"$(measure /dev/null "$tmp/ngxlint" lint --format sarif "$dir/nginx.conf")"
  nw[$n]=-
  ratio=-
  if [ "$can_nginx" = 1 ]; then
    /usr/bin/time -f "%e" -o "$tmp/ntime" unshare -m -n sh -c \
      "mount --bind '$tmp/hosts$n' /etc/hosts && '$nginx_bin' -t -q -p '$dir/' -c '$dir/nginx.conf' -e '$dir/logs/error.log'" \
      >"$tmp/nginx.out" 2>&1 || { echo "nginx -t failed on $n servers:"; cat "$tmp/nginx.out"; }
    nw[$n]=$(cat "$tmp/ntime")
    ratio=$(echo "${nw[$n]} / ${jw[$n]}" | bc -l | xargs printf '%.1fx')
  fi
  printf '%-8s %-6s %-8s %-9s | %8ss %5ss %6.1f MB | %8ss %6.1f MB | %14s | %s\n' "$n" "$files" "$lines" "$findings" \
    "${jw[$n]}" "${jc[$n]}" "$(echo "${jr[$n]} / 1024" | bc -l)" "${sw[$n]}" "$(echo "${sr[$n]} / 1024" | bc -l)" "${nw[$n]}s" "$ratio"
done

echo
echo "growth per doubling (target <= 2.2):"
prev=""
for n in $sizes; do
  if [ -n "$prev" ]; then
    g() { echo "$1 / $2" | bc -l | xargs printf '%.2f'; }
    printf '  %s -> %s servers: json wall x%s cpu x%s RSS x%s | sarif wall x%s RSS x%s' "$prev" "$n" \
      "$(g "${jw[$n]}" "${jw[$prev]}")" "$(g "${jc[$n]}" "${jc[$prev]}")" "$(g "${jr[$n]}" "${jr[$prev]}")" \
      "$(g "${sw[$n]}" "${sw[$prev]}")" "$(g "${sr[$n]}" "${sr[$prev]}")"
    if [ "$can_nginx" = 1 ]; then printf ' | nginx -t x%s' "$(g "${nw[$n]}" "${nw[$prev]}")"; fi
    echo
  fi
  prev=$n
done

echo
echo "== ngxlint lint fixtures/typical, process start included (20 runs)"
times=()
for _ in $(seq 20); do
  s=$(date +%s%N)
  "$tmp/ngxlint" lint fixtures/typical >/dev/null 2>&1 || true
  e=$(date +%s%N)
  times+=($(((e - s) / 1000)))
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
printf 'median %.1f ms, min %.1f ms, max %.1f ms (target < 20 ms)\n' \
  "$(echo "$(echo "$sorted" | median) / 1000" | bc -l)" "$(echo "$(echo "$sorted" | head -1) / 1000" | bc -l)" "$(echo "$(echo "$sorted" | tail -1) / 1000" | bc -l)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
