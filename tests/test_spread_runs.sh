#!/usr/bin/env bash
# test_spread_runs.sh - bench/spread_runs.sh on a small matrix (glibc and
# bump, a short random workload, 1 thread, 2 runs): each run's spread
# counts and ranking, the tally over the runs (the orders' counts add up to
# the runs), KEEP keeps the folders, a bad RUNS is refused.
# usage: test_spread_runs.sh BUILD_DIR
set -u
build=$(cd "$1" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "check failed: $*" >&2; }
tmp=$(mktemp -d /tmp/test_spread_runs.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export CI=1 MODULES=glibc,bump WORKLOADS=random:ops=2000,live=50 THREADS=1

KEEP=$tmp/keep "$src/bench/spread_runs.sh" "$build" 2 --min-time 0 -r 2 >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 0 ] && ok || { bad "exit $rc:"; sed 's/^/  | /' "$tmp/out" >&2; }
for i in 1 2; do
  grep -q "^== run $i (" "$tmp/out" && ok || bad "no heading of run $i"
  grep -qE "^  run $i: within [0-2] of 2 raw, [0-2] of 2 without the disturbed$" "$tmp/out" && ok ||
    bad "no tally line of run $i"
  [ -s "$tmp/keep/run-$i/summary.csv" ] && ok || bad "KEEP: no run-$i/summary.csv"
done
# each run ranks the two modules once: the orders' counts add up to 2
n=$(sed -n 's/^  random:ops=2000,live=50 t1 \(glibc < bump\|bump < glibc\): \([0-9]\) of 2 (runs .*)$/\2/p' "$tmp/out" |
  awk '{s += $1} END {print s + 0}')
[ "$n" -eq 2 ] && ok || { bad "the orders count $n runs, want 2:"; sed 's/^/  | /' "$tmp/out" >&2; }
grep -qE "^  random:ops=2000,live=50 t1 +(glibc [0-9.]+ < bump|bump [0-9.]+ < glibc) [0-9.]+$" "$tmp/out" && ok ||
  bad "no per-run ranking with medians"
"$src/bench/spread_runs.sh" "$build" x >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "RUNS 'x'" "$tmp/out" && ok || bad "RUNS x: exit $rc, want 2 and a line naming it"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
