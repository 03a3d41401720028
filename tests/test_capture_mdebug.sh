#!/usr/bin/env bash
# test_capture_mdebug.sh - a malloc the caller preloads under `capture` still
# serves the program when it defines its functions only in a hidden symbol
# version, as glibc's libc_malloc_debug.so.0 does (mtrace and MALLOC_CHECK_
# since glibc 2.34): the capture library's dlsym(RTLD_NEXT) took libc's
# malloc past it, so under capture a program's mtrace log held "= Start"
# alone and MALLOC_CHECK_=3 did nothing. tests/mtrace_prog (which calls
# mtrace() itself) runs under capture with the debug library preloaded
# after the capture library: its log must hold every allocation, realloc
# and free of the trace (but the two blocks from before tracing: the
# program's early one and mtrace()'s own FILE).
# Usage: test_capture_mdebug.sh ALLOCSCOPE MTRACE_PROG SANITIZE
set -u
cli=$1 prog=$2 sanitize=${3:-0}
dbg=/usr/lib/x86_64-linux-gnu/libc_malloc_debug.so.0
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
if [ ! -r "$dbg" ] || [ "$sanitize" = 1 ]; then
  echo "skipped: needs $dbg and a build without sanitizers"; echo "0 passed, 0 failed"; exit 77
fi
tmp=$(mktemp -d /tmp/as_test_capture_mdebug.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# the capture library first, the debug library after it (what a caller's
# LD_PRELOAD gives: capture puts its library ahead of the caller's)
if ! "$cli" capture -o "$tmp/p.csv" -- sh -c \
  "LD_PRELOAD=\"\$LD_PRELOAD $dbg\" MALLOC_TRACE=$tmp/p.mtrace exec '$prog'" \
  > "$tmp/cap.out" 2>&1; then
  bad "capture failed: $(cat "$tmp/cap.out")"
fi
# the program's own calls, after mtrace() started: '+' (not failed), '-',
# and '<'/'>' pairs, against the trace's alloc/calloc, free, realloc
log_allocs=$(grep -cE '(^|\] )\+ 0x' "$tmp/p.mtrace" 2> /dev/null)
log_frees=$(grep -cE '(^|\] )- 0x' "$tmp/p.mtrace" 2> /dev/null)
log_reallocs=$(grep -cE '(^|\] )> 0x' "$tmp/p.mtrace" 2> /dev/null)
log_failed=$(grep -cE '(^|\] )! 0x' "$tmp/p.mtrace" 2> /dev/null)
tr_allocs=$(awk -F, 'NR > 1 && ($1 == "malloc" || $1 == "calloc")' "$tmp/p.csv" | wc -l)
tr_frees=$(awk -F, 'NR > 1 && $1 == "free"' "$tmp/p.csv" | wc -l)
tr_reallocs=$(awk -F, 'NR > 1 && $1 == "realloc"' "$tmp/p.csv" | wc -l)
echo "log: + $log_allocs, - $log_frees, > $log_reallocs, ! $log_failed;" \
  "trace: allocs $tr_allocs, frees $tr_frees, reallocs $tr_reallocs"
# the trace has the two blocks from before tracing on top
[ "$log_failed" = 1 ] && [ "$log_reallocs" = "$tr_reallocs" ] &&
  [ "$log_allocs" = $((tr_allocs - 2)) ] && [ "$log_frees" = "$tr_frees" ] &&
  ok "the preloaded libc_malloc_debug saw every call the trace holds" ||
  bad "libc_malloc_debug under capture: $(head -c 300 "$tmp/p.mtrace" 2> /dev/null)"

# MALLOC_CHECK_=3 through the debug library: a double free is its report
cat > "$tmp/df.c" << 'C'
#include <stdlib.h>
int main(void) { char *volatile p = malloc(32); free(p); free(p); return 0; }
C
if cc -O0 -o "$tmp/df" "$tmp/df.c" 2> /dev/null; then
  sh -c "MALLOC_CHECK_=3 LD_PRELOAD=$dbg exec '$tmp/df'" > "$tmp/plain.err" 2>&1
  "$cli" capture -o "$tmp/df.ast" -- sh -c \
    "MALLOC_CHECK_=3 LD_PRELOAD=\"\$LD_PRELOAD $dbg\" exec '$tmp/df'" > "$tmp/df.out" 2>&1
  want=$(head -1 "$tmp/plain.err")
  grep -qF "$want" "$tmp/df.out" && ok "MALLOC_CHECK_=3 under capture: $want" ||
    bad "MALLOC_CHECK_=3 under capture: want '$want', got: $(cat "$tmp/df.out")"
fi

echo "$pass passed, $fail failed"
[ $fail = 0 ]
