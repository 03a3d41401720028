#!/usr/bin/env bash
# test_disturb_stretch.sh - -r auto's stretch: a trial group with fewer
# than 6 undisturbed repetitions when its reps have taken --max-time goes
# on, a disturbed repetition run again, until they have taken 3 x
# --max-time (runner.c settled(), AS_AUTO_SHORT_STRETCH). `run -t 1 --pin
# compact --max-time 1` with CPU hogs pinned on the trial's CPU from the
# 3rd repetition on: those wait for the CPU and are disturbed (their wait
# share over the run's smallest, that of the first two, + 0.1), so the
# group never has 6 undisturbed. It must run past 1 s of trials' wall
# time, stop once they have taken 3 s (or at the 30 allowed), and say
# so: context.csv's repetitions_stopped counts it among the groups stopped
# by --max-time with fewer than 6 undisturbed, and a console line counts it.
# Until session 17 the group stopped at --max-time with 2 undisturbed.
# usage: test_disturb_stretch.sh ALLOCSCOPE
set -u
as=$1
. "$(dirname "$0")/cli_expect.sh"
export CI=1
. "$(dirname "$0")/hogs.sh"

max=1
"$as" run --no-plot -a glibc -w larson -t 1 --pin compact --min-time 0.05 --max-time $max \
  --ci 100% --force -o "$tmp/d" >"$tmp/run.out" 2>&1 &
run=$!
until [ "$(rows)" -ge 2 ] || ! kill -0 $run 2>/dev/null; do sleep 0.01; done
cpu_hogs "$(trial_cpu)"
wait $run
rc=$?
stop_hogs
[ $rc -eq 0 ] && ok || { bad "run exit $rc:"; sed 's/^/  | /' "$tmp/run.out" >&2; }
[ -s "$tmp/d/summary.csv" ] && ok || bad "the run wrote no summary.csv"

reps=$(col "$tmp/d/summary.csv" reps_ok)
dist=$(col "$tmp/d/summary.csv" reps_disturbed)
# the hogs must have disturbed all but the first 2 or so; else nothing to check
[ -n "$dist" ] && [ $((reps - dist)) -lt 6 ] 2>/dev/null ||
  skip "the hogs left $((reps - dist)) of $reps repetitions undisturbed"
# the trials' wall time before the last one started, and all of it (to the
# microsecond: at 3 decimals 2.9996 s printed as 3.000 and failed the
# check below once in CI, session 21)
read -r before all < <(col "$tmp/d/trials.csv" wall_ns |
  awk '{s += $1; last = $1} END {printf "%.6f %.6f\n", (s - last) / 1e9, s / 1e9}')
awk -v b="$before" -v m=$max 'BEGIN {exit !(b >= m)}' && ok ||
  bad "the last repetition started after ${before} s of trials: not past --max-time $max ($reps reps, $dist disturbed)"
# the 6 every group runs took 3 x --max-time already (a slow build): no stretch to see
[ "$reps" -le 6 ] && awk -v b="$before" -v m=$max 'BEGIN {exit !(b >= 3 * m)}' &&
  skip "the first 6 repetitions took $before s, over 3 x --max-time $max"
[ "$reps" -ge 30 ] || awk -v b="$before" -v a="$all" -v m=$max 'BEGIN {exit !(b < 3 * m && a >= 3 * m)}' && ok ||
  bad "trials took $before s before the last, $all s in all: not stopped at 3 x --max-time ($reps reps)"
grep -q 'by --max-time (1 of them with fewer than 6 undisturbed' "$tmp/d/context.csv" && ok ||
  bad "repetitions_stopped: $(grep repetitions_stopped "$tmp/d/context.csv")"
grep -qE '^\(1 group\(s\) kept fewer than 6 undisturbed repetitions, n above' "$tmp/run.out" && ok ||
  { bad "no line naming the group left short:"; sed 's/^/  | /' "$tmp/run.out" >&2; }

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
