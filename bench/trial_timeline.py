#!/usr/bin/env python3
"""trial_timeline.py - where a trial's wall time goes outside its timed region.

Reads the marks a build with bench/trial_timeline.patch writes to the file
named by ALLOCSCOPE_TL (one line per mark: PID TAG WALL_NS CPU_NS, the
process's CLOCK_MONOTONIC and its own CPU time), orders them by time, cuts
them into trials at each P0_trial_enter (the run's trials one after the
other: a timing scenario, not --jobs), and prints per step (consecutive marks
of one trial) the number of trials, the median and mean wall ms, and, where
both marks are of one process, its median CPU ms; idle = wall - CPU. Then the
gap from the end of one trial's timed region (W5_tend) to the start of the
next one's (W4_t0), and the worker's CPU after its last mark (its exit: the
wait4 rusage the patch logs as CPU_worker_us, minus W9_exit's CPU).

usage: bench/trial_timeline.py TL_FILE [MIN_N]
  (steps seen in fewer than MIN_N trials, default 10, are left out)
how: git apply bench/trial_timeline.patch in a copy of the tree, build it,
  ALLOCSCOPE_TL=/tmp/tl.txt BUILD/harness/allocscope suite bump --no-plot -q -o DIR
"""
import statistics as st
import sys
from collections import defaultdict

if len(sys.argv) < 2:
    sys.exit(__doc__)
min_n = int(sys.argv[2]) if len(sys.argv) > 2 else 10
ev, exit_cpu, last_cpu = [], [], {}
for line in open(sys.argv[1]):
    p = line.split()
    if len(p) != 4 or p[1] == "P2_read":  # an older marks' patch: each message read
        continue
    pid, tag, wall, cpu = int(p[0]), p[1], int(p[2]), int(p[3])
    if tag == "W9_exit":
        last_cpu["w9"] = cpu
    if tag.startswith("CPU_"):  # CPU_worker_us=N: the worker's whole CPU time
        if "w9" in last_cpu:
            exit_cpu.append(int(tag.split("=")[1]) / 1e3 - last_cpu.pop("w9") / 1e6)
        continue
    ev.append((wall, pid, tag, cpu))
ev.sort()
trials, cur = [], None
for e in ev:
    if e[2] == "P0_trial_enter":
        cur = []
        trials.append(cur)
    if cur is not None:
        cur.append(e)
wall, cpu, order, gaps = defaultdict(list), defaultdict(list), [], []
for i, tr in enumerate(trials):
    tags = [e[2] for e in tr]
    if "W4_t0" not in tags or "W5_tend" not in tags:
        continue  # a skipped or failed trial: no timed region
    nxt = trials[i + 1] if i + 1 < len(trials) else None
    steps = list(zip(tr, tr[1:])) + ([(tr[-1], nxt[0])] if nxt else [])
    for a, b in steps:
        k = f"{a[2]} -> {b[2]}"
        if k not in order:
            order.append(k)
        wall[k].append((b[0] - a[0]) / 1e6)
        if a[1] == b[1]:
            cpu[k].append((b[3] - a[3]) / 1e6)
    if nxt:
        t5 = [e[0] for e in tr if e[2] == "W5_tend"]
        t4 = [e[0] for e in nxt if e[2] == "W4_t0"]
        if t4:
            gaps.append((t4[0] - t5[-1]) / 1e6)
print(f"{len(trials)} trials; from the end of a timed region to the start of the next: "
      + (f"{len(gaps)} gaps, median {st.median(gaps):.2f} ms (min {min(gaps):.2f}, max "
         f"{max(gaps):.2f}), mean {st.mean(gaps):.2f} ms" if gaps else "no gaps"))
print(f"{'step':48s} {'n':>5s} {'wall med':>9s} {'mean':>8s} {'CPU med':>8s}")
for k in order:
    if len(wall[k]) < min_n:
        continue
    c = f"{st.median(cpu[k]):8.3f}" if cpu[k] else f"{'-':>8s}"
    print(f"{k:48s} {len(wall[k]):5d} {st.median(wall[k]):9.3f} {st.mean(wall[k]):8.3f} {c}")
if exit_cpu:
    print(f"worker's CPU after W9_exit (its exit): median {st.median(exit_cpu):.3f} ms "
          f"({min(exit_cpu):.3f} - {max(exit_cpu):.3f}), {len(exit_cpu)} workers")
