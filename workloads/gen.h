/* gen.h - what the generators share besides dist.h: per-thread seeding (one
 * rule, so a stream is a function of seed, params and thread count only),
 * the push-or-fail macro, and the one-thread check for scenario workloads.
 * Generators only; the engine never includes this. */
#ifndef AS_GEN_H
#define AS_GEN_H

#include <stdio.h>

#include "prng.h"
#include "workload.h"

/* Seed thread t's generator (the rule wl_random.c uses too). */
static inline void as_gen_seed(as_rng_t *r, uint64_t seed, uint32_t t)
{
	as_rng_seed(r, seed * 0x100000001b3ULL + t);
}

/* Ids of objects that different threads use at the same time are this many
 * ids apart: an engine keeps one slot per id (allocscope's is 16 bytes,
 * written at every alloc and free), and two threads writing slots on one
 * 64-byte cache line, or on the pair of lines the adjacent-line prefetcher
 * fetches together, would add false sharing of the harness's own to
 * whatever the allocator does. */
#define AS_GEN_THREAD_ID_GAP 8

/* Push or jump to out_nomem; needs `out` (the stream) in scope. */
#define AS_PUSH(t, k, id, size, al)                                                     \
	do {                                                                            \
		if (as_opstream_push(out, (t), (k), (uint32_t)(id), (size), (al)) != 0) \
			goto out_nomem;                                                 \
	} while (0)

#endif /* AS_GEN_H */
