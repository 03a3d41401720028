#!/usr/bin/env bash
# probe_cost.sh - what the probe's quick checks (conformance.h
# as_conformance_quick) add to a run: the same small run with and without
# --no-quick-check, interleaved, PAIRS pairs; prints each side's median and
# min-max wall seconds and the median difference per module.
# Usage: bench/probe_cost.sh [BUILD_DIR] [PAIRS]   (defaults: build, 9)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
pairs=${2:-9}
cli=$build/harness/allocscope
mods=glibc,jemalloc,tcmalloc,mimalloc
[ -x "$cli" ] || { echo "probe_cost.sh: build $build first" >&2; exit 2; }
tmp=$(mktemp -d /tmp/probe_cost-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
one() { # one [OPTION]: wall seconds of one run
  local s e
  s=$(date +%s.%N)
  "$cli" run -q --no-plot -a "$mods" -w random:ops=1000 -r 1 --min-time 0 --force -o "$tmp/r" "$@" >/dev/null 2>&1
  e=$(date +%s.%N)
  awk -v a="$s" -v b="$e" 'BEGIN { print b - a }'
}
for i in $(seq 1 "$pairs"); do
  echo "with $(one)"
  echo "without $(one --no-quick-check)"
done >"$tmp/t"
python3 - "$tmp/t" "$(echo "$mods" | tr ',' ' ' | wc -w)" <<'PY'
import statistics, sys
v = {"with": [], "without": []}
for line in open(sys.argv[1]):
    k, x = line.split()
    v[k].append(float(x))
n = int(sys.argv[2])
for k in ("with", "without"):
    print(f"{k:8} quick checks: median {statistics.median(v[k]):.3f} s (min {min(v[k]):.3f}, max {max(v[k]):.3f}), {len(v[k])} runs")
d = statistics.median(v["with"]) - statistics.median(v["without"])
print(f"difference of the medians: {d * 1000:.1f} ms for {n} modules, {d * 1000 / n:.1f} ms a module")
PY
