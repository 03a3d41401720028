#!/usr/bin/env bash
# test_disturb_mem.sh - a slow spell that takes memory-system capacity, not
# CPU time, is told apart: `run -t 1 --pin compact -r 9` with a memory-
# bandwidth hog (python3 copying 256 MiB over and over) pinned on another
# CPU during repetitions 2-6, most of the group, as the host's spells last
# (docs/measure.md "Disturbed trials"). The trial waits for no CPU, so only
# thread 0's time per sample can flag it (disturb.h): every repetition over
# 1.5 x the group's fastest ns/op (issue 12's spread target) must be
# disturbed, but for one at most 1.6 x (below), which leaves the spread
# without the disturbed within 1.6, and within 1.5 in most runs.
# Repetitions at 1.4-1.5 x are not all caught: CI of 5afb868's ASan build
# left one at 1.42 x unflagged (it waited 4.7 % of its time for a CPU,
# under the wait rule's 10 %), a local run one at 1.43 x. Skipped (77)
# when there is one CPU, when the machine is busy (the fastest repetition
# waited over 2 % of its time for a CPU: the wait rule would decide, not
# this one), or when the hog did not slow the trial by 1.25 x (nothing to
# catch: on session 17's machine, 300 MiB of L3, the hog slowed it 1.03-
# 1.1 x and the test skipped in most runs).
# usage: test_disturb_mem.sh ALLOCSCOPE
set -u
as=$1
. "$(dirname "$0")/cli_expect.sh"
export CI=1
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }
[ "$(nproc)" -ge 2 ] || { echo "skipped: one CPU"; exit 77; }
. "$(dirname "$0")/hogs.sh"

"$as" run --no-plot -a glibc -w larson -t 1 --pin compact --min-time 0.05 -r 9 \
  --force -o "$tmp/d" >"$tmp/run.out" 2>&1 &
run=$!
until [ "$(rows)" -ge 2 ] || ! kill -0 $run 2>/dev/null; do sleep 0.05; done
other=$(awk -v c="$(trial_cpu)" 'BEGIN {print c == 0 ? 1 : 0}')
taskset -c "$other" python3 -c '
b = bytearray(256 << 20)
while True:
    c = bytes(b)' &
hogs+=($!)
until [ "$(rows)" -ge 7 ] || ! kill -0 $run 2>/dev/null; do sleep 0.05; done
stop_hogs
wait $run
rc=$?
[ $rc -eq 0 ] && ok || { bad "run exit $rc:"; sed 's/^/  | /' "$tmp/run.out" >&2; }
[ -s "$tmp/d/trials.csv" ] && ok || bad "the run wrote no trials.csv"

# rep, ns/op over the fastest, wait share
awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
  {print $c["rep"], $c["ns_per_op"], $c["wait_ns"] / $c["elapsed_ns"]}' "$tmp/d/trials.csv" |
  sort -k2 -g >"$tmp/reps"
cat "$tmp/reps"
read -r _ fastest wait0 < "$tmp/reps"
awk -v w="$wait0" 'BEGIN {exit !(w > 0.02)}' &&
  skip "machine busy (the fastest repetition waited $wait0 of its time)"
slowest=$(awk '$1 >= 2 && $1 <= 6 {print $2}' "$tmp/reps" | sort -g | tail -1)
awk -v s="$slowest" -v f="$fastest" 'BEGIN {exit !(s < 1.25 * f)}' &&
  skip "the hog slowed no repetition by 1.25 x ($slowest vs $fastest ns/op)"

# a repetition outside the hog's window (2-6) over 1.5 x: the host slowed
# it, which this test neither made nor can tell from its own (the fresh-
# clone CI of e462a92's ASan build: reps 1 and 7 at 2.0 and 2.6 x, none of
# the hog's)
outside=$(awk -v f="$fastest" '($1 < 2 || $1 > 6) && $2 > 1.5 * f {print $1}' "$tmp/reps" | tr '\n' ' ')
[ -z "$outside" ] ||
  skip "repetitions outside the hog's window over 1.5 x the fastest: $outside(the host's)"
# One repetition just over 1.5 x may go unflagged: the per-sample rule's
# calibration missed 2 of its 178 slow trials (disturb.h), a hog that
# slowed the ops but not the sampler's reads; with about 5 repetitions in
# the hog's window that is about one run in 20. The fresh-clone CI of
# 6445d6a's ASan build left one at 1.51 x (its wait 4.5 %) and caught the
# other four (1.54-1.84 x). Two unflagged, or one over 1.6 x, still fail.
slow=$(awk -v f="$fastest" '$2 > 1.5 * f' "$tmp/reps" | wc -l)
dist=$(col "$tmp/d/summary.csv" reps_disturbed)
sp=$(col "$tmp/d/summary.csv" ns_per_op_spread_undisturbed)
[ -n "$dist" ] && [ "$dist" -ge $((slow - 1)) ] 2>/dev/null && ok ||
  bad "reps_disturbed '$dist', $slow repetitions over 1.5 x the fastest"
reps=$(col "$tmp/d/summary.csv" reps_ok)
# empty: fewer than 2 repetitions left undisturbed
[ "$slow" -eq 0 ] || awk -v s="$sp" -v n=$((reps - dist)) \
  'BEGIN {exit !(s == "" ? n < 2 : s <= 1.6)}' && ok ||
  bad "spread without the disturbed '$sp': a repetition over 1.6 x the fastest not flagged"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
