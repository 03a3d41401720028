#!/usr/bin/env bash
# test_exec_escape_early.sh - the child-escape watch of exec and capture
# (harness/exec/exec_escape.c) sees an exec that comes before the preload
# library's constructor: a library the program links runs its constructor
# first, and until a review of session 24's change such an exec, with an
# environment that drops LD_PRELOAD, went unseen (exit 0, no line). Also an
# environment that names LD_PRELOAD twice, the shim first and nothing last:
# the loader takes the last, so the child runs without the shim.
# Usage: test_exec_escape_early.sh ALLOCSCOPE EXEC_EARLY_PROG
set -u
cli=$1 as=$1 prog=$2
. "$(dirname "$0")/cli_expect.sh"
esc="ran an image without the shim"

EARLY_ENV=empty "$cli" exec -a glibc -- "$prog" >"$tmp/out" 2>"$tmp/err"; rc=$?
if [ $rc -eq 1 ] && grep -q "^allocscope exec: 1 process .* started $esc (first: pid [0-9]*, /bin/true" "$tmp/err"; then ok
else bad "exec: a library constructor's env-less child: rc=$rc $(cat "$tmp/err")"; fi

EARLY_ENV=dup "$cli" exec -a glibc -- "$prog" >"$tmp/out" 2>"$tmp/err"; rc=$?
if [ $rc -eq 1 ] && grep -q "$esc" "$tmp/err"; then ok
else bad "exec: a child whose last LD_PRELOAD drops the shim: rc=$rc $(cat "$tmp/err")"; fi

# no false alarm when the constructor starts nothing
EARLY_ENV=off "$cli" exec -a glibc -- "$prog" >"$tmp/out" 2>"$tmp/err"; rc=$?
if [ $rc -eq 0 ] && [ ! -s "$tmp/err" ]; then ok
else bad "exec: no child: rc=$rc $(cat "$tmp/err")"; fi

(cd "$tmp" && EARLY_ENV=empty "$cli" capture -o e.ast -- "$prog" >/dev/null 2>"$tmp/err"); rc=$?
if [ $rc -eq 0 ] && grep -q "^allocscope capture: 1 process .* started ran an image without the capture library" "$tmp/err"; then ok
else bad "capture: a library constructor's env-less child: rc=$rc $(cat "$tmp/err")"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
