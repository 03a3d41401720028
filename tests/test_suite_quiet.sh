#!/usr/bin/env bash
# test_suite_quiet.sh - `suite -q` prints what -q promises (--help: "no
# table on stdout, only the results folder"): the results: line and the
# report: line, nothing else on stdout. Before, the scenario headings and
# verdict tables went to stdout under -q as well, so `suite -q | head -1`
# read the suite's first line and the suite died of SIGPIPE (exit 141)
# before it wrote verdicts.csv.
# usage: test_suite_quiet.sh ALLOCSCOPE
set -u
as=$1
. "$(dirname "$0")/cli_expect.sh"
export CI=1

# piped into head: the one line is the results folder, the suite ends whole
"$as" suite --quick -q --no-plot -a glibc -o "$tmp/s" article 2>"$tmp/err" |
  head -1 >"$tmp/first"
rc=${PIPESTATUS[0]}
[ "$rc" -eq 0 ] && ok || bad "suite -q | head -1: exit $rc, want 0: $(tail -2 "$tmp/err")"
grep -q "^results: $tmp/s/ " "$tmp/first" && ok || bad "the first line is not results: $(cat "$tmp/first")"
[ -s "$tmp/s/verdicts.csv" ] && [ -s "$tmp/s/summary.json" ] && ok ||
  bad "suite -q | head -1: no verdicts.csv or summary.json"

# with the charts: results: and report:, nothing else
"$as" suite --quick -q -a glibc -o "$tmp/p" threshold >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && ok || bad "suite -q: exit $rc: $(tail -2 "$tmp/err")"
if [ "$(grep -c . "$tmp/out")" -eq 2 ] && grep -q "^results: $tmp/p/ " "$tmp/out" &&
  grep -qx "report: $tmp/p/report.md" "$tmp/out"; then ok; else
  bad "suite -q's stdout is not the results and report lines:"; sed 's/^/  | /' "$tmp/out" >&2
fi

# without -q the headings and verdicts are there
"$as" suite --quick -a glibc --no-plot -o "$tmp/v" threshold >"$tmp/out" 2>"$tmp/err"
grep -q '^== threshold' "$tmp/out" && grep -q '^verdicts: ' "$tmp/out" && ok ||
  bad "suite without -q: no heading or verdicts line: $(head -3 "$tmp/out")"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
