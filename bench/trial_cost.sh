#!/usr/bin/env bash
# trial_cost.sh - the fixed cost of a trial, two variants side by side: wall
# time of the 10-trial tiny run (-a glibc,null -w random:ops=1000,live=100
# -r 5 --min-time 0, the issue's yardstick: one pass per trial, so what is
# timed is the fixed cost, not the 0.2 s default --min-time). A variant is
# BUILD_DIR or BUILD_DIR:SYSCALLS (--syscalls perf unless given): two builds
# (before/after a change), or one build with counting off and on. Runs A, B,
# A, B, ... so that load drift hits both alike; prints each one's median and
# min-max over ROUNDS pairs (wall time, and CPU time: user + system of the
# run and its workers) and the median of the per-pair wall differences B - A.
# REPS=N (default 5) runs N repetitions (2N trials) instead: the difference
# between REPS=10 and REPS=5 over 10 is a trial's own cost, without the
# run's start and end.
# usage: [REPS=N] bench/trial_cost.sh A B [ROUNDS]
set -euo pipefail
rounds=${3:-9}
reps=${REPS:-5}
[[ $reps =~ ^[1-9][0-9]*$ ]] || { echo "trial_cost.sh: REPS=$reps: not a positive number" >&2; exit 2; }
out=$(mktemp -d /tmp/as_trial_cost.XXXXXX)
trap 'rm -rf "$out"' EXIT
for ((r = 0; r < rounds; r++)); do
  for v in A B; do
    spec=$1
    [ $v = B ] && spec=$2
    sys=perf
    [[ $spec == *:* ]] && sys=${spec##*:} && spec=${spec%:*}
    t0=$(date +%s.%N)
    /usr/bin/time -f '%U %S' -o "$out/cpu" "$spec/harness/allocscope" run -q --no-plot \
      -a glibc,null -w random:ops=1000,live=100 -r "$reps" --min-time 0 --syscalls "$sys" \
      -o "$out/run" > /dev/null
    echo "$v $r $(echo "$(date +%s.%N) - $t0" | bc) $(awk '{ print $1 + $2 }' "$out/cpu")" >> "$out/t"
    rm -rf "$out/run"
  done
done
echo "$((2 * reps))-trial tiny run, $rounds interleaved pairs; load after: $(cut -d' ' -f1-3 /proc/loadavg)"
for v in A B; do
  # CPU time (user + system of the run and the workers it reaped): what an
  # idle machine's wall time is made of, and far less moved by load
  awk -v v=$v '$1 == v { print $4 }' "$out/t" | sort -g |
    awk -v v=$v '{ x[NR] = $1 } END {
      med = NR % 2 ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2;
      printf "  %s CPU: %.3f s median (%.3f - %.3f)\n", v, med, x[1], x[NR] }'
  awk -v v=$v '$1 == v { print $3 }' "$out/t" | sort -g |
    awk -v v=$v -v n=$((2 * reps)) -v p="$([ $v = A ] && echo "$1" || echo "$2")" '{ x[NR] = $1 } END {
      med = NR % 2 ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2;
      printf "  %s (%s): %.3f s median (%.3f - %.3f), %.1f ms per trial, %.0f trials/s\n",
        v, p, med, x[1], x[NR], med * 1000 / n, n / med }'
done
awk '{ t[$2, $1] = $3 } END { for (r = 0; t[r, "A"] != ""; r++) print t[r, "B"] - t[r, "A"] }' "$out/t" |
  sort -g | awk '{ x[NR] = $1 } END { med = NR % 2 ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2;
    printf "  B - A per pair: median %+.3f s (%+.3f .. %+.3f)\n", med, x[1], x[NR] }'
