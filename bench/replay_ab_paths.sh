#!/usr/bin/env bash
# replay_ab_paths.sh - bench/replay_bench of two builds side by side on one
# trace, each pair of runs from another path. Two builds of the same source
# gave the engine's "measurements off" ratio 1.03 and 0.66 in 9 interleaved
# pairs, run from /work/main/build and from a worktree's build; a copy of the
# slow one run from another directory was normal (docs/traces.md, "Session
# 10"): where the binary and its modules sit moves the process's layout,
# and the layout moves a ratio by more than most changes do. So both builds'
# replay_bench and allocators/ are copied to four directories whose paths
# differ in length by 8 bytes, and pair r runs both (A then B, or B then A,
# alternating every 4 pairs) from directory r % 4: within a pair the layout
# is the same, across pairs it varies. One line per run (CPU ns/op of each
# variant, the per-round ratio medians), then per build the medians
# (min-max) over its runs, and per pair B - A of the default's ratio.
#   bench/replay_ab_paths.sh TRACE PAIRS ROUNDS BUILD_A BUILD_B
# e.g. bench/replay_ab_paths.sh sqlite.ast 12 25 OLD_BUILD build
set -euo pipefail
[ $# -eq 5 ] || { echo "usage: replay_ab_paths.sh TRACE PAIRS ROUNDS BUILD_A BUILD_B" >&2; exit 2; }
t=$(realpath "$1") n=$2 rounds=$3 A=$(realpath "$4") B=$(realpath "$5")
for d in "$A" "$B"; do
  [ -x "$d/bench/replay_bench" ] && [ -d "$d/allocators" ] ||
    { echo "replay_ab_paths: $d: no bench/replay_bench (build with -DALLOCSCOPE_BENCH=ON)" >&2; exit 2; }
done
here=$(dirname "$(realpath "$0")")
root=$(mktemp -d /tmp/allocscope-ab-paths.XXXXXX)
trap 'rm -rf "$root"' EXIT
pad() { printf '%*s' $(($1 * 8)) '' | tr ' ' p; }
for L in 0 1 2 3; do
  for x in A B; do
    d="$root/L$L$(pad $L)/$x"
    mkdir -p "$d"
    if [ $x = A ]; then src=$A; else src=$B; fi
    cp -r "$src/bench" "$src/allocators" "$d/"
  done
done
echo "replay_ab_paths: A = $A, B = $B; load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
for ((r = 0; r < n; r++)); do
  L=$((r % 4))
  for k in 0 1; do
    if (((r / 4 + k) % 2)); then x=B; else x=A; fi
    "$root/L$L$(pad $L)/$x/bench/replay_bench" "$t" "$rounds" 0 |
      awk -v tag="$x L$L" -f "$here/replay_run_line.awk"
  done
done | tee "$root/out"
echo "replay_ab_paths: load average $(cut -d' ' -f1-3 /proc/loadavg) at end; medians (min-max) over runs:"
awk '
  function med(s,  a, c, i, j, t) { c = split(s, a, " "); for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return sprintf("%.3f (%.3f-%.3f)", c % 2 ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2, a[1], a[c]) }
  { n++; b[n] = $1; r[n] = $30
    ow[$1] = ow[$1] " " $21; oc[$1] = oc[$1] " " $23; dw[$1] = dw[$1] " " $28; dc[$1] = dc[$1] " " $30
    d[$1] = d[$1] " " $16; hp[$1] = hp[$1] " " $8; pg[$1] = pg[$1] " " $10; la[$1] = la[$1] " " ($12 - $10); sa[$1] = sa[$1] " " ($14 - $10); k[$1]++ }
  END {
    for (x = 0; x < 2; x++) { m = x ? "B" : "A"; if (!(m in k)) continue
      printf "%s, %d runs: hand(pages)/engine(default) CPU %s, wall %s; hand/engine(off) CPU %s, wall %s\n", m, k[m], med(dc[m]), med(dw[m]), med(oc[m]), med(ow[m])
      printf "   CPU ns/op: default %s, hand(pages) %s, engine pages-off %s; latency adds %s, samples add %s\n", med(d[m]), med(hp[m]), med(pg[m]), med(la[m]), med(sa[m]) }
    for (i = 1; i < n; i += 2) { if (b[i] == "A") { a = i; c = i + 1 } else { a = i + 1; c = i }
      diff = diff " " (r[c] - r[a]); p++; if (r[c] > r[a]) w++ }
    printf "B - A, default ratio CPU, per pair: %s; B higher in %d of %d pairs\n", med(diff), w, p }' "$root/out"
