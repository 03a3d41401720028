#!/usr/bin/env bash
# test_suite_budget.sh - `suite --budget SEC`: an -r auto scenario gets its
# share of the time left, which sets --max-time (share / trial groups)
# unless given; --min-time is the suite's fixed 0.05 s unless given, whatever
# the budget left (it sets the warm/cold mix of a trial's passes, hence the
# verdicts); every trial group still runs its 6 repetitions.
# Checked on `suite larson -a glibc` (2 trial groups: 1 and 2 threads).
# usage: test_suite_budget.sh ALLOCSCOPE
set -u
as=$1
. "$(dirname "$0")/cli_expect.sh"
export CI=1
ctx() { sed -n "s/^$2,//p" "$tmp/$1/larson/context.csv"; }
# reps per (threads) group, and the largest pass count, from trials.csv
reps() {
  awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
    $c["status"] == "ok" {n[$c["threads"]]++; if ($c["passes"] > p) p = $c["passes"]}
    END {printf "t1=%d t2=%d passes<=%d\n", n[1], n[2], p}' "$tmp/$1/larson/trials.csv"
}

# a 3 s budget, one scenario of 2 groups: 1.5 s each; min-time the suite's
expect 0 "larson: trials took [0-9.]+ s \(budget share 3\.0 s: --max-time 1\.5, --min-time 0\.05\)" \
  suite larson -a glibc --budget 3 --no-plot -o "$tmp/b3"
[ "$(ctx b3 min_time_s)" = 0.05 ] && ok || bad "b3 min_time_s: $(ctx b3 min_time_s)"
# (the share is of the time left when the scenario starts: under load or
# ASan a few ms are gone, 1.49998 s)
ctx b3 repetitions | grep -qE "took (1\.5|1\.49[0-9]*) s" && ok ||
  bad "b3 repetitions: $(ctx b3 repetitions)"
reps b3 | grep -qE "^t1=([6-9]|10) t2=([6-9]|10) " && ok || bad "b3 reps: $(reps b3)"

# a budget already spent: 6 repetitions each, with the same min-time as
# ever (it went to 0 before, so the spent budget's trials were one cold pass
# where the others' were several warm ones)
expect 0 "budget share 0\.0 s: --max-time [0-9.e-]+, --min-time 0\.05\)" \
  suite larson -a glibc --budget 0.000001 --no-plot -o "$tmp/spent"
reps spent | grep -q "^t1=6 t2=6 " && ok || bad "spent reps: $(reps spent)"
[ "$(ctx spent min_time_s)" = 0.05 ] && ok || bad "spent min_time_s: $(ctx spent min_time_s)"

# given --min-time / --max-time stay; --budget 0 is no budget (the defaults)
expect 0 "--max-time 0\.5, --min-time 0\.01\)" suite larson -a glibc --budget 1 --min-time 0.01 \
  --max-time 0.5 --no-plot -o "$tmp/given"
[ "$(ctx given min_time_s)" = 0.01 ] && ok || bad "given min_time_s: $(ctx given min_time_s)"
expect 0 "larson: trials took [0-9.]+ s$" suite larson -a glibc --budget 0 --min-time 0.01 \
  --no-plot -o "$tmp/none"
ctx none repetitions | grep -q "took 2 s" && ok || bad "none repetitions: $(ctx none repetitions)"
expect 0 "larson: trials took [0-9.]+ s$" suite larson -a glibc --budget 0 -r 1 --no-plot \
  -o "$tmp/none2"
[ "$(ctx none2 min_time_s)" = 0.05 ] && ok || bad "none2 min_time_s: $(ctx none2 min_time_s)"

# bad input: one line naming the option, exit 2, nothing written
expect 2 "^allocscope suite: .*--budget" suite larson -a glibc --budget -1 -o "$tmp/bad"
expect 2 "^allocscope suite: .*--budget" suite larson -a glibc --budget soon -o "$tmp/bad2"
[ ! -e "$tmp/bad" ] && [ ! -e "$tmp/bad2" ] && ok || bad "a refused --budget wrote a folder"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
