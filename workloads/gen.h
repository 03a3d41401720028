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

/* Push or jump to out_nomem; needs `out` (the stream) in scope. */
#define AS_PUSH(t, k, id, size, al)                                                     \
	do {                                                                            \
		if (as_opstream_push(out, (t), (k), (uint32_t)(id), (size), (al)) != 0) \
			goto out_nomem;                                                 \
	} while (0)

/* Scenario workloads measure one heap from one thread: refuse -t > 1 with a
 * message rather than silently ignoring it. Returns 0 or -1 with err. */
static inline int as_gen_one_thread(const as_wl_ctx_t *ctx, char *err, size_t errlen)
{
	if (ctx->threads == 1)
		return 0;
	snprintf(err, errlen, "runs on one thread only (asked for %u; use -t 1)", ctx->threads);
	return -1;
}

#endif /* AS_GEN_H */
