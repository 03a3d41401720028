/* test_engine_slots.c - a free clears its object's slot only where a later
 * op or the drain reads it. A stream whose every op reads only slots of
 * live objects and that ends empty leaves a freed slot as it is: the
 * freeing thread (in xmalloc another thread than the allocating one) no
 * longer writes the line, which moved it to the freeing thread's cache at
 * every free and put mimalloc's 2-thread xmalloc in a regime 2x slower than
 * a hand loop in some trials (docs/measure.md "Two threads: the slot a free
 * cleared"). What must hold either way, with a module that checks every
 * free against a header it wrote: every object freed exactly once; the
 * drain frees what a stream left live and nothing else, also after a run
 * that left stale pointers; a stream that frees a dead id, resets a range
 * or reallocates a dead id still finds the slot empty. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "engine.h"
#include "streamtest.h"

#define LIVE 0xa11c0c8du
#define DEAD 0xdeadf4eeu

static _Atomic uint64_t n_alloc, n_free, n_bad;

/* every block made, released at the end (LeakSanitizer) */
#define MAX_BLOCKS 8192
static void *blocks[MAX_BLOCKS];
static _Atomic uint32_t n_blocks;

/* a 16-byte header before the block: LIVE while allocated, DEAD after;
 * freed blocks are kept (never reused), so a second free of one is seen */
static void *m_alloc(void *inst, size_t size, size_t align)
{
	uint32_t k = n_blocks++;
	uint32_t *h = k < MAX_BLOCKS ? malloc(size + 16) : NULL;
	(void)inst;
	(void)align;
	if (!h)
		return NULL;
	blocks[k] = h;
	h[0] = LIVE;
	n_alloc++;
	return (char *)h + 16;
}

static void m_free(void *inst, void *p, size_t size)
{
	uint32_t *h = (uint32_t *)((char *)p - 16);
	(void)inst;
	(void)size;
	if (h[0] != LIVE)
		n_bad++;
	h[0] = DEAD;
	n_free++;
}

static const as_module_t checking = {
    .abi_version = AS_MODULE_ABI_VERSION,
    .struct_size = sizeof(as_module_t),
    .name = "checking",
    .version = "1",
    .caps = AS_CAP_FREE | AS_CAP_THREAD_SAFE,
    .alloc = m_alloc,
    .free = m_free,
};

/* one op pushed, checked */
static void op(as_opstream_t *s, as_op_kind_t kind, uint32_t id, uint64_t size)
{
	CHECK(as_opstream_push(s, 0, kind, id, size, 0) == 0);
}

static void reset_counts(void)
{
	n_alloc = n_free = n_bad = 0;
}

/* the stream's flag, op by op */
static void flags(void)
{
	as_opstream_t s;

	as_opstream_init(&s, 1);
	op(&s, AS_OP_ALLOC, 0, 64);
	op(&s, AS_OP_WRITE, 0, 1);
	op(&s, AS_OP_REALLOC, 0, 128);
	op(&s, AS_OP_FREE, 0, 0);
	op(&s, AS_OP_ALLOC, 0, 64);
	op(&s, AS_OP_FREE, 0, 0);
	CHECK(s.reads_dead == 0);
	CHECK(as_opstream_ends_empty(&s));
	CHECK(!as_opstream_clears_slots(&s));
	/* an object left live: the drain reads the slots */
	op(&s, AS_OP_ALLOC, 1, 64);
	CHECK(s.reads_dead == 0);
	CHECK(as_opstream_clears_slots(&s));
	as_opstream_free(&s);

	for (int k = 0; k < 4; k++) {
		static const as_op_kind_t dead[] = {AS_OP_FREE, AS_OP_REALLOC, AS_OP_WRITE,
		                                    AS_OP_RESET};
		as_opstream_init(&s, 1);
		op(&s, AS_OP_ALLOC, 0, 64);
		op(&s, AS_OP_FREE, 0, 0);
		CHECK(s.reads_dead == 0);
		/* id 0 is dead now (a reset reads its range whatever is live) */
		op(&s, dead[k], 0, dead[k] == AS_OP_RESET ? 4 : 8);
		CHECK(s.reads_dead == 1);
		CHECK(as_opstream_clears_slots(&s));
		as_opstream_free(&s);
	}
}

int main(void)
{
	as_opstream_t x, leak, dead;
	as_engine_cfg_t cfg;
	as_engine_result_t r;

	flags();

	memset(&cfg, 0, sizeof(cfg));
	cfg.mod = &checking;

	/* two threads handing objects over, run twice on the same slots (as
	 * --min-time's passes and --warmup do): every object freed once */
	st_build("xmalloc:batch=64,batches=8,depth=2", 2, &x);
	CHECK(x.cross_thread && !as_opstream_clears_slots(&x));
	CHECK(as_engine_prepare(&x) == 0);
	reset_counts();
	CHECK(as_engine_run(&x, &cfg, &r) == 0);
	CHECK(r.status == AS_OK);
	CHECK(as_engine_run(&x, &cfg, &r) == 0);
	CHECK(r.status == AS_OK);
	CHECK(n_alloc == 2 * 8 * 64 && n_free == n_alloc && n_bad == 0);
	/* nothing is live: the drain calls the module for no stale slot */
	CHECK(as_engine_drain(&x, &cfg) == 0);
	CHECK(n_free == n_alloc && n_bad == 0);
	printf("xmalloc, 2 runs: %llu allocs, %llu frees, %llu bad\n", (unsigned long long)n_alloc,
	       (unsigned long long)n_free, (unsigned long long)n_bad);

	/* next, on the stale slots: a stream that frees id 0 twice, then
	 * resets ids 0..63 (xmalloc's ids, their slots stale) and one that
	 * leaves objects live. The engine clears the slots before such a
	 * run: a stale pointer read would be a second free of an xmalloc
	 * object. */
	as_opstream_init(&dead, 1);
	op(&dead, AS_OP_ALLOC, 0, 32);
	op(&dead, AS_OP_FREE, 0, 0);
	op(&dead, AS_OP_FREE, 0, 0);
	op(&dead, AS_OP_ALLOC, 1, 32);
	op(&dead, AS_OP_RESET, 0, 64);
	CHECK(as_opstream_clears_slots(&dead));
	reset_counts();
	CHECK(as_engine_run(&dead, &cfg, &r) == 0);
	CHECK(r.status == AS_OK);
	CHECK(n_alloc == 2 && n_free == 2 && n_bad == 0);

	/* ids 0..9 allocated, 0..4 freed: the drain frees the other 5 */
	as_opstream_init(&leak, 1);
	for (uint32_t i = 0; i < 10; i++)
		op(&leak, AS_OP_ALLOC, i, 48);
	for (uint32_t i = 0; i < 5; i++)
		op(&leak, AS_OP_FREE, i, 0);
	CHECK(as_opstream_clears_slots(&leak));
	/* after a run that left stale pointers in ids 0..9 */
	CHECK(as_engine_run(&x, &cfg, &r) == 0);
	reset_counts();
	CHECK(as_engine_run(&leak, &cfg, &r) == 0);
	CHECK(r.status == AS_OK);
	CHECK(as_engine_drain(&leak, &cfg) == 5);
	CHECK(n_alloc == 10 && n_free == 10 && n_bad == 0);
	CHECK(as_engine_drain(&leak, &cfg) == 0);

	as_opstream_free(&x);
	as_opstream_free(&leak);
	as_opstream_free(&dead);
	for (uint32_t k = 0; k < n_blocks && k < MAX_BLOCKS; k++)
		free(blocks[k]);
	return as_check_done();
}
