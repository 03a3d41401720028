#!/usr/bin/env python3
"""mtrace_count.py - an independent count of a glibc mtrace log, written from
docs/traces.md (not from the importer's code), for test_mtrace_real.sh to hold
`allocscope trace import mtrace` and `trace stats` against.

Prints "name value" lines: events by op, every repair and drop, torn line
numbers, peak and end live requested bytes in log order.
    mtrace_count.py LOG
"""
import re
import sys

# as glibc's malloc/mtrace.c writes them: a pointer with %p ("0x..." or
# "(nil)"), a size with %#lx ("0x..." or "0")
PTR = r"(?:\(nil\)|0x[0-9a-fA-F]{1,16})"
SIZE = r"(?:0|0x[0-9a-fA-F]{1,16})"
RECORD = re.compile(r"(=).*|([-<]) (%s)|([+>!]) (%s) (%s)" % (PTR, PTR, SIZE), re.S)


def num(s):
    return 0 if s == "(nil)" else int(s, 16)


def parse(line):
    """(op, ptr, size), ('=', 0, 0) for a marker, None for a torn line."""
    if line.startswith("@"):
        if not line.startswith("@ "):
            return None  # glibc writes "@ " before the caller
        i = line.find("] ")  # the first one ends the caller
        if i < 0:
            return None
        line = line[i + 2:]
    m = RECORD.fullmatch(line)
    if not m:
        return None
    if m.group(1):
        return ("=", 0, 0)
    if m.group(2):
        return (m.group(2), num(m.group(3)), 0)
    op, ptr, size = m.group(4), num(m.group(5)), num(m.group(6))
    if op == ">" and ptr == 0:
        return None  # a failed realloc is "!": glibc never writes "> (nil)"
    return (op, ptr, size)


def main():
    data = open(sys.argv[1], "rb").read().decode("latin-1")
    lines = data.split("\n")
    complete = data.endswith("\n")
    if complete:
        lines.pop()
    c = dict.fromkeys(
        "alloc realloc free free_unknown torn_lines unknown_frees double_frees live_address_allocs "
        "late_frees unknown_reallocs unpaired_reallocs failed_allocs failed_reallocs null_frees markers".split(),
        0)
    torn = []
    live = {}  # address -> size
    owed = {}  # address -> frees written late, still to come
    freed = set()  # addresses freed (or moved from) and not allocated since
    state = {"live": 0, "peak": 0}
    pending = None  # address of a "<" waiting for its ">"

    def add(delta):
        state["live"] += delta
        state["peak"] = max(state["peak"], state["live"])

    def alloc(p, size):
        if p in live:  # the old block's free comes later: free it now
            c["live_address_allocs"] += 1
            c["free"] += 1
            add(-live.pop(p))
        live[p] = size
        c["alloc"] += 1
        add(size)

    for n, line in enumerate(lines, 1):
        if line.endswith("\r"):
            line = line[:-1]
        if line == "":
            c["markers"] += 1
            continue
        rec = parse(line)
        if rec and rec[0] != "=" and n == len(lines) and not complete:
            rec = None  # a record without its newline was cut short
        if rec is None:
            c["torn_lines"] += 1
            torn.append(n)
            continue
        op, p, size = rec
        if op == "=":
            c["markers"] += 1
            continue
        if pending is not None and op != ">":
            c["unpaired_reallocs"] += 1
            pending = None
        if op == "+" and p == 0:  # a failed malloc, calloc or memalign
            c["failed_allocs"] += 1
            continue
        in_place = op == ">" and pending == p
        if op in "+>" and not in_place and p in live:
            owed[p] = owed.get(p, 0) + 1
        if op == "-" and owed.get(p, 0) > 0:
            owed[p] -= 1
            c["late_frees"] += 1
            continue
        if op in "+>":
            freed.discard(p)
        if op == "+":
            alloc(p, size)
        elif op == "-":
            if p == 0:
                c["null_frees"] += 1
            elif p in live:
                c["free"] += 1
                add(-live.pop(p))
                freed.add(p)
            elif p in freed:  # freed before, not allocated since
                c["double_frees"] += 1
                c["free_unknown"] += 1
            else:  # never shown: allocated before tracing; shown freed now
                c["unknown_frees"] += 1
                c["free_unknown"] += 1
                freed.add(p)
        elif op == "<":
            pending = p
        elif op == ">":
            if pending is None:
                c["unpaired_reallocs"] += 1
                alloc(p, size)
                continue
            old, pending = pending, None
            if old not in live:
                c["unknown_reallocs"] += 1
                alloc(p, size)
                continue
            osize = live.pop(old)
            if old != p:
                freed.add(old)
            if p in live:  # moved onto a block still live: freed first
                c["live_address_allocs"] += 1
                c["free"] += 1
                add(-live.pop(p))
            live[p] = size
            c["realloc"] += 1
            add(size - osize)
        else:  # "!"
            c["failed_reallocs"] += 1
    if pending is not None:
        c["unpaired_reallocs"] += 1
    c["lines"] = len(lines)
    c["peak_live"] = state["peak"]
    c["end_live"] = state["live"]
    for k, v in c.items():
        print(k, v)
    print("torn_first", ",".join(str(t) for t in torn[:8]) or "-")


main()
