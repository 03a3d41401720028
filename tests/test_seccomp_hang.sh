#!/usr/bin/env bash
# test_seccomp_hang.sh - a module that hangs making memory system calls in
# two threads, counted with --syscalls seccomp: its trial ends at its
# --timeout. Each such call is a ptrace stop the run handles, and with two
# threads one is always pending: the tracer's loop never returned to look
# at the deadline, and the run hung for ever (review of session 25; the
# deadline moved for a run that stood still counted that loop's time as
# standing still too). Skipped where seccomp cannot count.
# usage: test_seccomp_hang.sh ALLOCSCOPE MODS_DIR
set -u
as=$(readlink -f "$1") mods=$2
. "$(dirname "$0")/cli_expect.sh"

timeout -s KILL 40 "$as" run -a "$mods/spin_syscalls.so" -w random:ops=100000 -t 2 \
  --timeout 2 --syscalls seccomp -r 1 --no-quick-check --no-plot -q -o "$tmp/r" \
  >/dev/null 2>"$tmp/err"
rc=$?
if grep -q "seccomp" "$tmp/err" && ! grep -q "timeout" "$tmp/r/trials.csv" 2>/dev/null && [ "$rc" -eq 2 ]; then
  echo "skipped: seccomp counting refused here: $(head -1 "$tmp/err")"
  echo "0 passed, 0 failed"
  exit 77
fi
[ "$rc" -ne 137 ] && ok || bad "the run still ran 40 s later under --timeout 2 (killed)"
# the reason is quoted when it says how long sampling took (it has a comma)
grep -q ',timeout,"\?killed after 2 s' "$tmp/r/trials.csv" 2>/dev/null && ok ||
  bad "no timeout row: exit $rc: $(tail -c 300 "$tmp/r/trials.csv" 2>/dev/null) $(head -3 "$tmp/err")"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
