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
 * and before the first call of a batch it waits until the fast side has
 * done the calls that bring it to its handover (gate()): what the other
 * thread then has left before it waits is a few instructions, not a
 * batch's work and a wake-up. Until session 32 the slow side only slept
 * (16 ms a batch; at 50 us a call two busy loops beside the test made the
 * fast side miss 3-7 of the 12), and a ctest -j4 at load ~15 held the
 * consumer off its CPU past 16 ms at 3 of its 12 (9 waited). The bounds
 * allow for 2 of each kind. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "engine.h"
#include "streamtest.h"

/* the stream below: 12 batches of 16 through a queue 3 deep */
#define BATCH   16
#define BATCHES 12
#define DEPTH   3

static int slow_alloc, slow_free;
static _Atomic uint64_t allocs, frees;

static void nap(void)
{
	struct timespec ts = {0, 1000000};
	nanosleep(&ts, NULL);
}

/* Wait until *n reaches want (at most 10 s: a stream other than the one
 * above must not hang the test; its counts then fail the checks). */
static void gate(_Atomic uint64_t *n, uint64_t want)
{
	for (int i = 0; i < 10000 && atomic_load(n) < want; i++)
		nap();
}

/* the slow producer starts batch b once the consumer has freed batch b - 1
 * and is on its way to wait for batch b */
static void *m_alloc(void *inst, size_t size, size_t align)
{
	uint64_t a = atomic_fetch_add(&allocs, 1);
	(void)inst;
	(void)align;
	if (slow_alloc) {
		if (a % BATCH == 0)
			gate(&frees, a);
		nap();
	}
	return malloc(size ? size : 1);
}

/* the slow consumer frees batch j once the producer has made batch
 * j + DEPTH - 1 and is on its way to wait for batch j's slot */
static void m_free(void *inst, void *p, size_t size)
{
	uint64_t f = atomic_fetch_add(&frees, 1), j = f / BATCH;
	(void)inst;
	(void)size;
	if (slow_free) {
		if (f % BATCH == 0)
			gate(&allocs, BATCH * (j + DEPTH < BATCHES ? j + DEPTH : BATCHES));
		nap();
	}
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
	atomic_store(&allocs, 0);
	atomic_store(&frees, 0);
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
	CHECKF(w1 == BATCHES && w0 == BATCHES - DEPTH,
	       "stream's waits: producer %llu, consumer %llu", (unsigned long long)w0,
	       (unsigned long long)w1);
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
