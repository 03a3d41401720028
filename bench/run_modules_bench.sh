#!/usr/bin/env bash
# run_modules_bench.sh - the allocator-module benchmark of docs/modules.md:
# (1) refmalloc vs glibc (and the others) on the mixed-size `random`
#     workload through the real CLI (ns/op and peak RSS, 5 repetitions);
# (2) bench_modules: bump/arena vs glibc allocate-only, pool vs glibc
#     fixed-size churn, arena reset vs individual frees on requests.
# Usage: bench/run_modules_bench.sh [BUILD_DIR]   (default: build). ~1 minute.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cli="$build/harness/allocscope"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "== random workload (16..512 B, 10000 live, 2M replacements), 5 reps, via the CLI"
"$cli" run -a glibc,refmalloc,jemalloc,tcmalloc,mimalloc,pool,freelist \
  -w random:ops=2000000 -r 5 -o "$out/random"
echo
echo "== per module over the repetitions: median and min ns/op, median peak RSS and"
echo "   peak RSS above the pre-run baseline (the op stream and slot table are the"
echo "   baseline), ratios to glibc's medians"
python3 - "$out/random/trials.csv" <<'PY'
import csv, statistics, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["status"] == "ok"]
mods = []
for r in rows:
    if r["module"] not in mods:
        mods.append(r["module"])
def col(m, f):
    return [f(r) for r in rows if r["module"] == m]
stat = {}
for m in mods:
    ns = col(m, lambda r: float(r["ns_per_op"]))
    peak = col(m, lambda r: float(r["rss_peak_kib"]))
    above = col(m, lambda r: float(r["rss_peak_kib"]) - float(r["rss_before_kib"]))
    stat[m] = (statistics.median(ns), min(ns), statistics.median(peak), statistics.median(above))
g = stat.get("glibc")
print("%-10s %9s %9s %11s %11s %9s %9s %9s" % ("module", "ns/op", "min", "peak KiB",
      "above KiB", "x ns/op", "x peak", "x above"))
for m in mods:
    s = stat[m]
    print("%-10s %9.2f %9.2f %11.0f %11.0f %9.2f %9.2f %9.2f" % (m, s[0], s[1], s[2], s[3],
          s[0] / g[0], s[2] / g[2], s[3] / g[3]))
PY
echo
echo "== bench_modules"
"$build/bench/bench_modules"
