#!/usr/bin/env python3
"""spool_count.py SPOOL - an independent count of a capture spool
(harness/capture/spool.h), written from that header's description and
nothing else of allocscope: chunks and tail slots of per-thread
delta-encoded records, put in order by their global sequence number (a tail
slot's records that repeat an appended chunk skipped); then per-op counts
and the live
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
    assert data[:8] in (b"ASSPOOL2", b"ASSPOOL3"), "not a spool"
    seq_taken, tails_off, tail_bytes, ntails, _, chunks_off = struct.unpack_from(
        "<QIIIIQ", data, 24)
    recs = []  # (seq, tid, op, addr, size)
    state = {}  # tid -> [seq, tsc, addr] of its previous record

    def decode(i, end, st, tid, tail):
        while i < end:
            head = data[i]
            i += 1
            op = head & 7
            ds, i = varint(data, i)
            dt, i = varint(data, i)
            za, i = varint(data, i)
            size = 0
            if op in (MALLOC, CALLOC, REND):
                size, i = varint(data, i)
            if head & 8:
                i += 1
            last = st[0]
            st[0] += ds
            st[1] += dt
            st[2] = (st[2] + ((za >> 1) ^ -(za & 1))) & (2**64 - 1)
            if tail and st[3] and st[0] <= last:
                continue  # a slot repeating a chunk already appended
            st[3] = True
            recs.append((st[0], tid, op, st[2], size))

    i = chunks_off
    while i + 16 <= len(data):
        magic, tid, length, flags = struct.unpack_from("<IIII", data, i)
        assert magic == 0x4B434841, "chunk magic at %d" % i
        if flags & 1 or tid not in state:
            state[tid] = [0, 0, 0, False]
        decode(i + 16, i + 16 + length, state[tid], tid, False)
        i += 16 + length
    # the tail slots: each thread's last records, from the bases they hold
    for k in range(ntails):
        o = tails_off + k * tail_bytes
        magic, tid, length, flags, bseq, btsc, baddr = struct.unpack_from("<IIIIQQQ", data, o)
        if magic == 0 or length == 0:
            continue
        assert magic == 0x4C494154, "tail magic at %d" % o
        if flags & 1 or tid not in state:
            state[tid] = [0, 0, 0, False]
        st = state[tid]
        st[0], st[1], st[2] = bseq, btsc, baddr
        decode(o + 64, o + 64 + length, st, tid, True)
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
