#!/usr/bin/env bash
# test_compare_cli.sh - `allocscope compare A B` on fixture results folders:
# no change, a regression (exit 1 only with --fail-on-regression), a change
# below --threshold, different hosts (a warning), bad input (exit 2).
# usage: test_compare_cli.sh ALLOCSCOPE
set -u
as=$1
. "$(dirname "$0")/cli_expect.sh"
# folder DIR HOST GLIBC_NS MIMALLOC_NS: six repetitions each around the values
folder() {
  mkdir -p "$1"
  printf 'key,value\nresults_format,2\nhost,%s\nkernel,6.1\nglibc,2.36\nbuild_type,Release\ngit_revision,abc\n' \
    "$2" >"$1/context.csv"
  {
    echo "trial,rep,module,module_params,workload,workload_params,threads,status,ns_per_op"
    for r in 0 1 2 3 4 5; do
      echo "0,$r,glibc,,random,ops=1000,1,ok,$(awk "BEGIN { print $3 + $r * 0.1 }")"
      echo "1,$r,mimalloc,,random,ops=1000,1,ok,$(awk "BEGIN { print $4 + $r * 0.1 }")"
    done
  } >"$1/trials.csv"
}
folder "$tmp/a" hostA 100 50
folder "$tmp/same" hostA 100 50
folder "$tmp/slow" hostA 100 60      # mimalloc 20 % slower
folder "$tmp/bit" hostA 100 51.5     # mimalloc 3 % slower
folder "$tmp/other" hostB 100 50

expect 0 "mimalloc +random:ops=1000 +1 .* no change" compare "$tmp/a" "$tmp/same" --fail-on-regression
expect 0 "2 matched: 0 regressions" compare "$tmp/a" "$tmp/same"
expect 0 "mimalloc .* 1\.199 .*REGRESSION" compare "$tmp/a" "$tmp/slow"
expect 1 "1 regression," compare "$tmp/a" "$tmp/slow" --fail-on-regression
expect 0 "mimalloc .* 1\.030 .* no change" compare "$tmp/a" "$tmp/bit" --fail-on-regression
expect 1 "mimalloc .*REGRESSION" compare --threshold 2% "$tmp/a" "$tmp/bit" --fail-on-regression
expect 0 "warning: host differs: 'hostA' vs 'hostB'" compare "$tmp/a" "$tmp/other"
if "$as" compare "$tmp/a" "$tmp/same" 2>&1 | grep -q "warning"; then bad "same context warned"; else ok; fi
expect 2 "trials.csv|context.csv" compare "$tmp/a" "$tmp/nonexistent"
expect 2 "expected two results folders" compare "$tmp/a"
expect 2 "--threshold" compare --threshold abc "$tmp/a" "$tmp/same"
# a bare fraction would be a percentage 100 x smaller than meant: refused
expect 2 "--threshold: '0.05' is ambiguous.*write 5% for a fraction of 0.05, or 0.05%" \
  compare --threshold 0.05 "$tmp/a" "$tmp/same"

