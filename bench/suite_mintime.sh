#!/usr/bin/env bash
# suite_mintime.sh - the evidence for the suite's --min-time: the timing
# scenarios at two --min-time values, interleaved (the order alternates
# round by round), and per value what the setting buys and costs:
#   - wall time of the scenarios (sum of their `suite` commands), trials run
#     (rows not skipped), seconds inside timed regions (sum of elapsed_ns);
#   - verdict counts, and every claim whose verdicts are not the same at
#     both values (each round's verdict and measured value);
#   - rankings: per (scenario, workload, threads) the modules ordered by
#     summary.csv's ns_per_op_median; the rows whose order differs between
#     the values in the same round, and for scale the rows whose order
#     differs between two rounds of the SAME value (what the load and the
#     host move without any change of setting); pairs ranked the other way
#     round while apart by > 10 % at both;
#   - the median over rows of the 95 % CI width of ns/op relative to the
#     median ((ci95_high - ci95_low) / median, summary.csv), rows with >= 2
#     repetitions.
#   - with REF=verdicts.csv (a reference run's, e.g. the lead's idle suite),
#     per round the claims whose verdict differs from the reference's;
#   - the "groups stopped" lines of each run (what ended each scenario's
#     repetitions: the CI, --max-time, the budget, the cap of 10), summed.
# Each round appends to OUT, so rounds can be run in separate calls (one
# round of all seven scenarios at both values is ~2.5 min on the idle 2-core
# machine) and the report covers every round in OUT.
# KNOB=budget varies --budget instead of --min-time (bench/suite_budget.sh);
# PLOT=1 draws the charts (the suite's own time then includes them).
# Usage: bench/suite_mintime.sh BUILD_DIR OUT_DIR [ROUNDS] [A] [B] [SCENARIOS]
#   defaults: ROUNDS 1, A 0.05 (the suite's), B 0.02,
#   SCENARIOS "mmapcost bump phase larson xmalloc cache benchmt" (the timing ones)
#   ROUNDS 0: report only.
set -euo pipefail
usage="usage: suite_mintime.sh BUILD_DIR OUT_DIR [ROUNDS] [A] [B] [SCENARIOS]"
build=${1:?$usage}
out=${2:?$usage}
rounds=${3:-1} a=${4:-0.05} b=${5:-0.02} scs=${6:-mmapcost bump phase larson xmalloc cache benchmt}
knob=${KNOB:-min-time}
case $knob in min-time | budget) ;; *) echo "suite_mintime.sh: KNOB=$knob: min-time or budget" >&2; exit 2 ;; esac
plot=--no-plot
[ "${PLOT:-0}" = 1 ] && plot=
as=$build/harness/allocscope
[ -x "$as" ] || { echo "suite_mintime.sh: $as: not built" >&2; exit 2; }
mkdir -p "$out"
# rounds already in OUT: continue the numbering (and the alternation)
done_rounds=$(find "$out" -maxdepth 1 -name 'r*-*' -printf '%f\n' | sed -n 's|^r\([0-9]*\)-.*|\1|p' |
  sort -n | tail -1)
first=$(( ${done_rounds:-0} + 1 ))
for ((r = first; r < first + rounds; r++)); do
  order="$a $b"
  [ $((r % 2)) = 1 ] || order="$b $a"
  for x in $order; do
    for sc in $scs; do
      d=$out/r$r-$x-$sc
      l0=$(cut -d' ' -f1 /proc/loadavg)
      t0=$(date +%s.%N)
      CI=1 "$as" suite "$sc" $plot --force "--$knob" "$x" -o "$d" > "$d.log" 2>&1 || true
      t1=$(date +%s.%N)
      echo "$r $x $sc $(echo "$t1 - $t0" | bc) $l0 $(cut -d' ' -f1 /proc/loadavg) $(date -u +%H:%M:%S)" \
        >> "$out/runs.txt"
    done
  done
done
python3 - "$out" "$a" "$b" "$knob" "${REF:-}" <<'EOF'
import csv, glob, os, re, statistics as st, sys
from collections import defaultdict
out, A, B, KNOB, REF = sys.argv[1:6]
runs = defaultdict(dict)  # (round, value) -> scenario -> dir
for d in glob.glob(out + "/r*-*-*"):
    m = re.match(r"r(\d+)-([\d.]+)-(\w+)$", os.path.basename(d))
    if m and os.path.isdir(d) and os.path.exists(d + "/verdicts.csv"):
        runs[(int(m.group(1)), m.group(2))][m.group(3)] = d
