#!/usr/bin/env bash
# suite_cost.sh - where a finished suite's time went, per scenario, from its
# folder alone: trials, trial groups, the sum of the timed regions
# (elapsed_ns) and of sampling (sampling_ns), and, when the suite's log is
# given, "trials took" and the fixed cost per trial (took - timed -
# sampling, over trials). Then, for the -r auto (timing) scenarios, what
# their 6 minimum repetitions would cost at other --min-time values: each
# group's median one-pass time (elapsed_ns / passes) rounded up to whole
# passes of at least MIN_TIME (a stream that ran one pass although it was
# shorter than the scenario's own min_time_s, from context.csv, cannot
# repeat: counted once), plus FIXED_MS per trial. A projection from one
# run, not a measurement: the passes after the first are as fast as the
# average pass was.
# Usage: bench/suite_cost.sh SUITE_DIR [SUITE_LOG] [FIXED_MS] [MIN_TIME...]
#   defaults: FIXED_MS 40, MIN_TIME 0 0.02 0.05 0.1 0.2
set -euo pipefail
dir=${1:?usage: suite_cost.sh SUITE_DIR [SUITE_LOG] [FIXED_MS] [MIN_TIME...]}
log=${2:-}
fixed=${3:-40}
shift $(($# < 3 ? $# : 3))
[ -f "$dir/scenarios.csv" ] || { echo "suite_cost.sh: $dir: no scenarios.csv (not a suite folder)" >&2; exit 2; }
[ -z "$log" ] || [ -f "$log" ] || { echo "suite_cost.sh: $log: no such log" >&2; exit 2; }
python3 - "$dir" "$log" "$fixed" "${@:-0 0.02 0.05 0.1 0.2}" <<'EOF'
import csv, math, re, statistics as st, sys
from collections import defaultdict
d, log, fixed = sys.argv[1], sys.argv[2], float(sys.argv[3]) / 1e3
mts = [float(x) for a in sys.argv[4:] for x in a.split()]
took = {}
if log:
    for l in open(log):
        m = re.match(r"\s+(\S+): trials took ([\d.]+) s", l)
        if m:
            took[m.group(1)] = float(m.group(2))
scen = [r["scenario"] for r in csv.DictReader(open(f"{d}/scenarios.csv"))]
print(f"{'scenario':10} {'trials':>6} {'groups':>6} {'timed s':>8} {'sampl s':>8} {'took s':>7} {'fixed ms/trial':>14}")
timing = {}
tot = [0, 0, 0.0, 0.0, 0.0]
for sc in scen:
    rows = list(csv.DictReader(open(f"{d}/{sc}/trials.csv")))
    ok = [r for r in rows if r["status"] == "ok"]
    el = sum(float(r["elapsed_ns"]) for r in ok) / 1e9
    sa = sum(float(r["sampling_ns"] or 0) for r in ok) / 1e9
    groups = defaultdict(list)
    for r in rows:
        groups[(r["module"], r["workload_params"], r["threads"])].append(r)
    t = took.get(sc)
    fx = f"{(t - el - sa) / len(rows) * 1e3:14.1f}" if t is not None else f"{'':>14}"
    print(f"{sc:10} {len(rows):6d} {len(groups):6d} {el:8.1f} {sa:8.1f} {t if t is not None else float('nan'):7.1f} {fx}")
    tot = [tot[0] + len(rows), tot[1] + len(groups), tot[2] + el, tot[3] + sa, tot[4] + (t or 0)]
    ctx = {r["key"]: r["value"] for r in csv.DictReader(open(f"{d}/{sc}/context.csv"))}
    # a timing scenario: -r auto (6 or more repetitions)
    if max(len(g) for g in groups.values()) > 3:
        timing[sc] = (groups, float(ctx.get("min_time_s") or 0))
print(f"{'all':10} {tot[0]:6d} {tot[1]:6d} {tot[2]:8.1f} {tot[3]:8.1f} {tot[4]:7.1f}")
print(f"\ntiming scenarios ({', '.join(timing)}) at their 6 minimum repetitions, {fixed * 1e3:g} ms fixed per trial:")
for mt in mts:
    cost = n = 0
    for groups, ran_mt in timing.values():
        for g in groups.values():
            ok = [r for r in g if r["status"] == "ok"]
            if not ok:
                cost += fixed
                n += 1
                continue
            one = st.median(float(r["elapsed_ns"]) / int(r["passes"] or 1) for r in ok) / 1e9
            repeats = any(int(r["passes"] or 1) > 1 for r in ok) or one >= ran_mt
            t = max(one, math.ceil(mt / one) * one) if repeats and one > 0 else one
            cost += 6 * (t + fixed)
            n += 6
    print(f"  --min-time {mt:<5g}: {n} trials, {cost:6.1f} s")
EOF
