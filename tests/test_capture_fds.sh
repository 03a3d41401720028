#!/usr/bin/env bash
# test_capture_fds.sh - a program that closes every file descriptor from 3
# up (closefrom, as daemons and ssh do), puts files of its own on the
# numbers the capture library had taken and changes directory is captured
# whole: tests/capture_fds_prog's calls before and after, on its thread,
# on a new one and in a forked child, against tests/count_shim.so's count
# of the same run; nothing lost. Until review-h the library stopped at the
# first chunk after the close: its records then were dropped and every
# later call went unrecorded and uncounted (202,000 calls: a trace of 1
# event and 28,701 "lost").
# Usage: test_capture_fds.sh ALLOCSCOPE COUNT_SHIM PROG
set -u
as=$(readlink -f "$1") shim=$(readlink -f "$2") prog=$(readlink -f "$3")
. "$(dirname "$0")/cli_expect.sh"
. "$(dirname "$0")/count_compare.sh"
counted fds --threads "$prog"
[ "$images" -eq 2 ] && ok || bad "images: $images (want the program and its child)"
n=$(grep -c "lost records 0, torn 0, bad 0; repaired: 0 allocations at a live address, 0 reallocs" "$tmp/fds.cap")
[ "$n" -ge 2 ] && ! grep -q "lost records [1-9]" "$tmp/fds.cap" && ok ||
  bad "records lost: $(cat "$tmp/fds.cap")"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