wall = defaultdict(float)
loads = defaultdict(list)
for line in open(out + "/runs.txt"):
    f = line.split()
    wall[(int(f[0]), f[1])] += float(f[3])
    loads[(int(f[0]), f[1])] += [float(f[4]), float(f[5])]
def med(v):
    return f"{st.median(v):.3g} ({min(v):.3g}-{max(v):.3g})" if v else "-"
def scen(dirs):
    """(scenario, folder) of every scenario a run's suite folders hold"""
    return [(os.path.basename(s), s) for d in dirs.values()
            for s in sorted(glob.glob(d + "/*")) if os.path.exists(s + "/trials.csv")]
def trials(dirs):
    n, t = 0, 0.0
    for _, d in scen(dirs):
        for r in csv.DictReader(open(d + "/trials.csv")):
            if r["status"] != "skipped":
                n += 1
                t += float(r["elapsed_ns"] or 0) / 1e9
    return n, t
def verdicts(dirs):
    v = {}
    for d in dirs.values():
        for r in csv.DictReader(open(d + "/verdicts.csv")):
            m = f"{float(r['measured']):.3g}" if r["measured"] else "-"
            v[(r["scenario"], r["module"], r["claim"])] = (r["verdict"], m, r["ci_lo"], r["ci_hi"])
    return v
def pclass(p):
    return "1 pass" if p <= 1 else "2-9 passes" if p < 10 else "10+ passes"
def summary(dirs):
    rows, ci, byp = defaultdict(dict), [], defaultdict(list)
    for sc, d in scen(dirs):
        passes = defaultdict(list)
        for r in csv.DictReader(open(d + "/trials.csv")):
            if r["status"] == "ok" and r["passes"]:
                passes[(r["module"], r["workload_params"], r["threads"])].append(int(r["passes"]))
        for r in csv.DictReader(open(d + "/summary.csv")):
            if not r["ns_per_op_median"] or int(r["reps_ok"] or 0) < 1:
                continue
            x = float(r["ns_per_op_median"])
            rows[(sc, r["workload_params"], r["threads"])][r["module"]] = x
            if int(r["reps_ok"]) >= 2 and x > 0 and r["ns_per_op_ci95_low"]:
                w = (float(r["ns_per_op_ci95_high"]) - float(r["ns_per_op_ci95_low"])) / x
                ci.append(w)
                p = passes.get((r["module"], r["workload_params"], r["threads"]), [1])
                byp[pclass(st.median(p))].append(w)
    return rows, ci, byp
def stops(dirs):
    """the "groups stopped" lines of a run's logs, summed"""
    n = [0] * 6
    for d in dirs.values():
        for line in open(d + ".log", errors="replace"):
            m = re.search(r"groups stopped: (\d+) by the CI, (\d+) by --max-time, (\d+) by the "
                          r"budget(?: \((\d+) with < \d+ undisturbed\))?, (\d+) at \d+ "
                          r"repetitions, (\d+) failed", line)
            if m:
                n = [a + int(b or 0) for a, b in zip(n, m.groups())]
    return ("CI {} max-time {} budget {} (of them short of 6 undisturbed {}) cap {} "
            "failed/skipped {}").format(*n)
rounds = sorted({r for r, _ in runs})
print("runs (round value scenario seconds load_before load_after utc):")
print(open(out + "/runs.txt").read().rstrip())
print()
V, S = {}, {}
for k, dirs in runs.items():
    V[k], S[k] = verdicts(dirs), summary(dirs)
print("per value, over rounds: median (min-max)")
for x in (A, B):
    ks = [(r, x) for r in rounds if (r, x) in runs]
    tr = [trials(runs[k]) for k in ks]
    counts = [defaultdict(int) for _ in ks]
    for c, k in zip(counts, ks):
        for v in V[k].values():
            c[v[0]] += 1
    print(f"--{KNOB} {x}: rounds {len(ks)}; wall s {med([wall[k] for k in ks])}; "
          f"trials {med([t[0] for t in tr])}; timed-region s {med([t[1] for t in tr])}; "
          f"load {med([l for k in ks for l in loads[k]])}")
    for k, c in zip(ks, counts):
        print(f"    round {k[0]}: {wall[k]:.1f} s, {trials(runs[k])[0]} trials, verdicts "
              + ", ".join(f"{n} {v.lower()}" for v, n in sorted(c.items()))
              + f"; median CI width {st.median(S[k][1]) * 100 if S[k][1] else float('nan'):.2f} % "
              f"(half-width {st.median(S[k][1]) * 50 if S[k][1] else float('nan'):.2f} %) "
              f"of {len(S[k][1])} rows; groups stopped {stops(runs[k])}")
    allci = [c for k in ks for c in S[k][1]]
    print(f"    median CI width over all rounds' rows: "
          f"{st.median(allci) * 100 if allci else float('nan'):.2f} %; by passes a trial ran: "
          + ", ".join(f"{c} {st.median(v) * 100:.2f} % ({len(v)} rows)" for c, v in sorted(
              ((c, [w for k in ks for w in S[k][2][c]]) for c in ("1 pass", "2-9 passes", "10+ passes")))
              if v))
