#!/usr/bin/env bash
# test_trial_cost.sh - what a trial costs the parent, counted under strace:
# the result files get each trial's rows appended (no rename per trial) and
# are fsynced once at the end of the run (an fsync per file per trial cost 1-17 ms of a
# tiny trial under load), and the sweep for processes a trial left behind
# reads this process's children lists, not /proc/PID/stat of every process
# on the machine (~260 opens here), when nothing was left behind; workers
# start inside the run's cgroup; the guard
# closes its fds in two calls; a worker's message is one writev; a worker
# pre-faults little memory (null's ring included); the run's held perf counters are closed after it. A trial
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
tmp=$(mktemp -d /tmp/as_test_trial_cost.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# With --syscalls perf the run holds tracepoint counters for its workers
# (syscount.c); closing the last users of those tracepoints waits for an
# RCU grace period each (~20 ms here: the run's exit took 73-146 ms after
# its results line before the change, ~10-40 ms after, when no other
# process holds the same tracepoints). That close is left to a grandchild
# that outlives the run: checked under strace below (deterministic; a
# timing bound would pass whenever another run or test holds them).
if "$cli" run -q --no-plot -a null:buffer=1M -w random:ops=100,live=10 -r 1 --min-time 0 \
  --syscalls perf -o "$tmp/probe" > /dev/null 2>&1 &&
  grep -q '^syscall_counting,"perf' "$tmp/probe/context.csv"; then
  perf_ok=1
else
  echo "perf counting unavailable here: the held counters' check is skipped"
fi

if ! command -v strace > /dev/null || ! strace -f -o /dev/null true 2> /dev/null; then
  echo "skipped: strace is missing or cannot trace here"
  echo "$pass passed, $fail failed"
  [ $fail = 0 ] || exit 1
  [ $pass -gt 0 ] || exit 77
  exit 0
fi

trials=10
if ! strace -f -e trace=fsync,fdatasync,openat,close,rename,renameat,renameat2,mmap,execve,write,writev,clone3,nanosleep,clock_nanosleep,madvise \
  -o "$tmp/st" "$cli" run -q --no-plot -a glibc,null -w random:ops=1000,live=100 -r $((trials / 2)) \
  --min-time 0 --syscalls off -o "$tmp/out" > "$tmp/log" 2>&1; then
  bad "run failed: $(tail -3 "$tmp/log")"
fi
rows=$(($(wc -l < "$tmp/out/trials.csv") - 1))
[ "$rows" = $trials ] && ok "$rows trials.csv rows" || bad "$rows trials.csv rows, want $trials"
# The workers (probes included), one pid a line: exec'd as `allocscope
# __worker`, or cloned by a fork server (`__worker --serve`, forkserver.h)
awk '/execve\(.*"__worker", "--serve"\]/ { s[$1] = 1; next }
  /execve\(.*"__worker"\]/ { print $1 }
  /clone3/ && s[$1] && / = [0-9]+$/ { print $NF }' "$tmp/st" | sort -u > "$tmp/workers"
# A worker is forked by a server exec'd once, not exec'd itself: the exec
# and dynamic loading of the program and its libraries were ~5 ms of CPU
# per trial here. A server makes at most one worker of a trial group, so
# each repetition is a new exec (its own ASLR layout): here 5 execs (one
# per repetition) for 2 probes and 10 trials, 12 on the build before.
execs=$(grep -c 'execve(.*"__worker"' "$tmp/st")
nworkers=$(wc -l < "$tmp/workers")
if grep -q 'execve(.*"__worker", "--serve"' "$tmp/st"; then
  [ "$execs" = $((trials / 2)) ] && [ "$nworkers" -ge $((trials + 2)) ] &&
    ok "$execs execs for $nworkers workers: one per repetition" ||
    bad "$execs execs for $nworkers workers ($((trials / 2)) wanted: one per repetition)"
  # no server makes two repetitions of a row: each made at most the 2
  # probes and the 2 rows of one repetition
  most=$(awk '/execve\(.*"__worker", "--serve"\]/ { s[$1] = 1 }
    /clone3/ && s[$1] && / = [0-9]+$/ { n[$1]++ }
    END { m = 0; for (p in n) if (n[p] > m) m = n[p]; print m }' "$tmp/st")
  [ "$most" -le 4 ] && ok "at most $most workers from one server" ||
    bad "$most workers from one server: repetitions of a row share its layout"
else
  bad "$execs execs of a worker for $trials trials: every worker exec'd (no fork server)"
fi
# the run waits for a worker's (and a fork server's) exit on its pidfd, not
# in sleeps of 1 ms (0.1 ms for a server): a sleep after every worker's EOF
# was ~1.1 ms of each trial, the worker usually gone long before it ended
main=$(awk '/execve\(/ { print $1; exit }' "$tmp/st")
n=$(awk -v m="$main" '$1 == m && /nanosleep\(/' "$tmp/st" | wc -l)
[ "$n" = 0 ] && ok "the run sleeps no fixed time waiting for its workers and servers" ||
  bad "$n sleeps of the run for $trials trials: it polls for its workers' exit"
# a forked worker maps the pages its server's start had mapped (forkserver.c
# retouch) a run at a time with MADV_POPULATE_READ, not a read and a fault
# per page (~540 pages: 2.3 ms of CPU a worker read one by one, ~1 ms so)
if grep -q 'MADV_POPULATE_READ) = -1 EINVAL' "$tmp/st"; then
  echo "MADV_POPULATE_READ unknown to this kernel (before 5.14): its check is skipped"
else
  n=$(awk 'FILENAME == ARGV[1] { w[$1] = 1; next } w[$1] && /MADV_POPULATE_READ\) = 0/ { p[$1] = 1 }
    END { for (k in p) n++; print n + 0 }' "$tmp/workers" "$tmp/st")
  [ "$n" = "$nworkers" ] && ok "all $n workers map their server's pages a run at a time" ||
    bad "$n of $nworkers workers map their server's pages with MADV_POPULATE_READ (all wanted)"
fi
n=$(grep -cE "fsync\(|fdatasync\(" "$tmp/st")
# context, series, latency, histogram, trials, summary, comparisons,
# summary.json and run.args: once each
[ "$n" -le 9 ] && ok "$n fsyncs for $trials trials (at most 9: once per file)" ||
  bad "$n fsyncs for $trials trials: the files are synced per trial (at most 9 wanted)"
n=$(grep -cE 'openat\([^"]*"/proc/[0-9]+/stat"' "$tmp/st")
[ "$n" = 0 ] && ok "no /proc/PID/stat opened by the sweep" ||
  bad "$n opens of /proc/PID/stat: the sweep scanned every process with nothing left behind"

# rows are appended per trial: a file renamed over the old one frees the
# old one's blocks, which ext4 with `discard` discards there and then
# (~2.8 ms each here); renames happen at the start and the end only
n=$(grep -cE "rename(at2?)?\(" "$tmp/st")
[ "$n" -le 14 ] && ok "$n renames for $trials trials (at most 14: not per trial)" ||
  bad "$n renames for $trials trials: the result files are replaced per trial (at most 14 wanted)"
# memory pre-faulted (MAP_POPULATE) per worker, the harness's buffers and
# null's ring together: page allocation and zeroing, then the unmap, is CPU
# time of every trial (null's 64 MiB ring alone cost ~20 ms per worker)
workers=$nworkers
kib=$(grep -E 'mmap\(.*MAP_POPULATE' "$tmp/st" | sed -E 's/.*mmap\([^,]*, ([0-9]+),.*/\1/' |
  awk '{ s += $1 } END { printf "%d", s / 1024 }')
per=$((kib / (workers > 0 ? workers : 1) / 1024))
[ "$workers" -ge $trials ] && [ "$per" -le 16 ] &&
  ok "$per MiB pre-faulted per worker on average ($workers workers; at most 16)" ||
  bad "$per MiB pre-faulted per worker on average ($workers workers; at most 16 wanted)"
# the series rows are mapped for the points the trial can take (start, one
# per 1024 ops, end), not all 16,384 (2.25 MiB), and /proc/self/maps is
# parsed a 64 KiB buffer at a time, not read whole into 4 MiB: the glibc
# worker (no ring) pre-faults its histograms, the maps buffer and small
# things (a probe, which runs no trial, pre-faults nothing and is not
# counted); 4,530 KiB with the 4 MiB buffer
least=$(awk 'FILENAME == ARGV[1] { w[$1] = 1; next }
  /mmap\(.*MAP_POPULATE/ { n = $0; sub(/.*mmap\([^,]*, /, "", n); sub(/,.*/, "", n); k[$1] += n }
  END { m = -1; for (p in w) if (k[p] > 0 && (m < 0 || k[p] < m)) m = k[p]; printf "%d", m / 1024 }' "$tmp/workers" "$tmp/st")
[ "$least" -gt 0 ] && [ "$least" -le 1024 ] &&
  ok "$least KiB pre-faulted by the leanest worker (at most 1024)" ||
  bad "$least KiB pre-faulted by the leanest worker: a buffer for all of maps or every possible sample"
# a worker sends each message (header + payload) to the parent in one
# writev on its result fd (3): one syscall and one wake-up of the parent per
# message, not a write of the 8-byte header and another of the payload
# (a suite row sends ~250 series rows)
n=$(awk 'FILENAME == ARGV[1] { w[$1] = 1; next } /write\(3, .*, 8\) += 8/ { h[$1]++ }
  END { for (p in w) s += h[p]; print s + 0 }' "$tmp/workers" "$tmp/st")
[ "$n" = 0 ] && ok "no worker writes a message header on its own" ||
  bad "$n message headers written on their own by the workers (a write per header and per payload)"
# the report after the timed region (bindings, series, latency and
# histogram rows, the trial row, the status: ~25 messages here, ~300 in a
# suite row) goes out in pipe-sized writes, not a writev and a wake-up of
# the parent per message: here a module_version message at the start and
# one write at the end (21-27 writes per worker on main 5443baf's build).
# Not counted: the sampling-time messages (AS_MSG_SAMPLING, type 7, 8
# bytes) a worker sends during its trial whenever another 10 ms of sampling
# has added up (for the parent's --timeout): how many depends on the
# machine's speed, and under strace at load 15 a worker sent 1-3 of them
# (5-6 writes, 3 runs of 6 failed the check that counted them)
most=$(awk 'FILENAME == ARGV[1] { w[$1] = 1; next }
  w[$1] && /^[0-9]+ +writev?\(3,/ && !/^[0-9]+ +writev\(3, \[\{iov_base="\\7\\0\\0\\0\\10\\0\\0\\0"/ { n[$1]++ }
  END { m = 0; for (p in n) if (n[p] > m) m = n[p]; print m }' "$tmp/workers" "$tmp/st")
[ "$most" -ge 1 ] && [ "$most" -le 4 ] && ok "at most $most writes of messages by a worker" ||
  bad "$most writes of messages by one worker (1-4 wanted: the report is written whole)"
# workers are made right inside the run's cgroup (clone3 CLONE_INTO_CGROUP):
# a write to cgroup.procs costs an expedited RCU grace period (~3.5 ms idle)
if grep -qE '^stray_guard,"?cgroup v2' "$tmp/out/context.csv"; then
  n=$(grep -cE 'openat\([^"]*"[^"]*/cgroup.procs", O_WRONLY' "$tmp/st")
  [ "$n" = 0 ] && ok "no worker joins the run's cgroup by writing cgroup.procs" ||
    bad "$n writes of cgroup.procs for $trials trials: workers join the cgroup one by one"
fi
# the guard keeps one fd: not a close() per possible descriptor (~20,000)
n=$(grep -c 'close([0-9]*) *= -1 EBADF' "$tmp/st")
[ "$n" -le 20 ] && ok "$n closes of fds that are not open" ||
  bad "$n closes of fds that are not open: the guard closes every possible fd one by one"

# Who makes the held counters' last close: a process besides the guard that
# exits after the run's exit_group. Without the change only the guard
# did, and the run closed the counters itself.
if [ -n "${perf_ok:-}" ]; then
  strace -f -e trace=execve,prctl,exit_group -o "$tmp/st2" "$cli" run -q --no-plot \
    -a null:buffer=1M -w random:ops=100,live=10 -r 1 --min-time 0 --latency 0 --syscalls perf \
    -o "$tmp/out2" > /dev/null 2>&1
  main=$(awk '/execve\(/ { print $1; exit }' "$tmp/st2")
  guard=$(awk '/PR_SET_NAME, "allocscope-guar/ { print $1; exit }' "$tmp/st2")
  # after the run's exit_group (it closes its copies before; the last
  # close comes once its pipe's write end is gone, inside that exit)
  n=$(awk -v m="$main" -v g="$guard" '$1 == m && /exit_group\(/ { seen = 1 }
    /\+\+\+ exited/ && seen && $1 != m && $1 != g { n++ } END { print n + 0 }' "$tmp/st2")
  [ "$n" -ge 1 ] && ok "the held counters' last close is left to a process that outlives the run" ||
    bad "no process but the guard outlives the run: the run closes its held counters itself"
fi

# The timer's calibration spans at least 20 ms from the process's start, so
# the start-up (probes, context) passes in it instead of a 20 ms busy wait
# before the first trial; and it stays as good: the ratio of three runs
# agrees within 1e-4 (NTP may slew CLOCK_MONOTONIC; each endpoint's error is
# ~100 ns in 20 ms, 5e-6).
ctxv() { sed -n "s/^$2,//p" "$tmp/$1/context.csv"; }
if grep -q '^timer_source,rdtsc' "$tmp/out/context.csv"; then
  for i in 1 2 3; do
    "$cli" run -q --no-plot -a null:buffer=1M -w random:ops=100,live=10 -r 1 --min-time 0 \
      --syscalls off -o "$tmp/cal$i" > /dev/null 2>&1
  done
  span=$(ctxv cal1 timer_calibration_ms) wait=$(ctxv cal1 timer_calibration_wait_ms)
  if [ -n "$span" ] && [ -n "$wait" ] && awk -v s="$span" -v w="$wait" 'BEGIN { exit !(s >= 20 && w < s) }'; then
    ok "calibrated over $span ms, of which $wait ms waited for"
  else
    bad "calibration span '$span' ms, waited '$wait' ms: a busy wait of its own"
  fi
  r=$(for i in 1 2 3; do ctxv cal$i timer_ns_per_tick; done | awk '
    { if (NR == 1 || $1 < lo) lo = $1; if (NR == 1 || $1 > hi) hi = $1 }
    END { printf "%.3g", (lo > 0 ? (hi - lo) / lo : 1) }')
  awk -v r="$r" 'BEGIN { exit !(r <= 1e-4) }' && ok "ns_per_tick of 3 runs within $r" ||
    bad "ns_per_tick of 3 runs differ by $r (at most 1e-4)"
else
  echo "timer is not rdtsc here: the calibration checks are skipped"
fi

echo "$pass passed, $fail failed"
[ $fail = 0 ]
