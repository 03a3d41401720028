/* test_engine_handovers.c - the engine counts a trial's cross-thread waits
 * (trials.csv handovers) and those at which the other thread had not yet
 * got there (handovers_waited). On xmalloc at 2 threads the consumer waits
 * for each batch and the producer for a free slot in the queue: with a
 * producer slowed in every alloc the consumer waits at each of its
 * handovers and the producer at none of its; with a consumer slowed in
 * every free the producer fills the queue and waits at its handovers while
 * the consumer finds its batches there. Which regime a 2-thread trial ran
 * in was the cause of mimalloc's xmalloc spread (docs/measure.md "Two
 * threads: the slot a free cleared"). The slow side sleeps 1 ms per call,
 * so the other thread has 16 ms per batch to get there: at 50 us a call
 * a loaded machine (two busy loops beside the test) held the fast side off
 * its CPU long enough to miss 3-7 of the 12. The bounds allow for 2 of
 * each kind. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "engine.h"
#include "streamtest.h"

static int slow_alloc, slow_free;

static void nap(void)
{
	struct timespec ts = {0, 1000000};
	nanosleep(&ts, NULL);
}

static void *m_alloc(void *inst, size_t size, size_t align)
{
	(void)inst;
	(void)align;
	if (slow_alloc)
		nap();
	return malloc(size ? size : 1);
}

static void m_free(void *inst, void *p, size_t size)
{
	(void)inst;
	(void)size;
	if (slow_free)
		nap();
	free(p);
}

static const as_module_t napping = {
    .abi_version = AS_MODULE_ABI_VERSION,
    .struct_size = sizeof(as_module_t),
    .name = "napping",
    .version = "1",
    .caps = AS_CAP_FREE | AS_CAP_THREAD_SAFE,
    .alloc = m_alloc,
    .free = m_free,
};

/* One run of x with one side slowed: every handover counted, and about
 * `want` of them waited for (2 either way: a thread the machine held off
 * its CPU for longer than a batch) */
static void slow_run(const char *what, as_opstream_t *x, const as_engine_cfg_t *cfg, int alloc,
                     int freeing, uint64_t want)
{
	as_engine_result_t r;
	uint64_t all = x->thread[0].nwaits + x->thread[1].nwaits;
	slow_alloc = alloc;
	slow_free = freeing;
	CHECK(as_engine_run(x, cfg, &r) == 0);
	CHECK(r.status == AS_OK);
	printf("%s: %llu handovers, %llu waited\n", what, (unsigned long long)r.handovers,
	       (unsigned long long)r.handovers_waited);
	CHECKF(r.handovers == all, "%s: %llu handovers, want %llu", what,
	       (unsigned long long)r.handovers, (unsigned long long)all);
	CHECKF(r.handovers_waited + 2 >= want && r.handovers_waited <= want + 2,
	       "%s: %llu waited, want about %llu", what, (unsigned long long)r.handovers_waited,
	       (unsigned long long)want);
	slow_alloc = slow_free = 0;
}

int main(void)
{
	as_opstream_t x, one;
	as_engine_cfg_t cfg;
	as_engine_result_t r;
	uint64_t w0, w1;

	memset(&cfg, 0, sizeof(cfg));
	cfg.mod = &napping;

	/* 12 batches of 16 through a queue 3 deep: the consumer (thread 1)
	 * waits for each batch, the producer (thread 0) for the consumer to
	 * have freed batch b - 3 before it makes batch b */
	st_build("xmalloc:batch=16,batches=12,depth=3", 2, &x);
	w0 = x.thread[0].nwaits;
	w1 = x.thread[1].nwaits;
	CHECKF(w1 == 12 && w0 == 9, "stream's waits: producer %llu, consumer %llu",
	       (unsigned long long)w0, (unsigned long long)w1);
	CHECK(as_engine_prepare(&x) == 0);

	/* the producer slow: the consumer waits at all 12, the producer at
	 * none (the consumer has freed each batch 48 ms before it is needed) */
	slow_run("slow producer", &x, &cfg, 1, 0, w1);
	/* the consumer slow: the producer fills the queue and waits at its 9;
	 * the consumer finds its batches made (but perhaps the first) */
	slow_run("slow consumer", &x, &cfg, 0, 1, w0);

	/* passes: the stream's waits once per pass, counted over all */
	cfg.min_time_ns = 200000000; /* passes of about 50 us each */
	CHECK(as_engine_run(&x, &cfg, &r) == 0);
	CHECK(r.status == AS_OK && r.passes >= 2);
	CHECKF(r.handovers == r.passes * (w0 + w1), "%llu passes: %llu handovers",
	       (unsigned long long)r.passes, (unsigned long long)r.handovers);
	CHECK(r.handovers_waited <= r.handovers);
	cfg.min_time_ns = 0;

	/* one thread: no handover */
	st_build("xmalloc:batch=16,batches=12,depth=3", 1, &one);
	CHECK(as_engine_prepare(&one) == 0);
	CHECK(as_engine_run(&one, &cfg, &r) == 0);
	CHECK(r.status == AS_OK && r.handovers == 0 && r.handovers_waited == 0);

	as_opstream_free(&x);
	as_opstream_free(&one);
	return as_check_done();
}
