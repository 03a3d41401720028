#!/usr/bin/env bash
# test_stopped_run.sh - a run suspended (^Z: SIGSTOP to its process group,
# the worker with it) for longer than --timeout, then continued: its trial
# is not killed as late. Until session 25 the parent's deadline ran on
# while it stood still and at fg the row became "timeout: killed after 3
# s", a module blamed for a second of its own.
# usage: test_stopped_run.sh ALLOCSCOPE
set -u
as=$(readlink -f "$1")
. "$(dirname "$0")/cli_expect.sh"

setsid "$as" run -a glibc -r 1 --min-time 1 --timeout 3 -o "$tmp/r" --no-plot -q >/dev/null 2>"$tmp/err" &
p=$!
sleep 0.6
kill -STOP -- -"$p"
sleep 4
kill -CONT -- -"$p"
wait "$p"
rc=$?
[ "$rc" -eq 0 ] && ok || { bad "exit $rc, want 0:"; sed 's/^/  | /' "$tmp/err" | head -3 >&2; }
grep -q "^0,0,glibc,.*,ok," "$tmp/r/trials.csv" && ok ||
  bad "the row is not ok: $(cut -d, -f3,10,11 "$tmp/r/trials.csv" | tail -1)"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
