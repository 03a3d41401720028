#!/usr/bin/env bash
# core_watch.sh - do 2-thread figures move with how fast the trial's CPUs
# are? Each round: bench/core_probe (pinned to each CPU in turn: an
# xorshift loop and pointer chases through 32 KiB, 512 KiB and 4 MiB
# rings), one trial of each module (`allocscope run -a MODULES -w WORKLOAD
# -t 2 -r 1`), core_probe again. At the end, over the rounds whose trials
# all lie in the main placement (handoff_end_ns in the range [lo, 2 lo]
# holding the most trials, allocscope's own rule, harness/disturb.h):
# each module's ns/op median (min-max); the correlation of each probe
# figure (the slower CPU's, before and after the round averaged) with each
# module's ns/op; and the module medians in the rounds whose slower CPU ran
# the 32 KiB chase over 1.1 x its quiet figure (the 5th percentile) and in
# the rest. On the project's 2-vCPU EPYC VM a vCPU's core was at times
# shared with another tenant's busy hyperthread: docs/measure.md "Two
# threads: a busy neighbour on the core".
# Usage: [ROWS=FILE] bench/core_watch.sh [BUILD_DIR] [ROUNDS] [MODULES] [WORKLOAD]
#   defaults: build, 60 rounds, tcmalloc,mimalloc,glibc, larson. About 3-5 s
#   a round. ROWS=FILE keeps the rows (time | probe before | probe after |
#   module ns/op handoff_end_ns ...); with ROUNDS 0 the script measures
#   nothing and prints the summary of the rows already in FILE.
set -euo pipefail
[ -z "${ROWS:-}" ] || ROWS=$(realpath -m "$ROWS")
cd "$(dirname "$0")/.."
build=${1:-build} rounds=${2:-60} mods=${3:-tcmalloc,mimalloc,glibc} wl=${4:-larson}
as=$build/harness/allocscope probe=$build/bench/core_probe
for f in "$as" "$probe"; do
  [ -x "$f" ] || { echo "core_watch.sh: $f: not built (cmake --build $build)" >&2; exit 2; }
done
[[ $rounds =~ ^[0-9]+$ ]] || { echo "core_watch.sh: ROUNDS=$rounds: a number" >&2; exit 2; }
[ "$rounds" != 0 ] || [ -s "${ROWS:-}" ] || { echo "core_watch.sh: ROUNDS 0 summarises ROWS=FILE, and there is none" >&2; exit 2; }
tmp=$(mktemp -d /tmp/core_watch.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
rows=${ROWS:-$tmp/rows}
[ "$rounds" = 0 ] || : >"$rows"
for ((i = 1; i <= rounds; i++)); do
  before=$("$probe")
  if ! "$as" run -q --no-plot -a "$mods" -w "$wl" -t 2 -r 1 --force -o "$tmp/d" >/dev/null 2>&1; then
    echo "core_watch.sh: round $i: the run failed" >&2
    continue
  fi
  after=$("$probe")
  trials=$(awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
    $c["status"] == "ok" {h = $c["handoff_end_ns"]; printf " %s %s %s", $c["module"], $c["ns_per_op"], h == "" ? "-" : h}' \
    "$tmp/d/trials.csv")
  echo "$(date +%T) | $before | $after |$trials" >>"$rows"
done
python3 - "$rows" <<'PY'
import statistics as st, sys
def corr(x, y):
    if len(x) < 3:
        return float("nan")
    mx, my = st.mean(x), st.mean(y)
    sx = sum((a - mx) ** 2 for a in x) ** .5
    sy = sum((b - my) ** 2 for b in y) ** .5
    return sum((a - mx) * (b - my) for a, b in zip(x, y)) / (sx * sy) if sx and sy else float("nan")
names = ["alu", "c32k", "c512k", "c4m"]
R = []
for line in open(sys.argv[1]):
    t, b, a, tr = [f.strip() for f in line.split("|")]
    b, a, w = [float(v) for v in b.split()], [float(v) for v in a.split()], tr.split()
    ncpu = len(b) // 4
    # per figure, the slower CPU's, before and after averaged
    p = [max((b[4 * c + k] + a[4 * c + k]) / 2 for c in range(ncpu)) for k in range(4)]
    # handoff_end_ns "-": the other thread did not answer; such a round is
    # in no placement
    m = {w[i]: (float(w[i + 1]), float("nan") if w[i + 2] == "-" else float(w[i + 2]))
         for i in range(0, len(w), 3)}
    R.append((t, p, m))
if not R:
    sys.exit("core_watch.sh: no round completed")
mods = list(R[0][2])
h = sorted(v[1] for r in R for v in r[2].values() if v[1] == v[1])
best = (0, 0)
for i in range(len(h)):
    n = sum(1 for x in h[i:] if x <= 2 * h[i])
    best = max(best, (n, -i))
lo = h[-best[1]] if h else float("nan")
main = [r for r in R if all(lo <= v[1] <= 2 * lo for v in r[2].values())]
print(f"{len(R)} rounds, {len(main)} in the main placement (handoff_end_ns {lo:.0f}-{2 * lo:.0f} ns)")
if len(main) < 3:
    sys.exit(0)
quiet = sorted(r[1][1] for r in main)[len(main) // 20]
busy = [r for r in main if r[1][1] > 1.1 * quiet]
calm = [r for r in main if r[1][1] <= 1.1 * quiet]
print(f"{'module':10} {'ns/op median (min-max)':>24} " + " ".join(f"{'r ' + n:>8}" for n in names)
      + f" {'c32k>1.1x':>12} {'the rest':>10}")
for mod in mods:
    v = [r[2][mod][0] for r in main if mod in r[2]]
    c = [corr([r[1][k] for r in main if mod in r[2]], v) for k in range(4)]
    mb = st.median([r[2][mod][0] for r in busy if mod in r[2]]) if busy else float("nan")
    mc = st.median([r[2][mod][0] for r in calm if mod in r[2]]) if calm else float("nan")
    print(f"{mod:10} {st.median(v):10.2f} ({min(v):.2f}-{max(v):.2f}) "
          + " ".join(f"{x:8.2f}" for x in c) + f" {mb:7.2f} ({len(busy):2}) {mc:6.2f} ({len(calm):2})")
print(f"probe, slower CPU, median over those rounds: "
      + ", ".join(f"{n} {st.median(r[1][k] for r in main):.2f}" for k, n in enumerate(names))
      + f" ns; quiet c32k {quiet:.2f}")
PY
