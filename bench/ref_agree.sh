#!/usr/bin/env bash
# ref_agree.sh - does allocscope rank glibc, jemalloc, tcmalloc and mimalloc
# on xmalloc and larson at 2 threads as mimalloc-bench's original programs
# do under LD_PRELOAD of the Debian libraries, on this machine, now?
# Interleaved pairs: in every round each module runs once in allocscope
# (`run -a M -w SPEC -t 2 -r 1`, one trial, --min-time as given) and once
# in the original program, the modules in turn; each round gives per-module
# ns/op for both, so ratios (M/glibc) are taken within a round. Prints per
# workload and module the median and min-max over the rounds of M/glibc for
# allocscope and for the original, the median ranking of each, and each
# module's spread (max/min of its ns/op over the rounds: issue 12's figure,
# here for the originals as well).
#
# The originals are not part of this repository (third-party code): build
# mimalloc-bench's bench/xmalloc-test/xmalloc-test.c and bench/larson/
# larson.cpp (as mimalloc-bench does: larson with -DCPP=1) from
# https://github.com/daanx/mimalloc-bench and put both binaries in REF_DIR.
# They run as mimalloc-bench runs them, shorter:
#   xmalloc-test -w $XW -t $SECS -s 64     (XW producers + XW consumers; default 1)
#   larson $SECS 8 1000 5000 100 4141 2    (prints ns per allocation)
# ns/op of the originals: xmalloc-test 1e9 / frees per second; larson its
# "relative time" (1e9 / allocations per second). Only ratios are compared.
#
# Usage: REF_DIR=DIR bench/ref_agree.sh [BUILD_DIR] [ROUNDS] [extra run options...]
#   env: XMALLOC_SPEC (default xmalloc), LARSON_SPEC (default larson): the
#        allocscope workload specs (several, space-separated: each in every round); SECS (default 1): originals' run time;
#        XW (default 1); MOD_<name>=PATH.so runs that module from PATH.so.
# Defaults: build, 9 rounds. About 25 s per round on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
rounds=${2:-9}
shift $(($# < 2 ? $# : 2))
cli=$build/harness/allocscope
ref=${REF_DIR:?set REF_DIR to the folder holding the xmalloc-test and larson binaries of mimalloc-bench}
secs=${SECS:-1}
xw=${XW:-1}
xspec=${XMALLOC_SPEC:-xmalloc}
lspec=${LARSON_SPEC:-larson}
mods=(glibc jemalloc tcmalloc mimalloc)
me=ref_agree.sh
. bench/preload_libs.sh
for p in xmalloc-test larson; do
  [ -x "$ref/$p" ] || { echo "ref_agree.sh: $ref/$p: not built (see the comment at the top)" >&2; exit 2; }
done
[ -x "$cli" ] || { echo "ref_agree.sh: build $build first" >&2; exit 2; }
tmp=$(mktemp -d /tmp/ref_agree-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# one allocscope trial: ns/op of module $1 on spec $2 at 2 threads
as_ns() {
  local m=$1 spec=$2 var="MOD_$1"
  rm -rf "$tmp/r"
  "$cli" run -q --no-plot -a "${!var:-$m}" -w "$spec" -t 2 -r 1 -o "$tmp/r" "${extra[@]}" >/dev/null
  python3 -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    if r["status"] == "ok":
        print(r["ns_per_op"])' "$tmp/r/trials.csv"
}
extra=("$@")
echo "ref_agree: $rounds rounds; allocscope -w $xspec / $lspec -t 2 -r 1 ${extra[*]}; originals" \
  "xmalloc-test -w $xw -t $secs -s 64, larson $secs 8 1000 5000 100 4141 2;" \
  "load $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 1; r <= rounds; r++)); do
  for m in "${mods[@]}"; do
    for w in $xspec; do
      x=$(as_ns "$m" "$w" 2>/dev/null || true)
      echo "$r $m xmalloc allocscope:$w ${x:-nan}" >>"$tmp/rows"
    done
    for w in $lspec; do
      l=$(as_ns "$m" "$w" 2>/dev/null || true)
      echo "$r $m larson allocscope:$w ${l:-nan}" >>"$tmp/rows"
    done
    x=$(LD_PRELOAD=${lib[$m]} "$ref/xmalloc-test" -w "$xw" -t "$secs" -s 64 |
      awk '{for (i = 1; i <= NF; i++) if ($i == "free/sec:") print 1000 / $(i + 1)}')
    echo "$r $m xmalloc original ${x:-nan}" >>"$tmp/rows"
    l=$(LD_PRELOAD=${lib[$m]} "$ref/larson" "$secs" 8 1000 5000 100 4141 2 |
      sed -n 's/.*relative time: \([0-9.]*\)s.*/\1/p')
    echo "$r $m larson original ${l:-nan}" >>"$tmp/rows"
  done
done
echo "load at the end $(cut -d' ' -f1-3 /proc/loadavg); rows: round module workload tool ns/op"
python3 - "$tmp/rows" <<'EOF'
import sys, statistics as st
rows = [l.split() for l in open(sys.argv[1])]
ns = {}
for r, m, w, tool, v in rows:
    ns[(int(r), m, w, tool)] = float(v)
mods = ["glibc", "jemalloc", "tcmalloc", "mimalloc"]
rounds = sorted({k[0] for k in ns})
for w in ("xmalloc", "larson"):
    print(f"== {w}: M/glibc per round, median (min-max) over {len(rounds)} rounds")
    tools = sorted({k[3] for k in ns if k[2] == w}, key=lambda t: (t == "original", t))
    for tool in tools:
        cells = []
        for m in mods[1:]:
            q = [ns[(r, m, w, tool)] / ns[(r, "glibc", w, tool)] for r in rounds
                 if ns[(r, "glibc", w, tool)] == ns[(r, "glibc", w, tool)]]
            q = [x for x in q if x == x]
            cells.append(f"{m} {st.median(q):.2f} ({min(q):.2f}-{max(q):.2f})" if q else f"{m} n/a")
        med = {m: st.median([ns[(r, m, w, tool)] for r in rounds]) for m in mods}
        rank = " < ".join(f"{m} {med[m]:.1f}" for m in sorted(mods, key=med.get))
        # issue 12's spread: max/min of each module's ns/op over the rounds
        spread = "; ".join(
            f"{m} {max(v) / min(v):.2f}" for m in mods
            for v in [[x for x in (ns[(r, m, w, tool)] for r in rounds) if x == x]] if v)
        print(f"  {tool}\n    M/glibc: {'; '.join(cells)}")
        print(f"    ranking (median ns/op): {rank}")
        print(f"    spread (max/min ns/op over the rounds): {spread}")
EOF
