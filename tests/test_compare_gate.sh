#!/usr/bin/env bash
# test_compare_gate.sh - `allocscope compare` as a CI gate (--fail-on-regression,
# --json read by a program): what an outside review found it let through,
# each case on fixture folders: a module that stopped working in B, ...
# usage: test_compare_gate.sh ALLOCSCOPE
set -u
as=$1
. "$(dirname "$0")/cli_expect.sh"
# ctx DIR [KEY,VALUE...]: DIR/context.csv, the fixture's machine and the
# extra lines given
ctx() {
  local d=$1
  shift
  mkdir -p "$d"
  { printf 'key,value\nresults_format,2\nhost,hostA\nkernel,6.1\nglibc,2.36\nbuild_type,Release\ngit_revision,abc\n'
    for l in "$@"; do echo "$l"; done; } >"$d/context.csv"
}
# rows DIR MODULE PARAMS STATUS NS [TRIAL]: six repetitions of MODULE on
# random:ops=1000 at 1 thread, around NS (empty NS: empty cells)
hdr="trial,rep,module,module_params,workload,workload_params,threads,status,ns_per_op"
rows() {
  for r in 0 1 2 3 4 5; do
    echo "${6:-0},$r,$2,$3,random,ops=1000,1,$4,$([ -n "$5" ] && awk "BEGIN { print $5 + $r * 0.1 }")"
  done >>"$1/trials.csv"
}
# run_dir DIR "MODULE:PARAMS:STATUS:NS ..." [CONTEXT LINES...]
run_dir() {
  local d=$1 specs=$2 t=0
  shift 2
  ctx "$d" "$@"
  echo "$hdr" >"$d/trials.csv"
  for s in $specs; do
    IFS=: read -r m p st ns <<<"$s"
    rows "$d" "$m" "$p" "$st" "$ns" $t
    t=$((t + 1))
  done
}

# 1. a module with ok repetitions in A and none in B (it crashes now) is
# a failure a gate sees: "failed", counted, exit 1 under
# --fail-on-regression (until session 21: "no ok repetition on one side",
# "0 regressions", exit 0); one ok in B only is no regression
run_dir "$tmp/a" "glibc::ok:100 mimalloc::ok:50"
run_dir "$tmp/crash" "glibc::ok:100 mimalloc::crashed:"
run_dir "$tmp/skip" "glibc::ok:100 mimalloc::skipped:"
expect 1 "mimalloc +random:ops=1000 +1 +50\.25 +- .*FAILED in B: no ok repetition, 6 crashed" \
  compare "$tmp/a" "$tmp/crash" --fail-on-regression
expect 0 "2 matched: 0 regressions, 0 improvements, 1 failed in B" compare "$tmp/a" "$tmp/crash"
expect 0 "mimalloc .* no ok repetition in A" compare "$tmp/crash" "$tmp/a" --fail-on-regression
expect 0 "mimalloc .* no ok repetition on one side" compare "$tmp/a" "$tmp/skip" --fail-on-regression
if command -v python3 >/dev/null; then
  "$as" compare "$tmp/a" "$tmp/crash" --json >"$tmp/crash.json" 2>/dev/null
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); c={c["module"]: c["change"] for c in d["changes"]}; assert c == {"glibc": "no_change", "mimalloc": "failed"} and d["failed"] == 1, d' \
    "$tmp/crash.json" && ok || bad "--json of a failed match"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
