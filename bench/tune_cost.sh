#!/usr/bin/env bash
# tune_cost.sh - how long `allocscope tune` takes on a trace with its
# defaults (the default grid, -r 5, --budget 10m, early elimination), and
# with -b BIN the same command of another allocscope binary (e.g. a build
# of an older commit), the variants interleaved round by round with the
# order alternating, so load changes hit both alike. Prints per variant the
# median, min and max wall seconds, the replays that ran (rows of
# replay/trials.csv) and the configurations eliminated early, and the ratio
# of the medians to `new`. Charts are left out (--no-plot).
# Usage: bench/tune_cost.sh [-b BASE_BIN] [TRACE] [ROUNDS]   (build first)
# TRACE defaults to a fresh capture of the docs/tune.md sqlite3 example
# (100,000 rows and an index, about 0.89 M events).
set -euo pipefail
cd "$(dirname "$0")/.."
as=${ALLOCSCOPE:-build/harness/allocscope}
export ALLOCSCOPE_MODULE_PATH=${ALLOCSCOPE_MODULE_PATH:-$PWD/build/allocators}
base=
if [ "${1:-}" = -b ]; then
  base=$2
  shift 2
fi
trace=${1:-}
rounds=${2:-9}
tmp=$(mktemp -d /tmp/tune_cost.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
if [ -z "$trace" ]; then
  trace=$tmp/sqlite.ast
  "$as" capture -o "$trace" -- sqlite3 :memory: "create table t(a,b); with recursive \
c(x) as (select 1 union all select x+1 from c where x<100000) insert into t select x, \
printf('%.*c', x%300, 'y') from c; create index i on t(b); select count(*) from t group by \
a%7;" >/dev/null
fi
variants=(new)
[ -n "$base" ] && variants+=(base)
declare -A times reps elim
for r in $(seq "$rounds"); do
  order=("${variants[@]}")
  [ $((r % 2)) = 0 ] && order=($(printf '%s\n' "${variants[@]}" | tac))
  for v in "${order[@]}"; do
    bin=$as
    [ "$v" = base ] && bin=$base
    rm -rf "$tmp/out"
    t0=$(date +%s%N)
    "$bin" tune "$trace" -o "$tmp/out" --no-plot >"$tmp/log" 2>&1 || echo "$v: tune exited $?" >&2
    t1=$(date +%s%N)
    times[$v]+="$(((t1 - t0) / 1000000)) "
    reps[$v]+="$(($(wc -l <"$tmp/out/replay/trials.csv") - 1)) "
    elim[$v]+="$(grep -c ' replays, by ' "$tmp/log" || true) "
    echo "round $r $v: $(((t1 - t0) / 1000000)) ms, $(uptime | sed 's/.*load/load/')" >&2
  done
done
stat() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)], a[1], a[NR]}'; }
printf '%-6s %8s %8s %8s %12s %12s %6s\n' variant median_s min_s max_s replays eliminated ratio
read -r m0 _ _ <<<"$(stat "${times[new]}")"
for v in "${variants[@]}"; do
  read -r med mn mx <<<"$(stat "${times[$v]}")"
  read -r rmed _ _ <<<"$(stat "${reps[$v]}")"
  read -r emed _ _ <<<"$(stat "${elim[$v]}")"
  printf '%-6s %8.1f %8.1f %8.1f %12s %12s %6.2f\n' "$v" "$(bc -l <<<"$med / 1000")" \
    "$(bc -l <<<"$mn / 1000")" "$(bc -l <<<"$mx / 1000")" "$rmed" "$emed" \
    "$(bc -l <<<"$med / $m0")"
done
echo "rounds: $rounds; trace: $trace; the machine may be shared: read the ratio" >&2
