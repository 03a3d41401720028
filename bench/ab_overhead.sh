#!/usr/bin/env bash
# ab_overhead.sh - the engine's cost over the hand loop, before and after a
# change: bench_overhead of two builds run in alternation (A B, B A, ...),
# PAIRS times, each run giving "engine - hand loop" per module (its median
# over ROUNDS in-process pairs). Prints per module the median and min-max of
# each build's figure and the median of the per-pair differences B - A.
# Usage: bench/ab_overhead.sh BUILD_A BUILD_B [PAIRS] [MODULES] [WORKLOAD] [ROUNDS]
#        (defaults: 9, null,bump,glibc, random:live=1000,ops=500000,touch=none, 9)
# BUILD_A is e.g. a build of main: git worktree add /tmp/x main && cmake ... .
set -euo pipefail
a=$1/bench/bench_overhead
b=$2/bench/bench_overhead
pairs=${3:-9}
mods=${4:-null,bump,glibc}
wl=${5:-random:live=1000,ops=500000,touch=none}
rounds=${6:-9}
tmp=$(mktemp -d /tmp/ab_overhead-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
for bin in "$a" "$b"; do
  [ -x "$bin" ] || { echo "ab_overhead.sh: no $bin" >&2; exit 2; }
done
run() { # binary label pair
  "$1" "$mods" "$wl" "$rounds" |
    awk -v L="$2" -v P="$3" '/^== /{m=$2; sub(":","",m)}
      /engine - hand loop, per pair/{print L, P, m, $8+0}' >>"$tmp/all"
}
for ((p = 1; p <= pairs; p++)); do
  if ((p % 2)); then run "$a" A "$p"; run "$b" B "$p"; else run "$b" B "$p"; run "$a" A "$p"; fi
done
echo "engine - hand loop (ns/op), $pairs alternating pairs of runs, $rounds rounds each;"
echo "A = $1, B = $2; modules $mods, workload $wl; load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %26s %26s %18s\n' module "A median [min, max]" "B median [min, max]" "B-A (median)"
awk '
  function med(arr, n,   i, j, t) {
    for (i = 2; i <= n; i++) for (j = i; j > 1 && arr[j-1] > arr[j]; j--) { t = arr[j]; arr[j] = arr[j-1]; arr[j-1] = t }
    return n % 2 ? arr[(n+1)/2] : (arr[n/2] + arr[n/2+1]) / 2
  }
  { v[$1, $2, $3] = $4; mods[$3] = 1; if ($2 > np) np = $2 }
  END {
    for (m in mods) {
      na = nb = nd = 0
      for (p = 1; p <= np; p++) {
        if ((("A", p, m) in v)) A[++na] = v["A", p, m]
        if ((("B", p, m) in v)) B[++nb] = v["B", p, m]
        if ((("A", p, m) in v) && (("B", p, m) in v)) D[++nd] = v["B", p, m] - v["A", p, m]
      }
      amin = amax = A[1]; for (i = 1; i <= na; i++) { if (A[i] < amin) amin = A[i]; if (A[i] > amax) amax = A[i] }
      bmin = bmax = B[1]; for (i = 1; i <= nb; i++) { if (B[i] < bmin) bmin = B[i]; if (B[i] > bmax) bmax = B[i] }
      printf "%-10s %+8.2f [%+6.2f, %+6.2f] %+8.2f [%+6.2f, %+6.2f] %+12.2f\n", m, med(A, na), amin, amax, med(B, nb), bmin, bmax, med(D, nd)
    }
  }' "$tmp/all"
