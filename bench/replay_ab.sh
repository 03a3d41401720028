#!/usr/bin/env bash
# replay_ab.sh - bench/replay_bench of one or more builds (or settings) side
# by side on one trace: PAIRS runs of each binary, alternating (which goes
# first rotates), ROUNDS interleaved rounds per run. One line per run (the
# CPU medians of each variant in ns/op and the per-round ratios), then per
# binary the median (min-max) over its runs. REPLAY_BENCH_* variables
# (replay_bench.c) hold for every run.
#   bench/replay_ab.sh TRACE PAIRS ROUNDS BIN...   (BIN: a replay_bench)
# e.g. bench/replay_ab.sh sqlite.ast 5 25 OLD/bench/replay_bench build/bench/replay_bench
set -euo pipefail
[ $# -ge 4 ] || { echo "usage: replay_ab.sh TRACE PAIRS ROUNDS BIN..." >&2; exit 2; }
t=$1 n=$2 rounds=$3
shift 3
bins=("$@")
here=$(dirname "$(realpath "$0")")
nb=${#bins[@]}
echo "replay_ab: load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
out=$(mktemp /tmp/replay-ab.XXXXXX)
trap 'rm -f "$out"' EXIT
for ((r = 1; r <= n; r++)); do
  for ((k = 0; k < nb; k++)); do
    x=$(((k + r) % nb))
    "${bins[$x]}" "$t" "$rounds" 0 | awk -v tag="$x" -f "$here/replay_run_line.awk"
  done
done | tee "$out"
echo "replay_ab: load average $(cut -d' ' -f1-3 /proc/loadavg) at end; per binary (0 = the first), median (min-max) of its runs:"
awk '{ b = $1; oc[b] = oc[b] " " $22; dw[b] = dw[b] " " $27; dc[b] = dc[b] " " $29; d[b] = d[b] " " $15; hp[b] = hp[b] " " $7; k[b]++ }
  function med(s,  a, c, i, j, t) { c = split(s, a, " "); for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return sprintf("%.3f (%s-%s)", c % 2 ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2, a[1], a[c]) }
  END { for (b in k) printf "bin %s, %d runs: off ratio CPU %s | default ratio wall %s | default ratio CPU %s | engine default ns/op CPU %s | hand(pages) ns/op CPU %s\n", b, k[b], med(oc[b]), med(dw[b]), med(dc[b]), med(d[b]), med(hp[b]) }' "$out" | sort
