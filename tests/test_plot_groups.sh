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
# usage: test_plot_groups.sh ALLOCSCOPE
set -u
as=$1
. "$(dirname "$0")/cli_expect.sh"
[ -z "${ALLOCSCOPE_SANITIZED:-}" ] || skip "sanitizer build (ASan's checks multiply CPU time)"
. "$(dirname "$0")/big_folder.sh"

big "$tmp/a" 20 200 5
[ "$(wc -l <"$tmp/a/trials.csv")" -eq 40001 ] && ok || bad "the fixture has $(wc -l <"$tmp/a/trials.csv") lines"

plot_limited "$tmp/a" "$tmp/p" -t 4
if [ "$(cat "$tmp/p.rc")" = 1 ] && [ -s "$tmp/p/report.md" ] &&
  grep -q "ops=1199" "$tmp/p/report.md" &&
  [ "$(ls "$tmp/p/data" | grep -c '^syscalls-')" -eq 400 ]; then
  ok
else
  bad "plot under ulimit -t 4: exit $(cat "$tmp/p.rc") (want 1: no gnuplot; 137 or 152: killed at the limit), output:"
  sed 's/^/  | /' "$tmp/p.out" >&2
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
