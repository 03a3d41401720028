#!/usr/bin/env bash
# plot_cost.sh - how long `allocscope plot` takes: plots a results folder
# (default: the committed fixture, 19 charts) ROUNDS times per format set,
# interleaved, and prints the median wall time and the time per chart.
# Usage: bench/plot_cost.sh [RESULTS_DIR] [ROUNDS]   (build first)
set -euo pipefail
cd "$(dirname "$0")/.."
as=${ALLOCSCOPE:-build/harness/allocscope}
src=${1:-tests/fixtures/results-small}
rounds=${2:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
declare -A times
for r in $(seq "$rounds"); do
  for fmt in png svg pdf png,svg,pdf; do
    rm -rf "$tmp/run" && cp -r "$src" "$tmp/run"
    t0=$(date +%s%N)
    "$as" plot "$tmp/run" --format "$fmt" -q
    t1=$(date +%s%N)
    times[$fmt]+="$(( (t1 - t0) / 1000000 )) "
    n=$(find "$tmp/run" -name '*.dat' | wc -l)
  done
done
printf '%-12s %8s %8s %12s\n' formats charts median_ms ms_per_chart
for fmt in png svg pdf png,svg,pdf; do
  med=$(tr ' ' '\n' <<<"${times[$fmt]}" | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '%-12s %8d %8d %12.0f\n' "$fmt" "$n" "$med" "$(echo "$med / $n" | bc -l)"
done
echo "cpus: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg)"
