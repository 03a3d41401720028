#!/usr/bin/env bash
# spread.sh - issue 12's "spread of ns/op across repetitions (max/min) <= 1.5
# for each module": per trial group of a results folder (a run's, or every
# scenario folder of a suite's) ns_per_op max / min over its ok repetitions
# (summary.csv's ns_per_op_max / ns_per_op_min), the repetitions (reps_ok)
# and whether it is within LIMIT (default 1.5). Prints one line per group,
# then how many were within. Exit 0 either way (a figure, not a test); 2 on
# a folder without summary.csv.
# Usage: bench/spread.sh DIR [LIMIT]
set -euo pipefail
dir=${1:?usage: spread.sh DIR [LIMIT]}
limit=${2:-1.5}
files=$(find "$dir" -maxdepth 2 -name summary.csv | sort)
[ -n "$files" ] || { echo "spread.sh: $dir: no summary.csv (not a results folder)" >&2; exit 2; }
python3 - "$limit" $files <<'EOF'
import csv, sys
limit = float(sys.argv[1])
within = total = 0
print(f"{'workload':36} {'threads':>7} {'module':12} {'n':>3} {'max/min':>8}")
for path in sys.argv[2:]:
    for r in csv.DictReader(open(path)):
        lo, hi, n = r.get("ns_per_op_min", ""), r.get("ns_per_op_max", ""), r.get("reps_ok", "")
        if not lo or not hi or float(lo) <= 0:
            continue
        s = float(hi) / float(lo)
        total += 1
        within += s <= limit
        wl = r["workload"] + (":" + r["workload_params"] if r["workload_params"] else "")
        print(f"{wl[:36]:36} {r['threads']:>7} {r['module']:12} {n:>3} {s:8.2f}"
              f"{'' if s <= limit else '  over ' + str(limit)}")
print(f"{within} of {total} groups within max/min <= {limit}")
EOF
