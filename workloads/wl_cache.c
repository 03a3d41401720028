/* wl_cache.c - Hoard's false-sharing benchmarks (Berger et al., "Hoard: a
 * scalable memory allocator for multithreaded applications", ASPLOS 2000):
 * "cache-thrash" (active false sharing: each thread allocates a small
 * object, writes it many times, frees it; an allocator that hands
 * neighbouring bytes to different threads makes the cache line bounce) and
 * "cache-scratch" (passive: thread 0 allocates one object per thread and
 * hands them out; each thread frees its object, then loops alloc/write/free;
 * an allocator that reuses the freed object puts two threads on one line).
 * Writes are AS_OP_WRITE ops, timed like every other op. */
#include <stddef.h>
#include <stdio.h>

#include "gen.h"
#include "workload.h"

typedef struct {
	uint64_t size;
	uint64_t iterations;
	uint64_t writes;
} cache_params_t;

static const as_param_spec_t cache_spec[] = {
    {"size", AS_PARAM_SIZE, "8", 1, 1 << 20, NULL, "object size, bytes (Hoard: 8)",
     offsetof(cache_params_t, size)},
    {"iterations", AS_PARAM_U64, "20000", 1, 1ULL << 32, NULL, "alloc/write/free rounds per thread",
     offsetof(cache_params_t, iterations)},
    {"writes", AS_PARAM_U64, "50", 1, 1 << 24, NULL,
     "passes writing every byte of the object per round", offsetof(cache_params_t, writes)},
};

static int cache_build(const cache_params_t *p, const as_wl_ctx_t *ctx, as_opstream_t *out,
                       int scratch, char *err, size_t errlen)
{
	uint32_t nt = ctx->threads;
	out->touch = AS_TOUCH_NONE;
	out->needs_free = 1;
	/* thread t's object is id t * AS_GEN_THREAD_ID_GAP: the false sharing
	 * measured is the allocator's, not that of the engine's slots */
	if (scratch) /* thread 0 allocates every thread's first object */
		for (uint32_t t = 0; t < nt; t++)
			AS_PUSH(0, AS_OP_ALLOC, t * AS_GEN_THREAD_ID_GAP, p->size, 0);
	for (uint32_t t = 0; t < nt && scratch; t++)
		AS_PUSH(t, AS_OP_FREE, t * AS_GEN_THREAD_ID_GAP, 0, 0);
	for (uint64_t i = 0; i < p->iterations; i++)
		for (uint32_t t = 0; t < nt; t++) {
			uint32_t id = t * AS_GEN_THREAD_ID_GAP;
			AS_PUSH(t, AS_OP_ALLOC, id, p->size, 0);
			AS_PUSH(t, AS_OP_WRITE, id, p->writes, 0);
			AS_PUSH(t, AS_OP_FREE, id, 0, 0);
		}
	return 0;
out_nomem:
	snprintf(err, errlen, "out of memory building the op stream");
	return -1;
}

static int thrash_build(const void *pv, const as_wl_ctx_t *ctx, as_opstream_t *out, char *err,
                        size_t errlen)
{
	return cache_build(pv, ctx, out, 0, err, errlen);
}

static int scratch_build(const void *pv, const as_wl_ctx_t *ctx, as_opstream_t *out, char *err,
                         size_t errlen)
{
	return cache_build(pv, ctx, out, 1, err, errlen);
}

const as_workload_t as_wl_cache_thrash = {
    .name = "cache-thrash",
    .description = "Hoard cache-thrash: per thread alloc/write/free of a small object "
                   "(active false sharing)",
    .params = cache_spec,
    .nparams = sizeof(cache_spec) / sizeof(cache_spec[0]),
    .params_size = sizeof(cache_params_t),
    .build = thrash_build,
};

const as_workload_t as_wl_cache_scratch = {
    .name = "cache-scratch",
    .description = "Hoard cache-scratch: objects from thread 0 freed by the others, then "
                   "alloc/write/free (passive false sharing)",
    .params = cache_spec,
    .nparams = sizeof(cache_spec) / sizeof(cache_spec[0]),
    .params_size = sizeof(cache_params_t),
    .build = scratch_build,
};
