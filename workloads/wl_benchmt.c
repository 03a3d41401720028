/* wl_benchmt.c - "benchmt", the pattern of glibc's benchtests/
 * bench-malloc-thread.c: each thread keeps a working set of 1024 slots
 * (WORKING_SET_SIZE) and, for each op, frees a random slot and refills it
 * with a block whose size follows an inverse-square law between 4 and 32768
 * bytes (MIN/MAX_ALLOCATION_SIZE, get_block_size). Slots start empty, as in
 * glibc (free(NULL) is skipped here); the block is not written (touch=none).
 * A fixed op count replaces the benchmark's fixed run time. */
#include <stddef.h>
#include <stdio.h>

#include "dist.h"
#include "gen.h"
#include "scratch.h"
#include "workload.h"

typedef struct {
	as_dist_params_t dist;
	uint64_t slots;
	uint64_t ops;
	int touch;
} benchmt_params_t;

static const as_param_spec_t benchmt_spec[] = {
    AS_DIST_SPECS(benchmt_params_t, dist, "power", "64", "4", "32768"),
    {"slots", AS_PARAM_U64, "1024", 1, 1 << 24, NULL, "working-set slots per thread",
     offsetof(benchmt_params_t, slots)},
    {"ops", AS_PARAM_U64, "500000", 1, 1ULL << 32, NULL, "replacements per thread",
     offsetof(benchmt_params_t, ops)},
    AS_TOUCH_SPEC(benchmt_params_t, touch, "none"),
};

static int benchmt_check(const void *pv, char *err, size_t errlen)
{
	const benchmt_params_t *p = pv;
	return as_dist_check(&p->dist, err, errlen);
}

static int benchmt_build(const void *pv, const as_wl_ctx_t *ctx, as_opstream_t *out, char *err,
                         size_t errlen)
{
	const benchmt_params_t *p = pv;
	uint32_t nt = ctx->threads;
	size_t used_bytes = p->slots * nt;
	unsigned char *used;
	as_rng_t rng[AS_MAX_THREADS];
	as_dist_t dist;
	int rc = -1;

	if (p->slots * nt >= (1ULL << 31)) {
		snprintf(err, errlen, "key 'slots': slots x threads is too many ids");
		return -1;
	}
	if (as_dist_init(&p->dist, &dist, err, errlen) != 0)
		return -1;
	used = as_scratch_map(used_bytes);
	if (!used)
		goto out_nomem;
	out->touch = (as_touch_t)p->touch;
	out->needs_free = 1;
	for (uint32_t t = 0; t < nt; t++)
		as_gen_seed(&rng[t], ctx->seed, t);
	for (uint64_t i = 0; i < p->ops; i++)
		for (uint32_t t = 0; t < nt; t++) {
			uint64_t id = t * p->slots + as_rng_below(&rng[t], p->slots);
			if (used[id])
				AS_PUSH(t, AS_OP_FREE, id, 0, 0);
			used[id] = 1;
			AS_PUSH(t, AS_OP_ALLOC, id, as_dist_sample(&dist, &rng[t]), 0);
		}
	for (uint64_t id = 0; id < used_bytes; id++)
		if (used[id])
			AS_PUSH((uint32_t)(id / p->slots), AS_OP_FREE, id, 0, 0);
	rc = 0;
	goto out;
out_nomem:
	snprintf(err, errlen, "out of memory building the op stream");
out:
	as_scratch_unmap(used, used_bytes);
	as_dist_release(&dist);
	return rc;
}

const as_workload_t as_wl_benchmt = {
    .name = "benchmt",
    .description = "glibc bench-malloc-thread: random replacement in a 1024-slot working set, "
                   "inverse-square sizes 4..32768",
    .params = benchmt_spec,
    .nparams = sizeof(benchmt_spec) / sizeof(benchmt_spec[0]),
    .params_size = sizeof(benchmt_params_t),
    .build = benchmt_build,
    .check = benchmt_check,
};
