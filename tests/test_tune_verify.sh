#!/usr/bin/env bash
# test_tune_verify.sh - `tune --verify -- PROG` runs the program as it was
# captured: each run reads the standard input the captured run read (a
# file from its start, a pipe's input from a copy tune keeps), so python3
# reading its script from stdin runs that script 1 + 2 x N times. Until
# session 35 every run read /dev/null: `tune --verify -- python3 - <
# script.py` measured an empty script (13 MiB, 44 ms; the script: 85 MiB,
# about 2 s) against replay's prediction for the script and said "neither
# prediction holds". A memory budget (--max-rss between the smallest configuration's
# RSS growth and glibc's) makes the recommendation one that is not glibc's
# defaults, whatever the noise, so that --verify runs.
# usage: test_tune_verify.sh ALLOCSCOPE
set -u
as=$(readlink -f "$1")
. "$(dirname "$0")/cli_expect.sh"
py=$(command -v python3) || { echo "skipped: python3 not installed"; exit 77; }
cd "$tmp" || exit 1
cat >script.py <<EOF
import json
d = {}
for i in range(20000):
    d["k%d" % i] = {"i": i, "s": "x" * (i % 50), "l": list(range(i % 10))}
s = json.dumps(d)
d = json.loads(s)
open("$tmp/runs", "a").write("%d\n" % len(s))
EOF
prog=(env PYTHONMALLOC=malloc "$py" -)

# the configurations built here that may hold less than glibc on it
cands=
for c in mimalloc tcmalloc jemalloc:dirty_decay_ms=0,muzzy_decay_ms=0; do
  "$as" list "${c%%:*}" >/dev/null 2>&1 && cands=${cands:+$cands,}$c
done
[ -n "$cands" ] || { echo "skipped: none of mimalloc, tcmalloc, jemalloc is built"; exit 77; }
expect 0 'recommendation' tune -a "$cands" -r 2 --no-plot -o probe -- "${prog[@]}" <script.py
# glibc's RSS growth, and the least of the others
read -r base least < <(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
  { r = $col["rss_growth_kib_median"] }
  $col["module"] == "glibc" && $col["module_params"] == "" { b = r; next }
  m == "" || r < m { m = r } END { print b, m }' probe/tune.csv)
if ! awk -v b="$base" -v m="$least" 'BEGIN { exit !(b > 0 && m > 0 && m < b - 256) }'; then
  echo "skipped: no configuration of $cands holds less than glibc ($base KiB) here: $least KiB"
  exit 77
fi
mid=$(awk -v b="$base" -v m="$least" 'BEGIN { printf "%d", (b + m) / 2 }')

# verify_runs NAME HOW: tune --verify of the script given on stdin (HOW:
# file or pipe); the script ran once for the capture and once for each of
# the 2 x 2 runs, and the baseline's runs hold at least its RSS growth
verify_runs() {
  local name=$1 how=$2 n rss
  rm -f runs
  if [ "$how" = file ]; then
    expect 0 '^verify: (both|one|neither)' tune --verify --verify-reps 2 -r 2 --no-plot \
      --objective memory -a "$cands" --max-rss "${mid}k" -o "$name" -- "${prog[@]}" <script.py
  else
    mkdir -p tmpdir
    TMPDIR=$tmp/tmpdir expect 0 '^verify: (both|one|neither)' tune --verify --verify-reps 2 \
      -r 2 --no-plot --objective memory -a "$cands" --max-rss "${mid}k" -o "$name" -- \
      "${prog[@]}" < <(cat script.py)
  fi
  n=$(wc -l <runs 2>/dev/null || echo 0)
  [ "$n" -eq 5 ] && ok || bad "$how: the script ran $n times, want 5 (the capture and 2 x 2 verify runs)"
  rss=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    $col["metric"] == "peak_rss_kib" { print $col["baseline_median"] }' "$name/verify.csv" 2>/dev/null)
  awk -v r="${rss:-0}" -v b="$base" 'BEGIN { exit !(r >= b) }' && ok ||
    bad "$how: the baseline's runs peaked at ${rss:-no} KiB, below the script's RSS growth of $base KiB in replay"
}
verify_runs vfile file
verify_runs vpipe pipe
# the pipe's copy is no file left behind
left=$(ls -A tmpdir)
[ -z "$left" ] && ok || bad "left in TMPDIR after the pipe's tune: $left"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
