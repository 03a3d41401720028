#!/usr/bin/env bash
# test_auto_rounds.sh - -r auto counts a group's undisturbed repetitions
# with the judgement the statistics take (as_disturbed_set: the rules over
# a round too), so a repetition a round rule takes out is run again. A run
# of three modules with --ci 100% stops each group at 6 undisturbed; its
# repetitions 2 and 3 are then made rounds that moved (ns/op and ops/s 1.6 x
# its group's median in all three trials, the other trials at the median,
# elapsed_ns and the rest as they were: no per-trial rule sees it) and the run resumed. Every group must end with 6
# undisturbed again, with more trials: until session 17 -r auto judged
# with the per-trial rules only, the resume added nothing, and the table showed 4-5 undisturbed under a help
# that promises 6.
# usage: test_auto_rounds.sh ALLOCSCOPE
set -u
as=$1
. "$(dirname "$0")/cli_expect.sh"
export CI=1
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }
undist() { # per group: module reps_ok reps_disturbed
  python3 -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1])): print(r["module"], r["reps_ok"], r["reps_disturbed"])' "$1"
}
rows() { echo $(($(wc -l <"$1") - 1)); }

expect 0 "results:" run -q --no-plot -a glibc,jemalloc,mimalloc -w random:ops=20000,live=100 -t 1 \
  --min-time 0 --ci 100% --max-time 30 -o "$tmp/d"
grep -q 'trial groups: 3 by the CI' "$tmp/d/context.csv" && ok ||
  bad "not every group stopped by the CI: $(grep repetitions_stopped "$tmp/d/context.csv")"
# (6, or 7 when a repetition judged disturbed as the run went was not at
# its end; more and the edit below need not leave a group short)
undist "$tmp/d/summary.csv" | awk '$2 - $3 < 6 {exit 1}' && ok ||
  bad "groups under 6 undisturbed: $(undist "$tmp/d/summary.csv" | tr '\n' ';')"
undist "$tmp/d/summary.csv" | awk '$2 - $3 > 7 {exit 1}' ||
  { echo "skipped: a group kept over 7 undisturbed: $(undist "$tmp/d/summary.csv" | tr '\n' ';')"; exit 77; }
before=$(rows "$tmp/d/trials.csv")

# every trial at its group's median ns/op, so that nothing but the edit
# moves a round (this kind of machine moves 1-thread trials by up to 2 x
# on its own), and repetitions 2 and 3 rounds that moved: every module's
# trial 1.6 x its median (the CI of 6 at --ci 100% still within: 1.6 < 2)
python3 - "$tmp/d/trials.csv" <<'PY'
import csv, statistics, sys
rows = list(csv.reader(open(sys.argv[1])))
h = rows[0]
ns, ops, rep, mod = (h.index(k) for k in ("ns_per_op", "ops_per_sec", "rep", "module"))
med = {m: statistics.median(float(r[ns]) for r in rows[1:] if r[mod] == m) for m in {r[mod] for r in rows[1:]}}
for r in rows[1:]:
    v = med[r[mod]] * (1.6 if r[rep] in ("2", "3") else 1)
    r[ns], r[ops] = repr(v), repr(1e9 / v)
csv.writer(open(sys.argv[1], "w"), lineterminator="\n").writerows(rows)
PY
expect 0 "results:" run --resume "$tmp/d"
after=$(rows "$tmp/d/trials.csv")
# (one per group as a rule; a round rule's verdict on an earlier repetition
# can change with the group's new median, so not always exactly 3)
[ "$after" -gt "$before" ] && ok || bad "resume added no trial"
undist "$tmp/d/summary.csv" | awk '$3 < 2 || $2 - $3 < 6 {exit 1}' && ok ||
  bad "after the resume, module reps_ok reps_disturbed: $(undist "$tmp/d/summary.csv" | tr '\n' ';')"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
