#!/usr/bin/env bash
# test_csv_mem.sh - a run's memory does not grow with its trials: 30
# trials of null with a series.csv point after every op (about 16 MB of
# series.csv) under an address-space limit of 40 MiB. Until session 30
# the CSV reporter kept every table whole for the run and appended only
# its new bytes (this run aborted in as_buf_add, out of memory, even
# under 48 MiB); now it keeps a trial's rows until they are written, and
# the run needs about 28 MiB, whatever the trial count (the worker's
# buffers). The tables are whole: one header each, every trial's rows
# (docs/measure.md "The CSV reporter's tables"). Skipped in the
# sanitizer build (ASan reserves terabytes of address space).
# usage: test_csv_mem.sh ALLOCSCOPE
set -u
as=$1
. "$(dirname "$0")/cli_expect.sh"
[ -z "${ALLOCSCOPE_SANITIZED:-}" ] || skip "sanitizer build (ASan's shadow memory has no ulimit -v)"

reps=30
(
  ulimit -v 40960
  timeout -k 5 120 "$as" run -q --no-plot -a null -w random:ops=2000 -r "$reps" --min-time 0 \
    --sample-every 1 --latency 0 -o "$tmp/a" >"$tmp/out" 2>&1
  echo "$?" >"$tmp/rc"
)
if [ "$(cat "$tmp/rc")" = 0 ]; then
  ok
else
  bad "run under ulimit -v 40960: exit $(cat "$tmp/rc"), output:"
  sed 's/^/  | /' "$tmp/out" | head -20 >&2
fi
[ "$(wc -l <"$tmp/a/trials.csv")" -eq $((reps + 1)) ] && ok ||
  bad "trials.csv has $(wc -l <"$tmp/a/trials.csv") lines, not $((reps + 1))"
# one header, and every repetition's series rows (the same op stream,
# sampled after every op: as many rows each)
[ "$(grep -c '^trial,' "$tmp/a/series.csv")" = 1 ] && ok || bad "series.csv: not one header"
per=$(grep -c '^0,0,' "$tmp/a/series.csv")
got=$(($(wc -l <"$tmp/a/series.csv") - 1))
[ "$per" -gt 1000 ] && [ "$got" = $((per * reps)) ] && ok ||
  bad "series.csv has $got rows, not $reps x $per (rep 0's)"
grep -q '^null,,random,ops=2000,1,30,' "$tmp/a/summary.csv" && ok ||
  bad "summary.csv has no row of the 30 repetitions"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
