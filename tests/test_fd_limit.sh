#!/usr/bin/env bash
# test_fd_limit.sh - a command that runs trials under an open-file limit
# too low for its workers (ulimit -n 18) is refused in one line naming the
# limit, before a results folder exists. Until session 25 each module's
# probe "exited with status 127" (its worker could not move its
# descriptors) and every row blamed the module: exit 1, a folder of
# worker_error rows. At the minimum the run is ok; commands that run no
# trial are not refused.
# usage: test_fd_limit.sh ALLOCSCOPE
set -u
as=$(readlink -f "$1")
. "$(dirname "$0")/cli_expect.sh"

(ulimit -n 18; "$as" run -a null -r 1 -o "$tmp/low" --no-plot >"$tmp/out" 2>"$tmp/err")
rc=$?
[ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "open-file limit (ulimit -n) is 18" "$tmp/err" && ok ||
  { bad "ulimit -n 18: exit $rc, want 2 and one line naming the limit:"; sed 's/^/  | /' "$tmp/err" | head -3 >&2; }
[ ! -e "$tmp/low" ] && ok || bad "ulimit -n 18: a results folder was made: $(ls "$tmp/low" | tr '\n' ' ')"
(ulimit -n 18; "$as" list >/dev/null 2>&1 && "$as" run --help >/dev/null 2>&1) && ok ||
  bad "ulimit -n 18: list or run --help refused"
(ulimit -n 64; "$as" run -a null -r 1 -o "$tmp/min" --no-plot -q >/dev/null 2>"$tmp/err")
rc=$?
[ "$rc" -eq 0 ] && grep -q ",ok," "$tmp/min/trials.csv" && ok ||
  { bad "ulimit -n 64: exit $rc, want an ok row:"; sed 's/^/  | /' "$tmp/err" | head -3 >&2; }

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
