#!/usr/bin/env python3
"""spool_count.py SPOOL - an independent count of a capture spool
(harness/capture/spool.h), written from that header's description and
nothing else of allocscope: chunks of per-thread delta-encoded records, put
in order by their global sequence number; then per-op counts and the live
bytes in that order. Prints what `allocscope trace stats` prints for the
trace converted from the same spool, one "key value" per line:
alloc, calloc, realloc, free, free_unknown, threads, peak_live, live_end,
lost, bad_pairs (a realloc end without its begin, or an allocation at a
live address: 0 on a clean spool)."""
import struct
import sys

MALLOC, CALLOC, FREE, RBEGIN, REND = 1, 2, 3, 4, 5


def varint(b, i):
    v = shift = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if not c & 0x80:
            return v, i


def main():
    data = open(sys.argv[1], "rb").read()
    assert data[:8] == b"ASSPOOL1", "not a spool"
    seq_taken = struct.unpack_from("<Q", data, 24)[0]
    recs = []  # (seq, tid, op, addr, size)
    state = {}  # tid -> [seq, addr]
    i = 32
    while i + 16 <= len(data):
        magic, tid, length, flags = struct.unpack_from("<IIII", data, i)
        assert magic == 0x4B434841, "chunk magic at %d" % i
        i += 16
        end = i + length
        if flags & 1 or tid not in state:
            state[tid] = [0, 0]
        st = state[tid]
        while i < end:
            head = data[i]
            i += 1
            op = head & 7
            ds, i = varint(data, i)
            _, i = varint(data, i)  # time: not counted here
            za, i = varint(data, i)
            size = 0
            if op in (MALLOC, CALLOC, REND):
                size, i = varint(data, i)
            if head & 8:
                i += 1
            st[0] += ds
            st[1] = (st[1] + ((za >> 1) ^ -(za & 1))) & (2**64 - 1)
            recs.append((st[0], tid, op, st[1], size))
    recs.sort()
    n = {"alloc": 0, "calloc": 0, "realloc": 0, "free": 0, "free_unknown": 0}
    live, pending = {}, {}
    cur = peak = bad = 0
    for seq, tid, op, addr, size in recs:
        if op in (MALLOC, CALLOC):
            n["alloc" if op == MALLOC else "calloc"] += 1
            if addr in live:
                bad += 1
                cur -= live[addr]
            live[addr] = size
            cur += size
        elif op == FREE:
            if addr in live:
                n["free"] += 1
                cur -= live.pop(addr)
            else:
                n["free_unknown"] += 1
        elif op == RBEGIN:
            pending[tid] = (addr, live.pop(addr, None))
        elif op == REND:
            if tid not in pending:
                bad += 1
                continue
            old, osize = pending.pop(tid)
            if addr == 0:  # failed: the old block stays
                if osize is not None:
                    live[old] = osize
                continue
            if osize is None:  # an unknown block: an allocation
                n["alloc"] += 1
                osize = 0
            else:
                n["realloc"] += 1
            if addr in live:
                bad += 1
                cur -= live[addr]
            live[addr] = size
            cur += size - osize
        peak = max(peak, cur)
    lost = (max(seq_taken, recs[-1][0] + 1 if recs else 0)) - len(recs)
    for k, v in n.items():
        print(k, v)
    print("threads", len({r[1] for r in recs}))
    print("peak_live", peak)
    print("live_end", cur)
    print("lost", lost)
    print("bad_pairs", bad)


main()
