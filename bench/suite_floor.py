#!/usr/bin/env python3
"""suite_floor.py - what a default suite's timing scenarios would take if
every trial group stopped at its minimum, projected from a finished suite
folder and its console log: per scenario its fixed cost a trial ((took -
timed regions - sampling) / ok trials, "NAME: trials took T s" from LOG),
then per group its repetitions in order up to
  - "6 tried": the first 6, what a spent --budget ran before session 10;
  - "6 undisturbed": the first k >= 6 of which 6 the machine did not disturb
    (or all the group ran), what a spent --budget runs since session 10;
each costing its timed region and sampling plus the fixed cost. The
disturbed flag is disturb.h's rule recomputed from trials.csv (a wait
share over the run's smallest at those threads by 0.10; at one thread a
time per sample over 1.15 x the group's smallest undisturbed-by-wait one).
Also: how many groups have fewer than 6 undisturbed in their first 6 (no
CI of their own at "6 tried": the statistics leave the disturbed out), and
the median ratio of ns/op flagged / unflagged in a group (whether the
flagged ones were slow).
--min-time X: the timed regions as at another --min-time (the run's own is
read from context.csv): a trial of 2 or more passes runs ceil(X / its time
a pass) passes (at least 1) of the same time, a one-pass trial stays as it
was (its stream does not end empty, its module does not free, or its pass
is longer); sampling and the fixed cost stay; the flags stay as they were.
usage: bench/suite_floor.py SUITE_DIR LOG [--min-time X]"""
import csv, re, statistics as st, sys
from collections import defaultdict

import math
args = sys.argv[1:]
mt = None
if len(args) == 4 and args[2] == "--min-time":
    mt = float(args[3])
    args = args[:2]
if len(args) != 2:
    sys.exit(__doc__.splitlines()[-1])
base, log = args


def timed(r):
    """the trial's timed region in s, at --min-time mt when given"""
    e = float(r["elapsed_ns"]) / 1e9
    p = int(r["passes"] or 1)
    if mt is None or p < 2:
        return e
    return max(1, math.ceil(mt / (e / p))) * (e / p)

took = {}
for line in open(log, errors="replace"):
    m = re.match(r"\s+(\w+): trials took ([\d.]+) s \(budget share", line)
    if m:
        took[m.group(1)] = float(m.group(2))
tot = {"new": [0, 0.0], "old": [0, 0.0]}
print("scenario: fixed ms/trial; 6 tried: trials, s; 6 undisturbed: trials, s; groups short of "
      "6 undisturbed in their first 6; flagged/unflagged ns/op")
for sc, t in took.items():
    rows = [r for r in csv.DictReader(open(f"{base}/{sc}/trials.csv")) if r["status"] == "ok"]
    raw = sum(float(r["elapsed_ns"]) + float(r["sampling_ns"] or 0) for r in rows) / 1e9
    fixed = (t - raw) / len(rows)
    secs = lambda rs: sum(timed(r) + float(r["sampling_ns"] or 0) / 1e9 for r in rs)
    ws = defaultdict(list)
    for r in rows:
        r["_ws"] = float(r["wait_ns"] or "nan") / (float(r["elapsed_ns"]) * int(r["threads"]))
        ws[r["threads"]].append(r["_ws"])
    groups = defaultdict(list)
    for r in rows:
        groups[r["trial"]].append(r)
    n = {"new": [0, 0.0], "old": [0, 0.0]}
    short, ratios = 0, []
    for v in groups.values():
        v.sort(key=lambda r: int(r["rep"]))
        mw = min(x for x in ws[v[0]["threads"]] if x == x)
        for r in v:
            r["_fw"] = r["_ws"] > mw + 0.10
        per = lambda r: float(r["sampling_ns"]) / float(r["samples"])
        sp = [per(r) for r in v if not r["_fw"] and float(r["samples"] or 0) > 0]
        ms = min(sp) if sp else float("nan")
        for r in v:
            r["_d"] = r["_fw"] or (r["threads"] == "1" and float(r["samples"] or 0) > 0
                                   and per(r) > 1.15 * ms)
        k, u = len(v), 0
        for i, r in enumerate(v):
            u += not r["_d"]
            if i + 1 >= 6 and u >= 6:
                k = i + 1
                break
        for key, m in (("new", k), ("old", min(6, len(v)))):
            n[key][0] += m
            n[key][1] += secs(v[:m]) + m * fixed
        short += sum(not r["_d"] for r in v[:6]) < 6
        d = [float(r["ns_per_op"]) for r in v if r["_d"]]
        ok = [float(r["ns_per_op"]) for r in v if not r["_d"]]
        if d and ok:
            ratios.append(st.median(d) / st.median(ok))
    for key in tot:
        tot[key][0] += n[key][0]
        tot[key][1] += n[key][1]
    print(f"{sc}: {fixed * 1e3:.1f}; {n['old'][0]}, {n['old'][1]:.1f}; {n['new'][0]}, "
          f"{n['new'][1]:.1f}; {short} of {len(groups)}; "
          + (f"{st.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})" if ratios else "-"))
print(("" if mt is None else f"at --min-time {mt}: ") + f"timing scenarios: 6 tried {tot['old'][0]} trials {tot['old'][1]:.1f} s; 6 undisturbed "
      f"{tot['new'][0]} trials {tot['new'][1]:.1f} s (the idle run took {sum(took.values()):.1f} s)")
