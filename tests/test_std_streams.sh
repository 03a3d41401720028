#!/usr/bin/env bash
# test_std_streams.sh - allocscope started with a standard stream closed
# (`>&-`, `2>&-`): nothing meant for the terminal lands in a results file.
# Before session 25 the first file opened took the closed fd 1 or 2, and
# the console's lines went into it: a resumed run's "running it again"
# line replaced the pid in its folder's .lock.
# usage: test_std_streams.sh ALLOCSCOPE
set -u
as=$(readlink -f "$1")
. "$(dirname "$0")/cli_expect.sh"

# --- stderr closed: the resume's note goes nowhere, not into .lock ------------
"$as" run -a null -r 2 -o "$tmp/r" --no-plot -q >/dev/null 2>&1
truncate -s -30 "$tmp/r/trials.csv" # a cut last row: resume says so on stderr
"$as" run --resume "$tmp/r" >/dev/null 2>&-
grep -qvx '[0-9]*' "$tmp/r/.lock" && bad "2>&-: .lock holds: $(head -c 200 "$tmp/r/.lock")" || ok
grep -rl "running it again" "$tmp/r" >"$tmp/hits"
[ ! -s "$tmp/hits" ] && ok || bad "2>&-: a console line in $(cat "$tmp/hits")"

# --- stdout closed: the table is in no file of the folder ---------------------
"$as" run -a null -r 1 -o "$tmp/o" --no-plot >&- 2>/dev/null
grep -rlE "^module +workload|^results: " "$tmp/o" "$tmp/o/.lock" >"$tmp/hits"
[ ! -s "$tmp/hits" ] && ok || bad ">&-: the table in $(cat "$tmp/hits")"
[ -s "$tmp/o/trials.csv" ] && ok || bad ">&-: no trials.csv"

# --- stdout that cannot be written: one line, exit 2 (was 0) -----------------
# (a full stdout: test_cli.sh's /dev/full cases; here a closed one)
"$as" --version >&- 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "cannot write to stdout: Bad file descriptor" "$tmp/err" && ok ||
  bad ">&-: want exit 2 naming stdout: $(cat "$tmp/err")"
# a run whose table is lost keeps its results and says so
"$as" run -a null -r 1 -o "$tmp/f" --no-plot >/dev/full 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "cannot write to stdout" "$tmp/err" && [ "$(wc -l <"$tmp/f/trials.csv")" -eq 2 ] && ok ||
  bad "run >/dev/full: exit $rc, want 2 and its trials.csv: $(cat "$tmp/err")"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
