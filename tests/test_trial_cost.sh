#!/usr/bin/env bash
# test_trial_cost.sh - what a trial costs the parent, counted under strace:
# the result files are rewritten atomically after every trial but fsynced
# once at the end of the run (an fsync per file per trial cost 1-17 ms of a
# tiny trial under load), and the sweep for processes a trial left behind
# reads this process's children lists, not /proc/PID/stat of every process
# on the machine (~260 opens here), when nothing was left behind. A trial
# that does leave a process behind is test_faults' (still swept and failed).
# Skipped (77) without strace or where ptrace is not allowed.
# Usage: test_trial_cost.sh ALLOCSCOPE
set -u
cli=$1
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
if [ -n "${ALLOCSCOPE_SANITIZED:-}" ]; then
  # LeakSanitizer aborts a process it finds under ptrace (strace)
  echo "skipped: sanitizer build (LeakSanitizer does not run under strace)"
  echo "0 passed, 0 failed"; exit 77
fi
if ! command -v strace > /dev/null || ! strace -f -o /dev/null true 2> /dev/null; then
  echo "skipped: strace is missing or cannot trace here"; echo "0 passed, 0 failed"; exit 77
fi
tmp=$(mktemp -d /tmp/as_test_trial_cost.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

trials=10
if ! strace -f -e trace=fsync,fdatasync,openat -o "$tmp/st" "$cli" run -q --no-plot -a glibc \
  -w random:ops=1000,live=100 -r $trials --min-time 0 --syscalls off -o "$tmp/out" > "$tmp/log" 2>&1; then
  bad "run failed: $(tail -3 "$tmp/log")"
fi
rows=$(($(wc -l < "$tmp/out/trials.csv") - 1))
[ "$rows" = $trials ] && ok "$rows trials.csv rows" || bad "$rows trials.csv rows, want $trials"
n=$(grep -cE "fsync\(|fdatasync\(" "$tmp/st")
# context, series, latency, histogram, trials, summary, comparisons,
# summary.json and run.args: once each
[ "$n" -le 9 ] && ok "$n fsyncs for $trials trials (at most 9: once per file)" ||
  bad "$n fsyncs for $trials trials: the files are synced per trial (at most 9 wanted)"
n=$(grep -cE 'openat\([^"]*"/proc/[0-9]+/stat"' "$tmp/st")
[ "$n" = 0 ] && ok "no /proc/PID/stat opened by the sweep" ||
  bad "$n opens of /proc/PID/stat: the sweep scanned every process with nothing left behind"

echo "$pass passed, $fail failed"
[ $fail = 0 ]
