#!/bin/sh
# test_mtrace_recipe.sh - the README's mtrace recipe works as written: build
# examples/mtrace/mtrace_on.c, run a real program (ls) with it and glibc's
# libc_malloc_debug.so.0 under MALLOC_TRACE, import the log, and find
# allocations in the trace. Exits 77 without cc or libc_malloc_debug.
# Usage: test_mtrace_recipe.sh ALLOCSCOPE SOURCE_DIR
set -eu
cli=$1
src=$2
dbg=$(ls /usr/lib/*-linux-gnu/libc_malloc_debug.so.0 /lib/*-linux-gnu/libc_malloc_debug.so.0 \
  2>/dev/null | head -1 || true)
if [ -z "$dbg" ] || ! command -v cc >/dev/null 2>&1; then
  echo "skipped: no cc or no libc_malloc_debug.so.0"
  exit 77
fi
tmp=$(mktemp -d /tmp/as_test_mtrace.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cc -shared -fPIC -o "$tmp/mtrace_on.so" "$src/examples/mtrace/mtrace_on.c"
MALLOC_TRACE="$tmp/ls.mtrace" LD_PRELOAD="$dbg $tmp/mtrace_on.so" ls / >/dev/null
[ -s "$tmp/ls.mtrace" ] || { echo "FAIL: MALLOC_TRACE wrote nothing"; exit 1; }
"$cli" trace import mtrace "$tmp/ls.mtrace" -o "$tmp/ls.ast" >/dev/null
allocs=$("$cli" trace stats "$tmp/ls.ast" | awk '$1 == "alloc" {print $2}')
[ "${allocs:-0}" -gt 10 ] || { echo "FAIL: $allocs allocations in the trace"; exit 1; }
# trace import --help gives the same recipe: MALLOC_TRACE with
# libc_malloc_debug alone writes no log until mtrace() is called
"$cli" trace import --help | grep -q 'LD_PRELOAD=.*mtrace_on\.so' ||
  { echo "FAIL: trace import --help: its LD_PRELOAD line lacks mtrace_on.so"; exit 1; }
echo "ok: ls traced through mtrace_on.so: $allocs allocations"
