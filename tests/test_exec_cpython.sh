#!/usr/bin/env bash
# test_exec_cpython.sh - a subset of CPython's own regression tests (Debian's
# python3 with its `test` package) run under `allocscope exec` with
# PYTHONMALLOC=malloc on every general-purpose module given (those with an
# individual free; bump and arena are skipped visibly), so every object
# Python makes goes through the module. Each module's run must end with
# regrtest's "Tests result: SUCCESS". test_ast's test_stdlib_validates
# (compiling the whole stdlib) is in the subset because it is what crashed
# the tcmalloc module when a shrunk block was freed with its new size.
# Without the test package (Debian: libpython3.X-testsuite) it exits 77.
# The whole run is kept near 5 s of CPU per module (docs/exec.md; the full
# 83-module run is bench/exec_cpython.sh).
# Usage: test_exec_cpython.sh ALLOCSCOPE MODULE...
set -u
cli=$(realpath "$1")
shift
py=/usr/bin/python3
# dicts and lists (growing and shrinking tables), bytes and bytearray
# (realloc in every direction), buffers, threads, sorting
subset=(test_dict test_list test_bytes test_memoryview test_thread test_sort)
ast_match=test_stdlib_validates
# both in one regrtest run a module (one interpreter and regrtest start,
# not two): every case of the subset, and of test_ast only $ast_match (-m
# also matches a part of a test's id, and test_ast has a test_dict and a
# test_list: the subset's patterns are the full ids)
match=(-m "test.test_ast.*.$ast_match")
for t in "${subset[@]}"; do match+=(-m "test.$t.*"); done
# but not test_thread's lock timeout test: it sleeps 0.5 s in a thread
# waiting on a lock, no allocation in it (3.5 s of the test's wall time
# on the 7 general-purpose modules); the other cases start threads too
match+=(-i test.test_thread.LockTests.test_timeout)

if [ ! -x $py ]; then
  echo "skipped: $py is not installed (scripts/quickstart test installs python3)"
  exit 77
fi
pkg=$($py -c 'import sys; print("libpython%d.%d-testsuite" % sys.version_info[:2])')
have=$($py -m test --list-tests 2>/dev/null)
for t in "${subset[@]}" test_ast; do
  if ! grep -qx "$t" <<<"$have"; then
    echo "skipped: CPython's test package has no $t ($pkg is not installed; scripts/quickstart test installs it)"
    exit 77
  fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
export TMPDIR=$tmp PYTHONMALLOC=malloc
pass=0 fail=0

# one regrtest run; OK when it says SUCCESS and exits 0 and every test
# file ran a test (a crash, a failed test, a file -m left empty - regrtest
# still says SUCCESS then - or a hang past the limit is a failure, with
# regrtest's last lines)
regr() { # label module regrtest-args...
  local label=$1 m=$2
  shift 2
  local t0=$SECONDS
  timeout 400 "$cli" exec -a "$m" -- $py -m test "$@" >"$tmp/out" 2>&1
  local rc=$?
  if [ $rc -eq 0 ] && grep -q "^Tests result: SUCCESS" "$tmp/out" &&
    ! grep -q " ran no tests$" "$tmp/out"; then
    pass=$((pass + 1))
    echo "ok: $label on $m ($((SECONDS - t0)) s)"
  else
    fail=$((fail + 1))
    echo "check failed: $label on $m: exit $rc ($((SECONDS - t0)) s)" >&2
    grep -v '^  File ' "$tmp/out" | tail -8 >&2
  fi
}

for m in "$@"; do
  caps=$("$cli" list 2>/dev/null | awk -v m="$m" '$1==m {getline; print; exit}')
  if [ -z "$caps" ]; then
    fail=$((fail + 1))
    echo "check failed: $m is not in 'allocscope list'" >&2
    continue
  fi
  if [[ ",${caps#*capabilities: }," != *,free,* ]]; then
    echo "skipped: $m (no individual free: not a general-purpose heap for a long program)"
    continue
  fi
  regr "${subset[*]} test_ast -m $ast_match" "$m" "${subset[@]}" test_ast "${match[@]}"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
