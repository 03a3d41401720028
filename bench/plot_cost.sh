#!/usr/bin/env bash
# plot_cost.sh - how long `allocscope plot` takes. Plots a results folder
# ROUNDS times per variant, the variants interleaved round by round (so load
# changes hit them alike), and prints per variant the median, min and max
# wall time and CPU time (user + system, gnuplot's included), the charts
# drawn and the bytes written, and the ratio of medians to the first
# variant.
#   new:      this build, defaults (PNG 1x, the charts that do not repeat
#             others' data)
#   new-all:  this build, --format all --all-charts (what plot drew before)
#   base:     with -b BIN, that allocscope binary's defaults (e.g. a build
#             of an older commit)
# Usage: bench/plot_cost.sh [-b BASE_BIN] [RESULTS_DIR] [ROUNDS]   (build first)
# VARIANTS="new base" (env) runs only those variants (new-all takes long).
# RESULTS_DIR defaults to the committed fixture; `quick` makes a fresh
# `suite --quick --no-plot` folder and plots that. ALLOCSCOPE (binary) and
# ALLOCSCOPE_PLOTS_DIR (its scripts) apply to the new variants only.
set -euo pipefail
cd "$(dirname "$0")/.."
as=${ALLOCSCOPE:-build/harness/allocscope}
base=
if [ "${1:-}" = -b ]; then
  base=$2
  shift 2
fi
src=${1:-tests/fixtures/results-small}
rounds=${2:-9}
tmp=$(mktemp -d /tmp/plot_cost.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
if [ "$src" = quick ]; then
  # a suite exits 1 when a trial failed; its folder is still complete
  "$as" suite --quick --no-plot -q -o "$tmp/src" >/dev/null 2>&1 || true
  [ -f "$tmp/src/scenarios.csv" ] || { echo "plot_cost: suite --quick wrote no results" >&2; exit 1; }
  src=$tmp/src
fi
if [ -n "${VARIANTS:-}" ]; then
  read -r -a variants <<<"$VARIANTS"
else
  variants=(new new-all)
  [ -n "$base" ] && variants+=(base)
fi
declare -A times cpus charts bytes
load0=$(cut -d' ' -f1-3 /proc/loadavg)
for r in $(seq "$rounds"); do
  for v in "${variants[@]}"; do
    rm -rf "$tmp/run" && cp -r "$src" "$tmp/run"
    case $v in
      new) cmd=("$as" plot "$tmp/run" -q) ;;
      new-all) cmd=("$as" plot "$tmp/run" -q --format all --all-charts) ;;
      # the base binary uses its own scripts, not $ALLOCSCOPE_PLOTS_DIR
      base) cmd=(env -u ALLOCSCOPE_PLOTS_DIR "$base" plot "$tmp/run" -q) ;;
    esac
    t0=$(date +%s%N)
    /usr/bin/time -f '%U %S' -o "$tmp/cpu" "${cmd[@]}" || echo "$v: plot exited $?" >&2
    t1=$(date +%s%N)
    times[$v]+="$(((t1 - t0) / 1000000)) "
    cpus[$v]+="$(awk '{printf "%d", ($1 + $2) * 1000}' "$tmp/cpu") "
    charts[$v]=$(find "$tmp/run" -name '*.dat' -path '*/plots/data/*' | wc -l)
    bytes[$v]=$(find "$tmp/run" -path '*/plots/*' -type f ! -path '*/data/*' -printf '%s\n' |
      awk '{s += $1} END {print s + 0}')
  done
done
stat() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)], a[1], a[NR]}'; }
printf '%-8s %6s %10s %8s %8s %8s %8s %8s %10s %8s\n' variant charts median_ms min_ms max_ms \
  cpu_ms cpu_min cpu_max MB_written ratio
read -r m0 _ _ <<<"$(stat "${times[${variants[0]}]}")"
for v in "${variants[@]}"; do
  read -r med mn mx <<<"$(stat "${times[$v]}")"
  read -r cmed cmn cmx <<<"$(stat "${cpus[$v]}")"
  printf '%-8s %6d %10d %8d %8d %8d %8d %8d %10.1f %8.2f\n' "$v" "${charts[$v]}" "$med" "$mn" \
    "$mx" "$cmed" "$cmn" "$cmx" "$(echo "${bytes[$v]} / 1048576" | bc -l)" "$(echo "$med / $m0" | bc -l)"
done
echo "load before: $load0"
echo "rounds: $rounds, cpus: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg) (a shared machine: read ratios, not absolute times)"
