#!/usr/bin/env python3
# suite_memrows.py A B: the memory scenarios of two suite folders, row by row.
# - headline: each row's median of the scenario's metric (headline.csv value), equal?
# - growth: per row the medians over its repetitions of RSS growth at peak and end
#   (rss_*_kib - rss_before_kib), minflt and syscalls_total, equal?
# - within each folder: rows whose repetitions all agree on those (the lead's count)
# Absolute RSS (summary.csv's rss_peak_kib_median) is not compared: rss_before_kib
# moves with ASLR (file-backed pages) and, since the stream records, by the builder
# state a worker no longer maps (several MiB lower).
import csv, os, statistics as st, sys
from collections import defaultdict
a, b = sys.argv[1], sys.argv[2]
def head(d, sc):
    # keyed by what ran, not the printed row label (which changes with the
    # scenario's other rows, and did for leak's plain row and metadata)
    return {(r["workload"], r["workload_params"], r["threads"], r["module"]): r["value"]
            for r in csv.DictReader(open(os.path.join(d, sc, "headline.csv")))}
def growth(d, sc):
    g = defaultdict(list)
    for r in csv.DictReader(open(os.path.join(d, sc, "trials.csv"))):
        if r["status"] != "ok":
            continue
        bf = float(r["rss_before_kib"])
        g[(r["module"], r["workload_params"], r["threads"])].append(
            (float(r["rss_peak_kib"]) - bf, float(r["rss_end_kib"]) - bf, r["minflt"], r["syscalls_total"]))
    med = {k: tuple(st.median(float(x[i]) if x[i] != "" else -1 for x in v) for i in range(4)) for k, v in g.items()}
    agree = sum(1 for v in g.values() if all(x == v[0] for x in v))
    return med, agree, len(g), sum(len(v) for v in g.values())
for sc in ["threshold", "leak", "metadata", "lazy"]:
    ha, hb = head(a, sc), head(b, sc)
    ga, aa, na, ta = growth(a, sc)
    gb, ab, nb, tb = growth(b, sc)
    hs = sum(1 for k in ha if hb.get(k) == ha[k])
    gs = sum(1 for k in ga if gb.get(k) == ga[k])
    print(f"{sc:9}: headline equal {hs}/{len(ha)}; growth+faults+syscalls medians equal {gs}/{len(ga)}; "
          f"reps agreeing A {aa}/{na} ({ta} trials), B {ab}/{nb} ({tb} trials)")
    for k in ha:
        if hb.get(k) != ha[k]:
            print("   headline differs:", k, ha[k], "->", hb.get(k))
va = {(r["scenario"], r["workload"], r["module"], r["claim"]): (r["verdict"], r["value"] if "value" in r else "") for r in csv.DictReader(open(os.path.join(a, "verdicts.csv")))}
vb = {(r["scenario"], r["workload"], r["module"], r["claim"]): (r["verdict"], r["value"] if "value" in r else "") for r in csv.DictReader(open(os.path.join(b, "verdicts.csv")))}
from collections import Counter
print("verdicts A", dict(Counter(v[0] for v in va.values())), "B", dict(Counter(v[0] for v in vb.values())))
for k in va:
    if vb.get(k, ("",))[0] != va[k][0]:
        print("  differs:", k, va[k][0], "->", vb.get(k, ("",))[0])
