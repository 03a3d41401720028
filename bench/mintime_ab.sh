#!/usr/bin/env bash
# mintime_ab.sh - do the timing scenarios' verdicts and rankings hold at
# another --min-time? Runs `allocscope suite SC --no-plot --min-time X` for
# SC in bump, phase, classic and X in A and B, alternating which goes first,
# PAIRS times, then prints per run its load, time and verdict counts, per
# claim its verdicts and measured values at A and at B, and per pair the
# module pairs of a headline row ranked the other way round at B than at A
# (each apart by more than 10 % at both). A verdict or ranking that moves
# between two runs at the same setting moves with the load, not the setting.
# Usage: bench/mintime_ab.sh BUILD_DIR OUT_DIR [PAIRS] [A] [B] [SCENARIOS]
#   defaults: PAIRS 2, A 0.05 (the suite's), B 0.02, SCENARIOS "bump phase classic"
set -euo pipefail
build=${1:?usage: mintime_ab.sh BUILD_DIR OUT_DIR [PAIRS] [A] [B] [SCENARIOS]}
out=${2:?usage: mintime_ab.sh BUILD_DIR OUT_DIR [PAIRS] [A] [B] [SCENARIOS]}
pairs=${3:-2} a=${4:-0.05} b=${5:-0.02} scs=${6:-bump phase classic}
as=$build/harness/allocscope
[ -x "$as" ] || { echo "mintime_ab.sh: $as: not built" >&2; exit 2; }
mkdir -p "$out"
for p in $(seq 1 "$pairs"); do
  order="$a $b"
  [ $((p % 2)) = 1 ] || order="$b $a"
  for x in $order; do
    for sc in $scs; do
      d=$out/p$p-$x-$sc
      l0=$(cut -d' ' -f1 /proc/loadavg)
      t0=$(date +%s.%N)
      CI=1 "$as" suite "$sc" --no-plot --force --min-time "$x" -o "$d" >"$d.log" 2>&1
      echo "$p $x $sc $(echo "$(date +%s.%N) - $t0" | bc) $l0 $(cut -d' ' -f1 /proc/loadavg)" >>"$out/runs.txt"
    done
  done
done
python3 - "$out" "$a" "$b" <<'EOF'
import csv, glob, os, re, sys
from collections import defaultdict
out, A, B = sys.argv[1:4]
runs = defaultdict(dict)
for d in glob.glob(out + "/p*-*-*"):
    m = re.match(r"p(\d+)-([\d.]+)-(\w+)$", os.path.basename(d))
    if m and os.path.isdir(d) and os.path.exists(d + "/verdicts.csv"):
        runs[(int(m.group(1)), m.group(2))][m.group(3)] = d
print("pair setting scenario seconds load_before load_after")
print(open(out + "/runs.txt").read().rstrip())
claims = defaultdict(lambda: defaultdict(list))
for (p, x), dirs in sorted(runs.items()):
    n = defaultdict(int)
    for d in dirs.values():
        for r in csv.DictReader(open(d + "/verdicts.csv")):
            n[r["verdict"]] += 1
            claims[(r["scenario"], r["module"], r["claim"])][x].append(
                f"p{p} {r['verdict'][0]} {float(r['measured']):.3g}" if r["measured"] else f"p{p} {r['verdict'][0]}")
    print(f"pair {p} --min-time {x}: {dict(n)}")
for k, v in claims.items():
    print(f"{k[0]:8} {k[1]:18} {k[2][:40]:40} | {A}: {', '.join(v[A])} | {B}: {', '.join(v[B])}")
def ranks(dirs):
    rk = defaultdict(dict)
    for d in dirs.values():
        for h in glob.glob(d + "/*/headline.csv"):
            for r in csv.DictReader(open(h)):
                if r["status"] == "ok" and r["value"]:
                    rk[(r["scenario"], r["row"])][r["module"]] = float(r["value"])
    return rk
for p in sorted({p for p, _ in runs}):
    if (p, A) not in runs or (p, B) not in runs:
        continue
    ra, rb = ranks(runs[(p, A)]), ranks(runs[(p, B)])
    tot = sw = 0
    for row, va in ra.items():
        vb = rb.get(row, {})
        ms = [m for m in va if m in vb]
        for i, m in enumerate(ms):
            for n in ms[i + 1:]:
                tot += 1
                x1, y1, x2, y2 = va[m], va[n], vb[m], vb[n]
                if (x1 - y1) * (x2 - y2) < 0 and abs(x1 / y1 - 1) > 0.1 and abs(x2 / y2 - 1) > 0.1:
                    sw += 1
    print(f"pair {p}: {sw} of {tot} module pairs ranked the other way round at {B} than at {A}")
EOF
