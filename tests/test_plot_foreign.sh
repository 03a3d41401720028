#!/usr/bin/env bash
# test_plot_foreign.sh - `allocscope plot DIR` where DIR holds run folders
# but is no run, suite or tune folder (results/, /tmp, a folder of the
# user's runs). Until session 32 plot took it for a suite and wrote plots/
# and report.md into every run folder below it, folders that were never
# plot's. Now: exit 2, one line naming DIR, the reason and the run folders,
# nothing written anywhere; with -o OUT the runs are one report in OUT and
# DIR stays as it was. Folders that `suite` (scenarios.csv, suite.args, an
# older suite's scenarios.csv without the charts column) and `tune`
# (tune.csv) wrote still plot in place.
# usage: test_plot_foreign.sh ALLOCSCOPE
set -u
as=$(readlink -f "$1")
. "$(dirname "$0")/cli_expect.sh"
fix=$(dirname "$(readlink -f "$0")")/fixtures/results-small
[ -f "$fix/trials.csv" ] || { echo "skipped: no fixture $fix"; exit 77; }
export ALLOCSCOPE_GNUPLOT=/nonexistent/gnuplot # the report is what matters

# a folder W/NAME with two run folders in it ('run 2' named with a space)
collection() {
  rm -rf "$tmp/w" && mkdir -p "$tmp/w/$1" && cp -r "$fix" "$tmp/w/$1/run1" &&
    cp -r "$fix" "$tmp/w/$1/run 2" && touch -d '-1 min' "$tmp/stamp" &&
    find "$tmp/w" -exec touch -d '-2 min' {} +
}
# whether anything under W is newer than the stamp: the paths, one a line
changed() { find "$tmp/w" -newer "$tmp/stamp"; }

# --- no mark: refused, nothing written ------------------------------------------
collection coll
(cd "$tmp/w" && "$as" plot coll >"$tmp/out" 2>"$tmp/err")
rc=$?
[ "$rc" -eq 2 ] && ok || bad "folder of runs: exit $rc, want 2"
[ -z "$(changed)" ] && ok || { bad "folder of runs: files written:"; changed | sed 's/^/  | /' >&2; }
n=$(wc -l <"$tmp/err")
want="^allocscope plot: coll: not a run, suite or tune folder \(no trials.csv, scenarios.csv, suite.args or tune.csv\), only a folder of run folders \('run 2', run1\): plot one of them \(allocscope plot 'coll/run 2'\), or all of them as one report with -o OUT$"
[ "$n" -eq 1 ] && grep -qE "$want" "$tmp/err" && ok ||
  { bad "folder of runs: want one line naming it, why and its runs:"; sed 's/^/  | /' "$tmp/err" >&2; }
[ ! -s "$tmp/out" ] && ok || bad "folder of runs: stdout: $(cat "$tmp/out")"

# more than three runs: three named, the rest counted; options change nothing
for k in 3 4 5; do cp -r "$fix" "$tmp/w/coll/run$k"; done
find "$tmp/w" -exec touch -d '-2 min' {} +
"$as" plot --all-charts --tables md "$tmp/w/coll" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "('run 2', run1, run3 and 2 more)" "$tmp/err" && ok ||
  { bad "five runs: exit $rc, want 2 and three named:"; sed 's/^/  | /' "$tmp/err" >&2; }
[ -z "$(changed)" ] && ok || { bad "five runs: files written:"; changed | sed 's/^/  | /' >&2; }

# --- with -o OUT: one report in OUT, the runs untouched --------------------------
collection coll
"$as" plot "$tmp/w/coll" -o "$tmp/o" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && [ -f "$tmp/o/report.md" ] && [ -f "$tmp/o/run1/report.md" ] && ok ||
  { bad "-o OUT: exit $rc (want 1: no gnuplot) or no report in OUT:"; sed 's/^/  | /' "$tmp/err" >&2; }
[ -z "$(changed)" ] && ok || { bad "-o OUT: files written in the runs:"; changed | sed 's/^/  | /' >&2; }

# --- a suite's, an older suite's and a tune's folder still plot in place ----------
marked() { # NAME FILE CONTENT: the collection with FILE, plotted in place
  collection "$1"
  printf '%b' "$3" >"$tmp/w/$1/$2"
  touch -d '-2 min' "$tmp/w/$1/$2"
  "$as" plot "$tmp/w/$1" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  [ "$rc" -eq 1 ] && [ -f "$tmp/w/$1/report.md" ] && [ -f "$tmp/w/$1/run1/report.md" ] &&
    [ -f "$tmp/w/$1/run 2/report.md" ] && ok ||
    { bad "$1 ($2): exit $rc (want 1: no gnuplot) or a report missing:"; sed 's/^/  | /' "$tmp/err" >&2; }
}
marked suite scenarios.csv \
  'scenario,folder,title,threads,x,y,summary_metric,expected_shape,workloads,charts\nrun1,run1,One,1,x,y,ns_per_op,flat,random,time\n'
# scenarios.csv as the first suites wrote it: no charts column (every kind)
marked oldsuite scenarios.csv \
  'scenario,folder,title,threads,x,y,summary_metric,expected_shape,workloads\nrun1,run1,One,1,x,y,ns_per_op,flat,random\n'
grep -q "^# allocscope suite report" "$tmp/w/oldsuite/report.md" && ok || bad "older suite: no suite report"
marked argsonly suite.args 'suite\0threshold\0'
marked tune tune.csv \
  'module,module_params,elapsed_ns_median,rss_growth_kib_median,frontier,recommended\nglibc,,1000,10,1,1\n'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
