#!/usr/bin/env python3
"""ref_agree_sum.py - bench/ref_agree.sh's summary of its rows.

Usage: ref_agree_sum.py ROWS

ROWS: one line per figure, `round module workload tool ns_per_op
[handoff_end_ns disturbed]`; tool is `allocscope:SPEC` or `original`. An
allocscope row carries its trial's handoff_end_ns (how far apart the host
had the two vCPUs right after the timed region, `-` when not measured) and
whether allocscope judged the trial disturbed (its summary.csv
reps_disturbed, 0 or 1); an original's row has neither.

Per workload and tool: each module's ratio to glibc within a round
(median, min-max), the ranking by median ns/op, and issue 12's spread
(max/min of each module's ns/op over the rounds).

Then the same spread over the rounds the host ran in one placement only.
The host moves this VM's two vCPUs between its cores for minutes at a time
and 2-thread ns/op moves 1.3-3.7x with it, for both tools alike
(docs/measure.md "Two threads: where the host put the CPUs"), so a spread
over rounds in two placements measures the host. The placement is
allocscope's rule: the range [lo, 2 x lo] of handoff_end_ns holding the
most of the run's allocscope trials (a tie: the lower lo). A round counts
when every allocscope trial of it lies in that range; the originals ran
between those trials, in the same minutes. allocscope's spread is given
with and without its disturbed trials; the originals have no such judgment,
so theirs keeps every round in the placement.
"""
import statistics as st
import sys

MODS = ["glibc", "jemalloc", "tcmalloc", "mimalloc"]


def read(path):
    ns, hand, dist = {}, {}, {}
    for line in open(path):
        f = line.split()
        if not f:
            continue
        r, m, w, tool, v = int(f[0]), f[1], f[2], f[3], float(f[4])
        ns[(r, m, w, tool)] = v
        if len(f) >= 7:
            if f[5] not in ("-", "", "nan"):
                hand[(r, m, w, tool)] = float(f[5])
            dist[(r, m, w, tool)] = f[6] == "1"
    return ns, hand, dist


def placement(hand):
    """The window [lo, 2 lo] holding the most trials (ties: lowest lo)."""
    vals = sorted(hand.values())
    best, lo_best = -1, None
    for lo in vals:
        n = sum(1 for v in vals if lo <= v <= 2 * lo)
        if n > best:
            best, lo_best = n, lo
    return lo_best


def spread_line(ns, rounds, w, tool, keep=lambda k: True):
    cells = []
    for m in MODS:
        v = [ns[k] for r in rounds for k in [(r, m, w, tool)]
             if k in ns and ns[k] == ns[k] and keep(k)]
        if len(v) >= 2:
            cells.append(f"{m} {max(v) / min(v):.2f} (n {len(v)})")
        else:
            cells.append(f"{m} n/a (n {len(v)})")
    return "; ".join(cells)


def main():
    ns, hand, dist = read(sys.argv[1])
    rounds = sorted({k[0] for k in ns})
    lo = placement(hand) if hand else None
    if lo is not None:
        one = [r for r in rounds
               if all(lo <= h <= 2 * lo for k, h in hand.items() if k[0] == r)
               and not any(k[0] == r and k not in hand for k in dist)]
    for w in ("xmalloc", "larson"):
        print(f"== {w}: M/glibc per round, median (min-max) over {len(rounds)} rounds")
        tools = sorted({k[3] for k in ns if k[2] == w}, key=lambda t: (t == "original", t))
        for tool in tools:
            cells = []
            for m in MODS[1:]:
                q = [ns[(r, m, w, tool)] / ns[(r, "glibc", w, tool)] for r in rounds
                     if (r, m, w, tool) in ns and (r, "glibc", w, tool) in ns]
                q = [x for x in q if x == x]
                cells.append(f"{m} {st.median(q):.2f} ({min(q):.2f}-{max(q):.2f})"
                             if q else f"{m} n/a")
            med = {}
            for m in MODS:
                v = [ns[k] for r in rounds for k in [(r, m, w, tool)] if k in ns and ns[k] == ns[k]]
                med[m] = st.median(v) if v else float("nan")
            rank = " < ".join(f"{m} {med[m]:.1f}" for m in sorted(MODS, key=med.get))
            # issue 12's spread: max/min of each module's ns/op over the rounds
            spread = "; ".join(
                f"{m} {max(v) / min(v):.2f}" for m in MODS
                for v in [[x for x in (ns.get((r, m, w, tool), float("nan")) for r in rounds)
                           if x == x]] if v)
            print(f"  {tool}\n    M/glibc: {'; '.join(cells)}")
            print(f"    ranking (median ns/op): {rank}")
            print(f"    spread (max/min ns/op over the rounds): {spread}")
    if lo is None:
        print("== one placement: no handoff_end_ns in the rows (2 threads measure it)")
        return
    print(f"== one placement: rounds whose allocscope trials all had handoff_end_ns in "
          f"[{lo:.0f}, {2 * lo:.0f}] ns: {len(one)} of {len(rounds)}"
          + ("" if len(one) == len(rounds)
             else f" (rounds {' '.join(map(str, one))})" if one else " (none)"))
    for w in ("xmalloc", "larson"):
        tools = sorted({k[3] for k in ns if k[2] == w}, key=lambda t: (t == "original", t))
        for tool in tools:
            print(f"  {w} {tool}: spread {spread_line(ns, one, w, tool)}")
            if tool != "original":
                print(f"  {w} {tool} undisturbed: spread "
                      f"{spread_line(ns, one, w, tool, lambda k: not dist.get(k, False))}")


if __name__ == "__main__":
    main()
