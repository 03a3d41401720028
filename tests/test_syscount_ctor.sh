#!/usr/bin/env bash
# test_syscount_ctor.sh - memory system calls of a thread the module starts
# when it loads are counted, by both methods. tests/mods/ctor_thread.c's
# constructor thread makes 50 each of mmap, munmap, mprotect, mremap and
# madvise DONTNEED and FREE in the timed region. The perf counters were
# opened after the module's dlopen, so inherit=1 never reached that
# thread: 0 counted, the row ok (an outside review); seccomp counted them.
# usage: test_syscount_ctor.sh ALLOCSCOPE CTOR_THREAD_MODULE
set -u
as=$1 mod=$2
. "$(dirname "$0")/cli_expect.sh"
export CI=1
if ! command -v python3 >/dev/null; then
  echo "skipped: needs python3"; echo "0 passed, 0 failed"; exit 77
fi
counted=0
for m in perf seccomp; do
  if ! "$as" run -q --no-plot --no-quick-check -a "$mod" -w random:min=16,max=64,ops=1000,live=10 \
    -r 1 --min-time 0 --syscalls $m -o "$tmp/$m" >"$tmp/log" 2>&1; then
    bad "$m: run failed: $(tail -2 "$tmp/log")"
    continue
  fi
  if grep -q "^syscall_counting,n/a" "$tmp/$m/context.csv"; then
    echo "skipped: --syscalls $m cannot count here ($(grep '^warning_syscalls' "$tmp/$m/context.csv"))"
    continue
  fi
  counted=$((counted + 1))
  got=$(python3 -c "
import csv, sys
r = next(csv.DictReader(open(sys.argv[1])))
print(' '.join(r[k] for k in ('status', 'mmap_calls', 'munmap_calls', 'mprotect_calls', 'mremap_calls',
                              'madvise_dontneed_calls', 'madvise_free_calls')))" "$tmp/$m/trials.csv")
  [ "$got" = "ok 50 50 50 50 50 50" ] && ok ||
    bad "--syscalls $m: status and mmap munmap mprotect mremap dontneed free: $got (want ok and 50 each)"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] || exit 1
# neither method could count here: a visible skip, not a pass
[ "$counted" -gt 0 ] || exit 77
