#!/usr/bin/env bash
# test_compare_foreign.sh - `allocscope compare A B` where A or B holds run
# folders but is no run, suite or tune folder (results/ with run-1, run-2:
# a folder of the user's runs). Until session 33 compare took it for a
# suite, paired its unrelated runs by folder name and compared them, exit 0
# (or "no scenario in common" against a real suite, and "a suite folder and
# a run one" against a run). Now: exit 2, one line naming the folder, the
# reason, its run folders and the command to compare two of them, nothing
# on stdout (with --json: the error document), nothing written; the check
# is plot's (as_results_runs_only). Folders that `suite` (scenarios.csv,
# suite.args) and `tune` (tune.csv) wrote still compare scenario by
# scenario.
# usage: test_compare_foreign.sh ALLOCSCOPE
set -u
as=$(readlink -f "$1")
. "$(dirname "$0")/cli_expect.sh"

# run DIR NS: a run folder, glibc at about NS ns/op in six repetitions
run() {
  mkdir -p "$1"
  printf 'key,value\nresults_format,2\nhost,h\nkernel,6.1\nglibc,2.36\n' >"$1/context.csv"
  { echo "trial,rep,module,module_params,workload,workload_params,threads,status,ns_per_op"
    for r in 0 1 2 3 4 5; do
      echo "0,$r,glibc,,random,ops=1000,1,ok,$(awk "BEGIN { print $2 + $r * 0.1 }")"
    done; } >"$1/trials.csv"
}
w=$tmp/w
run "$w/resA/run-1" 100; run "$w/resA/run 2" 100
run "$w/resB/run-1" 130; run "$w/resB/run-3" 100
run "$w/runX" 100
run "$w/suiteS/speed" 100; run "$w/suiteT/speed" 100
printf 'scenario,folder,title,threads,x,y,summary_metric,expected_shape,workloads,charts\nspeed,speed,Speed,1,x,y,ns_per_op,flat,random,time\n' >"$w/suiteS/scenarios.csv"
cp "$w/suiteS/scenarios.csv" "$w/suiteT/"
find "$w" -exec touch -d '-2 min' {} +
touch -d '-1 min' "$tmp/stamp"
changed() { find "$w" -newer "$tmp/stamp"; }

# refused A B PATTERN [OPTIONS...]: exit 2, one line on stderr
# matching the pattern, nothing on stdout, nothing written
refused() {
  local a=$1 b=$2 pat=$3 rc
  shift 3
  (cd "$w" && "$as" compare "$a" "$b" "$@" >"$tmp/out" 2>"$tmp/err")
  rc=$?
  [ "$rc" -eq 2 ] && ok || bad "compare $a $b $*: exit $rc, want 2"
  [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -qE -- "$pat" "$tmp/err" && ok ||
    { bad "compare $a $b $*: want one line /$pat/:"; sed 's/^/  | /' "$tmp/err" >&2; }
  [ ! -s "$tmp/out" ] && ok || { bad "compare $a $b $*: stdout:"; sed 's/^/  | /' "$tmp/out" >&2; }
  [ -z "$(changed)" ] && ok || { bad "compare $a $b $*: files written:"; changed | sed 's/^/  | /' >&2; }
}
why='not a run, suite or tune folder \(no trials.csv, scenarios.csv, suite.args or tune.csv\), only a folder of run folders'

# two folders of runs: until now run-1 against run-1 (a 1.3 x regression of
# two unrelated runs), exit 0. The example: a name both sides have
refused resA resB "^allocscope compare: resA: $why \('run 2', run-1\): compare two run folders \(allocscope compare resA/run-1 resB/run-1\)$"
refused resA resB "^allocscope compare: resA: $why" --fail-on-regression
# against a suite, a run, either way round: the folder of runs is named,
# its first run folder the example
refused resA suiteS "^allocscope compare: resA: $why \('run 2', run-1\): compare two run folders \(allocscope compare 'resA/run 2' suiteS/speed\)$"
refused suiteS resB "^allocscope compare: resB: $why \(run-1, run-3\): compare two run folders \(allocscope compare suiteS/speed resB/run-1\)$"
refused runX resB "^allocscope compare: resB: $why \(run-1, run-3\): compare two run folders \(allocscope compare runX resB/run-1\)$"
refused resB runX "^allocscope compare: resB: $why .*\(allocscope compare resB/run-1 runX\)$"
# a common name is the example's when the other side has it, whichever
# comes first
run "$w/resC/run-3" 100; find "$w" -exec touch -d '-2 min' {} +
refused resC resB "^allocscope compare: resC: $why \(run-3\): compare two run folders \(allocscope compare resC/run-3 resB/run-3\)$"

# against one of its own runs: the example is another of them (until
# session 33: run-1 against itself)
refused resA resA/run-1 "^allocscope compare: resA: $why \('run 2', run-1\): compare two run folders \(allocscope compare 'resA/run 2' resA/run-1\)$"
refused "resA/run 2" resA "^allocscope compare: resA: $why .*\(allocscope compare 'resA/run 2' resA/run-1\)$"

# --json: the error document on stdout, the line on stderr
(cd "$w" && "$as" compare resA resB --json >"$tmp/out" 2>"$tmp/err")
rc=$?
[ "$rc" -eq 2 ] && grep -q '"error": "resA: not a run, suite or tune folder' "$tmp/out" &&
  grep -q '"matched": 0' "$tmp/out" && [ "$(wc -l <"$tmp/err")" -eq 1 ] && ok ||
  { bad "--json: exit $rc, want 2 and the error document:"; sed 's/^/  | /' "$tmp/out" "$tmp/err" >&2; }

# the folders suite and tune write still compare scenario by scenario
expect 0 "glibc +speed/random:ops=1000 +1 .*no change" compare "$w/suiteS" "$w/suiteT"
for mark in suite.args tune.csv; do
  mkdir -p "$w/m-$mark"; cp -r "$w/resA/run-1" "$w/m-$mark/"; : >"$w/m-$mark/$mark"
  cp -r "$w/m-$mark" "$w/n-$mark"
  expect 0 "glibc +run-1/random:ops=1000 +1 .*no change" compare "$w/m-$mark" "$w/n-$mark"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
