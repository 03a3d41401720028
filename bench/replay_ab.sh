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
nb=${#bins[@]}
echo "replay_ab: load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
out=$(mktemp /tmp/replay-ab.XXXXXX)
trap 'rm -f "$out"' EXIT
for ((r = 1; r <= n; r++)); do
  for ((k = 0; k < nb; k++)); do
    x=$(((k + r) % nb))
    "${bins[$x]}" "$t" "$rounds" 0 | awk -v m="$x" '
      /hand-written loop, CPU/ {hf = $(NF-5)} /measurements off, CPU/ {of = $(NF-5)}
      /touch=pages, off, CPU/ {p = $(NF-5)} /pages \+ samples only, CPU/ {s = $(NF-5)}
      /pages \+ latency only, CPU/ {l = $(NF-5)} /default measuring, CPU/ {d = $(NF-5)}
      /hand loop, touch=pages, CPU/ {h = $(NF-5)}
      /hand\/engine \(off\) per round  / {ow = $(NF-5)} /hand\/engine \(off\) per round, CPU/ {oc = $(NF-5)}
      /hand\(pages\)\/engine \(default\)  / {rw = $(NF-5)} /hand\(pages\)\/engine \(default\), CPU/ {rc = $(NF-5)}
      END {printf "%s hand %.2f off %.2f hpages %.2f pages %.2f lat %.2f samp %.2f def %.2f | off ratio w %.3f c %.3f | def ratio w %.3f c %.3f\n", m, hf, of, h, p, l, s, d, ow, oc, rw, rc}'
  done
done | tee "$out"
echo "replay_ab: load average $(cut -d' ' -f1-3 /proc/loadavg) at end; per binary (0 = the first), median (min-max) of its runs:"
awk '{ b = $1; oc[b] = oc[b] " " $22; dw[b] = dw[b] " " $27; dc[b] = dc[b] " " $29; d[b] = d[b] " " $15; hp[b] = hp[b] " " $7; k[b]++ }
  function med(s,  a, c, i, j, t) { c = split(s, a, " "); for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return sprintf("%.3f (%s-%s)", c % 2 ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2, a[1], a[c]) }
  END { for (b in k) printf "bin %s, %d runs: off ratio CPU %s | default ratio wall %s | default ratio CPU %s | engine default ns/op CPU %s | hand(pages) ns/op CPU %s\n", b, k[b], med(oc[b]), med(dw[b]), med(dc[b]), med(d[b]), med(hp[b]) }' "$out" | sort
