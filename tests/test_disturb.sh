#!/usr/bin/env bash
# test_disturb.sh - a trial the machine slowed is told apart and run again:
# `run -t 1 --pin compact` (-r auto) with CPU hogs pinned on the trial's CPU
# during one repetition only (started when 2 rows are in trials.csv,
# stopped at the 3rd). That repetition's threads wait for the CPU
# (trials.csv wait_ns), so it is disturbed (disturb.h): summary.csv counts
# it (reps_disturbed) and gives the spread without it, the console says so,
# and -r auto runs the group again: with --ci 100% (any 6 repetitions
# settle a group) it stops at 6 unless one of them was disturbed. The
# table's n and summary.csv's statistics leave the disturbed one out.
# usage: test_disturb.sh ALLOCSCOPE
set -u
as=$1
. "$(dirname "$0")/cli_expect.sh"
export CI=1
. "$(dirname "$0")/hogs.sh"

start=$SECONDS
"$as" run --no-plot -a glibc -w larson -t 1 --pin compact --min-time 0.05 --max-time 8 --ci 100% \
  --force -o "$tmp/d" >"$tmp/run.out" 2>&1 &
run=$!
until [ "$(rows)" -ge 2 ] || ! kill -0 $run 2>/dev/null; do sleep 0.01; done
cpu_hogs "$(trial_cpu)"
until [ "$(rows)" -ge 3 ] || ! kill -0 $run 2>/dev/null; do sleep 0.01; done
stop_hogs
wait $run
rc=$?
took=$((SECONDS - start))
[ $rc -eq 0 ] && ok || { bad "run exit $rc:"; sed 's/^/  | /' "$tmp/run.out" >&2; }

# the figures: numbers in every row, the hogged repetition waited longest
col "$tmp/d/trials.csv" canary_ns | grep -qvE '^[0-9]+$' && bad "canary_ns: $(col "$tmp/d/trials.csv" canary_ns | tr '\n' ' ')" || ok
col "$tmp/d/trials.csv" wait_ns | grep -qvE '^[0-9]+$' && bad "wait_ns: $(col "$tmp/d/trials.csv" wait_ns | tr '\n' ' ')" || ok
# the hogged repetition is disturbed by disturb.h's rule: its share of
# time waiting for a CPU over the run's smallest share + 0.1
share() {
  awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
    {print $c["rep"], $c["wait_ns"] / $c["elapsed_ns"]}' "$tmp/d/trials.csv"
}
least=$(share | awk '{print $2}' | sort -g | head -1)
hog=$(share | awk '$1 == 2 {print $2}')
awk -v h="$hog" -v m="$least" 'BEGIN {exit !(h > m + 0.1)}' && ok ||
  bad "rep 2 (hogged) waited $hog of its time, the least $least: not disturbed"

# the summary counts it and -r auto ran the group again
dist=$(col "$tmp/d/summary.csv" reps_disturbed)
reps=$(col "$tmp/d/summary.csv" reps_ok)
[ -n "$dist" ] && [ "$dist" -ge 1 ] && ok || bad "summary.csv reps_disturbed: '$dist'"
# (unless --max-time 8 ended the group: a loaded machine, the sanitizer
# build, where most repetitions are disturbed and slow)
[ -n "$reps" ] && { [ "$reps" -ge 7 ] || [ "$took" -ge 8 ]; } 2>/dev/null && ok ||
  bad "summary.csv reps_ok $reps (reps_disturbed $dist) in $took s: the disturbed one not run again"
# the spread without them: a number, or empty when fewer than 2 repetitions
# were undisturbed (a loaded machine disturbs most of them)
sp=$(col "$tmp/d/summary.csv" ns_per_op_spread_undisturbed)
head -1 "$tmp/d/summary.csv" | grep -q ',ns_per_op_spread_undisturbed' &&
  { echo "$sp" | grep -qE '^[0-9.]+(e[-+]?[0-9]+)?$' ||
    { [ -z "$sp" ] && [ $((reps - dist)) -lt 2 ] 2>/dev/null; }; } && ok ||
  bad "ns_per_op_spread_undisturbed '$sp' with $reps reps, $dist disturbed"
# the table's n and summary.csv's ns/op max/min are the kept repetitions':
# the disturbed left out, unless fewer than 2 were undisturbed (a loaded
# machine): then every one is kept (disturb.h, the floor of 2 since 650e9a6)
kept=$((reps - dist))
[ "$kept" -ge 2 ] || kept=$reps
n=$(awk '$1 == "glibc" && $2 == "larson" && $4 == "ok" {print $5}' "$tmp/run.out")
[ "$n" = "$kept" ] && ok || bad "table n '$n', want $kept ($reps ok, $dist disturbed)"
mm=$(awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
  {print $c["ns_per_op_max"] / $c["ns_per_op_min"]}' "$tmp/d/summary.csv")
[ "$kept" -lt "$reps" ] && [ -n "$sp" ] && { awk -v a="$mm" -v b="$sp" 'BEGIN {exit !(a - b < 1e-3 && b - a < 1e-3)}' && ok ||
  bad "summary ns/op max/min $mm, the undisturbed spread $sp"; }
# which repetitions were left out: summary.csv reps_left_out names them,
# the hogged rep 2 among them (session 19; before, no file said which)
left=$(col "$tmp/d/summary.csv" reps_left_out)
if [ "$kept" -lt "$reps" ]; then
  echo " $left " | grep -q " 2 " && [ "$(echo $left | wc -w)" -eq $((reps - kept)) ] && ok ||
    bad "reps_left_out '$left': want rep 2 among $((reps - kept))"
  # and the rule that took each: rep 2 waited for a CPU (session 20)
  rules=$(col "$tmp/d/summary.csv" reps_left_out_rules)
  echo " $rules " | grep -q " 2:wait " && [ "$(echo $rules | wc -w)" -eq $((reps - kept)) ] && ok ||
    bad "reps_left_out_rules '$rules': want 2:wait among $((reps - kept))"
  grep -qE "^\(disturbed: .*by rule: ([a-z-]+ [0-9]+, )*wait [1-9]" "$tmp/run.out" && ok ||
    bad "the console's disturbed line gives no count for the wait rule"
else
  [ -z "$left" ] && ok || bad "reps_left_out '$left' with every repetition kept"
fi
grep -qE "^\(disturbed: [1-9][0-9]* of [0-9]+ ok trials ran while the machine was slow" "$tmp/run.out" && ok ||
  { bad "no disturbed line:"; sed 's/^/  | /' "$tmp/run.out" >&2; }
# the charts' time table (report.md) keeps the same repetitions and gives
# summary.csv's median (until session 19 it kept the disturbed too)
"$as" plot "$tmp/d" -o "$tmp/p" >"$tmp/plot.out" 2>&1 && ok || bad "plot: $(cat "$tmp/plot.out")"
med=$(col "$tmp/d/summary.csv" ns_per_op_median)
trow=$(grep -m1 -E '^\| larson \| glibc \| [0-9]+ \| ' "$tmp/p/report.md" 2>/dev/null)
tn=$(echo "$trow" | awk -F'|' '{gsub(/ /, "", $4); print $4}')
tmed=$(echo "$trow" | awk -F'|' '{gsub(/ /, "", $5); print $5}')
[ "$tn" = "$kept" ] && awk -v a="$tmed" -v b="$med" 'BEGIN {exit !(a > 0 && (a - b) / b < 0.005 && (b - a) / b < 0.005)}' &&
  ok || bad "report.md time row '$trow': want n $kept, median $med (summary.csv)"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
