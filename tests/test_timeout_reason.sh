#!/usr/bin/env bash
# test_timeout_reason.sh - a timed-out row's reason reads "killed after N s"
# and what follows it the same whether or not sampling took time: the note
# "(and S s of sampling not counted)" comes last. Until session 33 it came
# right after "N s", so on a loaded machine (sampling a few ms) a stopped
# module's row read "killed after 2 s (+ 0.0331 s of sampling, not
# counted): it was stopped" and test_module_process's pattern missed it.
# The worker is slowed by a CPU quota (a cgroup, v1 cpu or v2 cpu.max) so
# its sampling surely takes more than the 10 ms it reports in steps of;
# skipped where no such cgroup can be made.
# usage: test_timeout_reason.sh ALLOCSCOPE MODS_DIR
set -u
as=$(readlink -f "$1") mods=$2
. "$(dirname "$0")/cli_expect.sh"

v1=/sys/fs/cgroup/cpu/allocscope-test-$$ v2=/sys/fs/cgroup/allocscope-test-$$
trap 'rmdir "$v1" "$v2" 2>/dev/null; rm -rf "$tmp"' EXIT
# slow_shell: this shell (and what it starts) into a 20 % CPU quota (0.25 s
# of sampling here, 25 times the 10 ms step; 3 % took 1.7 s, 5 s in ASan)
slow_shell() {
  if [ -w /sys/fs/cgroup/cpu/cgroup.procs ]; then
    mkdir "$v1" && echo 100000 >"$v1/cpu.cfs_period_us" &&
      echo 20000 >"$v1/cpu.cfs_quota_us" && echo "$BASHPID" >"$v1/cgroup.procs"
  elif grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null; then
    mkdir "$v2" && echo "20000 100000" >"$v2/cpu.max" && echo "$BASHPID" >"$v2/cgroup.procs"
  else
    return 1
  fi
}

# the module stops itself after 4 KiB of 1-byte blocks, each op sampled
(slow_shell || exit 77
  exec "$as" run -q --no-plot --no-quick-check -r 1 --timeout 2 --syscalls off \
    -a "$mods/broken_stop.so" -w random:ops=20000,min=1,max=1,live=5000 --sample-every 1 \
    -o "$tmp/r" >"$tmp/out" 2>&1)
rc=$?
if [ $rc -eq 77 ]; then
  echo "skipped: no CPU quota cgroup can be made here (cgroup v1 cpu or v2 cpu.max)"
  echo "0 passed, 0 failed"
  exit 77
fi
[ $rc -eq 1 ] && ok || { bad "exit $rc, want 1:"; sed 's/^/  | /' "$tmp/out" >&2; }
reason=$(python3 -c "
import csv; r = list(csv.DictReader(open('$tmp/r/trials.csv')))[0]
print(r['status'] + ': ' + r['reason'])" 2>&1)
case $reason in
*" s of sampling"*) ;;
*)
  echo "skipped: sampling took under 10 ms even at 20 % of a CPU: $reason"
  echo "0 passed, 0 failed"
  exit 77
  ;;
esac
echo "$reason" | grep -qE "^timeout: killed after 2 s: it was stopped \(SIGSTOP.*\), not running \(and [0-9.e+-]+ s of sampling not counted\)$" &&
  ok || bad "the reason: $reason"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