# a damaged trials.csv is named with its line, exit 2, not half-read (until
# session 19 a cut row became a group "only in B", a garbled threads cell
# was cast from NaN: undefined behaviour under UBSan)
mkdir -p "$tmp/cut"; cp "$tmp/a/context.csv" "$tmp/cut/"
head -5 "$tmp/a/trials.csv" >"$tmp/cut/trials.csv"; printf '1,5,mimalloc,,random\n' >>"$tmp/cut/trials.csv"
expect 2 "cut/trials.csv: line 6: 5 of 9 fields" compare "$tmp/a" "$tmp/cut"
[ "$(wc -l <"$tmp/out")" -eq 1 ] && ok || bad "not one line: $(cat "$tmp/out")"
head -5 "$tmp/a/trials.csv" >"$tmp/cut/trials.csv"; printf '1,5,mimalloc,,random,ops=1000,x1,ok,50\n' >>"$tmp/cut/trials.csv"
expect 2 "cut/trials.csv: line 6: threads is not a count" compare "$tmp/a" "$tmp/cut"
# the file ends inside the last row's last number, every field there (until
# session 20 read as whole: 50 became 5)
head -c -2 "$tmp/a/trials.csv" >"$tmp/cut/trials.csv"
expect 2 "cut/trials.csv: line 13: no line end: cut short" compare "$tmp/a" "$tmp/cut"
cut -d, -f1-5 "$tmp/a/trials.csv" >"$tmp/cut/trials.csv"
expect 2 "cut/trials.csv: no column 'threads'" compare "$tmp/a" "$tmp/cut"
# a key column missing (a damaged header, another tool's table): named, exit
# 2 (until review-a, without trial every row read as trial 0 and whole
# groups were dropped as disturbed: "only in A", exit 0)
for col in trial rep module_params workload_params; do
  awk -F, -v c="$col" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i }
    { s = ""; for (i = 1; i <= NF; i++) if (i != k) s = s (s == "" ? "" : ",") $i; print s }' \
    "$tmp/a/trials.csv" >"$tmp/cut/trials.csv"
  expect 2 "cut/trials.csv: no column '$col'" compare "$tmp/a" "$tmp/cut"
  [ "$(wc -l <"$tmp/out")" -eq 1 ] && ok || bad "no $col: not one line: $(cat "$tmp/out")"
done
# a NUL byte in a cell, and a column twice: until a fuzz review "50\0999"
# read as 50, and a second ns_per_op column was passed over, both exit 0
sed '3s/,ok,\([0-9.]*\)$/,ok,\1\x00999/' "$tmp/a/trials.csv" >"$tmp/cut/trials.csv"
expect 2 "cut/trials.csv: line 3: a NUL byte \\(binary data\\)" compare "$tmp/a" "$tmp/cut"
sed '1s/$/,ns_per_op/; 2,$s/$/,1/' "$tmp/a/trials.csv" >"$tmp/cut/trials.csv"
expect 2 "cut/trials.csv: column 'ns_per_op' twice \(columns 9 and 10\)" compare "$tmp/a" "$tmp/cut"
expect 2 "cut/trials.csv: column 'ns_per_op' twice" compare "$tmp/cut" "$tmp/a"
# a header of 100000 names over rows of one field: each row took 800 KB
# of cell pointers (690 KB of file, 500 rows: 400 MB); refused early.
# compare now keeps only the columns it reads (as_table_read_cols), so
# such a file holds no pointers and is refused for its missing columns
mkdir -p "$tmp/wide"; cp "$tmp/a/context.csv" "$tmp/wide/"
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "%sc%d", i ? "," : "", i; print ""
  for (i = 0; i < 100; i++) print "x" }' >"$tmp/wide/trials.csv"
expect 2 "wide/trials.csv: (line [0-9]+: rows far shorter than the header's 100000 columns|no column 'trial')" \
  compare "$tmp/a" "$tmp/wide"

# --metric: any numeric trials.csv column, less being better. mem DIR
# GLIBC_KIB MIMALLOC_KIB: six repetitions of a memory scenario run with
# --jobs 2 (no ns_per_op, context.csv timing_figures)
mem() {
  mkdir -p "$1"
  printf 'key,value\nresults_format,2\nhost,hostA\nkernel,6.1\nglibc,2.36\nbuild_type,Release\ngit_revision,abc\ntiming_figures,not written\n' >"$1/context.csv"
  {
    echo "trial,rep,module,module_params,workload,workload_params,threads,status,ns_per_op,rss_peak_kib"
    for r in 0 1 2 3 4 5; do
      echo "0,$r,glibc,,threshold,size=64k,1,ok,,$(($2 + r))"
      echo "1,$r,mimalloc,,threshold,size=64k,1,ok,,$(($3 + r))"
      echo "2,$r,bump,,threshold,size=64k,1,skipped,,"
    done
  } >"$1/trials.csv"
}
mem "$tmp/m1" 8000 9000
mem "$tmp/m2" 8000 12000
expect 0 "mimalloc +threshold:size=64k +1 +9002.50 +12002.50 +1\.333 .*REGRESSION" \
  compare "$tmp/m1" "$tmp/m2" --metric rss_peak_kib
