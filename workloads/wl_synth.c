/* wl_synth.c - "synth", the general parameterised generator: any size
 * distribution (dist.h), a free order (lifo, fifo, random, never, phase
 * reset), live-set size, calloc/realloc shares, an alignment mix, a touch
 * policy, and thread-local or producer->consumer (handoff) frees. The model
 * is rounds: each round a thread allocates `live` objects, then they die in
 * the chosen order, so two orders differ only in how memory is released.
 * Steady-state random replacement is the "random"/"benchmt" workloads. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>

#include "dist.h"
#include "gen.h"
#include "scratch.h"
#include "workload.h"

enum { ORD_LIFO, ORD_FIFO, ORD_RANDOM, ORD_NEVER, ORD_PHASE };

typedef struct {
	as_dist_params_t dist;
	int order;
	uint64_t live;
	uint64_t ops;
	double calloc_share;
	double realloc_share;
	uint64_t align;
	double aligned_share;
	int touch;
	int handoff;
} synth_params_t;

static const as_param_spec_t synth_spec[] = {
    AS_DIST_SPECS(synth_params_t, dist, "uniform", "64", "16", "512"),
    {"order", AS_PARAM_ENUM, "fifo", 0, 0, "lifo|fifo|random|never|phase",
     "how a round's objects die: freed newest first, oldest first, in random order, never, "
     "or all at once by a reset (arena release)",
     offsetof(synth_params_t, order)},
    {"live", AS_PARAM_U64, "1000", 1, 1ULL << 24, NULL,
     "objects allocated per round (the live set at its peak), per thread",
     offsetof(synth_params_t, live)},
    {"ops", AS_PARAM_U64, "1000000", 1, 1ULL << 32, NULL,
     "allocations per thread in total (order=never: all stay live)", offsetof(synth_params_t, ops)},
    {"calloc", AS_PARAM_DOUBLE, "0", 0, 1, NULL, "share of allocations made with calloc",
     offsetof(synth_params_t, calloc_share)},
    {"realloc", AS_PARAM_DOUBLE, "0", 0, 1, NULL,
     "per allocation, chance of also resizing a random live object of the round",
     offsetof(synth_params_t, realloc_share)},
    {"align", AS_PARAM_SIZE, "64", 1, 1 << 20, NULL,
     "alignment asked for by the aligned share, bytes (power of two)",
     offsetof(synth_params_t, align)},
    {"aligned", AS_PARAM_DOUBLE, "0", 0, 1, NULL, "share of allocations asking for `align`",
     offsetof(synth_params_t, aligned_share)},
    AS_TOUCH_SPEC(synth_params_t, touch, "first"),
    {"handoff", AS_PARAM_BOOL, "0", 0, 0, NULL,
     "objects of thread t are freed by thread t+1 (producer->consumer)",
     offsetof(synth_params_t, handoff)},
};

static int synth_check(const void *pv, char *err, size_t errlen)
{
	const synth_params_t *p = pv;
	if (p->align & (p->align - 1)) {
		snprintf(err, errlen, "key 'align': %llu is not a power of two",
		         (unsigned long long)p->align);
		return -1;
	}
	if (p->handoff && (p->order == ORD_PHASE || p->order == ORD_NEVER)) {
		snprintf(err, errlen,
		         "key 'handoff': needs order=lifo|fifo|random (a reset cannot free another "
		         "thread's objects; never frees nothing)");
		return -1;
	}
	return as_dist_check(&p->dist, err, errlen);
}

static int synth_build(const void *pv, const as_wl_ctx_t *ctx, as_opstream_t *out, char *err,
                       size_t errlen)
{
	const synth_params_t *p = pv;
	uint32_t nt = ctx->threads;
	uint64_t banks = p->handoff ? 2 : 1; /* handoff: two id banks per thread so a
	                                        producer runs a round ahead */
	uint64_t per = p->order == ORD_NEVER ? p->ops : p->live * banks;
	uint64_t rounds = p->order == ORD_NEVER ? 1 : (p->ops + p->live - 1) / p->live;
	uint64_t round_len = p->order == ORD_NEVER ? p->ops : p->live;
	uint32_t align_log2 = 0, *perm = NULL;
	size_t perm_bytes = round_len * sizeof(uint32_t);
	as_rng_t rng[AS_MAX_THREADS];
	as_dist_t dist;
	int rc = -1;

	if (per * nt >= (1ULL << 31)) {
		snprintf(err, errlen,
		         "key '%s': %llu objects x %u threads is too many ids (max 2^31)",
		         p->order == ORD_NEVER ? "ops" : "live", (unsigned long long)per, nt);
		return -1;
	}
	if (synth_check(p, err, errlen) != 0 || as_dist_init(&p->dist, &dist, err, errlen) != 0)
		return -1;
	while ((1ULL << align_log2) < p->align)
		align_log2++;
	if (p->order == ORD_RANDOM && !(perm = as_scratch_map(perm_bytes)))
		goto out_nomem;
	for (uint32_t t = 0; t < nt; t++)
		as_gen_seed(&rng[t], ctx->seed, t);
	out->touch = (as_touch_t)p->touch;
	out->needs_free = p->order != ORD_NEVER && p->order != ORD_PHASE;

	for (uint64_t r = 0; r < rounds; r++) {
		uint64_t n = r == rounds - 1 ? p->ops - r * round_len : round_len;
		for (uint32_t t = 0; t < nt; t++) {
			as_rng_t *g = &rng[t];
			uint64_t base = t * per + (r % banks) * p->live;
			for (uint64_t i = 0; i < n; i++) {
				as_op_kind_t k = AS_OP_ALLOC;
				uint32_t al = 0;
				if (p->calloc_share > 0 && as_rng_unit(g) < p->calloc_share)
					k = AS_OP_CALLOC;
				if (p->aligned_share > 0 && as_rng_unit(g) < p->aligned_share)
					al = align_log2;
				AS_PUSH(t, k, base + i, as_dist_sample(&dist, g), al);
				if (p->realloc_share > 0 && as_rng_unit(g) < p->realloc_share)
					AS_PUSH(t, AS_OP_REALLOC, base + as_rng_below(g, i + 1),
					        as_dist_sample(&dist, g), 0);
			}
		}
		for (uint32_t t = 0; t < nt && p->order != ORD_NEVER; t++) {
			uint64_t base = t * per + (r % banks) * p->live;
			uint32_t c = p->handoff ? (t + 1) % nt : t;
			switch (p->order) {
			case ORD_LIFO:
				for (uint64_t i = n; i-- > 0;)
					AS_PUSH(c, AS_OP_FREE, base + i, 0, 0);
				break;
			case ORD_FIFO:
				for (uint64_t i = 0; i < n; i++)
					AS_PUSH(c, AS_OP_FREE, base + i, 0, 0);
				break;
			case ORD_RANDOM:
				for (uint64_t i = 0; i < n; i++)
					perm[i] = (uint32_t)i;
				for (uint64_t i = n; i > 1; i--) {
					uint64_t j = as_rng_below(&rng[t], i);
					uint32_t x = perm[i - 1];
					perm[i - 1] = perm[j];
					perm[j] = x;
				}
				for (uint64_t i = 0; i < n; i++)
					AS_PUSH(c, AS_OP_FREE, base + perm[i], 0, 0);
				break;
			case ORD_PHASE: AS_PUSH(t, AS_OP_RESET, base, n, 0); break;
			}
		}
	}
	rc = 0;
	goto out;
out_nomem:
	snprintf(err, errlen, "out of memory building the op stream");
out:
	as_scratch_unmap(perm, perm_bytes);
	as_dist_release(&dist);
	return rc;
}

const as_workload_t as_wl_synth = {
    .name = "synth",
    .description = "rounds of `live` objects from a size distribution, released in a chosen "
                   "order (lifo/fifo/random/never/phase reset), optional handoff to the next "
                   "thread",
    .params = synth_spec,
    .nparams = sizeof(synth_spec) / sizeof(synth_spec[0]),
    .params_size = sizeof(synth_params_t),
    .build = synth_build,
    .check = synth_check,
};
