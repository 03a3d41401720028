#!/usr/bin/env bash
# placement_watch.sh - where the host puts this machine's CPUs, over time:
# every INTERVAL seconds one 2-thread trial (glibc, xmalloc:batches=5,
# --min-time 0.05), printed as the time, the trial's handoff round trips
# before and after its timed region (trials.csv handoff_ns, handoff_end_ns:
# harness/handoff.h) and its ns/op. On the project's 2-vCPU VM the round
# trip sat at about 100 ns or about 450 ns for minutes at a time, and
# glibc's xmalloc -t 2 ns/op moved with it (about 30 against 110);
# docs/measure.md "Two threads: where the host put the CPUs". The last
# lines count the trials in each placement and the switches between them
# (close: handoff_end_ns under 250 ns; shared: over 2,000 ns, both threads
# on one CPU at the end).
# Usage: bench/placement_watch.sh BUILD_DIR [SECONDS [INTERVAL]]
set -euo pipefail
build=${1:?usage: placement_watch.sh BUILD_DIR [SECONDS [INTERVAL]]}
secs=${2:-300} every=${3:-5}
as=$build/harness/allocscope
[ -x "$as" ] || { echo "placement_watch.sh: $as: not built" >&2; exit 2; }
tmp=$(mktemp -d /tmp/placement_watch.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
end=$((SECONDS + secs))
printf '%-8s %10s %14s %9s %s\n' time handoff_ns handoff_end_ns ns/op placement
while [ $SECONDS -lt $end ]; do
  "$as" run -q --no-plot -a glibc -w xmalloc:batches=5 -t 2 -r 1 --min-time 0.05 \
    --force -o "$tmp/d" >/dev/null 2>&1 || { echo "$(date +%T) trial failed"; sleep "$every"; continue; }
  awk -F, -v t="$(date +%T)" 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
    {h = $c["handoff_end_ns"]; p = h == "" ? "?" : h > 2000 ? "shared" : h < 250 ? "close" : "apart"
     printf "%-8s %10s %14s %9.2f %s\n", t, $c["handoff_ns"], h, $c["ns_per_op"], p}' "$tmp/d/trials.csv"
  sleep "$every"
done | tee "$tmp/log"
awk 'NR > 0 {n[$NF]++; if (p != "" && $NF != p && $NF != "shared" && p != "shared") s++; if ($NF != "shared") p = $NF}
  END {for (k in n) printf "%s: %d trials\n", k, n[k]; printf "switches between close and apart: %d\n", s}' "$tmp/log"
