#!/usr/bin/env bash
# test_suite_cost.sh - the default suite's rows cost what their claims need
# and no more (issue 13: the default suite in a minute; docs/measure.md,
# "The default suite"), counted in pages and ops, not seconds:
# - threshold and lazy: every glibc claim still CONFIRMED, and the pages the
#   scenario's rows fault in (sum of rss_peak_kib - rss_before_kib) at most
#   80 MiB each (they were 128 and 192 MiB);
# - bump: the page faults of one pass of every row (minflt) at most 3/4 of
#   what the six-size sweep took (64 B is code like 16 B, 1 KiB faults like
#   4 KiB: both dropped), and since session 8 at most 30,000 (4 KiB and
#   16 KiB rows with half the phase: 26,000, was 46,000);
# - phase: each row's stream at most 100,000 allocations (--min-time repeats it;
#   building and pre-faulting 400,000 was ~50 ms per trial).
# One repetition of glibc each, --min-time 0 (one pass: what a row is).
# usage: test_suite_cost.sh ALLOCSCOPE
set -u
as=$1
. "$(dirname "$0")/cli_expect.sh"
skip_glibc_claims
export CI=1

# sum of EXPR over FILE's ok rows of MODULE ("" for all): csv-aware
# (workload_params holds commas); EXPR uses r["column"] as floats
csv_sum() {
  python3 - "$1" "$2" "$3" <<'PY'
import csv, sys
path, mod, expr = sys.argv[1:]
s = 0.0
for row in csv.DictReader(open(path)):
    if row["status"] == "ok" and (not mod or row["module"] == mod):
        r = {}
        for k, v in row.items():
            try:
                r[k] = float(v)
            except ValueError:
                r[k] = 0.0
        s += eval(expr, {"r": r})
print(int(s))
PY
}
# verdicts of scenario $1 other than CONFIRMED
not_confirmed() { awk -F, 'NR > 1 && $0 !~ /,CONFIRMED,/' "$tmp/$1/verdicts.csv"; }

for sc in threshold lazy; do
  expect 0 "verdicts: [1-9][0-9]* confirmed, 0 refuted, 0 inconclusive" \
    suite "$sc" -a glibc -r 1 --min-time 0 --no-plot -o "$tmp/$sc"
  [ -z "$(not_confirmed "$sc")" ] && ok || bad "$sc: $(not_confirmed "$sc")"
  mib=$(($(csv_sum "$tmp/$sc/$sc/trials.csv" "" 'r["rss_peak_kib"] - r["rss_before_kib"]') / 1024))
  [ "$mib" -le 80 ] && ok || bad "$sc rows fault $mib MiB in all (at most 80)"
done

expect 0 "bump: trials took" suite bump -a glibc -r 1 --min-time 0 --no-plot -o "$tmp/bump"
# glibc's faults over one pass of the sweep: 6 sizes gave 68,000, 4 gave
# 46,000 (the 4 KiB and 16 KiB rows are most of it), those two rows with
# half the phase (session 8) 26,000
flt=$(csv_sum "$tmp/bump/bump/trials.csv" glibc 'r["minflt"]')
[ "$flt" -gt 0 ] && [ "$flt" -le 30000 ] && ok || bad "bump: glibc's rows fault $flt pages"

expect 0 "phase: trials took" suite phase -a glibc -r 1 --min-time 0 --no-plot -o "$tmp/phase"
# ops counts allocations, frees and resets: 2 per allocation with frees
big=$(csv_sum "$tmp/phase/phase/trials.csv" "" 'r["ops"] / max(r["passes"], 1) > 200000')
[ "$big" -eq 0 ] && ok || bad "phase: $big rows with a stream over 100,000 allocations"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
