#!/usr/bin/env bash
# test_resume_mem.sh - `run --resume` of a complete folder of 10^5 trials
# (null and arena x 50 workloads x 1000 repetitions, every trial done:
# nothing runs again) under an address-space limit of 112 MiB, within 90
# s (then killed: SIGTERM alone lets a run finish its end). Until this
# test the run held a whole as_trial_result_t (5.7 KB) per entry of the
# matrix from its start (570 MB here: "out of memory for 100000 trials"
# under the limit), the summary a 1 KB row per entry, and the
# comparisons looked up each entry's thread count in every other entry
# (5 to 6 minutes here); then about 190 MiB of address space and 10-25 s
# (docs/measure.md "plot and resume on a million rows"), 70 of them
# trials.csv read whole, which is read row by row since session 30
# (as_table_each): between 112 and 128 MiB, and 88-96 since the CSV
# reporter writes trials.csv from the loader's rows, not a copy. The
# outputs are
# the unlimited run's, and trials.csv is the folder's own. Skipped in
# the sanitizer build (ASan reserves terabytes of address space).
# usage: test_resume_mem.sh ALLOCSCOPE
set -u
as=$1
. "$(dirname "$0")/cli_expect.sh"
[ -z "${ALLOCSCOPE_SANITIZED:-}" ] || skip "sanitizer build (ASan's shadow memory has no ulimit -v)"
. "$(dirname "$0")/big_folder.sh"

big_resumable "$tmp/a" "$as" 50 1000 || bad "the fixture's run failed"
[ "$(wc -l <"$tmp/a/trials.csv")" -eq 100001 ] && ok || bad "the fixture has $(wc -l <"$tmp/a/trials.csv") lines"
cp -r "$tmp/a" "$tmp/b"

# 112 MiB: the run needs 88-96 (the records ~45, the rows written again
# ~30), with the rows copied 120-128, with trials.csv read whole 160-192,
# before that ~650
(
  ulimit -v 114688
  timeout -k 5 90 "$as" run --resume "$tmp/a" >"$tmp/out" 2>&1
  echo "$?" >"$tmp/rc"
)
if [ "$(cat "$tmp/rc")" = 0 ] && grep -q "^null,,random,ops=1049,1,1000," "$tmp/a/summary.csv" &&
  [ "$(wc -l <"$tmp/a/summary.csv")" -eq 101 ]; then
  ok
else
  bad "run --resume under ulimit -v 114688: exit $(cat "$tmp/rc"), output:"
  sed 's/^/  | /' "$tmp/out" | head -20 >&2
fi
cmp -s "$tmp/a/trials.csv" "$tmp/b/trials.csv" && ok || bad "trials.csv changed by the resume"
# the same answer as without the limit: nothing was cut short
timeout -k 5 90 "$as" run --resume "$tmp/b" >"$tmp/free" 2>&1
rc=$?
[ "$rc" = 0 ] && ok || bad "run --resume without the limit: exit $rc (124: over 90 s)"
sed -i "s|$tmp/b|$tmp/a|g" "$tmp/free"
cmp -s "$tmp/out" "$tmp/free" && ok || bad "the limited run's output differs from the unlimited one's"
for f in summary.csv comparisons.csv; do
  cmp -s "$tmp/a/$f" "$tmp/b/$f" && ok || bad "$f differs from the unlimited run's"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
