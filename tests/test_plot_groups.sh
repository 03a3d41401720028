#!/usr/bin/env bash
# test_plot_groups.sh - `allocscope plot` reads each chart's group's rows,
# bucketed once (plot_data.c bucket_groups), not every row of trials.csv
# per module per group per chart: a trials.csv of 40,000 rows in 400
# groups (20 modules x 200 workloads x 2 thread counts x 5 repetitions)
# under a CPU-time limit of 4 s. The scans took 11.4 s of CPU here (one
# syscalls chart per group, each reading every row per module and call
# kind); bucketed, plot takes about 0.7 s (docs/measure.md "plot and
# resume on a million rows"). CPU time, not wall time: a busy machine
# does not move it. gnuplot is left out: the data files and report.md are
# written, exit 1 for the charts not drawn. Skipped in the sanitizer build
# (ASan's checks multiply the CPU time).
# The same at 20,000 groups (2 modules x 10,000 workloads x 2 thread
# counts, 40,000 rows, under 8 s): plot finds a group, a workload or a
# label by a hash (plot_data.c plot_sl_find), not by comparing it with
# every other. The linear lookups (groups per row, rows per workload,
# slugs per group, short labels pairwise, every group per chart's note)
# took 49 s of CPU here, most of it in strcmp; now about 1.5 s
# (docs/measure.md "plot's name lookups").
# usage: test_plot_groups.sh ALLOCSCOPE
set -u
as=$1
. "$(dirname "$0")/cli_expect.sh"
[ -z "${ALLOCSCOPE_SANITIZED:-}" ] || skip "sanitizer build (ASan's checks multiply CPU time)"
. "$(dirname "$0")/big_folder.sh"

big "$tmp/a" 20 200 5
[ "$(wc -l <"$tmp/a/trials.csv")" -eq 40001 ] && ok || bad "the fixture has $(wc -l <"$tmp/a/trials.csv") lines"

# plotted DIR OUT SECONDS GROUP CHARTS: plot DIR under ulimit -t SECONDS
# wrote the report (naming GROUP) and CHARTS syscalls charts' data
plotted() {
  plot_limited "$1" "$2" -t "$3"
  if [ "$(cat "$2.rc")" = 1 ] && [ -s "$2/report.md" ] && grep -q "$4" "$2/report.md" &&
    [ "$(ls "$2/data" | grep -c '^syscalls-')" -eq "$5" ]; then
    ok
  else
    bad "plot under ulimit -t $3: exit $(cat "$2.rc") (want 1: no gnuplot; 137 or 152: killed at the limit), output:"
    sed 's/^/  | /' "$2.out" >&2
  fi
}
plotted "$tmp/a" "$tmp/p" 4 "ops=1199" 400

big "$tmp/b" 2 10000 1
# a param every workload has alike (live=1000), as a real run's have: the
# short labels leave it out, which asked every label for each label
sed -i 's/,ops=\([0-9]*\),/,"live=1000,ops=\1",/' "$tmp/b/trials.csv"
sed -i 's/^workload,random:ops=\(.*\)$/workload,"random:live=1000,ops=\1"/' "$tmp/b/context.csv"
[ "$(wc -l <"$tmp/b/trials.csv")" -eq 40001 ] && ok || bad "the 20,000 groups have $(wc -l <"$tmp/b/trials.csv") lines"
# 1022 charts: the rest are over a run's 1,024 (plot_int.h MAXCH)
plotted "$tmp/b" "$tmp/q" 8 "ops=10999, 2 threads" 1022

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