expect 0 "ratio of median rss_peak_kib B/A" compare "$tmp/m1" "$tmp/m2" --metric rss_peak_kib
refuse 0 "no timing figures" compare "$tmp/m1" "$tmp/m2" --metric rss_peak_kib
# the skipped module: one line saying so, no nan row
refuse 0 "bump|nan" compare "$tmp/m1" "$tmp/m2" --metric rss_peak_kib
expect 0 "1 more in both with no ok repetition in either" compare "$tmp/m1" "$tmp/m2" --metric rss_peak_kib
# by ns/op they have nothing to compare: said so, exit 2
expect 2 "no ns_per_op in either folder .*--metric" compare "$tmp/m1" "$tmp/m2"
expect 2 "--metric: 'rss_peek' is not a numeric trials.csv column" compare "$tmp/m1" "$tmp/m2" --metric rss_peek
expect 2 "--metric: ops_per_sec is better when higher" compare "$tmp/m1" "$tmp/m2" --metric ops_per_sec
# a metric at 0 in A (mmap_calls, majflt often are): no ratio, but both ran:
# 0 and 0 is no change, 0 then 3 a regression (until session 19: "no ok
# repetition on one side", and a regression from 0 never flagged)
zero() {
  mkdir -p "$1"; cp "$tmp/a/context.csv" "$1/"
  { echo "trial,rep,module,module_params,workload,workload_params,threads,status,ns_per_op,mmap_calls"
    for r in 0 1 2 3 4 5; do echo "0,$r,glibc,,random,ops=1000,1,ok,10.$r,$2"; done; } >"$1/trials.csv"
}
zero "$tmp/z0" 0; zero "$tmp/z0b" 0; zero "$tmp/z3" 3
expect 0 "glibc .* 0\.00 +0\.00 +1\.000 .* no change" compare "$tmp/z0" "$tmp/z0b" --metric mmap_calls
expect 1 "glibc .* 0\.00 +3\.00 +from 0 +n/a .*REGRESSION \(A's median 0: no ratio, p decides\)" compare "$tmp/z0" "$tmp/z3" --metric mmap_calls --fail-on-regression
# a row one folder did not time (--jobs) shows the other folder's median
mkdir -p "$tmp/untimed"; cp "$tmp/a/context.csv" "$tmp/untimed/"
echo "timing_figures,not written: trials ran 2 at a time" >>"$tmp/untimed/context.csv"
sed '2,$s/,[0-9.]*$/,/' "$tmp/a/trials.csv" >"$tmp/untimed/trials.csv"
expect 0 "mimalloc +random:ops=1000 +1 +50\.25 +- .*not measured on one side" compare "$tmp/a" "$tmp/untimed"
# two suite folders: scenario by scenario, workloads as SCENARIO/label;
# a scenario in one suite only is left out; a suite against a run refused
mkdir -p "$tmp/s1" "$tmp/s2"
cp -r "$tmp/a" "$tmp/s1/speed"; cp -r "$tmp/slow" "$tmp/s2/speed"
cp -r "$tmp/m1" "$tmp/s1/threshold"; cp -r "$tmp/m2" "$tmp/s2/threshold"
cp -r "$tmp/a" "$tmp/s1/only1"
# (what `suite` writes first marks them suites, not folders of runs:
# test_compare_foreign.sh)
for s in s1 s2; do echo "scenario,folder" >"$tmp/$s/scenarios.csv"; done
# (a real trials.csv has every column: speed's rss_peak_kib too)
for s in s1 s2; do sed -i '1s/$/,rss_peak_kib/; 2,$s/$/,7000/' "$tmp/$s/speed/trials.csv"; done
expect 1 "mimalloc +speed/random:ops=1000 +1 .*REGRESSION" compare "$tmp/s1" "$tmp/s2" --fail-on-regression
expect 0 "2 matched: 1 regression.*" compare "$tmp/s1" "$tmp/s2"
expect 0 "scenario only1 only in .*/s1: not compared" compare "$tmp/s1" "$tmp/s2"
expect 0 "2 more in both without ns_per_op" compare "$tmp/s1" "$tmp/s2"
expect 0 "mimalloc +threshold/threshold:size=64k .*REGRESSION" compare "$tmp/s1" "$tmp/s2" --metric rss_peak_kib
# the contexts of every scenario, not the first one's alone: threshold (after
# speed) ran --jobs; a host that differs in both scenarios is said once
# (until session 20 only the first common scenario's context was read)
expect 0 "s2 has no timing figures to compare in threshold \\(context.csv timing_figures: not written" compare "$tmp/s1" "$tmp/s2"
mkdir -p "$tmp/s3"; cp -r "$tmp/s2/speed" "$tmp/s2/threshold" "$tmp/s2/scenarios.csv" "$tmp/s3/"
sed -i 's/^host,.*/host,hostB/' "$tmp/s3/speed/context.csv" "$tmp/s3/threshold/context.csv"
"$as" compare "$tmp/s1" "$tmp/s3" >"$tmp/out" 2>&1
[ "$(grep -c "warning: host differs: 'hostA' vs 'hostB'" "$tmp/out")" = 1 ] && ok ||
  bad "suite host difference not said once: $(cat "$tmp/out")"
