/* test_sample_hold.c - while thread 0 takes a series sample in the timed
 * region, the other threads run no ops (engine.c, sample_hold): the
 * sample's time is left out of elapsed_ns, so work done in it would be
 * counted without its time. The engine runs larson at 2 threads on a
 * module that counts its calls; the sample callback sleeps 1 ms between
 * two reads of the count. Before the hold, thread 1 ran thousands of ops
 * in that millisecond (the larson arrays only pass between threads every
 * 100,000 ops); with it, at most the rest of one run of 64 ops. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../workloads/workload.h"
#include "check.h"
#include "engine.h"

static _Atomic uint64_t calls;

static void *count_alloc(void *inst, size_t size, size_t align)
{
	(void)inst;
	(void)align;
	atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
	return malloc(size ? size : 1);
}

static void count_free(void *inst, void *p, size_t size)
{
	(void)inst;
	(void)size;
	atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
	free(p);
}

static const as_module_t counting = {
    .abi_version = AS_MODULE_ABI_VERSION,
    .struct_size = sizeof(as_module_t),
    .name = "counting",
    .version = "1",
    .caps = AS_CAP_FREE | AS_CAP_THREAD_SAFE,
    .alloc = count_alloc,
    .free = count_free,
};

typedef struct {
	uint64_t samples;   /* in the timed region: ops_done > 0 */
	uint64_t max_ran;   /* most module calls made during one sample */
	uint64_t total_ran; /* module calls made during all samples */
} hold_ctx_t;

static void on_sample(void *ctx, uint64_t ops_done, int64_t live, uint64_t elapsed_ns)
{
	hold_ctx_t *h = ctx;
	struct timespec ms = {0, 1000000};
	(void)live;
	(void)elapsed_ns;
	uint64_t before = atomic_load(&calls);
	nanosleep(&ms, NULL);
	uint64_t ran = atomic_load(&calls) - before;
	if (ops_done == 0)
		return; /* the baseline, before the threads start */
	h->samples++;
	h->total_ran += ran;
	if (ran > h->max_ran)
		h->max_ran = ran;
}

int main(void)
{
	static char pbuf[AS_WL_PARAMS_MAX];
	char err[256];
	const as_workload_t *wl;
	as_wl_ctx_t wctx = {2, 1};
	as_opstream_t s;
	as_engine_result_t res;
	hold_ctx_t h = {0, 0, 0};
	as_engine_cfg_t cfg;

	as_opstream_init(&s, 2);
	CHECK(as_workload_parse("larson", &wl, pbuf, sizeof(pbuf), err, sizeof(err)) == 0);
	CHECK(wl->build(pbuf, &wctx, &s, err, sizeof(err)) == 0);
	CHECK(as_engine_prepare(&s) == 0);

	memset(&cfg, 0, sizeof(cfg));
	cfg.mod = &counting;
	cfg.sample = on_sample;
	cfg.sample_ctx = &h;
	cfg.sample_every = 8192; /* about 50 samples over thread 0's 402,000 ops */
	CHECK(as_engine_run(&s, &cfg, &res) == 0);
	CHECK(res.status == AS_OK);
	CHECK(res.ops == as_opstream_total(&s));
	CHECK(atomic_load(&calls) == res.ops); /* every op is one module call */
	CHECK(h.samples >= 40);
	/* thread 1 finishes the run of ops it is in (at most 64) and holds */
	printf("samples %llu, module calls during them: max %llu, total %llu\n",
	       (unsigned long long)h.samples, (unsigned long long)h.max_ran,
	       (unsigned long long)h.total_ran);
	CHECK(h.max_ran <= 64);
	/* the samples' time is what elapsed_ns leaves out: 1 ms each at least
	 * (the end sample, after the timed region, is not in it) */
	CHECK(res.sampling_ns >= (h.samples - 1) * 1000000);
	as_opstream_free(&s);
	return as_check_done();
}
