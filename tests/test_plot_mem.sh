#!/usr/bin/env bash
# test_plot_mem.sh - `allocscope plot` holds each trials.csv row's labels
# once per distinct text, not in fixed arrays per row: a trials.csv of
# 80,000 rows (2 modules x 2 workloads x 2 thread counts x 10,000
# repetitions) under an address-space limit of 144 MiB. Until this test a
# row's trow_t was 1.8 KB of label arrays: 203 MB peak here (aborted under
# the limit), 2.5 GB at a million rows (docs/measure.md "plot on a million
# rows"); now about 70 MB here. gnuplot is left out (its own address
# space is under the same limit): the data files and report.md are
# written, exit 1 for the charts not drawn. Skipped in the sanitizer
# build (ASan reserves terabytes of address space).
# usage: test_plot_mem.sh ALLOCSCOPE
set -u
as=$1
. "$(dirname "$0")/cli_expect.sh"
[ -z "${ALLOCSCOPE_SANITIZED:-}" ] || skip "sanitizer build (ASan's shadow memory has no ulimit -v)"
. "$(dirname "$0")/big_folder.sh"

big "$tmp/a" 2 2 10000
[ "$(wc -l <"$tmp/a/trials.csv")" -eq 80001 ] && ok || bad "the fixture has $(wc -l <"$tmp/a/trials.csv") lines"

# 144 MiB: the fixed plot needs about 110 (the table's cells ~60 of it),
# the old one ~250
plot_limited "$tmp/a" "$tmp/p" -v 147456
if [ "$(cat "$tmp/p.rc")" = 1 ] && [ -s "$tmp/p/report.md" ] &&
  grep -q "ops=1001" "$tmp/p/report.md"; then
  ok
else
  bad "plot under ulimit -v 147456: exit $(cat "$tmp/p.rc") (want 1: no gnuplot), output:"
  sed 's/^/  | /' "$tmp/p.out" >&2
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
