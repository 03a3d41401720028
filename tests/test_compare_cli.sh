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

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