cp -r "$tmp/s3" "$tmp/s4"; sed -i 's/^git_revision,.*/git_revision,def/' "$tmp/s4/threshold/context.csv"
expect 0 "warning: git_revision differs: 'abc' vs 'def'" compare "$tmp/s3" "$tmp/s4"
# a module given by path is matched by its file name: a rebuild in another
# folder, or ./x.so against x.so, meets itself (until session 20 they were
# "only in A" / "only in B" and --fail-on-regression passed); two paths of
# one folder with the same file name keep their paths
pathmod() { # pathmod DIR "MOD1 MOD2" NS1 NS2
  mkdir -p "$1"; cp "$tmp/a/context.csv" "$1/"
  set -- "$1" $2 "$3" "$4"
  { echo "trial,rep,module,module_params,workload,workload_params,threads,status,ns_per_op"
    for r in 0 1 2 3 4 5; do
      echo "0,$r,$2,,random,,1,ok,$(awk "BEGIN { print $4 + $r * 0.1 }")"
      echo "1,$r,$3,,random,,1,ok,$(awk "BEGIN { print $5 + $r * 0.1 }")"
    done; } >"$1/trials.csv"
}
pathmod "$tmp/pa" "glibc out/scmod.so" 100 50
pathmod "$tmp/pb" "glibc out_v2/scmod.so" 100 60
expect 1 "out/scmod.so +random +1 .*REGRESSION" compare "$tmp/pa" "$tmp/pb" --fail-on-regression
expect 0 "note: module out/scmod.so in A and out_v2/scmod.so in B matched by file name" compare "$tmp/pa" "$tmp/pb"
refuse 0 "only in" compare "$tmp/pa" "$tmp/pb"
pathmod "$tmp/pc" "a/my.so b/my.so" 100 50
pathmod "$tmp/pd" "a/my.so b/my.so" 100 50
expect 0 "b/my.so +random .* no change" compare "$tmp/pc" "$tmp/pd"
# the same path on both sides matches itself though B also holds a twin
# of that file name; a built-in never matches a path of its name (an
# outside review: glibc and out2/glibc.so merged into one row of 6
# repetitions, median 21.53 between 35.07 and 6.91)
pathmod "$tmp/pe" "out/x.so glibc" 100 50
pathmod "$tmp/pf" "out/x.so out2/x.so" 100 50
expect 0 "out/x.so +random +1 .* no change" compare "$tmp/pe" "$tmp/pf"
pathmod "$tmp/pg" "glibc out2/glibc.so" 35 7
expect 0 "glibc +random +1 +35.*no change" compare "$tmp/pg" "$tmp/pg"
expect 0 "out2/glibc.so +random +1 +7" compare "$tmp/pg" "$tmp/pg"
pathmod "$tmp/ph" "glibc x" 35 50
expect 0 "out2/glibc.so +random +1 only in A" compare "$tmp/pg" "$tmp/ph"
# a run under --validate: its ns/op are the checks' as much as the module's
# (an outside review compared one to a plain run: a 30.2 x "regression",
# no warning, until session 20); context.csv and compare say so
"$as" run -q --no-plot -a glibc -w random:ops=2000,live=100 -r 2 --min-time 0 -o "$tmp/v0" >/dev/null 2>&1
"$as" run --no-plot -a glibc -w random:ops=2000,live=100 -r 2 --min-time 0 --validate -o "$tmp/v1" >"$tmp/v1.out" 2>&1
grep -q "^timing_figures,.*--validate checked every returned block" "$tmp/v1/context.csv" && ok ||
  bad "context.csv of a --validate run: no timing_figures"
