#!/usr/bin/env bash
# test_core_watch.sh - bench/core_watch.sh and bench/core_probe:
# 1. core_probe prints four positive figures per CPU it may run on, in
#    the order the script reads (alu, 32 KiB, 512 KiB, 4 MiB rings), the
#    rings no faster than the xorshift step's tenth, the 4 MiB ring no
#    faster than the 32 KiB one;
# 2. on made-up rows (ROUNDS 0): rounds with a trial outside the main
#    placement or without a handoff figure are left out, the rounds whose
#    slower CPU ran the 32 KiB chase over 1.1 x its quiet figure are split
#    from the rest with their module medians, the correlations are +1 where
#    ns/op follows the probe;
# 3. two real rounds of one module write two rows in the script's format.
# Usage: test_core_watch.sh BUILD_DIR
set -u
build=$(realpath "$1")
src=$(cd "$(dirname "$0")/.." && pwd)
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
tmp=$(mktemp -d /tmp/as_test_core_watch.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cpus=$(nproc)

# 1. the probe
line=$("$build/bench/core_probe")
n=$(echo "$line" | wc -w)
[ "$n" = $((4 * cpus)) ] && ok "core_probe: 4 figures for each of $cpus CPUs" ||
  bad "core_probe: $n figures for $cpus CPUs: $line"
echo "$line" | awk '{for (i = 1; i <= NF; i += 4) {
    if (!($i > 0 && $(i+1) > 0 && $(i+2) > 0 && $(i+3) > 0)) exit 1
    if ($(i+1) < $i / 10 || $(i+3) < $(i+1)) exit 1 } }' &&
  ok "core_probe: positive figures, the large ring the slowest" || bad "core_probe: figures: $line"

# 2. made-up rows: 2 CPUs; the slower CPU's 32 KiB chase 1.0 (quiet) or
# 1.3 (busy); ns/op 2 when quiet, 3 when busy for m1, 10 and 20 for m2;
# the last round's m2 trial in another placement (handoff 100 against 450)
rows=$tmp/rows
for i in $(seq 1 20); do
  if [ $((i % 4)) = 0 ]; then c=1.3 a=3 b=20; else c=1.0 a=2 b=10; fi
  h=450; [ "$i" = 20 ] && h=100
  echo "10:00:$i | 1.7 $c 4.4 20 1.7 1.0 4.4 20 | 1.7 $c 4.4 20 1.7 1.0 4.4 20 | m1 $a 440 m2 $b $h"
done >"$rows"
# a round whose handoff had no answer ("-") is in no placement
echo "10:00:21 | 1.7 1.3 4.4 20 1.7 1.0 4.4 20 | 1.7 1.3 4.4 20 1.7 1.0 4.4 20 | m1 9 - m2 90 450" >>"$rows"
out=$(ROWS=$rows "$src/bench/core_watch.sh" "$build" 0 2>&1)
echo "$out"
echo "$out" | grep -q "^21 rounds, 19 in the main placement" && ok "made-up: the round apart and the one without a handoff left out" ||
  bad "made-up: rounds"
# 19 rounds kept: 4 busy (4, 8, 12, 16), 15 quiet
echo "$out" | awk '$1 == "m1" && $3 == "(2.00-3.00)" && $4 == "nan" && $5 + 0 > 0.99 &&
    $8 == "3.00" && $9 == "(" && $10 == "4)" && $11 == "2.00" && $12 == "(15)" {f = 1} END {exit !f}' &&
  ok "made-up: m1 split 3.00 (4) against 2.00 (15), r +1 with the 32 KiB figure, none with a constant one" || bad "made-up: m1's line"
echo "$out" | awk '$1 == "m2" && $8 == "20.00" && $11 == "10.00" {f = 1} END {exit !f}' &&
  ok "made-up: m2 split 20 against 10" || bad "made-up: m2's line"
ROWS=$tmp/none "$src/bench/core_watch.sh" "$build" 0 >/dev/null 2>&1 &&
  bad "ROUNDS 0 without rows: not refused" || ok "ROUNDS 0 without rows: refused"

# 3. two real rounds
if ROWS=$tmp/real "$src/bench/core_watch.sh" "$build" 2 glibc larson:blocks=100 >"$tmp/out" 2>&1; then
  awk -F'|' 'NF == 4 && split($2, b, " ") == 4 * c && split($3, a, " ") == 4 * c &&
      split($4, t, " ") == 3 && t[1] == "glibc" && t[2] > 0 {k++} END {exit k != 2}' c="$cpus" "$tmp/real" &&
    ok "two real rounds: two rows" || { bad "two real rounds: rows"; cat "$tmp/real"; }
else
  bad "two real rounds: the script failed: $(cat "$tmp/out")"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
