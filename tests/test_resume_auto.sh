#!/usr/bin/env bash
# test_resume_auto.sh - `run --resume` of an -r auto run that finished adds
# no trial: its groups stopped by --max-time, which counts each trial's
# wall time (fork, set-up, timed region, results), and the resumed run
# counts the same time back from trials.csv's wall_ns. Before wall_ns it
# counted their timed region only, a fraction of it, and ran repetitions
# up to the 30 allowed (session 13: a finished default run resumed ran 1-2
# more trials in 2 of 3 tries). A folder whose tables have other columns
# (an older allocscope's, without wall_ns) is refused: the rows appended
# would not line up with its own.
# usage: test_resume_auto.sh ALLOCSCOPE
set -u
as=$1
. "$(dirname "$0")/cli_expect.sh"
export CI=1
rows() { wc -l <"$1/trials.csv" | tr -d ' '; }
# a CI no run reaches (0.1 %), so every group stops at --max-time 0.15 s.
# Each trial lasts 5 ms or more on any machine, so that 30 repetitions (the
# cap) take longer: glibc's stream runs again for 10 ms (--min-time), null's
# once (it frees nothing) in 10-20 ms of wall. With --min-time 0 a machine
# that forks fast ran glibc's 30 in 90 ms, stopped by the cap (session 17).
opts=(-q --no-plot -a null,glibc -w random:ops=2000,live=100 --ci 0.1% --max-time 0.15 --min-time 0.01)

expect 0 "results:" run "${opts[@]}" -o "$tmp/a"
grep -q '2 by --max-time' "$tmp/a/context.csv" && ok || bad "the groups did not stop by --max-time"
n=$(rows "$tmp/a")
[ "$n" -ge 13 ] && [ "$n" -lt 61 ] && ok || bad "$((n - 1)) trials: want 6-29 per group by --max-time"
# wall_ns: every row, over its timed region
bad_wall=$(python3 -c 'import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(sum(1 for r in rows if not r["wall_ns"].isdigit() or int(r["wall_ns"]) < int(r["elapsed_ns"])))' \
  "$tmp/a/trials.csv")
[ "$bad_wall" -eq 0 ] && ok || bad "$bad_wall rows with no wall_ns or one under elapsed_ns"

cp -r "$tmp/a" "$tmp/b"
expect 0 "results:" run --resume "$tmp/a"
[ "$(rows "$tmp/a")" -eq "$n" ] && ok || bad "resume of a finished -r auto run: $((n - 1)) trials became $(($(rows "$tmp/a") - 1))"
cmp -s "$tmp/a/trials.csv" "$tmp/b/trials.csv" && ok || bad "resume changed trials.csv"
# the console of a resumed run: its p99 columns from latency.csv, as the
# first run printed them (until session 19 rows loaded from disk had none:
# nan)
"$as" run --no-plot -a glibc -w random:ops=2000,live=100 -r 2 --min-time 0 -o "$tmp/p" >"$tmp/p1.out" 2>&1
"$as" run --resume "$tmp/p" >"$tmp/p2.out" 2>&1
l1=$(grep -E '^glibc +random' "$tmp/p1.out"); l2=$(grep -E '^glibc +random' "$tmp/p2.out")
[ -n "$l1" ] && [ "$l1" = "$l2" ] && ! echo "$l2" | grep -q nan && ok ||
  bad "resumed console line '$l2', first run's '$l1'"
# bytes appended to trials.csv (no trial, rep): said and left out, nothing
# run again (until session 19 the row read as "trial 0 rep 0 ... running it
# again", from a NaN cast: undefined behaviour)
n=$(rows "$tmp/p")
printf '\000\377\n' >>"$tmp/p/trials.csv"
"$as" run --resume "$tmp/p" >"$tmp/p3.out" 2>"$tmp/p3.err"
rc=$?
[ $rc -eq 0 ] && grep -q "trials.csv: row $((n + 1)): 1 of [0-9]* fields; left out" "$tmp/p3.err" &&
  ! grep -q "running it again" "$tmp/p3.err" && ok ||
  bad "resume with a garbage row: exit $rc, $(cat "$tmp/p3.err")"

# the last row cut before its line end, every field there (its last number
# may have lost digits; a sanitizer build leaves the last column empty, so
# only the newline is cut here): that trial runs again (until session 20
# such a row was trusted)
"$as" run --no-plot -a glibc -w random:ops=2000,live=100 -r 2 --min-time 0 -o "$tmp/q" >/dev/null 2>&1
n=$(rows "$tmp/q")
last=$(tail -1 "$tmp/q/trials.csv")
truncate -s -1 "$tmp/q/trials.csv"
"$as" run --resume "$tmp/q" >"$tmp/q.out" 2>"$tmp/q.err"
rc=$?
[ $rc -eq 0 ] && grep -q "trials.csv: row $n (trial [0-9]* rep 1): no line end: cut short; running it again" "$tmp/q.err" &&
  [ "$(rows "$tmp/q")" -eq "$n" ] && [ "$(tail -1 "$tmp/q/trials.csv" | cut -d, -f1-8)" = "$(echo "$last" | cut -d, -f1-8)" ] && ok ||
  bad "resume of a row cut in its last number: exit $rc, $(cat "$tmp/q.err"), $(rows "$tmp/q") rows of $n"

# a row whose ns_per_op reads inf or a negative number (edited, damaged)
# is no measurement: that trial runs again (until session 21 summary.csv
# took the inf, as ns_per_op_spread=inf)
"$as" run --no-plot -a glibc -w random:ops=2000,live=100 -r 2 --min-time 0 -o "$tmp/f" >/dev/null 2>&1
python3 - "$tmp/f/trials.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
i = rows[0].index("ns_per_op")
rows[1][i] = "inf"
rows[2][i] = "-5"
csv.writer(open(sys.argv[1], "w"), lineterminator="\n").writerows(rows)
PY
"$as" run --resume "$tmp/f" >/dev/null 2>"$tmp/f.err"
grep -q "row 2 (trial [0-9]* rep 0): ns_per_op 'inf' is not a number; running it again" "$tmp/f.err" &&
  grep -q "row 3 (trial [0-9]* rep [01]): ns_per_op -5 is not a measurement; running it again" "$tmp/f.err" &&
  ! grep -q "inf" "$tmp/f/summary.csv" && ok || bad "inf/negative ns_per_op: $(cat "$tmp/f.err")"

# an older folder (written before wall_ns): --resume would append rows of
# more columns than its own; it is refused in one line naming the file,
# and the folder is left as it was
python3 - "$tmp/b/trials.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
i = rows[0].index("wall_ns")
csv.writer(open(sys.argv[1], "w"), lineterminator="\n").writerows(r[:i] + r[i + 1:] for r in rows[:4])
PY
cp "$tmp/b/trials.csv" "$tmp/old.csv"
expect 2 "trials.csv: not the columns this allocscope writes.*run the matrix again" run --resume "$tmp/b"
[ "$(wc -l <"$tmp/out")" -eq 1 ] && ok || bad "not one line: $(cat "$tmp/out")"
cmp -s "$tmp/b/trials.csv" "$tmp/old.csv" && ok || bad "the refused resume changed trials.csv"
# the same for the long tables (series.csv here)
cp -r "$tmp/a" "$tmp/c"
sed -i '1s/,live_bytes,/,live_bytes_x,/' "$tmp/c/series.csv"
expect 2 "series.csv: not the columns this allocscope writes" run --resume "$tmp/c"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