print()
print("claims whose verdicts differ between the values (round: verdict measured [ci]):")
claims = sorted({c for k in runs for c in V[k]})
ndiff = 0
for c in claims:
    va = [(r, V[(r, A)][c]) for r in rounds if (r, A) in runs and c in V[(r, A)]]
    vb = [(r, V[(r, B)][c]) for r in rounds if (r, B) in runs and c in V[(r, B)]]
    if {v[0] for _, v in va} == {v[0] for _, v in vb} and len({v[0] for _, v in va}) == 1:
        continue
    ndiff += 1
    fmt = lambda l: ", ".join(f"r{r} {v[0][:4]} {v[1]} [{v[2]}-{v[3]}]" for r, v in l)
    print(f"  {c[0]:8} {c[1]:18} {c[2][:44]:44}\n      {A}: {fmt(va)}\n      {B}: {fmt(vb)}")
print(f"  {ndiff} of {len(claims)} claims not the same verdict in every round at both values")
if REF:
    ref = {}
    for r in csv.DictReader(open(REF)):
        ref[(r["scenario"], r["module"], r["claim"])] = r["verdict"]
    print(f"\nverdicts against the reference {REF} ({len(ref)} claims; a claim of a scenario "
          "not run is left out):")
    for k in sorted(runs):
        v = V[k]
        ran = {c[0] for c in v}
        diff = [(c, ref[c], v[c][0] if c in v else "missing") for c in sorted(ref)
                if c[0] in ran and (c not in v or v[c][0] != ref[c])]
        print(f"  round {k[0]} --{KNOB} {k[1]}: {len(diff)} of "
              f"{sum(1 for c in ref if c[0] in ran)} differ"
              + "".join(f"\n      {c[0]} {c[1]} {c[2][:50]}: {a} -> {b}" for c, a, b in diff))
print()
def order(row):
    return [m for m, _ in sorted(row.items(), key=lambda t: t[1])]
def swaps(ra, rb):
    n = tot = 0
    for key, va in ra.items():
        vb = rb.get(key, {})
        ms = [m for m in va if m in vb]
        for i, m in enumerate(ms):
            for o in ms[i + 1:]:
                tot += 1
                x1, y1, x2, y2 = va[m], va[o], vb[m], vb[o]
                if (x1 - y1) * (x2 - y2) < 0 and abs(x1 / y1 - 1) > 0.1 and abs(x2 / y2 - 1) > 0.1:
                    n += 1
    return n, tot
def differ(ra, rb):
    return [key for key in ra if key in rb and order(ra[key]) != order({m: v for m, v in rb[key].items() if m in ra[key]})]
print("rankings (modules by ns/op median per scenario, workload, threads):")
for r in rounds:
    if (r, A) in runs and (r, B) in runs:
        ra, rb = S[(r, A)][0], S[(r, B)][0]
        d = differ(ra, rb)
        n, tot = swaps(ra, rb)
        print(f"  round {r}, {A} vs {B}: {len(d)} of {len(ra)} rows ordered differently; "
              f"{n} of {tot} module pairs the other way round, apart > 10 % at both")
        for key in d:
            print(f"      {key[0]} {key[1][:50]} t{key[2]}: {A} {' < '.join(order(ra[key]))}"
                  f" | {B} {' < '.join(order(rb[key]))}")
for x in (A, B):
    ks = [r for r in rounds if (r, x) in runs]
    for r1, r2 in zip(ks, ks[1:]):
        ra, rb = S[(r1, x)][0], S[(r2, x)][0]
        n, tot = swaps(ra, rb)
        print(f"  same value {x}, round {r1} vs {r2}: {len(differ(ra, rb))} of {len(ra)} rows "
              f"ordered differently; {n} of {tot} pairs the other way round, apart > 10 %")
EOF
