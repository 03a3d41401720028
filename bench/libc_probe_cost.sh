#!/usr/bin/env bash
# libc_probe_cost.sh - what the uprobes on glibc's malloc family
# (harness/libc_probe.h) cost a module that does not call glibc's malloc:
# the same run with and without them (ALLOCSCOPE_NO_LIBC_PROBE=1), or two
# builds, interleaved A, B, B, A, ... ROUNDS times. Per module: the median
# over rounds of each run's fastest ns_per_op (the minimum over -r 5
# repetitions: the op loop's own cost, least touched by a busy machine) and
# of each run's median wall_ns (a trial's whole life: the worker's start,
# its counters opened and closed, the timed region), and the median of the
# per-round differences B - A.
# usage: bench/libc_probe_cost.sh A B ROUNDS
#   A, B: BUILD_DIR or BUILD_DIR,VAR=VALUE, e.g.
#   bench/libc_probe_cost.sh build,ALLOCSCOPE_NO_LIBC_PROBE=1 build 7
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: libc_probe_cost.sh A B ROUNDS" >&2; exit 2; }
A=$1 B=$2 rounds=$3
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "libc_probe_cost.sh: ROUNDS=$rounds: not a positive number" >&2; exit 2; }
out=$(mktemp -d /tmp/as_libc_probe_cost.XXXXXX)
trap 'rm -rf "$out"' EXIT
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) = 1 ]; then order="A B"; else order="B A"; fi
  for v in $order; do
    spec=$A; [ "$v" = B ] && spec=$B
    envs=(); [[ $spec == *,* ]] && envs=("${spec#*,}")
    env "${envs[@]}" "${spec%%,*}/harness/allocscope" run -q --no-plot -a bump,jemalloc \
      -w random:live=1000,ops=500000,touch=none -r 5 --min-time 0 -o "$out/$v$r" >/dev/null 2>&1
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$out" "$rounds" <<'PY'
import csv, statistics as st, sys
out, rounds = sys.argv[1], int(sys.argv[2])
for m in ("bump", "jemalloc"):
    for col, take, fmt in (("ns_per_op", min, "{:.2f} ns"), ("wall_ns", st.median, "{:.0f} ms")):
        per = {"A": [], "B": []}
        for v in per:
            for r in range(1, rounds + 1):
                rows = [float(x[col]) for x in csv.DictReader(open(f"{out}/{v}{r}/trials.csv"))
                        if x["module"] == m and x["status"] == "ok"]
                per[v].append(take(rows) / (1e6 if col == "wall_ns" else 1))
        d = [b - a for a, b in zip(per["A"], per["B"])]
        f = fmt.format
        print(f"{m:9} {col:9} A {f(st.median(per['A']))} ({f(min(per['A']))} - {f(max(per['A']))})"
              f"  B {f(st.median(per['B']))} ({f(min(per['B']))} - {f(max(per['B']))})"
              f"  B - A {f(st.median(d))}")
PY
