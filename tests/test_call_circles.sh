#!/usr/bin/env bash
# test_call_circles.sh - no two source files of the harness call each
# other, directly or round a longer loop (STYLE.md: no include circles;
# calls flow one way): a function one object file of the archive defines
# and another calls is an arrow between them, and the arrows may form no
# loop. Read from the archive's symbol tables (nm), so a call the headers
# hide is seen too. Functions only: a table of data (the run command's
# options, read by the report) is not a call.
# usage: test_call_circles.sh LIBAS_HARNESS.a
. "$(dirname "$0")/nm_archive.sh" "$1"
nm -A "$lib" 2>/dev/null | python3 -c '
import sys, collections
defs, uses = {}, collections.defaultdict(set)
for line in sys.stdin:
    f = line.split()
    if len(f) != 3:
        continue
    obj = f[0].split(":")[1]
    if f[1] == "T":
        defs[f[2]] = obj
    elif f[1] == "U":
        uses[obj].add(f[2])
edges = collections.defaultdict(dict)
for obj, names in uses.items():
    for n in sorted(names):
        if n in defs and defs[n] != obj:
            edges[obj].setdefault(defs[n], n)
# strongly connected components (Tarjan, iterative)
index, low, stack, on, loops, nxt = {}, {}, [], set(), [], [0]
for root in sorted(set(edges) | set(defs.values())):
    if root in index:
        continue
    work = [(root, iter(sorted(edges[root])))]
    index[root] = low[root] = nxt[0]; nxt[0] += 1; stack.append(root); on.add(root)
    while work:
        v, it = work[-1]
        w = next(it, None)
        if w is not None:
            if w not in index:
                index[w] = low[w] = nxt[0]; nxt[0] += 1; stack.append(w); on.add(w)
                work.append((w, iter(sorted(edges[w]))))
            elif w in on:
                low[v] = min(low[v], index[w])
            continue
        work.pop()
        if work:
            low[work[-1][0]] = min(low[work[-1][0]], low[v])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                loops.append(sorted(comp))
fail = 0
for comp in loops:
    fail += 1
    print("check failed: these files call each other round a loop:", " ".join(comp))
    for a in comp:
        for b in comp:
            if b in edges[a]:
                print("   %s -> %s (%s)" % (a, b, edges[a][b]))
if not defs:
    print("skipped: no function symbols read from the archive")
    sys.exit(77)
print("%d files read, %d arrows" % (len(set(defs.values())), sum(len(e) for e in edges.values())))
print("%d passed, %d failed" % (1 - fail if not fail else 0, fail))
sys.exit(1 if fail else 0)
'
