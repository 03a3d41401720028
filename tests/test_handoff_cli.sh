#!/usr/bin/env bash
# test_handoff_cli.sh - trials.csv's handoff_ns and handoff_end_ns (the
# round trip of a cache line between threads 0 and 1 right before and
# right after the timed region, harness/handoff.h) say where a trial's
# threads ran: empty at 1 thread; at 2 threads bound to two CPUs
# (--pin scatter) a cache line's trip (96-477 ns idle here); with the whole
# run held on one CPU (taskset -c 0) two context switches (about 6.4 us),
# whose smallest must read over 3x the bound run's smallest (another
# process may hold a CPU for a while, so only the smallest is judged; the
# rule itself: test_disturb_rule). And handovers: xmalloc's one wait per
# batch, counted per pass (what the waits mean: test_engine_handovers).
# A probe goes unanswered when another task holds the other thread's CPU
# for 20 ms; a run whose 2-thread probes all went so runs again (up to 3
# times); if all three did and after one of them another task held CPU 0
# or 1 (tests/cpu_held, run after each), the probe checks cannot run here:
# skipped (77) once the rest have passed.
# Needs CPUs 0 and 1 and taskset.
# usage: test_handoff_cli.sh ALLOCSCOPE CPU_HELD
set -u
as=$1 cpu_held=$2
. "$(dirname "$0")/cli_expect.sh"
export CI=1
command -v taskset >/dev/null || { echo "skipped: no taskset"; exit 77; }
taskset -c 1 true 2>/dev/null || { echo "skipped: needs CPUs 0 and 1"; exit 77; }
col() { # col FILE NAME: that column of every row, "threads:value"
  awk -F, -v n="$2" 'NR == 1 {for (i = 1; i <= NF; i++) {if ($i == n) c = i; if ($i == "threads") t = i}; next}
    {print $t ":" $c}' "$1"
}
w=xmalloc:batches=5
# answered FILE: whether a 2-thread trial of FILE has both probes' figures
answered() {
  col "$1" handoff_ns | grep -qE '^2:[0-9]+$' && col "$1" handoff_end_ns | grep -qE '^2:[0-9]+$'
}
held="" # why the probe checks could not run, when they could not
# probed DIR ARGS...: runs allocscope ARGS (writing DIR) up to 3 times
# until a probe answered; if none did and after one of the runs another
# task held CPU 0 or 1, sets $held. Returns the last run's exit code.
probed() {
  local dir=$1 rc why=""
  shift
  for _ in 1 2 3; do
    rm -rf "$dir"
    "$@" -o "$dir" >"$tmp/out" 2>&1
    rc=$?
    { [ $rc -ne 0 ] || answered "$dir/trials.csv"; } && return $rc
    "$cpu_held" 0 1 >"$tmp/held" || why=$(tr '\n' ' ' <"$tmp/held")
  done
  [ -n "$why" ] && held="$held${held:+; }$(basename "$dir"): no probe answered in 3 runs; after one, $why"
  return $rc
}

probed "$tmp/apart" "$as" run -q --no-plot -a glibc -w $w -t 1,2 -r 3 --min-time 0 --pin scatter &&
  grep -q "results:" "$tmp/out" && ok || { bad "run --pin scatter:"; sed 's/^/  | /' "$tmp/out" >&2; }
for c in handoff_ns handoff_end_ns; do
  v=$(col "$tmp/apart/trials.csv" $c | tr '\n' ' ')
  echo "$v" | grep -qE '(^| )1:[^ ]' && bad "$c at 1 thread: $v" || ok
    # a number, or empty when the other thread did not answer within 20 ms
  # (another process held its CPU): at least one of 3 answered
  [ "$(col "$tmp/apart/trials.csv" $c | grep -cE '^2:([0-9]+)?$')" -eq 3 ] && ok || bad "$c at 2 threads: $v"
  [ -n "$held" ] || { [ "$(col "$tmp/apart/trials.csv" $c | grep -cE '^2:[0-9]+$')" -ge 1 ] && ok ||
    bad "$c at 2 threads, none answered: $v"; }
done
# handovers: the consumer's one wait per batch (5; the producer never
# waits with the queue as deep as the batches), once per pass; empty at
# 1 thread; handovers_waited a count up to handovers
v=$(paste -d: <(col "$tmp/apart/trials.csv" handovers) <(col "$tmp/apart/trials.csv" handovers_waited |
  cut -d: -f2) <(col "$tmp/apart/trials.csv" passes | cut -d: -f2) | tr '\n' ' ')
[ "$(echo "$v" | tr ' ' '\n' | grep -c '^1:::1$')" -eq 3 ] && ok || bad "handovers at 1 thread: $v"
[ "$(echo "$v" | tr ' ' '\n' | awk -F: '$1 == 2 && $2 == 5 * $4 && $3 ~ /^[0-9]+$/ && $3 <= $2' | wc -l)" -eq 3 ] &&
  ok || bad "handovers at 2 threads (want 5 per pass, waited <= that): $v"
# bench/spread.sh prints the range of the waited share: at 2 threads a
# range of two shares in [0, 1], at 1 thread none ("-")
"$(dirname "$0")/../bench/spread.sh" "$tmp/apart" >"$tmp/spread.out" 2>&1
awk '$1 == "xmalloc:batches=5" && $2 == 2 {f2 = 1; if ($9 !~ /^[01]\.[0-9][0-9]-[01]\.[0-9][0-9]$/) x = 1}
  $1 == "xmalloc:batches=5" && $2 == 1 {f1 = 1; if ($9 != "-") x = 1}
  END {exit x || !f1 || !f2}' "$tmp/spread.out" && head -1 "$tmp/spread.out" | awk '{exit $9 != "waited"}' &&
  ok || { bad "spread.sh's waited column:"; sed 's/^/  | /' "$tmp/spread.out" >&2; }
# the smallest answer (an unanswered probe is empty, and sort -n puts it first)
apart=$(col "$tmp/apart/trials.csv" handoff_end_ns | sed -n 's/^2:\([0-9]\)/\1/p' | sort -n | head -1)
[ -n "$held" ] || { [ -n "$apart" ] && [ "$apart" -lt 20000 ] && ok || bad "apart: handoff_end_ns '$apart'"; }

probed "$tmp/one" taskset -c 0 "$as" run -q --no-plot -a glibc -w $w -t 2 -r 3 --min-time 0 &&
  ok || { bad "taskset -c 0 run:"; sed 's/^/  | /' "$tmp/out" >&2; }
one=$(col "$tmp/one/trials.csv" handoff_end_ns | sed -n 's/^2:\([0-9]\)/\1/p' | sort -n | head -1)
[ -n "$held" ] || { [ -n "$one" ] && [ -n "$apart" ] && [ "$one" -gt $((3 * apart)) ] && ok ||
  bad "one CPU: handoff_end_ns '$one', not over 3 x apart '$apart'"; }

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] || exit 1
[ -z "$held" ] || { echo "skipped: the probe checks: $held"; exit 77; }
