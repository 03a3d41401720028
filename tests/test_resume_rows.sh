#!/usr/bin/env bash
# test_resume_rows.sh - `run --resume` counts a trial as done only when
# every table that holds its rows holds all of them: series.csv (its
# `samples`), latency.csv and histogram.csv (their timed_ops and counts
# add up to its trials.csv `timed_ops`). Until session 36 a trial whose
# latency.csv rows were lost (deleted, or the file cut short) was kept as
# done, and the folder had a trial with no latency distribution. A run
# with no latency rows to check (--latency 0, --jobs 2) runs nothing again.
# usage: test_resume_rows.sh ALLOCSCOPE
set -u
as=$1
. "$(dirname "$0")/cli_expect.sh"
opts=(-a null,arena -w random:ops=1000 -t 1 -r 2 --min-time 0 --no-plot -q)

# whole DIR: 4 trials.csv rows, one per trial and rep, all ok; each one's
# latency.csv timed_ops and histogram.csv counts (whole rows) add up to
# its timed_ops, and it has latency rows
whole() {
  python3 - "$1" <<'PY'
import csv, sys, collections
d = sys.argv[1]
def table(name):
    rows = list(csv.reader(open(d + "/" + name)))
    return [dict(zip(rows[0], r)) for r in rows[1:] if len(r) == len(rows[0])]
t = table("trials.csv")
lat, hist = collections.Counter(), collections.Counter()
for r in table("latency.csv"):
    lat[(r["trial"], r["rep"])] += int(r["timed_ops"])
for r in table("histogram.csv"):
    hist[(r["trial"], r["rep"])] += int(r["count"])
keys = [(r["trial"], r["rep"]) for r in t]
bad = [k for k, r in zip(keys, t)
       if r["status"] != "ok" or not r["timed_ops"] or lat[k] == 0 or
       lat[k] != int(r["timed_ops"]) or hist[k] != int(r["timed_ops"])]
if bad or len(keys) != 4 or len(set(keys)) != 4:
    print("not whole:", bad or keys, file=sys.stderr)
    sys.exit(1)
PY
}
# last DIR: the trial and rep of trials.csv's last row (a trial run again
# is appended after the rows kept)
last() { tail -1 "$1/trials.csv" | cut -d, -f1,2; }
again() { grep -c 'running it again' "$tmp/out"; }

expect 0 "results:" run "${opts[@]}" -o "$tmp/a"
whole "$tmp/a" && ok || bad "the first run's folder is not whole"
cp -r "$tmp/a" "$tmp/b"
cp -r "$tmp/a" "$tmp/c"

# trial 0 rep 0's latency rows deleted: it runs again, saying so once
grep -v '^0,0,' "$tmp/a/latency.csv" >"$tmp/l" && cp "$tmp/l" "$tmp/a/latency.csv"
expect 0 "trials.csv: row 2 \(trial 0 rep 0\): 0 of its [0-9]+ timed ops in latency.csv; running it again" \
  run --resume "$tmp/a"
[ "$(again)" = 1 ] && ok || bad "lines saying a trial runs again: $(again), want 1"
[ "$(last "$tmp/a")" = "0,0" ] && ok || bad "trial 0 rep 0 was not run again (last row: $(last "$tmp/a"))"
whole "$tmp/a" && ok || bad "after the resume of deleted latency rows"
# the folder whole: a second resume runs nothing
expect 0 "results:" run --resume "$tmp/a"
[ "$(again)" = 0 ] && ok || bad "a whole folder's resume ran $(again) trials again"

# one op kind's histogram.csv rows of trial 1 rep 0 deleted
awk -F, '!($1 == 1 && $2 == 0 && $8 == "free")' "$tmp/b/histogram.csv" >"$tmp/h" &&
  cp "$tmp/h" "$tmp/b/histogram.csv"
expect 0 "row 3 \(trial 1 rep 0\): [0-9]+ of its [0-9]+ timed ops in histogram.csv; running it again" \
  run --resume "$tmp/b"
[ "$(last "$tmp/b")" = "1,0" ] && ok || bad "trial 1 rep 0 was not run again (last row: $(last "$tmp/b"))"
whole "$tmp/b" && ok || bad "after the resume of deleted histogram rows"

# latency.csv cut inside its last row (a kill inside an append): the
# last trial's count is short, the cut row is dropped
head -c -7 "$tmp/c/latency.csv" >"$tmp/l" && cp "$tmp/l" "$tmp/c/latency.csv"
expect 0 "row 5 \(trial 1 rep 1\): [0-9]+ of its [0-9]+ timed ops in latency.csv; running it again" \
  run --resume "$tmp/c"
[ "$(again)" = 1 ] && ok || bad "cut latency.csv: $(again) trials run again, want 1"
whole "$tmp/c" && ok || bad "after the resume of a cut latency.csv"

# no latency rows to check: --latency 0 writes no timed_ops, --jobs 2 none
# either (its trials shared the cores: no timing figure); both resume
# with nothing to run
expect 0 "results:" run "${opts[@]}" --latency 0 -o "$tmp/d"
cut -d, -f1,2 "$tmp/d/trials.csv" >"$tmp/d.keys"
expect 0 "results:" run --resume "$tmp/d"
[ "$(again)" = 0 ] && cmp -s "$tmp/d.keys" <(cut -d, -f1,2 "$tmp/d/trials.csv") && ok ||
  bad "--latency 0 folder: $(again) trials run again"
expect 0 "results:" run "${opts[@]}" --jobs 2 -o "$tmp/e"
expect 0 "results:" run --resume "$tmp/e"
[ "$(again)" = 0 ] && ok || bad "--jobs 2 folder: $(again) trials run again"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
