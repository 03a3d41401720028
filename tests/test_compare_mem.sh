#!/usr/bin/env bash
# test_compare_mem.sh - `allocscope compare` holds what it compares, not
# the folders: a trials.csv of 40,000 rows (10 modules x 20 workloads x 2
# thread counts x 100 repetitions, every column a run writes) against a
# narrow rerun of one of its groups, under an address-space limit of 128
# MiB. Until this test compare kept every cell of the file and a 6 KB
# result per row for the disturbed rule: 254 MB peak here, 6 GB at a
# million rows (docs/measure.md "compare on a million rows"); now about
# 40 MB here. Skipped in the sanitizer build (ASan reserves terabytes of
# address space).
# usage: test_compare_mem.sh ALLOCSCOPE
set -u
as=$1
. "$(dirname "$0")/cli_expect.sh"
[ -z "${ALLOCSCOPE_SANITIZED:-}" ] || skip "sanitizer build (ASan's shadow memory has no ulimit -v)"

. "$(dirname "$0")/big_folder.sh"

big "$tmp/a" 10 20 100
big "$tmp/b" 1 1 6
[ "$(wc -l <"$tmp/a/trials.csv")" -eq 40001 ] && ok || bad "the fixture has $(wc -l <"$tmp/a/trials.csv") lines"

# 128 MiB of address space: the program and its libraries take ~20, the
# fixed reader ~20 more; the old one needed ~300 and said "out of memory"
(
  ulimit -v 131072
  "$as" compare "$tmp/a" "$tmp/b" >"$tmp/out" 2>&1
  echo "$?" >"$tmp/rc"
)
if [ "$(cat "$tmp/rc")" = 0 ] && grep -qE "^2 matched: 0 regressions.*398 not run in B" "$tmp/out"; then
  ok
else
  bad "compare under ulimit -v 131072: exit $(cat "$tmp/rc"), output:"
  sed 's/^/  | /' "$tmp/out" >&2
fi
# the same answer as without the limit: nothing was cut short
"$as" compare "$tmp/a" "$tmp/b" >"$tmp/free" 2>&1
cmp -s "$tmp/out" "$tmp/free" && ok || bad "the limited run's output differs from the unlimited one's"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
