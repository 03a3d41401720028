#!/usr/bin/env bash
# test_noisy_cli.sh - a run whose machine was noisy says so under its table
# when it has multi-thread trials (disturb.h AS_NOISY_SHARE): `run -t 1,2
# -r 12` of two modules (24 1-thread trials, AS_NOISY_MIN_TRIALS is 20)
# with four CPU hogs running through repetitions 2-6 only, so those
# repetitions' 1-thread trials wait for a CPU and are disturbed (over 15 %
# of them), which the console's "a noisy machine" line reports. The same run without hogs on an
# idle machine prints no such line (checked only when its 1-thread trials
# were not disturbed: a busy CI machine may be noisy indeed).
# usage: test_noisy_cli.sh ALLOCSCOPE
set -u
as=$1
. "$(dirname "$0")/cli_expect.sh"
export CI=1
hogs=()
stop_hogs() { for p in "${hogs[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; hogs=(); }
trap 'stop_hogs; rm -rf "$tmp"' EXIT
rows() { [ -f "$tmp/d/trials.csv" ] && echo $(($(wc -l <"$tmp/d/trials.csv") - 1)) || echo 0; }
args=(--no-plot -a glibc,jemalloc -w random:ops=20000 -t 1,2 -r 12 --min-time 0.02)

"$as" run "${args[@]}" --force -o "$tmp/d" >"$tmp/run.out" 2>&1 &
run=$!
# 4 trials a repetition: the hogs from repetition 2 to 6
until [ "$(rows)" -ge 8 ] || ! kill -0 $run 2>/dev/null; do sleep 0.01; done
for i in 1 2 3 4; do bash -c 'while :; do :; done' & hogs+=($!); done
until [ "$(rows)" -ge 28 ] || ! kill -0 $run 2>/dev/null; do sleep 0.01; done
stop_hogs
wait $run
rc=$?
[ $rc -eq 0 ] && ok || { bad "run exit $rc:"; sed 's/^/  | /' "$tmp/run.out" >&2; }
grep -qE '^\(a noisy machine: [0-9]+ % of the 24 ok 1-thread trials were disturbed; in such runs the multi-thread trials ran slowed too' "$tmp/run.out" && ok ||
  { bad "no noisy-machine line:"; sed 's/^/  | /' "$tmp/run.out" >&2; }

# without hogs: no line, unless the machine disturbed the 1-thread trials
"$as" run "${args[@]}" --force -o "$tmp/q" >"$tmp/quiet.out" 2>&1 || bad "quiet run failed"
d1=$(awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next} $c["threads"] == 1 {s += $c["reps_disturbed"]} END {print s + 0}' "$tmp/q/summary.csv")
if [ "$d1" -lt 3 ]; then
  grep -q '^(a noisy machine' "$tmp/quiet.out" && bad "a noisy line with $d1 of 24 disturbed" || ok
else
  echo "the quiet run's check skipped: the machine disturbed $d1 of its 24 1-thread trials"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
