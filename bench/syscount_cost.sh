#!/usr/bin/env bash
# syscount_cost.sh - what syscall counting costs, through the real CLI: the
# same trial with --syscalls off, perf and seccomp, on two workloads: one
# making no memory syscalls in the timed region (null, touch=none: counting
# must be invisible there) and one where every op is one mmap or munmap (the
# test-only module mod_syscall_kat: the per-syscall cost). Methods are run in
# interleaved rounds (off, perf, seccomp, off, ...) so that load drift hits
# each alike; prints the median and minimum ns/op over ROUNDS (default 7).
# One pass per trial (--min-time 0): the syscall count is the stream's.
# Then the fixed cost of a trial: bench/trial_cost.sh with --syscalls off
# (A) against perf (B) on the same build.
# usage: bench/syscount_cost.sh [BUILD_DIR] [ROUNDS]
set -euo pipefail
build=${1:-build}
rounds=${2:-7}
as="$build/harness/allocscope"
kat="$build/tests/mods/mod_syscall_kat.so"
out=$(mktemp -d /tmp/as_syscount_cost.XXXXXX)
trap 'rm -rf "$out"' EXIT

for case in "null|random:live=1000,ops=500000,touch=none" \
            "$kat:mode=mmap|random:max=512,live=100,ops=20000,touch=none"; do
  mod=${case%%|*}
  wl=${case#*|}
  echo "module ${mod##*/}, workload $wl, $rounds rounds"
  for ((r = 0; r < rounds; r++)); do
    for m in off perf seccomp; do
      # console table: module workload thr status ns/op ops/s RSSgrowth ovh minflt
      # syscalls ...
      "$as" run -a "$mod" -w "$wl" --syscalls "$m" --sample-every 0 --min-time 0 -o "$out/run" |
        awk -v m="$m" '$4 == "ok" { print m, $5, $10 }' >>"$out/figures"
      rm -rf "$out/run"
    done
  done
  for m in off perf seccomp; do
    awk -v m="$m" '$1 == m { print $2 }' "$out/figures" | sort -g |
      awk -v m="$m" -v sc="$(awk -v m="$m" '$1 == m { s = $3 } END { print s }' "$out/figures")" \
        '{ v[NR] = $1 } END { med = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
          printf "  --syscalls %-8s ns/op median %10.1f  min %10.1f  syscalls %s\n", m, med, v[1], sc }'
  done
  rm -f "$out/figures"
done

# the fixed cost of a trial, counting off against perf: trial_cost.sh
"$(dirname "$0")/trial_cost.sh" "$build:off" "$build:perf" "$rounds"
