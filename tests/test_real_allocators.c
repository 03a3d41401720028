/* test_real_allocators.c - proves that the jemalloc, tcmalloc and mimalloc
 * modules are served by the allocator they name, not by glibc: each module
 * is loaded through the harness loader exactly as the CLI does, and the
 * library's own introspection (looked up in the module's dlopen handle)
 * must know the returned pointers, must not know a glibc pointer where it
 * can tell, and its counters must move. A module whose library was not
 * installed at configure time is reported as skipped; with none of them
 * built the test is skipped (exit 77), never passed. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>

#include "modtest.h"
#include "statictls.h"

static void *mk(const as_module_t *m)
{
	void *inst = NULL;
	char err[256];
	if (m->create("", &inst, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", m->name, err);
		return NULL;
	}
	return inst;
}

/* What every wrapper must do whatever the library: sized and unsized free,
 * over-aligned blocks (then freed with their size), realloc, calloc. */
static void basic_ops(const as_module_t *m, void *inst)
{
	char *p, *q;
	p = m->alloc(inst, 100, 4096);
	CHECKF(p && ((uintptr_t)p & 4095) == 0, "%s: aligned alloc", m->name);
	m->free(inst, p, 100);
	p = m->alloc(inst, 300, 0);
	mt_fill(p, 300, 7);
	q = m->realloc(inst, p, 300, 100000);
	CHECKF(q && mt_check(q, 300, 7), "%s: realloc keeps contents", m->name);
	m->free(inst, q, AS_SIZE_UNKNOWN);
	p = m->calloc(inst, 5000, 0);
	CHECKF(p && p[0] == 0 && p[4999] == 0, "%s: calloc zeroes", m->name);
	m->free(inst, p, 5000);
}

static double counter_delta(const as_module_t *m, void *inst, const char *stat, void **blocks,
                            int n, size_t each)
{
	double before = mt_stat(m, inst, stat), after;
	for (int i = 0; i < n; i++) {
		blocks[i] = m->alloc(inst, each, 0);
		mt_fill(blocks[i], each, (uint32_t)i);
	}
	after = mt_stat(m, inst, stat);
	for (int i = 0; i < n; i++)
		m->free(inst, blocks[i], each);
	return after - before;
}

#ifdef AS_HAVE_JEMALLOC
static void test_jemalloc(void)
{
	as_loaded_t lm;
	size_t (*sallocx)(const void *, int);
	void *inst, *p, *blocks[16];
	double d;
	if (mt_load("jemalloc", &lm) != 0) {
		CHECK(0);
		return;
	}
	*(void **)&sallocx = dlsym(lm.handle, "sallocx");
	CHECK(sallocx != NULL);
	inst = mk(lm.mod);
	CHECK(inst && strcmp(lm.mod->version, "?") != 0);
	p = lm.mod->alloc(inst, 1000, 0);
	CHECKF(p && sallocx && sallocx(p, 0) == 1024,
	       "jemalloc's sallocx knows the block: size class 1024 for 1000 bytes");
	lm.mod->free(inst, p, 1000);
	d = counter_delta(lm.mod, inst, "allocated_bytes", blocks, 16, 1 << 20);
	CHECKF(d >= 16 << 20, "jemalloc stats.allocated moved by %g for 16 MiB", d);
	basic_ops(lm.mod, inst);
	lm.mod->destroy(inst);
}
#endif

