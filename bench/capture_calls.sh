#!/usr/bin/env bash
# capture_calls.sh - the capture library's cost per malloc/free call, two
# builds of it side by side: build/bench/capture_calls (a million random
# malloc/free pairs, best of 7 rounds, thread CPU ns per call) under
# LD_PRELOAD of A and of B, alternating (A B, B A, ...), PAIRS times, and
# bare once at the start and the end. Prints each library's median and
# min-max, and the median and min-max of the per-pair difference B - A.
#   bench/capture_calls.sh BUILD PAIRS LIB_A LIB_B
#   e.g. bench/capture_calls.sh build 12 /tmp/base/build/lib/allocscope-preload/allocscope_capture.so \
#          build/lib/allocscope-preload/allocscope_capture.so
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: capture_calls.sh BUILD PAIRS LIB_A LIB_B" >&2; exit 2; }
prog=$(realpath "$1/bench/capture_calls")
pairs=$2
a=$(realpath "$3")
b=$(realpath "$4")
[[ $pairs =~ ^[1-9][0-9]*$ ]] || { echo "capture_calls.sh: PAIRS=$pairs: not a positive number" >&2; exit 2; }
work=$(mktemp -d /tmp/as_capture_calls.XXXXXX)
trap 'rm -rf "$work"' EXIT
one() { # LIB: ns per call under it
  rm -rf "$work/spool"
  mkdir "$work/spool"
  ALLOCSCOPE_CAPTURE_DIR="$work/spool" LD_PRELOAD="$1" "$prog"
}
med() { sort -g | awk '{a[NR] = $1} END {printf "median %6.2f  min %6.2f  max %6.2f", NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2, a[1], a[NR]}'; }
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at start; bare: $("$prog") ns/call"
for ((i = 0; i < pairs; i++)); do
  if ((i % 2)); then y=$(one "$b"); x=$(one "$a"); else x=$(one "$a"); y=$(one "$b"); fi
  echo "$x $y" >> "$work/t"
done
echo "A $a: ns/call $(awk '{print $1}' "$work/t" | med)"
echo "B $b: ns/call $(awk '{print $2}' "$work/t" | med)"
echo "B - A per pair: $(awk '{print $2 - $1}' "$work/t" | med)  ($pairs pairs)"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at end; bare: $("$prog") ns/call"
