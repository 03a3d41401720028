#!/usr/bin/env bash
# test_suite_agree.sh - a memory scenario of the default suite (3
# repetitions) does not run a row's third repetition when its first two agree
# on every memory column: RSS growth (peak, end, after free, after trim),
# the heap/mmap columns, faults, system calls, live bytes. The median of
# three of which two agree is their value, so the figures are the same.
# Checked on `suite threshold -a null,glibc`: null does nothing in its
# timed region, so its two repetitions always agree (2 each; 3 before);
# every row that stopped at 2 agrees, every row with 3 has a first two that
# differ; with -r 3 given every row runs 3. In the sanitizer build null's
# repetitions differ (ASan's shadow memory): the rule is checked, not null's 2.
# A row that stopped at 2 is complete: report.md and compare called every
# such row short ("The run is incomplete: 45 of its 60 groups", after a
# whole suite), as their checks counted 3. context.csv repetitions_agree
# records the rule, and both checks judge by it (reps_agree.h); a row cut
# short by an interrupt (one left, or two that differ) is still incomplete.
# usage: test_suite_agree.sh ALLOCSCOPE
set -u
as=$1
. "$(dirname "$0")/cli_expect.sh"
export CI=1

# per row: module, its repetitions, and whether its first two agree
rows() {
  python3 - "$1" <<'PY'
import csv, sys
from collections import defaultdict
growth = ["rss_peak_kib", "rss_end_kib", "rss_after_free_kib", "rss_after_trim_kib"]
same = ["live_bytes_peak", "heap_rss_peak_kib", "heap_size_peak_kib", "heap_size_end_kib", "mmap_rss_peak_kib",
        "mmap_size_peak_kib", "heap_rss_after_free_kib", "mmap_rss_after_free_kib",
        "heap_rss_after_trim_kib", "mmap_rss_after_trim_kib", "minflt", "majflt",
        "syscalls_total", "brk_calls", "mmap_calls", "munmap_calls", "mremap_calls",
        "madvise_calls", "madvise_dontneed_calls", "madvise_free_calls", "mprotect_calls"]
def key(r):
    b = float(r["rss_before_kib"])
    return [float(r[c]) - b if r[c] else None for c in growth] + [r[c] for c in same]
g = defaultdict(list)
for r in csv.DictReader(open(sys.argv[1])):
    g[r["trial"]].append(r)
for t, rs in g.items():
    rs.sort(key=lambda r: int(r["rep"]))
    agree = len(rs) >= 2 and all(r["status"] == "ok" for r in rs[:2]) and key(rs[0]) == key(rs[1])
    print(rs[0]["module"], len(rs), "agree" if agree else "differ")
PY
}

expect 0 "verdicts: " suite threshold -a null,glibc --no-plot -o "$tmp/d"
rows "$tmp/d/threshold/trials.csv" >"$tmp/rows"
[ "$(grep -c . "$tmp/rows")" -eq 16 ] && ok || bad "16 rows wanted: $(cat "$tmp/rows")"
# (not in the sanitizer build: ASan's shadow memory moves even null's RSS
# from one repetition to the next, so its rows run 3 there)
if [ -z "${ALLOCSCOPE_SANITIZED:-}" ]; then
  [ "$(grep -c '^null 2 agree$' "$tmp/rows")" -eq 8 ] && ok ||
    bad "null: 2 agreeing repetitions per row wanted: $(grep '^null' "$tmp/rows")"
fi
# a row stops at 2 only when they agree, and runs 3 when they do not
bad_rows=$(grep -vE ' (2 agree|3 differ)$' "$tmp/rows")
[ -z "$bad_rows" ] && ok || bad "rows: $bad_rows"
# the verdicts count what ran: glibc's rows 2 or 3
awk -F, 'NR > 1 {print $NF}' "$tmp/d/verdicts.csv" | grep -qvE '^[23]$' &&
  bad "verdicts' n: $(cat "$tmp/d/verdicts.csv")" || ok

# -r given: that many, agreeing or not
expect 0 "verdicts: " suite threshold -a null -r 3 --no-plot -o "$tmp/r3"
rows "$tmp/r3/threshold/trials.csv" >"$tmp/rows3"
[ "$(grep -c '^null 3 ' "$tmp/rows3")" -eq 8 ] && ok || bad "-r 3: $(cat "$tmp/rows3")"

# the rule is recorded where it applied, and only there
grep -q '^repetitions_agree,"\?2: ' "$tmp/d/threshold/context.csv" && ok ||
  bad "no repetitions_agree in threshold/context.csv"
grep -q '^repetitions_agree,' "$tmp/r3/threshold/context.csv" &&
  bad "repetitions_agree with -r 3 given" || ok

# complete: the reports and compare say nothing of an incomplete run
incomplete() { # DIR: 0 when the report or compare calls it incomplete
  "$as" plot -q "$1" >/dev/null 2>&1
  "$as" compare "$tmp/d" "$1" --metric rss_peak_kib >"$tmp/cmp" 2>&1
  grep -qi "incomplete" "$1/report.md" "$1/threshold/report.md" "$tmp/cmp"
}
says() { # DIR: all three say it
  grep -q "This scenario's run is incomplete" "$1/report.md" &&
    grep -q "The run is incomplete: 1 of its 16 module x workload x threads groups" "$1/threshold/report.md" &&
    grep -q "warning: $1/threshold is incomplete: 1 of its 16 " "$tmp/cmp"
}
incomplete "$tmp/d"
grep -qi incomplete "$tmp/d/report.md" "$tmp/d/threshold/report.md" &&
  bad "report.md of a whole suite: $(grep -hi incomplete "$tmp/d/report.md" "$tmp/d/threshold/report.md")" || ok
grep -qi incomplete "$tmp/cmp" && bad "compare of a whole suite: $(cat "$tmp/cmp")" || ok
# cut short by hand: null's first row keeps the repetitions FILTER lets
# through (python over its rows, each a dict of trials.csv's columns)
cut() { # SRC DST FILTER
  rm -rf "$2" && cp -r "$1" "$2"
  python3 - "$1/threshold/trials.csv" "$2/threshold/trials.csv" "$3" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
t = next(r["trial"] for r in rows if r["module"] == "null")
out = csv.DictWriter(open(sys.argv[2], "w", newline=""), fieldnames=rows[0].keys(),
                     lineterminator="\n")
out.writeheader()
for r in rows:
    if r["trial"] != t or eval(sys.argv[3]):
        out.writerow(r)
PY
}
cut "$tmp/d" "$tmp/one" 'r["rep"] == "0"'
incomplete "$tmp/one" && says "$tmp/one" && ok ||
  bad "a row of 1 repetition of 3 not called incomplete: $(cat "$tmp/cmp")"
# two that differ ran a third: without it, the row is short
if [ -z "${ALLOCSCOPE_SANITIZED:-}" ]; then
  cut "$tmp/d" "$tmp/differ" 'r["rep"] == "0" or r.update(minflt=str(int(r["minflt"]) + 1)) or True'
  incomplete "$tmp/differ" && says "$tmp/differ" && ok ||
    bad "2 repetitions that differ not called incomplete: $(cat "$tmp/cmp")"
fi
# -r 3 given: 2 that agree are short of the 3 asked
cut "$tmp/r3" "$tmp/r3cut" 'r["rep"] != "2"'
"$as" plot -q "$tmp/r3cut" >/dev/null 2>&1
grep -q "The run is incomplete: 1 of its 8 " "$tmp/r3cut/threshold/report.md" && ok ||
  bad "-r 3 with a row of 2: not called incomplete"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
