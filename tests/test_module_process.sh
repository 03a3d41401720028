#!/usr/bin/env bash
# test_module_process.sh - what a module does to the process it runs in
# stays in that process. A worker's stdout and stderr are the run's own open
# file descriptions (shared with the caller's terminal or pipe), so a module
# that made them non-blocking left the caller's stdout and stderr, and the
# shell's terminal, non-blocking after allocscope ended (found by an
# adversarial-module review: a later reader of the terminal gets EAGAIN, a
# writer to a full pipe loses output).
# Usage: test_module_process.sh ALLOCSCOPE MODS_DIR
set -u
as=$1 mods=$2
. "$(dirname "$0")/cli_expect.sh"

# nonblock_of FD: 1 when this shell's FD is O_NONBLOCK (04000 in fdinfo)
nonblock_of() {
  local fl
  fl=$(awk '/^flags:/ {print $2}' "/proc/$$/fdinfo/$1")
  [ $((0$fl & 04000)) -ne 0 ] && echo 1 || echo 0
}

# run, check: the caller's descriptions keep their flags
exec 3>"$tmp/log"
"$as" run -q --no-plot --no-quick-check -r 1 -a null,"$mods/broken_nonblock.so" \
  -w random:ops=10000 --sample-every 1 -o "$tmp/nb" >&3 2>&3
rc=$?
# and its report, megabytes of series rows, still arrives whole through the
# result pipe it made non-blocking (before: a write met a full pipe,
# EAGAIN, and the worker gave up: "exited with status 3")
[ $rc -eq 0 ] && ok || { bad "run of broken_nonblock: exit $rc (want 0)"; cat "$tmp/log" >&2; }
[ "$(nonblock_of 3)" = 0 ] && ok || bad "run: the module left the caller's stdout/stderr O_NONBLOCK"
exec 3>&-
exec 3>"$tmp/log"
"$as" check --timeout 20 "$mods/broken_nonblock.so" >&3 2>&3
[ "$(nonblock_of 3)" = 0 ] && ok || bad "check: the module left the caller's stdout/stderr O_NONBLOCK"
exec 3>&-

# a module that stops itself (SIGSTOP) holds off the alarm that ends a
# hung check: the check's parent kills it, and that is a hang, not a
# crash (before: "crashed on signal 9 (Killed)"), at the alarm's time
# (until session 33 10 s after it, half of this test's time); a trial's
# worker is timed by the run, as any hang
AS_BROKEN_ONCE=$tmp/stopped "$as" check --timeout 1 "$mods/broken_stop.so" >"$tmp/out" 2>&1
if grep -qE "^  FAIL .*: hung: killed after 1 s: it was stopped \(SIGSTOP" "$tmp/out" &&
  ! grep -q "signal 9" "$tmp/out"; then ok; else
  bad "check of a module that stops itself:"; sed 's/^/  | /' "$tmp/out" >&2
fi
# and its row says it was stopped (until session 27 it read as any hang);
# the sampling it did before it stopped, when 10 ms or more, is said last
# (test_timeout_reason)
expect 1 "timeout: killed after 2 s: it was stopped \(SIGSTOP" run -q --no-plot --no-quick-check -r 1 --timeout 2 \
  -a null,"$mods/broken_stop.so" -w random:ops=2000 -o "$tmp/stop"

# a module that closes every descriptor from 3 up closes the worker's
# result pipe: the reason says so (before: "worker exited with status 3
# without a result", and nothing said what 3 meant). It closes them in
# every alloc past its first 4 KiB: live=100, not 10,000 (12,000 allocs of
# 1,021 close calls each took 3 s a run)
expect 1 "worker_error: worker exited with status 3 without a result: it could not write to \
its result pipe" run -q --no-plot --no-quick-check -r 1 -a null,"$mods/broken_close_fds.so" \
  -w random:ops=100,live=100 -o "$tmp/closed"
expect 1 "FAIL .*: no result from the check process: it could not write to its result pipe" \
  check --timeout 20 "$mods/broken_close_fds.so"

# check: what a module prints on stdout goes to stderr, as in a run (before:
# between the PASS and FAIL lines of check's report)
"$as" check --timeout 20 "$mods/broken_chatty.so" >"$tmp/out" 2>"$tmp/err"
if ! grep -q "chatty module" "$tmp/out" && grep -q "chatty module" "$tmp/err" &&
  grep -q "^  FAIL alignment" "$tmp/out"; then ok; else
  bad "check of a module printing on stdout: stdout:"; sed 's/^/  | /' "$tmp/out" >&2
fi

# a module whose constructor changes the directory: a replay's relative
# trace path is the caller's (before: "workload trace: t.csv: No such file
# or directory", a workload_error blaming the trace)
{
  echo "op,thread,id,size_bytes,align_bytes,time_ns"
  for i in $(seq 0 199); do echo "malloc,0,$i,$((16 + i)),0,$i"; done
  for i in $(seq 0 199); do echo "free,0,$i,0,0,$((1000 + i))"; done
} >"$tmp/t.csv"
(cd "$tmp" && "$as" replay t.csv -q --no-plot --no-quick-check -r 1 \
  -a null,"$mods/broken_ctor_chdir.so" -o ctorcd >out 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ "$(grep -c ',ok,' "$tmp/ctorcd/trials.csv")" -eq 2 ]; then ok; else
  bad "replay of a relative trace with a module that chdirs: exit $rc"; sed 's/^/  | /' "$tmp/out" >&2
fi

# a constructor that closes every descriptor from 3 up closes the pipe the
# loading child answers on: the line says so (before: "loading it crashed
# (signal 9, Killed)" or "ended the process (exit status 0) ... its
# params_env() ... exits", as the race between its exit and the kill went)
cc="loading it closed the pipe it answers on .*did a constructor of it .*close descriptors it did not open"
expect 1 "$cc" run -q --no-plot -r 1 -a null,"$mods/broken_ctor_close.so" -w random:ops=2000 \
  -o "$tmp/cclose"
expect 2 "$cc" check --timeout 20 "$mods/broken_ctor_close.so"

# a create that leaves room for one descriptor: the worker cannot open all
# its /proc files, and says so (before: /proc/self/statm was not opened,
# and the row was ok with rss_before_kib -1, rss_peak_kib 0)
expect 1 "worker_error: cannot map the harness's buffers or open its /proc files: Too many \
open files" run -q --no-plot --no-quick-check -r 1 -a null,"$mods/broken_nofile.so" \
  -w random:ops=2000 -o "$tmp/nofile"

# the same from fd 4 up: the result pipe stays, the worker's /proc files
# go; the row fails, it is not ok with an RSS at the end of -1 and peaks
# from before the close (before: ok, exit 0)
AS_BROKEN_CLOSE_FROM=4 expect 1 "worker_error: .*could not read its /proc files" \
  run -q --no-plot --no-quick-check -r 1 -a null,"$mods/broken_close_fds.so" \
  -w random:ops=100,live=100 -o "$tmp/closed4"

# check: a module that reads stdin reads nothing of the caller's (a
# `while read m; do allocscope check "$m"; done <list` lost its list), as
# in a run's workers, whose stdin is /dev/null
printf 'first\nsecond\n' >"$tmp/list"
{
  "$as" check --timeout 20 "$mods/broken_read_stdin.so" >/dev/null 2>&1
  read -r line
  [ "$line" = first ] && ok || bad "check: the module read the caller's stdin (left: '$line')"
} <"$tmp/list"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
