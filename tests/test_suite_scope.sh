#!/usr/bin/env bash
# test_suite_scope.sh - what a suite's timing scenarios run.
# 1. The classic benchmarks compare general-purpose allocators (thread-safe,
#    with individual free): without -a, every other built module's rows are
#    `skipped` at every thread count with the reason, and no worker starts
#    for them (a worker would have reported the module's version). -a runs
#    what it names (bump at 1 thread; at 2 it is not thread-safe).
# 2. -r auto: the repetitions beyond the minimum 6 of the trial groups a
#    claim reads (larson: tcmalloc and glibc at 1 thread) run before any
#    other group's, so a budget that runs out cuts the others' first.
# Both fail on the build before (bump ran larson at 1 thread; the extra
# repetitions ran in group order).
# usage: test_suite_scope.sh ALLOCSCOPE
set -u
as=$1
. "$(dirname "$0")/cli_expect.sh"
export CI=1

# status, module_version and reason of MODULE's rows at THREADS
row() {
  python3 - "$1" "$2" "$3" 2>/dev/null <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    if r["module"] == sys.argv[2] and r["threads"] == sys.argv[3]:
        print(r["status"], r["module_version"] or "-", r["reason"])
PY
}

# bump is always built (allocators/CMakeLists.txt): a list without it is
# a broken list, not a configuration to skip
"$as" list >"$tmp/list" 2>&1 && grep -qE "^  bump " "$tmp/list" ||
  { echo "check failed: allocscope list names no bump:" >&2; sed 's/^/  | /' "$tmp/list" >&2
    echo "0 passed, 1 failed"; exit 1; }

# 1. every built module: bump, null skipped (no worker), glibc runs
expect 0 "skipped: .*bump.*: not compared: the classic benchmarks compare general-purpose" \
  suite larson --quick --no-plot -o "$tmp/all"
for t in 1 2; do
  for m in bump null; do
    row "$tmp/all/larson/trials.csv" $m $t | grep -q "^skipped - not compared: .*general-purpose" &&
      ok || bad "all: $m t$t: $(row "$tmp/all/larson/trials.csv" $m $t)"
  done
  row "$tmp/all/larson/trials.csv" glibc $t | grep -q "^ok [0-9]" && ok ||
    bad "all: glibc t$t: $(row "$tmp/all/larson/trials.csv" glibc $t)"
done
# the memory scenarios compare every module (bump's threshold row runs)
expect 0 "threshold" suite threshold --quick --no-plot -o "$tmp/thr"
row "$tmp/thr/threshold/trials.csv" bump 1 | grep -q "^ok " && ok ||
  bad "threshold bump: $(row "$tmp/thr/threshold/trials.csv" bump 1)"

# -a governs: bump named runs at 1 thread, is skipped at 2 as not thread-safe
expect 0 "not thread-safe" suite larson --quick --no-plot -a glibc,bump -o "$tmp/named"
row "$tmp/named/larson/trials.csv" bump 1 | grep -q "^ok " && ok ||
  bad "named bump t1: $(row "$tmp/named/larson/trials.csv" bump 1)"
row "$tmp/named/larson/trials.csv" bump 2 | grep -q "^skipped .*not thread-safe" && ok ||
  bad "named bump t2: $(row "$tmp/named/larson/trials.csv" bump 2)"

# 2. claim groups' extra repetitions first (larson's claims: tcmalloc/glibc,
# mimalloc/glibc at 1 thread): the suite's -r auto (6, at most 10), a tiny
# --ci and a long --max-time so that every group runs all 10 (under load
# and ASan too), one pass a trial
if grep -qE "^  tcmalloc " "$tmp/list"; then
  expect 0 "larson" suite larson --ci 0.1% --min-time 0 --max-time 600 --budget 0 --no-plot \
    -a glibc,tcmalloc -o "$tmp/first"
  python3 - "$tmp/first/larson/trials.csv" >"$tmp/order" <<'PY'
import csv, sys
claim = {("glibc", "1"), ("tcmalloc", "1")}
kinds = ["c" if (r["module"], r["threads"]) in claim else "o"
         for r in csv.DictReader(open(sys.argv[1])) if int(r["rep"]) >= 6]
s = "".join(kinds)
print("extras", s, "claim-first" if "oc" not in s else "interleaved",
      "both" if "c" in s and "o" in s else "one-kind")
PY
  grep -q "claim-first both" "$tmp/order" && ok || bad "extra repetitions' order: $(cat "$tmp/order")"
else
  echo "tcmalloc not built: the claim-first order is not checked"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
