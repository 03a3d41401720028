#!/usr/bin/env bash
# test_plot_cols.sh - `allocscope plot` keeps what its charts read, not
# trials.csv whole: the columns the charts and the report read (24 of 59;
# the disturbed rule's read on their own before them), every row still
# checked whole; and a bar chart's category labels as pieces of each
# label, not 17 KB of fixed arrays per category. Under ulimit -v (address
# space, gnuplot left out: its own process would share the limit):
# - test_plot_mem's 80,000 rows under 80 MiB: the build before this test
#   read every column (out of memory below about 100 MiB), now about 64;
# - 4,000 groups of 2 rows under 60 MiB: the category labels took 70 MB
#   (exit 71 under 80 MiB), now about 40 MiB in all.
# A non-number in a column plot does not keep is still refused, by line
# and column. Skipped in the sanitizer build (no ulimit -v under ASan).
# usage: test_plot_cols.sh ALLOCSCOPE
set -u
as=$1
. "$(dirname "$0")/cli_expect.sh"
[ -z "${ALLOCSCOPE_SANITIZED:-}" ] || skip "sanitizer build (ASan's shadow memory has no ulimit -v)"
. "$(dirname "$0")/big_folder.sh"

# limited NAME DIR KIB: plot DIR -o NAME-plot under ulimit -v KIB, exit 1
# (no gnuplot) with every group in report.md (-o: not DIR itself, which
# plot refuses since session 36: its charts among the results)
limited() {
  plot_limited "$2" "$tmp/$1-plot" -v "$3"
  if [ "$(cat "$tmp/$1-plot.rc")" = 1 ] && grep -q "ops=1001" "$tmp/$1-plot/report.md" 2>/dev/null; then
    ok
  else
    bad "$1: plot under ulimit -v $3: exit $(cat "$tmp/$1-plot.rc") (want 1: no gnuplot), output:"
    sed 's/^/  | /' "$tmp/$1-plot.out" >&2
  fi
}

big "$tmp/rows" 2 2 10000
limited rows "$tmp/rows" 81920
big "$tmp/groups" 2 2000 1
limited groups "$tmp/groups" 61440
grep -q "ops=2999" "$tmp/groups-plot/report.md" 2>/dev/null && ok ||
  bad "groups: the last workload (ops=2999) not in report.md"

# minflt (column 34) is not kept, but its cells are still numbers or empty
big "$tmp/bad" 2 1 2
awk -F, 'BEGIN { OFS = "," } NR == 3 { $34 = "x1" } { print }' "$tmp/bad/trials.csv" >"$tmp/t" &&
  mv "$tmp/t" "$tmp/bad/trials.csv"
ALLOCSCOPE_GNUPLOT=/nonexistent/gnuplot expect 2 \
  "bad/trials.csv: line 3, column 34 \(minflt\): 'x1' is not a number" plot "$tmp/bad" -o "$tmp/bo"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
