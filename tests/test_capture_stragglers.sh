#!/usr/bin/env bash
# test_capture_stragglers.sh - a program that leaves a process running
# when it ends (a background job, a daemon, git's detached gc): capture
# says so in one line, writes the program's trace, and leaves no spool
# folder behind once that process has ended. Until review-h it said
# nothing, and the straggler's spools (128 MiB sparse files each) stayed
# in a ".allocscope-capture-XXXXXX" folder next to the trace.
# Usage: test_capture_stragglers.sh ALLOCSCOPE
set -u
as=$(readlink -f "$1")
. "$(dirname "$0")/cli_expect.sh"
cd "$tmp" || exit 1
"$as" capture -o bg.ast -- sh -c '(sleep 0.3; ls / >/dev/null; touch done) & exit 0' \
  >out 2>err
rc=$?
[ $rc -eq 0 ] && [ -s bg.ast ] && ok || bad "exit $rc, bg.ast $(ls -s bg.ast 2>&1): $(cat err)"
n=$(grep -c "^allocscope capture: 1 process sh started was still running when it ended (first: pid [0-9]*): what it does from then on is in no trace$" err)
[ "$n" -eq 1 ] && ok || bad "no line for the process still running: $(cat err)"
for i in $(seq 100); do [ -e done ] && break; sleep 0.1; done
sleep 0.3
[ -e done ] && ok || bad "the background job did not finish"
left=$(ls -A | grep '^\.allocscope-capture-')
[ -z "$left" ] && ok || bad "left behind: $left ($(ls -A "$left" | tr '\n' ' '))"
# no false alarm: a pipeline whose processes all end with the program
"$as" capture -o p.ast -- sh -c 'ls / | wc -l' >out 2>err
rc=$?
[ $rc -eq 0 ] && ! grep -q "still running" err && ok || bad "pipeline: exit $rc: $(cat err)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
