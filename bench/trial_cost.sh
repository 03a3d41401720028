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
# REPS=N (default 5) runs N repetitions (2N trials) instead.
# --slope: the cost of one more trial, without the run's start and end: every
# round runs each variant's 10-trial and 20-trial run back to back (which
# first alternates by round) and takes (t20 - t10) / 10 as that round's cost
# per trial; prints its median and min-max per variant (wall and CPU), the
# 10-trial run's wall time, and the median per-round difference B - A.
# usage: [REPS=N] bench/trial_cost.sh [--slope] A B [ROUNDS]
set -euo pipefail
slope=
[ "${1:-}" = --slope ] && slope=1 && shift
[ $# -ge 2 ] || { echo "usage: [REPS=N] trial_cost.sh [--slope] A B [ROUNDS]" >&2; exit 2; }
rounds=${3:-9}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "trial_cost.sh: ROUNDS=$rounds: not a positive number" >&2; exit 2; }
reps=${REPS:-5}
[[ $reps =~ ^[1-9][0-9]*$ ]] || { echo "trial_cost.sh: REPS=$reps: not a positive number" >&2; exit 2; }
out=$(mktemp -d /tmp/as_trial_cost.XXXXXX)
trap 'rm -rf "$out"' EXIT
# one run of variant $1 (A or B) with $2 repetitions: a line "V REPS ROUND
# WALL CPU" in $out/t
one() {
  local spec=$3 sys=perf t0
  [[ $spec == *:* ]] && sys=${spec##*:} && spec=${spec%:*}
  t0=$(date +%s.%N)
  /usr/bin/time -f '%U %S' -o "$out/cpu" "$spec/harness/allocscope" run -q --no-plot \
    -a glibc,null -w random:ops=1000,live=100 -r "$2" --min-time 0 --syscalls "$sys" \
    -o "$out/run" > /dev/null
  echo "$1 $2 $r $(echo "$(date +%s.%N) - $t0" | bc) $(awk '{ print $1 + $2 }' "$out/cpu")" >> "$out/t"
  rm -rf "$out/run"
}
for ((r = 0; r < rounds; r++)); do
  for v in A B; do
    spec=$1
    [ $v = B ] && spec=$2
    if [ -z "$slope" ]; then
      one $v "$reps" "$spec"
    elif ((r % 2)); then
      one $v 10 "$spec" && one $v 5 "$spec"
    else
      one $v 5 "$spec" && one $v 10 "$spec"
    fi
  done
done
# median and min-max of the numbers on stdin: "MED LO HI"
stats() {
  sort -g | awk '{ x[NR] = $1 } END {
    med = NR % 2 ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2
    print med, x[1], x[NR] }'
}
name() { [ "$1" = A ] && echo "$A" || echo "$B"; }
A=$1 B=$2
if [ -n "$slope" ]; then
  echo "cost of one more trial: (20-trial run - 10-trial run) / 10, $rounds rounds; load after: $(cut -d' ' -f1-3 /proc/loadavg)"
  for v in A B; do
    # per round: wall and CPU slope in ms per trial
    awk -v v=$v '$1 == v { k = $3; if ($2 == 10) { w20[k] = $4; c20[k] = $5 } else { w10[k] = $4; c10[k] = $5 } }
      END { for (k in w10) print k, (w20[k] - w10[k]) * 100, (c20[k] - c10[k]) * 100 }' "$out/t" |
      sort -n > "$out/s$v"
    read -r wm wl wh <<< "$(cut -d' ' -f2 "$out/s$v" | stats)"
    read -r cm cl ch <<< "$(cut -d' ' -f3 "$out/s$v" | stats)"
    read -r tm tl th <<< "$(awk -v v=$v '$1 == v && $2 == 5 { print $4 }' "$out/t" | stats)"
    printf "  %s (%s): %.1f ms per trial wall (%.1f .. %.1f), %.1f ms CPU (%.1f .. %.1f); 10-trial run %.3f s (%.3f - %.3f)\n" \
      $v "$(name $v)" "$wm" "$wl" "$wh" "$cm" "$cl" "$ch" "$tm" "$tl" "$th"
  done
  paste -d' ' "$out/sA" "$out/sB" | awk '{ print $5 - $2 }' | stats |
    awk '{ printf "  B - A per round: median %+.1f ms per trial (%+.1f .. %+.1f)\n", $1, $2, $3 }'
  exit 0
fi
echo "$((2 * reps))-trial tiny run, $rounds interleaved pairs; load after: $(cut -d' ' -f1-3 /proc/loadavg)"
for v in A B; do
  # CPU time (user + system of the run and the workers it reaped): what an
  # idle machine's wall time is made of, and far less moved by load
  awk -v v=$v '$1 == v { print $5 }' "$out/t" | stats |
    awk -v v=$v '{ printf "  %s CPU: %.3f s median (%.3f - %.3f)\n", v, $1, $2, $3 }'
  awk -v v=$v '$1 == v { print $4 }' "$out/t" | stats |
    awk -v v=$v -v n=$((2 * reps)) -v p="$(name $v)" '{
      printf "  %s (%s): %.3f s median (%.3f - %.3f), %.1f ms per trial, %.0f trials/s\n",
        v, p, $1, $2, $3, $1 * 1000 / n, n / $1 }'
done
awk '{ t[$3, $1] = $4 } END { for (r = 0; t[r, "A"] != ""; r++) print t[r, "B"] - t[r, "A"] }' "$out/t" |
  stats | awk '{ printf "  B - A per pair: median %+.3f s (%+.3f .. %+.3f)\n", $1, $2, $3 }'
