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
same = ["live_bytes_peak", "heap_rss_peak_kib", "heap_size_peak_kib", "mmap_rss_peak_kib",
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

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
