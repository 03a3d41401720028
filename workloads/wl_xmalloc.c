/* wl_xmalloc.c - "xmalloc", the producer/consumer pattern of Lever and
 * Boreham's xmalloc-test ("malloc() performance in a multithreaded Linux
 * environment", USENIX 2000; mimalloc-bench's xmalloc-testN): producer
 * threads allocate batches of blocks and hand them to consumer threads,
 * which free them, so nearly every free is remote. Even threads produce,
 * odd threads consume (producer 2k -> consumer 2k+1; with an odd count the
 * last producer feeds thread 1; with one thread it frees its own batches).
 * Fixed batch counts replace xmalloc-test's fixed run time; the queue is
 * xmalloc-test's: batches of 4096 blocks (OBJECTS_PER_BATCH), at most 100
 * of them in flight (batch_count_limit). A shallower queue (4 batches of
 * 100 were the defaults) makes the two threads run in lock-step, so that
 * every stall of one stalls the other and the handover, not the
 * allocator, sets ns/op (docs/measure.md, "xmalloc's queue"). */
#include <stddef.h>
#include <stdio.h>

#include "dist.h"
#include "gen.h"
#include "workload.h"

typedef struct {
	as_dist_params_t dist;
	uint64_t batch;
	uint64_t batches;
	uint64_t depth;
	int touch;
} xmalloc_params_t;

static const as_param_spec_t xmalloc_spec[] = {
    AS_DIST_SPECS(xmalloc_params_t, dist, "fixed", "64", "16", "128"),
    {"batch", AS_PARAM_U64, "4096", 1, 1 << 20, NULL,
     "blocks per handed-over batch (xmalloc-test's OBJECTS_PER_BATCH)",
     offsetof(xmalloc_params_t, batch)},
    {"batches", AS_PARAM_U64, "100", 1, 1ULL << 32, NULL, "batches each producer makes",
     offsetof(xmalloc_params_t, batches)},
    {"depth", AS_PARAM_U64, "100", 1, 1024, NULL,
     "batches a producer may be ahead of its consumer (queue length; xmalloc-test's "
     "batch_count_limit)",
     offsetof(xmalloc_params_t, depth)},
    AS_TOUCH_SPEC(xmalloc_params_t, touch, "first"),
};

static int xmalloc_check(const void *pv, char *err, size_t errlen)
{
	const xmalloc_params_t *p = pv;
	return as_dist_check(&p->dist, err, errlen);
}

static int xmalloc_build(const void *pv, const as_wl_ctx_t *ctx, as_opstream_t *out, char *err,
                         size_t errlen)
{
	const xmalloc_params_t *p = pv;
	uint32_t nt = ctx->threads;
	uint64_t per = p->batch * p->depth; /* ids per producer: a ring of batches */
	as_rng_t rng[AS_MAX_THREADS];
	as_dist_t dist;

	if (per * nt >= (1ULL << 31)) {
		snprintf(err, errlen, "key 'batch': batch x depth x threads is too many ids");
		return -1;
	}
	if (as_dist_init(&p->dist, &dist, err, errlen) != 0)
		return -1;
	out->touch = (as_touch_t)p->touch;
	out->needs_free = 1;
	for (uint32_t t = 0; t < nt; t++)
		as_gen_seed(&rng[t], ctx->seed, t);
	for (uint64_t b = 0; b < p->batches; b++) {
		for (uint32_t t = 0; t < nt; t += 2) {
			uint64_t base = t * per + (b % p->depth) * p->batch;
			for (uint64_t i = 0; i < p->batch; i++)
				AS_PUSH(t, AS_OP_ALLOC, base + i, as_dist_sample(&dist, &rng[t]),
				        0);
		}
		for (uint32_t t = 0; t < nt; t += 2) {
			uint64_t base = t * per + (b % p->depth) * p->batch;
			uint32_t c = t + 1 < nt ? t + 1 : nt > 1 ? 1 : 0;
			for (uint64_t i = 0; i < p->batch; i++)
				AS_PUSH(c, AS_OP_FREE, base + i, 0, 0);
		}
	}
	as_dist_release(&dist);
	return 0;
out_nomem:
	as_dist_release(&dist);
	snprintf(err, errlen, "out of memory building the op stream");
	return -1;
}

const as_workload_t as_wl_xmalloc = {
    .name = "xmalloc",
    .description = "xmalloc-test producer/consumer: even threads allocate batches, odd threads "
                   "free them (remote frees)",
    .params = xmalloc_spec,
    .nparams = sizeof(xmalloc_spec) / sizeof(xmalloc_spec[0]),
    .params_size = sizeof(xmalloc_params_t),
    .build = xmalloc_build,
    .check = xmalloc_check,
};