grep -q "(--validate: ns/op, ops/s and latencies include its check" "$tmp/v1.out" && ok ||
  bad "no console line under a --validate run's table"
expect 0 "warning: .*/v1 has no timing figures to compare \\(context.csv timing_figures: the validator's" compare "$tmp/v0" "$tmp/v1"
expect 2 "is a suite folder and .* a run one: compare two runs or two suites" compare "$tmp/s1" "$tmp/a"
expect 2 "not a results folder" compare "$tmp/s1" "$tmp/nonexistent"

# Two threads: mt DIR "NS:HANDOFF ..." writes glibc xmalloc -t 2 repetitions
# with their handoff_end_ns (the threads' cache-line round trip after the
# timed region, harness/handoff.h). The figures are the lead's idle
# machine's (session 11): 29-31 ns/op with the vCPUs close (96-123 ns),
# 110-114 ns/op with them apart (322-477 ns).
mt() {
  mkdir -p "$1"
  printf 'key,value\nresults_format,2\nhost,hostA\nkernel,6.1\nglibc,2.36\nbuild_type,Release\ngit_revision,abc\n' >"$1/context.csv"
  {
    echo "trial,rep,module,module_params,workload,workload_params,threads,status,ns_per_op,handoff_end_ns"
    r=0
    for v in $2; do echo "0,$r,glibc,,xmalloc,,2,ok,${v%%:*},${v##*:}"; r=$((r + 1)); done
  } >"$1/trials.csv"
}
mt "$tmp/close" "29.87:102 30.66:123 31.22:96 28.95:110 30.1:105 29.5:99"
mt "$tmp/close2" "30.2:104 29.7:115 31.0:101 29.1:98 30.4:108 29.9:112"
mt "$tmp/apart" "113.54:443 110.05:410 111.2:452 112.3:398 110.9:421 114.0:447"
# 4 close, 4 apart in one run: the 4 apart are disturbed (over 1.5 x the
# run's smallest), left out as summary.csv leaves them: no change against
# a close run; counted in, the median would be 70 ns/op, a regression
mt "$tmp/mixed" "29.87:102 113.54:443 30.66:123 110.05:410 31.22:96 111.2:452 28.95:110 112.3:398"
# a noisy folder: 24 1-thread trials, 6 of them waiting half their time
# for a CPU (disturbed), beside close 2-thread ones: 25 % >= 15 %, its
# multi-thread figures are suspect (disturb.h AS_NOISY_SHARE)
mkdir -p "$tmp/noisy"
cp "$tmp/close/context.csv" "$tmp/noisy/"
{
  echo "trial,rep,module,module_params,workload,workload_params,threads,status,ns_per_op,elapsed_ns,wait_ns,handoff_end_ns"
  for r in $(seq 0 23); do echo "1,$r,glibc,,xmalloc,,1,ok,6.1,50000000,$([ $((r % 4)) -eq 3 ] && echo 25000000 || echo 10000),"; done
  for r in 0 1 2 3 4 5; do echo "0,$r,glibc,,xmalloc,,2,ok,30.$r,50000000,10000,10$r"; done
} >"$tmp/noisy/trials.csv"
expect 0 "warning: .*/noisy ran on a noisy machine: 25 % of its 1-thread trials disturbed" compare "$tmp/close" "$tmp/noisy"
refuse 0 "noisy machine" compare "$tmp/close" "$tmp/close2"
expect 0 "warning: the threads' CPUs were farther apart in B: a cache-line round trip took 104 ns in A and 432 ns in B" compare "$tmp/close" "$tmp/apart"
expect 0 "farther apart in A" compare "$tmp/apart" "$tmp/close"
if "$as" compare "$tmp/close" "$tmp/close2" 2>&1 | grep -q "warning"; then bad "close vs close warned"; else ok; fi
expect 0 "glibc +xmalloc +2 .* no change" compare "$tmp/close" "$tmp/mixed" --fail-on-regression
refuse 0 "farther apart" compare "$tmp/close" "$tmp/mixed"

