/* test_simple_modules.c - what makes bump, pool, freelist and arena what they
 * are, loaded through the harness loader: bump's clean exhaustion and reset,
 * pool's header-free slots, LIFO reuse and oversize blocks, freelist's first
 * vs best fit, splitting and coalescing, arena's geometric blocks, reset and
 * mark/release. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>

#include "../allocators/arena_api.h"
#include "modtest.h"

static void *mk(const as_module_t *m, const char *params)
{
	void *inst = NULL;
	char err[256];
	if (m->create(params, &inst, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s create(%s): %s\n", m->name, params, err);
		return NULL;
	}
	return inst;
}

static void test_bump(const as_module_t *m)
{
	void *b = mk(m, "region=64k");
	char *first, *p, *prev = NULL;
	int n = 0, ok = 1;
	char err[256];
	CHECK(b != NULL);
	CHECK(!(m->caps & AS_CAP_FREE) && (m->caps & AS_CAP_RESET));
	first = m->alloc(b, 100, 0);
	CHECK(first && ((uintptr_t)first & 15) == 0);
	prev = first;
	while ((p = m->alloc(b, 100, 0)) != NULL) {
		ok &= p >= prev + 100 && ((uintptr_t)p & 15) == 0;
		prev = p;
		n++;
	}
	CHECKF(ok, "bump blocks ascend without overlap, 16-aligned");
	CHECKF(n > 500 && n < 660, "64 KiB holds about 580 blocks of 112 bytes (%d)", n);
	CHECK(mt_stat(m, b, "failed_allocs") == 1);
	CHECK(m->alloc(b, 100, 0) == NULL); /* stays exhausted, no crash */
	m->free(b, first, 100);             /* a no-op */
	CHECK(m->alloc(b, 100, 0) == NULL);
	CHECK(m->reset(b) == 0);
	CHECK(mt_stat(m, b, "used_bytes") == 0);
	CHECK(m->alloc(b, 100, 0) == first); /* rewound */
	p = m->alloc(b, 0, 0);
	CHECK(p && m->alloc(b, 0, 0) != p); /* zero-size blocks are distinct */
	p = m->alloc(b, 10, 4096);
	CHECK(p && ((uintptr_t)p & 4095) == 0);
	/* the newest block grows in place */
	mt_fill(p, 10, 3);
	CHECK(m->realloc(b, p, 10, 2000) == p && mt_check(p, 10, 3));
	CHECK(m->alloc(b, 1 << 20, 0) == NULL);
	/* an alignment no 64 KiB region can hold unless it happens to
	 * straddle a 1 MiB boundary: refused, or honoured inside the region */
	p = m->alloc(b, 16, 1 << 20);
	CHECK(p == NULL || (((uintptr_t)p & ((1u << 20) - 1)) == 0 &&
	                    (char *)p + 16 <= (char *)first + (64 << 10)));
	CHECK(m->alloc(b, SIZE_MAX / 2, 1 << 20) == NULL);
	m->destroy(b);
	CHECK(m->create("region=12", &b, err, sizeof(err)) != 0 && strstr(err, "region"));
}

static void test_pool(const as_module_t *m)
{
	void *pl = mk(m, "slot=48");
	char *a, *b, *c, *big;
	CHECK(pl != NULL);
	a = m->alloc(pl, 40, 0);
	b = m->alloc(pl, 48, 0);
	c = m->alloc(pl, 1, 0);
	CHECKF(b - a == 48 && c - b == 48, "slots are adjacent: no per-object header (%td, %td)",
	       b - a, c - b);
	m->free(pl, b, 48);
	CHECK(m->alloc(pl, 30, 0) == b); /* LIFO: the slot just freed comes back */
	big = m->alloc(pl, 1 << 20, 0);  /* oversize: its own mapping */
	CHECK(big && mt_stat(m, pl, "oversize_blocks") == 1);
	mt_fill(big, 1 << 20, 5);
	CHECK(mt_check(big, 1 << 20, 5));
	m->free(pl, big, AS_SIZE_UNKNOWN);
	CHECK(mt_stat(m, pl, "oversize_blocks") == 0);
	/* many slots: more slabs, all distinct */
	{
		static char *v[20000];
		int ok = 1;
		for (int i = 0; i < 20000; i++) {
			v[i] = m->alloc(pl, 48, 0);
			ok &= v[i] != NULL;
			if (v[i])
				memcpy(v[i], &i, sizeof(i));
		}
		for (int i = 0; i < 20000; i++) {
			int j = -1;
			memcpy(&j, v[i], sizeof(j));
			ok &= j == i;
		}
		CHECKF(ok, "20000 slots hold their own contents");
		CHECK(mt_stat(m, pl, "slots_in_use") == 20000 + 3);
	}
	CHECK(m->reset(pl) == 0);
	CHECK(mt_stat(m, pl, "slots_in_use") == 0 && mt_stat(m, pl, "slabs_in_use") == 0);
	CHECK(m->alloc(pl, 48, 0) != NULL);
	m->destroy(pl);

	pl = mk(m, ""); /* size classes */
	CHECK(pl != NULL);
	a = m->alloc(pl, 17, 0);
	b = m->alloc(pl, 17, 0);
	CHECK(b - a == 32); /* class 32 */
	c = m->alloc(pl, 300, 256);
	CHECK(c && ((uintptr_t)c & 255) == 0);
	mt_fill(c, 300, 8);
	c = m->realloc(pl, c, 300, 3000);
	CHECK(c && mt_check(c, 300, 8));
	m->free(pl, c, AS_SIZE_UNKNOWN);
	m->free(pl, a, AS_SIZE_UNKNOWN);
	CHECK(m->alloc(pl, 20, 0) == a);
	m->destroy(pl);
	{
		char err[256];
		CHECK(m->create("slab=65000", &pl, err, sizeof(err)) != 0 &&
		      strstr(err, "power of two"));
	}
}

