#!/usr/bin/env bash
# spread.sh - issue 12's "spread of ns/op across repetitions (max/min) <= 1.5
# for each module": per trial group of a results folder (a run's, or every
# scenario folder of a suite's) ns_per_op max / min over its ok repetitions
# (summary.csv's ns_per_op_spread), the repetitions (reps_ok),
# how many of them the machine disturbed (reps_disturbed: time spent waiting
# for a CPU or slow sampling, docs/measure.md "Disturbed trials"), the
# spread without those, and whether each is within LIMIT (default 1.5);
# beside them the repetitions slow in every pass (slowp) and, at 2 threads
# or more, the range over the repetitions of the share of handovers at
# which a thread waited for the other (waited: trials.csv handovers_waited
# over handovers): a module whose spread comes from two ways its threads
# ran shows a wide range; and the correlation over the repetitions of
# ns/op with peak RSS (r_rss: near -1 when the faster trials are the ones
# that mapped more, as jemalloc's xmalloc t2); and, where the group's trials
# ran on more than one CPU (trials.csv cpu_start, the trials the scheduler
# did not move), the median ns/op of its slowest CPU over its fastest's,
# with the two CPUs (cpu: "1.75 1/0" when CPU 1's trials ran 1.75 x CPU
# 0's; at 1 thread the CPU is the trial's, docs/measure.md "One thread:
# which CPU").
# Prints one line per group, then how many were within, with and without
# the disturbed repetitions. Exit 0 either way (a figure, not a test); 2 on
# a folder without summary.csv.
# Usage: bench/spread.sh DIR [LIMIT]
set -euo pipefail
dir=${1:?usage: spread.sh DIR [LIMIT]}
limit=${2:-1.5}
files=$(find "$dir" -maxdepth 2 -name summary.csv | sort)
[ -n "$files" ] || { echo "spread.sh: $dir: no summary.csv (not a results folder)" >&2; exit 2; }
python3 - "$limit" $files <<'EOF'
import csv, os, statistics, sys
limit = float(sys.argv[1])
within = within_u = total = total_u = few_u = 0
print(f"{'workload':36} {'threads':>7} {'module':12} {'n':>3} {'dist':>4} {'max/min':>8} {'undist':>8} {'slowp':>5}"
      f" {'waited':>9} {'r_rss':>5} {'cpu':>9}")
def per_trial(path):
    """Per group, from trials.csv beside summary.csv: the min-max over its
    ok trials of handovers_waited / handovers (how the threads ran against
    each other, a module's two regimes as a wide range), and the
    correlation over them of ns/op with peak RSS (jemalloc's xmalloc t2
    runs faster the more memory it maps: docs/measure.md "Two threads: a
    busy neighbour on the core"); "-" where there is none, under 4 trials,
    or a constant; and per group the ns/op of the trials that stayed on one
    CPU, by that CPU."""
    share, pair, cpus = {}, {}, {}
    t = os.path.join(os.path.dirname(path), "trials.csv")
    if not os.path.exists(t):
        return {}, {}, {}
    for r in csv.DictReader(open(t)):
        if r.get("status") != "ok":
            continue
        k = (r["module"], r["module_params"], r["workload"], r["workload_params"], r["threads"])
        if r.get("handovers") and r.get("handovers_waited"):
            share.setdefault(k, []).append(int(r["handovers_waited"]) / int(r["handovers"]))
        if r.get("ns_per_op") and r.get("rss_peak_kib"):
            pair.setdefault(k, []).append((float(r["ns_per_op"]), float(r["rss_peak_kib"])))
        if r.get("ns_per_op") and r.get("cpu_start") and r.get("cpu_start") == r.get("cpu_end"):
            cpus.setdefault(k, {}).setdefault(r["cpu_start"], []).append(float(r["ns_per_op"]))
    def corr(v):
        if len(v) < 4:
            return "-"
        mx, my = sum(a for a, _ in v) / len(v), sum(b for _, b in v) / len(v)
        sx = sum((a - mx) ** 2 for a, _ in v) ** .5
        sy = sum((b - my) ** 2 for _, b in v) ** .5
        return f"{sum((a - mx) * (b - my) for a, b in v) / (sx * sy):+.2f}" if sx and sy else "-"
    def by_cpu(d):
        if len(d) < 2:
            return "-"
        med = sorted((statistics.median(v), c) for c, v in d.items())
        (lo, fast), (hi, slow) = med[0], med[-1]
        return f"{hi / lo:.2f} {slow}/{fast}"
    return ({k: f"{min(v):.2f}-{max(v):.2f}" for k, v in share.items()},
            {k: corr(v) for k, v in pair.items()}, {k: by_cpu(d) for k, d in cpus.items()})
for path in sys.argv[2:]:
    share, rss, cpu = per_trial(path)
    for r in csv.DictReader(open(path)):
        lo, hi, n = r.get("ns_per_op_min", ""), r.get("ns_per_op_max", ""), r.get("reps_ok", "")
        if not lo or not hi or float(lo) <= 0:
            continue
        # the raw spread: ns_per_op_max / min leave the disturbed out since
        # session 6; a folder from before has only those
        s = float(r["ns_per_op_spread"]) if r.get("ns_per_op_spread") else float(hi) / float(lo)
        total += 1
        within += s <= limit
        d = r.get("reps_disturbed", "")  # empty: a folder from before the column
        u = r.get("ns_per_op_spread_undisturbed", "")  # empty: < 2 undisturbed
        if d:
            total_u += 1
            within_u += bool(u) and float(u) <= limit
            few_u += not u
        wl = r["workload"] + (":" + r["workload_params"] if r["workload_params"] else "")
        sp = r["reps_slow_passes"] or "?" if "reps_slow_passes" in r else "-"
        k = (r["module"], r["module_params"], r["workload"], r["workload_params"], r["threads"])
        w, c, u_cpu = share.get(k, "-"), rss.get(k, "-"), cpu.get(k, "-")
        print(f"{wl[:36]:36} {r['threads']:>7} {r['module']:12} {n:>3} {d or '-':>4} {s:8.2f}"
              f" {float(u) if u else float('nan'):8.2f} {sp:>5} {w:>9} {c:>5} {u_cpu:>9}"
              f"{'' if s <= limit else '  over ' + str(limit)}"
              f"{'' if not d or (u and float(u) <= limit) else ' (undisturbed too)' if u else ' (< 2 undisturbed)'}")
print(f"{within} of {total} groups within max/min <= {limit}")
if total_u:
    print(f"{within_u} of {total_u} groups within {limit} without the disturbed repetitions"
          f" ({few_u} with fewer than 2 undisturbed, not within)")
EOF