# --json: the same comparison for programs, parsed back by python3's json
# and checked against the table of the same folders
if command -v python3 >/dev/null; then
  "$as" compare "$tmp/a" "$tmp/slow" --json >"$tmp/slow.json" 2>"$tmp/err"
  rc=$?
  [ $rc -eq 0 ] && ok || bad "compare --json exit $rc"
  if python3 - "$tmp/slow.json" <<'PY'; then ok; else bad "compare --json content"; fi
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "allocscope-compare" and d["format_version"] == 1, d
assert d["metric"] == "ns_per_op" and abs(d["threshold"] - 0.05) < 1e-12
assert d["context_differences"] == [] and d["only_in_a"] == [] and d["only_in_b"] == []
ch = {c["module"]: c for c in d["changes"]}
m = ch["mimalloc"]
assert m["workload"] == "random:ops=1000" and m["threads"] == 1 and m["n"] == 6
assert abs(m["median_a"] - 50.25) < 1e-9 and abs(m["median_b"] - 60.25) < 1e-9, m
# the table's and the CSV's 6 significant digits, not 17 (1.1990049751243781)
assert m["ratio"] == float("%.6g" % (60.25 / 50.25)) and m["ci_lo"] > 1 and m["p_value"] < 0.05, m
text = open(sys.argv[1]).read()
assert '"threshold": 0.05,' in text and '"ratio": 1.199,' in text, text
import re
for tok in re.findall(r'(?<=: )-?[0-9][0-9.eE+-]*', text):
    if "." in tok or "e" in tok.lower():
        sig = len(tok.lower().split("e")[0].replace("-", "").replace(".", "").strip("0"))
        assert sig <= 6, (tok, "more than 6 significant digits")
assert m["change"] == "regression" and m["outcome"] == "slower" and m["significant"] is True
assert ch["glibc"]["change"] == "no_change" and ch["glibc"]["significant"] is False
assert d["regressions"] == 1 and d["improvements"] == 0
PY
  "$as" compare "$tmp/a" "$tmp/slow" --json --fail-on-regression >/dev/null 2>&1
  [ $? -eq 1 ] && ok || bad "--json --fail-on-regression: exit not 1"
  "$as" compare "$tmp/a" "$tmp/other" --json 2>/dev/null >"$tmp/other.json"
  if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["context_differences"] == [{"key": "host", "a": "hostA", "b": "hostB"}], d' "$tmp/other.json"; then ok; else bad "context_differences"; fi
  "$as" compare "$tmp/close" "$tmp/apart" --json 2>/dev/null >"$tmp/apart.json"
  if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["context_differences"] == [{"key": "handoff_end_ns", "a": "104", "b": "432"}], d' "$tmp/apart.json"; then ok; else bad "context_differences: handoff"; fi
  "$as" compare "$tmp/close" "$tmp/noisy" --json 2>/dev/null >"$tmp/noisy.json"
  if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["context_differences"] == [{"key": "noisy", "a": "", "b": "0.25"}], d' "$tmp/noisy.json"; then ok; else bad "context_differences: noisy"; fi
  # compare leaves out what summary.csv leaves out, rounds too: glibc and
  # mimalloc xmalloc t2 with the vCPUs apart, but glibc's repetition 2
  # ended with them close (the host moved them during that round), so
  # both of round 2 are disturbed (disturb.h "A round in two placements"):
  # n 5 each; a folder whose trials.csv has no rep or workload would run
  # every trial into one round
  mkdir -p "$tmp/round"
  cp "$tmp/close/context.csv" "$tmp/round/"
  {
    echo "trial,rep,module,module_params,workload,workload_params,threads,status,ns_per_op,handoff_end_ns"
    for r in 0 1 2 3 4 5; do
      echo "0,$r,glibc,,xmalloc,,2,ok,11$r,$([ $r = 2 ] && echo 102 || echo 44$r)"
      echo "1,$r,mimalloc,,xmalloc,,2,ok,$([ $r = 2 ] && echo 6 || echo 1$r),43$r"
    done
  } >"$tmp/round/trials.csv"
  "$as" compare "$tmp/round" "$tmp/round" --json 2>/dev/null >"$tmp/round.json"
  if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); n={c["module"]: (c["n"], c["n_baseline"]) for c in d["changes"]}; assert n == {"glibc": (5, 5), "mimalloc": (5, 5)}, n' "$tmp/round.json"; then ok; else bad "a round in two placements: $(cat "$tmp/round.json" | grep '"n')"; fi
  expect 2 "trials.csv|context.csv" compare "$tmp/a" "$tmp/nonexistent" --json
