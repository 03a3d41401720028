/* wl_random.c - the "random" workload: each thread fills a live set of
 * `live` objects with uniformly random sizes in [min, max], then replaces a
 * random one `ops` times (free + alloc), then frees everything. Threads are
 * independent (ids partitioned per thread, no cross-thread frees). */
#include <stddef.h>
#include <stdio.h>

#include "prng.h"
#include "workload.h"

typedef struct {
	uint64_t min;
	uint64_t max;
	uint64_t live;
	uint64_t ops;
	int touch;
} random_params_t;

static const as_param_spec_t random_spec[] = {
    {"min", AS_PARAM_SIZE, "16", 0, 1ULL << 40, NULL, "smallest request, bytes",
     offsetof(random_params_t, min)},
    {"max", AS_PARAM_SIZE, "512", 0, 1ULL << 40, NULL, "largest request, bytes",
     offsetof(random_params_t, max)},
    {"live", AS_PARAM_U64, "10000", 1, 1ULL << 26, NULL, "objects alive at once, per thread",
     offsetof(random_params_t, live)},
    {"ops", AS_PARAM_U64, "1000000", 0, 1ULL << 34, NULL,
     "random replacements (free + alloc) per thread", offsetof(random_params_t, ops)},
    AS_TOUCH_SPEC(random_params_t, touch, "first"),
};

/* Checked when the spec is parsed (in the CLI), before any trial. */
static int random_check(const void *pv, char *err, size_t errlen)
{
	const random_params_t *p = pv;
	if (p->min > p->max) {
		snprintf(err, errlen, "key 'min': %llu is larger than max %llu",
		         (unsigned long long)p->min, (unsigned long long)p->max);
		return -1;
	}
	return 0;
}

static int random_build(const void *pv, const as_wl_ctx_t *ctx, as_opstream_t *out, char *err,
                        size_t errlen)
{
	const random_params_t *p = pv;
	as_rng_t rng;

	if (p->live * ctx->threads > UINT32_MAX) {
		snprintf(err, errlen, "live * threads exceeds 2^32 ids");
		return -1;
	}
	out->touch = (as_touch_t)p->touch;
	out->needs_free = 1;
	for (uint32_t t = 0; t < ctx->threads; t++) {
		uint32_t base = (uint32_t)(t * p->live);
		uint64_t span = p->max - p->min + 1;
		as_rng_seed(&rng, ctx->seed * 0x100000001b3ULL + t);
		for (uint64_t i = 0; i < p->live; i++)
			if (as_opstream_push(out, t, AS_OP_ALLOC, base + (uint32_t)i,
			                     p->min + as_rng_below(&rng, span), 0))
				goto out_nomem;
		for (uint64_t i = 0; i < p->ops; i++) {
			uint32_t id = base + (uint32_t)as_rng_below(&rng, p->live);
			if (as_opstream_push(out, t, AS_OP_FREE, id, 0, 0) ||
			    as_opstream_push(out, t, AS_OP_ALLOC, id,
			                     p->min + as_rng_below(&rng, span), 0))
				goto out_nomem;
		}
		for (uint64_t i = 0; i < p->live; i++)
			if (as_opstream_push(out, t, AS_OP_FREE, base + (uint32_t)i, 0, 0))
				goto out_nomem;
	}
	return 0;
out_nomem:
	snprintf(err, errlen, "out of memory building the op stream");
	return -1;
}

const as_workload_t as_wl_random = {
    .name = "random",
    .description = "live set of random-size objects, random replacement (per thread)",
    .params = random_spec,
    .nparams = sizeof(random_spec) / sizeof(random_spec[0]),
    .params_size = sizeof(random_params_t),
    .build = random_build,
    .check = random_check,
};
