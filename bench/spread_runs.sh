#!/usr/bin/env bash
# spread_runs.sh - issue 12's idle figures in one command: RUNS runs in a
# row of
#   allocscope run -q --no-plot -a $MODULES -w $WORKLOADS -t $THREADS
# (defaults: glibc,jemalloc,tcmalloc,mimalloc; larson,xmalloc; 1,2; extra
# run options after RUNS are passed on), each followed by bench/spread.sh
# on its folder: per run its groups over LIMIT (default 1.5) max/min of
# ns/op, and its two counts (within, raw and without the repetitions the
# machine disturbed); then per run and per workload x threads the ranking
# of the modules by median ns/op (summary.csv), fastest first. Last, the
# tally over the runs: the two counts of each run side by side, and per
# workload x threads each order of the modules with the runs that gave it.
# docs/measure.md ("Spread across repetitions") records its figures.
# Usage: [MODULES=..] [WORKLOADS=..] [THREADS=..] [LIMIT=1.5] [KEEP=DIR]
#        bench/spread_runs.sh [BUILD_DIR] [RUNS] [extra run options...]
#        (defaults: build, 5; about 40 s a run on 2 cores with the defaults).
# KEEP=DIR keeps each run's folder as DIR/run-N.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
runs=${2:-5}
shift $(($# < 2 ? $# : 2))
cli=$build/harness/allocscope
me=spread_runs.sh
[ -x "$cli" ] || { echo "$me: build $build first" >&2; exit 2; }
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "$me: RUNS '$runs': a whole number of runs, 1 or more" >&2; exit 2; }
mods=${MODULES:-glibc,jemalloc,tcmalloc,mimalloc}
wls=${WORKLOADS:-larson,xmalloc}
thr=${THREADS:-1,2}
limit=${LIMIT:-1.5}
if [ -n "${KEEP:-}" ]; then
  out=$KEEP
  mkdir -p "$out"
else
  out=$(mktemp -d /tmp/spread_runs-XXXXXX)
  trap 'rm -rf "$out"' EXIT
fi
echo "$me: $runs runs of: allocscope run -q --no-plot -a $mods -w $wls -t $thr $*"
for ((i = 1; i <= runs; i++)); do
  d=$out/run-$i
  rm -rf "$d"
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  start=$(date -u +%H:%M:%S)
  "$cli" run -q --no-plot -a "$mods" -w "$wls" -t "$thr" -o "$d" "$@" >/dev/null
  echo "== run $i ($start UTC, load $load at the start)"
  bench/spread.sh "$d" "$limit" >"$d.spread"
  grep "over $limit" "$d.spread" || true
  tail -n 2 "$d.spread" | sed 's/^/  /'
  python3 - "$d/summary.csv" "$i" >>"$out/rankings" <<'PY'
import csv, sys
groups = {}
for r in csv.DictReader(open(sys.argv[1])):
    if r["ns_per_op_median"]:
        wl = r["workload"] + (":" + r["workload_params"] if r["workload_params"] else "")
        groups.setdefault((wl, int(r["threads"])), []).append((float(r["ns_per_op_median"]), r["module"]))
for (wl, t), v in sorted(groups.items()):
    v.sort()
    print(sys.argv[2], f"{wl} t{t}", " < ".join(m for _, m in v), " < ".join(f"{m} {x:.1f}" for x, m in v), sep="\t")
PY
  awk -F'\t' -v i="$i" '$1 == i {printf "  %-24s %s\n", $2, $4}' "$out/rankings"
done
echo "== over $runs runs"
for ((i = 1; i <= runs; i++)); do
  tail -n 2 "$out/run-$i.spread" | grep -o '^[0-9]* of [0-9]*' | paste -sd' ' |
    awk -v i="$i" '{printf "  run %d: within %s raw, %s without the disturbed\n", i, $1 " " $2 " " $3, $4 " " $5 " " $6}'
done
# each order of the modules per workload x threads, with the runs that gave it
awk -F'\t' '{k = $2 "\t" $3; if (!(k in runs)) order[++n] = k; runs[k] = runs[k] (runs[k] ? "," : "") $1; cnt[k]++}
  END {for (i = 1; i <= n; i++) {split(order[i], p, "\t"); printf "  %-24s %s: %d of '"$runs"' (runs %s)\n", p[1], p[2], cnt[order[i]], runs[order[i]]}}' \
  <(sort -t$'\t' -k2,2 -s "$out/rankings")
