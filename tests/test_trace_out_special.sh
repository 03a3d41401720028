#!/usr/bin/env bash
# test_trace_out_special.sh - a trace output path that is no regular file (a
# pipe here; /dev/null or /dev/full for a user running as root) is refused
# in one line with exit 2 and left as it is, by `trace convert`, `trace
# import` and `capture` (before the program runs). Every trace is written
# beside its path and renamed over it: until this test, a rename replaced
# the device or pipe with the trace (`trace convert x.ast /dev/full` as
# root left a regular file at /dev/full, exit 0).
# usage: test_trace_out_special.sh ALLOCSCOPE
set -u
as=$(readlink -f "$1")
. "$(dirname "$0")/cli_expect.sh"
cd "$tmp" || exit 1
printf 'op,thread,id,size_bytes,align_bytes,time_ns\nmalloc,0,1,24,0,0\nfree,0,1,0,0,5\n' >ok.csv
printf '= Start\n@ ./p:[0x1] + 0x10 0x18\n@ ./p:[0x1] - 0x10\n= End\n' >ok.mtrace
mkfifo pipe || exit 1

# is_pipe WHAT: pipe is still the pipe, and nothing was left beside it
is_pipe() {
  if [ -p pipe ]; then ok; else bad "$1: pipe replaced: $(ls -l pipe)"; fi
  if ls pipe.tmp.* >/dev/null 2>&1; then bad "$1: left $(ls pipe.tmp.*)"; else ok; fi
}
one_line() {
  if [ "$(wc -l <"$tmp/out")" -eq 1 ]; then ok; else bad "$1: not one line:"; cat "$tmp/out" >&2; fi
}

expect 2 "pipe: not a regular file" trace convert ok.csv pipe
one_line "trace convert"
is_pipe "trace convert"
expect 2 "pipe: not a regular file" trace convert ok.csv pipe -f csv
is_pipe "trace convert -f csv"
expect 2 "pipe: not a regular file" trace import mtrace ok.mtrace -o pipe
one_line "trace import"
is_pipe "trace import"
# capture: refused before the program runs (it would create ran.txt)
expect 2 "pipe: not a regular file" capture -o pipe -- sh -c ': >ran.txt'
one_line "capture"
is_pipe "capture"
if [ -e ran.txt ]; then bad "capture -o pipe: the program ran"; else ok; fi
# a regular file is still replaced, as before
echo old >out.ast
expect 0 "out.ast: 2 events" trace convert ok.csv out.ast
expect 0 "events:  *2" trace stats out.ast

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
