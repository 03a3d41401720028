#!/usr/bin/env bash
# test_capture_c11.sh - a program whose threads are C11's (thrd_create:
# glibc starts them with its internal pthread_create, which capture's
# wrapper never sees; so are timer_create's SIGEV_THREAD threads) is
# captured exactly: tests/capture_c11_prog's four threads allocating at
# once with every malloc-family call, then a timer's thread, against
# tests/count_shim.so's count of the same run (made in the program, ahead
# of the capture library): calls of each kind, bytes requested, aligned
# allocations, threads, the blocks left and their bytes. Until review-h
# the sequence number stayed unlocked until a pthread_create: the threads
# took the same numbers: every capture of it had 20,000-50,000 bad records,
# frees of unknown blocks and blocks missing.
# Usage: test_capture_c11.sh ALLOCSCOPE COUNT_SHIM PROG
set -u
as=$1 shim=$2 prog=$3
. "$(dirname "$0")/cli_expect.sh"
. "$(dirname "$0")/count_compare.sh"
counted c11 --threads "$prog"
# every image's line: nothing lost, torn, bad or repaired
[ "$(grep -c "lost records 0, torn 0, bad 0; repaired: 0 allocations at a live address, 0 reallocs of unknown blocks; unknown frees 0" "$tmp/c11.cap")" = \
  "$(grep -c "lost records" "$tmp/c11.cap")" ] && ok || bad "capture: $(cat "$tmp/c11.cap")"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
