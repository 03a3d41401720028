#!/usr/bin/env python3
"""suite_scope.py - project a finished suite's trial time after changing what
its scenarios run, from its folder and log alone (a projection, not a
measurement: the lead's idle run decides).

Per scenario: trials, the timed regions (sum of elapsed_ns), sampling, "trials
took" from the log, and so the fixed cost per trial (took - timed - sampling,
over trials). Then the same scenario with
  - the rows of modules a scenario no longer compares removed (--skip
    SCENARIO=MOD,MOD...): their trials cost nothing now (a skipped row
    starts no worker);
  - rows whose workload changed (--swap SCENARIO:OLD@NEW, the params, with an A/B run
    folder --ab DIR holding both specs for every module): a row that ran one
    pass (its stream longer than --min-time) costs its timed region times
    the A/B ratio of the module's median one-pass time, NEW over OLD; a row
    that ran several passes is held at --min-time and keeps its time.
  - --min-reps: the -r auto (timing) scenarios at their minimum 6
    repetitions (rows of rep 6 and up dropped), what a spent --budget runs.
The fixed cost per trial stays the scenario's own.

usage: bench/suite_scope.py SUITE_DIR SUITE_LOG [--skip SC=M,M]... [--ab DIR
       --swap SC:OLD_PARAMS@NEW_PARAMS]... [--min-reps]
"""
import argparse
import csv
import re
import statistics as st
from collections import defaultdict

ap = argparse.ArgumentParser()
ap.add_argument("dir")
ap.add_argument("log")
ap.add_argument("--skip", action="append", default=[])
ap.add_argument("--ab")
ap.add_argument("--swap", action="append", default=[])
ap.add_argument("--min-reps", action="store_true")
a = ap.parse_args()

took = {}
for line in open(a.log):
    m = re.match(r"\s+(\S+): trials took ([\d.]+) s", line)
    if m:
        took[m.group(1)] = float(m.group(2))
skip = defaultdict(set)
for s in a.skip:
    sc, mods = s.split("=", 1)
    skip[sc] |= set(mods.split(","))
swap = defaultdict(dict)
for s in a.swap:
    sc, rest = s.split(":", 1)
    old, new = rest.split("@", 1)
    swap[sc][old] = new
# median one-pass ms per (workload_params, module) in the A/B folder
ab = defaultdict(list)
if a.ab:
    for r in csv.DictReader(open(f"{a.ab}/trials.csv")):
        if r["status"] == "ok":
            ab[(r["workload_params"], r["module"])].append(
                float(r["elapsed_ns"]) / float(r["passes"]))
ab = {k: st.median(v) for k, v in ab.items()}

scen = [r["scenario"] for r in csv.DictReader(open(f"{a.dir}/scenarios.csv"))]
print(f"{'scenario':10} {'trials':>6} {'timed s':>8} {'took s':>7} {'fixed ms':>8}"
      f" | {'trials':>6} {'timed s':>8} {'took s':>7}  (after)")
tot = [0, 0.0, 0.0, 0, 0.0, 0.0]
for sc in scen:
    rows = list(csv.DictReader(open(f"{a.dir}/{sc}/trials.csv")))
    t = took[sc]
    el = sum(float(r["elapsed_ns"] or 0) for r in rows) / 1e9
    sa = sum(float(r["sampling_ns"] or 0) for r in rows) / 1e9
    fixed = (t - el - sa) / len(rows)
    n2, el2, sa2 = 0, 0.0, 0.0
    timing = max(int(r["rep"]) for r in rows) >= 3
    for r in rows:
        if r["module"] in skip.get(sc, ()) or (a.min_reps and timing and int(r["rep"]) >= 6):
            continue
        e = float(r["elapsed_ns"] or 0) / 1e9
        new = swap.get(sc, {}).get(r["workload_params"])
        if new and r["status"] == "ok" and int(r["passes"]) == 1:
            e *= ab[(new, r["module"])] / ab[(r["workload_params"], r["module"])]
        n2 += 1
        el2 += e
        sa2 += float(r["sampling_ns"] or 0) / 1e9
    t2 = el2 + sa2 + n2 * fixed
    print(f"{sc:10} {len(rows):6d} {el:8.1f} {t:7.1f} {fixed * 1e3:8.1f}"
          f" | {n2:6d} {el2:8.1f} {t2:7.1f}")
    tot = [tot[0] + len(rows), tot[1] + el, tot[2] + t, tot[3] + n2, tot[4] + el2, tot[5] + t2]
print(f"{'all':10} {tot[0]:6d} {tot[1]:8.1f} {tot[2]:7.1f} {'':8} | {tot[3]:6d} {tot[4]:8.1f} "
      f"{tot[5]:7.1f}")