else
  echo "skipped: --json checks (python3 not installed)"
fi

# the rows' order: workload, threads, module, labels in version order
# (ops=64 before ops=256), whatever order either trials.csv has them in;
# only-in rows alike. Until this check they came in B's file order: a run
# of -a zeta,alpha -w random:ops=256,random:ops=64 -t 2,1 put zeta's
# ops=256 t2 first
order() { # order DIR REVERSE: zeta and alpha x ops=256, ops=64 x t2, t1
  mkdir -p "$1"; cp "$tmp/a/context.csv" "$1/"
  { echo "trial,rep,module,module_params,workload,workload_params,threads,status,ns_per_op"
    for r in 0 1 2 3 4 5; do t=0
      for w in 256 64; do for th in 2 1; do for m in zeta alpha; do
        echo "$t,$r,$m,,random,ops=$w,$th,ok,$((w + th)).$r"; t=$((t + 1))
      done; done; done
    done
  } >"$1/rows"
  if [ "$2" = 1 ]; then # reversed, and two groups B has not
    { head -1 "$1/rows"; tail -n +2 "$1/rows" | tac
      echo "8,0,beta,,random,ops=256,1,ok,5"; echo "9,0,alpha,,random,ops=1024,1,ok,5"; } >"$1/trials.csv"
  else # as run, and one group A has not
    { cat "$1/rows"; echo "8,0,only,,random,ops=64,1,ok,5"; } >"$1/trials.csv"
  fi
  rm -f "$1/rows"
}
order "$tmp/o1" 1; order "$tmp/o2" 0
"$as" compare "$tmp/o1" "$tmp/o2" >"$tmp/order" 2>/dev/null
awk 'NR > 2 && $1 !~ /^[0-9(]/ { print $1, $2, $3 }' "$tmp/order" >"$tmp/order.rows"
printf '%s\n' "alpha random:ops=64 1" "only random:ops=64 1" "zeta random:ops=64 1" \
  "alpha random:ops=64 2" "zeta random:ops=64 2" "alpha random:ops=256 1" \
  "zeta random:ops=256 1" "alpha random:ops=256 2" "zeta random:ops=256 2" \
  "beta random:ops=256 1" "alpha random:ops=1024 1" >"$tmp/order.want"
cmp -s "$tmp/order.rows" "$tmp/order.want" && ok ||
  bad "rows not in workload, threads, module order: $(tr '\n' ';' <"$tmp/order.rows")"
if command -v python3 >/dev/null; then
  "$as" compare "$tmp/o1" "$tmp/o2" --json >"$tmp/order.json" 2>/dev/null
  if python3 - "$tmp/order.json" <<'PY'; then ok; else bad "--json rows not in order"; fi
import json, sys
d = json.load(open(sys.argv[1]))
rows = [(c["module"], c["workload"], c["threads"]) for c in d["changes"]]
want = [(m, "random:ops=%d" % w, t) for w in (64, 256) for t in (1, 2) for m in ("alpha", "zeta")]
assert rows == want, rows
assert [(c["module"], c["workload"]) for c in d["only_in_a"]] == \
    [("beta", "random:ops=256"), ("alpha", "random:ops=1024")], d["only_in_a"]
assert [c["module"] for c in d["only_in_b"]] == ["only"], d["only_in_b"]
PY
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