#ifdef AS_HAVE_TCMALLOC
static void test_tcmalloc(void)
{
	as_loaded_t lm;
	int (*owner)(const void *);
	size_t (*tc_size)(void *);
	void *inst, *p, *g, *blocks[16];
	double d;
	if (mt_load("tcmalloc", &lm) != 0) {
		CHECK(0);
		return;
	}
	*(void **)&owner = dlsym(lm.handle, "MallocExtension_GetOwnership");
	*(void **)&tc_size = dlsym(lm.handle, "tc_malloc_size");
	CHECK(owner && tc_size);
	if (!owner || !tc_size)
		return;
	inst = mk(lm.mod);
	p = lm.mod->alloc(inst, 1000, 0);
	g = malloc(1000); /* glibc's: the negative control */
	/* MallocExtension_Ownership: 1 = kOwned, 2 = kNotOwned */
	CHECKF(owner(p) == 1, "tcmalloc owns the module's block (%d)", owner(p));
	CHECKF(owner(g) == 2, "tcmalloc does not own glibc's block (%d)", owner(g));
	CHECK(tc_size(p) >= 1000);
	free(g);
	lm.mod->free(inst, p, 1000);
	d = counter_delta(lm.mod, inst, "allocated_bytes", blocks, 16, 1 << 20);
	CHECKF(d >= 16 << 20, "tcmalloc current_allocated_bytes moved by %g for 16 MiB", d);
	/* a moderate shrink: tc_realloc keeps the block in place, in its old
	 * size class, and the harness then frees it sized with the new size.
	 * The block's class must be the new size's, or tc_free_sized files it
	 * under the wrong class and corrupts the heap (issue 19). */
	{
		size_t (*nalloc)(size_t, int);
		*(void **)&nalloc = dlsym(lm.handle, "tc_nallocx");
		CHECK(nalloc != NULL);
		for (size_t old = 64; nalloc && old <= 64 << 10; old *= 2) {
			size_t nw = old - old / 3;
			char *q = lm.mod->alloc(inst, old, 0), *r;
			memset(q, 0x5a, old);
			r = lm.mod->realloc(inst, q, old, nw);
			CHECKF(r && tc_size(r) == nalloc(nw, 0),
			       "realloc %zu -> %zu: block of %zu bytes, the class of %zu is %zu",
			       old, nw, r ? tc_size(r) : 0, nw, nalloc(nw, 0));
			CHECK(r && r[0] == 0x5a && r[nw - 1] == 0x5a);
			lm.mod->free(inst, r, nw);
		}
	}
	basic_ops(lm.mod, inst);
	lm.mod->destroy(inst);
}
#endif

#ifdef AS_HAVE_MIMALLOC
static void test_mimalloc(void)
{
	as_loaded_t lm;
	bool (*in_heap)(const void *);
	size_t (*usable)(const void *);
	void *inst, *p, *g, *blocks[16];
	if (mt_load("mimalloc", &lm) != 0) {
		CHECK(0);
		return;
	}
	/* mi_check_owned walks this thread's default heap: exact, and unlike
	 * mi_is_in_heap_region it does not depend on where segments land (under
	 * ASan they are mapped outside mimalloc's segment map) */
	*(void **)&in_heap = dlsym(lm.handle, "mi_check_owned");
	*(void **)&usable = dlsym(lm.handle, "mi_usable_size");
	CHECK(in_heap && usable);
	if (!in_heap || !usable)
		return;
	inst = mk(lm.mod);
	p = lm.mod->alloc(inst, 1000, 0);
	g = malloc(1000);
	CHECKF(in_heap(p), "mimalloc owns the module's block");
	CHECKF(!in_heap(g), "mimalloc does not own glibc's block");
	CHECK(usable(p) >= 1000);
	free(g);
	lm.mod->free(inst, p, 1000);
	/* Debian's mimalloc keeps no allocation counters (MI_STAT=0): instead
	 * every one of many blocks must be mimalloc's */
	{
		int all = 1;
		for (int i = 0; i < 16; i++) {
			blocks[i] = lm.mod->alloc(inst, (size_t)(i + 1) << 16, 0);
			all &= blocks[i] && in_heap(blocks[i]) &&
			       usable(blocks[i]) >= (size_t)(i + 1) << 16;
		}
		for (int i = 0; i < 16; i++)
			lm.mod->free(inst, blocks[i], (size_t)(i + 1) << 16);
		CHECKF(all, "16 blocks of 64 KiB..1 MiB are all mimalloc's");
	}
	basic_ops(lm.mod, inst);
	lm.mod->destroy(inst);
}
#endif

int main(int argc, char **argv)
{
	int ran = 0;
	(void)argc;
	as_static_tls_reexec(argv); /* what main() of the CLI does: jemalloc needs it */
#ifdef AS_HAVE_JEMALLOC
	test_jemalloc();
	ran++;
#else
	printf("skipped: jemalloc (libjemalloc-dev not found at configure time)\n");
#endif
#ifdef AS_HAVE_TCMALLOC
	test_tcmalloc();
	ran++;
#else
	printf("skipped: tcmalloc (libgoogle-perftools-dev not found at configure time)\n");
#endif
#ifdef AS_HAVE_MIMALLOC
	test_mimalloc();
	ran++;
#else
	printf("skipped: mimalloc (libmimalloc-dev not found at configure time)\n");
#endif
	printf("%d real allocator module(s) checked\n", ran);
	if (ran == 0)
		return as_check_skip("no real allocator module in this build (configure found "
		                     "none of jemalloc, tcmalloc, mimalloc)");
	return as_check_done();
}
