#!/usr/bin/env bash
# test_bench_p50.sh - bench_overhead compares latency like with like: the
# hand loop's chained-rdtsc p50 net of its own timing (the clock read and
# the record around an empty body), as the engine's --latency 1 p50 is net
# of its own (engine.c lat_prepare). Before, the hand loop's gross value
# (20 ns for null's 2-3 ns calls) stood against the engine's net 0 ns.
# The bench's own agreement check: for null and bump, alloc and free p50s
# within one timer step of each other, the best of 3 attempts (load).
# Skipped (77) in the sanitizer build (instrumentation runs between the
# clock reads) and without rdtsc.
# Usage: test_bench_p50.sh BENCH_OVERHEAD
set -u
bench=$1
if [ -n "${ALLOCSCOPE_SANITIZED:-}" ]; then
  echo "skipped: sanitizer build (instrumentation between the clock reads)"
  echo "0 passed, 0 failed"; exit 77
fi
out=$(mktemp /tmp/as_test_bench_p50.XXXXXX)
trap 'rm -f "$out"' EXIT
for attempt in 1 2 3; do
  "$bench" null,bump random:live=1000,ops=20000,touch=none 3 > "$out" 2>&1 || {
    echo "FAIL: bench_overhead failed: $(tail -2 "$out")"; echo "0 passed, 1 failed"; exit 1
  }
  if ! grep -q 'timer rdtsc' "$out"; then
    echo "skipped: no rdtsc timer here"; echo "0 passed, 0 failed"; exit 77
  fi
  step=$(sed -nE 's/.*step ([0-9.]+) ns.*/\1/p' "$out" | head -1)
  # one line per module: alloc hand H engine E; free hand H engine E
  bad=$(sed -nE 's/.*alloc hand ([0-9.]+) .* engine ([0-9.]+) .*; free hand ([0-9.]+) .* engine ([0-9.]+) .*;.*/\1 \2 \3 \4/p' "$out" |
    awk -v s="$step" '{ d1 = $1 - $2; d2 = $3 - $4; if (d1 < 0) d1 = -d1; if (d2 < 0) d2 = -d2
      if (d1 > s + 0.01 || d2 > s + 0.01) print }')
  lines=$(grep -c 'net of each loop' "$out")
  [ "$lines" = 2 ] && [ -z "$bad" ] && break
done
if [ "$lines" = 2 ] && [ -z "$bad" ]; then
  echo "ok: hand and engine p50s within one step (${step} ns) for null and bump, attempt $attempt"
  echo "1 passed, 0 failed"; exit 0
fi
echo "FAIL: p50s differ by more than one step (${step:-?} ns) in 3 attempts; last:"
grep -E '^==|latency p50' "$out"
echo "0 passed, 1 failed"; exit 1