static void test_freelist(const as_module_t *m)
{
	for (int fit = 0; fit < 2; fit++) {
		void *f = mk(m, fit ? "fit=best" : "fit=first");
		char *a, *s1, *b, *s2, *p;
		double chunks;
		CHECK(f != NULL);
		a = m->alloc(f, 1000, 0);
		s1 = m->alloc(f, 16, 0);
		b = m->alloc(f, 300, 0);
		s2 = m->alloc(f, 16, 0);
		CHECK(mt_stat(m, f, "free_chunks") == 1); /* the rest of the region */
		m->free(f, b, 300);
		m->free(f, a, 1000); /* list: a(1000), b(300), rest */
		CHECK(mt_stat(m, f, "free_chunks") == 3);
		p = m->alloc(f, 250, 0);
		if (fit)
			CHECKF(p == b, "best fit takes the 300-byte hole");
		else
			CHECKF(p == a, "first fit takes the first hole that fits (1000)");
		/* either way the hole was split: its tail stays free */
		chunks = mt_stat(m, f, "free_chunks");
		CHECK(chunks == 3);
		m->free(f, p, 250);
		m->free(f, s1, 16); /* a, s1, b coalesce into one */
		CHECK(mt_stat(m, f, "free_chunks") == 2);
		m->free(f, s2, 16); /* ... and with the rest: one chunk */
		CHECK(mt_stat(m, f, "free_chunks") == 1 && mt_stat(m, f, "in_use_bytes") == 0);
		p = m->alloc(f, 100, 1024);
		CHECK(p && ((uintptr_t)p & 1023) == 0);
		m->free(f, p, AS_SIZE_UNKNOWN);
		CHECK(mt_stat(m, f, "free_chunks") == 1);
		p = m->alloc(f, 200 << 20, 0); /* larger than a region: another region */
		CHECK(p && mt_stat(m, f, "regions") == 2);
		m->free(f, p, 200 << 20);
		a = m->alloc(f, 5000, 0);
		CHECK(m->reset(f) == 0);
		CHECK(mt_stat(m, f, "in_use_bytes") == 0 && mt_stat(m, f, "free_chunks") == 2);
		m->destroy(f);
	}
}

static void test_arena(const as_loaded_t *lm)
{
	const as_module_t *m = lm->mod;
	as_arena_mark_fn mark = (as_arena_mark_fn)dlsym(lm->handle, AS_ARENA_MARK_SYM);
	as_arena_release_fn release = (as_arena_release_fn)dlsym(lm->handle, AS_ARENA_RELEASE_SYM);
	void *a = mk(m, "block=4k");
	as_arena_mark_t mk1;
	char *p, *after;
	double blocks, bytes;
	CHECK(a && mark && release);
	if (!a || !mark || !release)
		return;
	for (int i = 0; i < 100; i++)
		CHECK((p = m->alloc(a, 1000, 0)) != NULL);
	blocks = mt_stat(m, a, "blocks");
	bytes = mt_stat(m, a, "block_bytes");
	/* 4k, 8k, 16k, 32k, 64k cover 100 KB: geometric growth, few blocks */
	CHECKF(blocks >= 4 && blocks <= 6 && bytes >= 100000 && bytes < 300000,
	       "blocks %g, bytes %g", blocks, bytes);
	mark(a, &mk1);
	after = m->alloc(a, 64, 0);
	for (int i = 0; i < 300; i++)
		m->alloc(a, 1000, 0);
	CHECK(mt_stat(m, a, "blocks") > blocks);
	CHECK(release(a, &mk1) == 0);
	CHECK(mt_stat(m, a, "blocks") == blocks);
	CHECK(m->alloc(a, 64, 0) == after); /* rolled back to the mark */
	CHECK(m->reset(a) == 0);
	/* reset keeps only the newest (largest) block */
	CHECK(mt_stat(m, a, "blocks") == 1 && mt_stat(m, a, "block_bytes") > 4096);
	CHECK(mt_stat(m, a, "cur_block_used_bytes") <= 64);
	CHECK(release(a, &mk1) != 0); /* a reset invalidates older marks */
	p = m->alloc(a, 1 << 20, 0);  /* larger than any block: a block its own size */
	CHECK(p != NULL);
	mt_fill(p, 1 << 20, 4);
	CHECK(mt_check(p, 1 << 20, 4));
	p = m->alloc(a, 10, 512);
	CHECK(p && ((uintptr_t)p & 511) == 0);
	CHECK(m->alloc(a, 0, 0) != m->alloc(a, 0, 0));
	CHECK(m->alloc(a, SIZE_MAX / 2, 0) == NULL);
	CHECK(m->alloc(a, SIZE_MAX / 2, 1 << 20) == NULL);
	p = m->alloc(a, 100, 1 << 20); /* past the block's end: a new block */
	CHECK(p && ((uintptr_t)p & ((1 << 20) - 1)) == 0);
	memset(p, 1, 100);
	m->destroy(a);
}

int main(void)
{
	as_loaded_t lm;
	if (mt_load("bump", &lm) == 0)
		test_bump(lm.mod);
	else
		CHECK(0);
	if (mt_load("pool", &lm) == 0)
		test_pool(lm.mod);
	else
		CHECK(0);
	if (mt_load("freelist", &lm) == 0)
		test_freelist(lm.mod);
	else
		CHECK(0);
	if (mt_load("arena", &lm) == 0)
		test_arena(&lm);
	else
		CHECK(0);
	return as_check_done();
}
