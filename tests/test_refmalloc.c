/* test_refmalloc.c - refmalloc's mechanisms, each observed through its
 * counters, the program break and RSS: the 128 KiB mmap threshold, the
 * dynamic threshold (and its 32 MiB cap, and fixed_threshold), trimming with
 * a negative sbrk, the pinned top ("apparent leak"), foreign sbrk by glibc,
 * one instance per process, and a random stress with content checks.
 * Usage: test_refmalloc [STRESS_OPS [norss]] (default 1000000 ops; valgrind runs
 * fewer, and "norss" since RSS under valgrind is valgrind's, not ours). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "modtest.h"
#include "procstat.h"

static const as_module_t *M;
static int check_rss = 1;

static void *mk(const char *params)
{
	void *inst = NULL;
	char err[256];
	if (M->create(params, &inst, err, sizeof(err)) != 0) {
		fprintf(stderr, "create(%s): %s\n", params, err);
		return NULL;
	}
	return inst;
}

static double st(void *inst, const char *name)
{
	return mt_stat(M, inst, name);
}

static void test_threshold_switch(void)
{
	void *r = mk("");
	void *big, *small;
	CHECK(r != NULL);
	/* fresh instance: no heap, so a 128 KiB request cannot come from top */
	big = M->alloc(r, 128 * 1024, 0);
	CHECK(big != NULL);
	CHECKF(st(r, "mmap_blocks") == 1, "a 128 KiB request is mmapped (mmap_blocks %g)",
	       st(r, "mmap_blocks"));
	CHECK(st(r, "heap_bytes") == 0);
	small = M->alloc(r, 128 * 1024 - 32, 0); /* chunk 131056 < 131072 */
	CHECK(small != NULL);
	CHECKF(st(r, "mmap_blocks") == 1 && st(r, "heap_bytes") > 0,
	       "128 KiB - 32 comes from the sbrk heap (heap %g, mmap blocks %g)",
	       st(r, "heap_bytes"), st(r, "mmap_blocks"));
	CHECK(st(r, "sbrk_calls") >= 1);
	mt_fill(big, 128 * 1024, 1);
	mt_fill(small, 128 * 1024 - 32, 2);
	CHECK(mt_check(big, 128 * 1024, 1) && mt_check(small, 128 * 1024 - 32, 2));
	M->free(r, small, 128 * 1024 - 32);
	M->free(r, big, 128 * 1024);
	CHECK(st(r, "munmap_calls") == 1 && st(r, "mmap_blocks") == 0);
	M->destroy(r);
}

static void test_dynamic_threshold(void)
{
	void *r = mk("");
	void *p;
	double mm;
	CHECK(r != NULL);
	CHECK(st(r, "mmap_threshold_bytes") == 128 * 1024);
	p = M->alloc(r, 1 << 20, 0);
	CHECK(p && st(r, "mmap_blocks") == 1);
	M->free(r, p, 1 << 20);
	/* the freed block's mapping (1 MiB + a page) is the new threshold */
	CHECKF(st(r, "mmap_threshold_bytes") == (1 << 20) + 4096, "threshold %g",
	       st(r, "mmap_threshold_bytes"));
	CHECK(st(r, "trim_threshold_bytes") == 2.0 * ((1 << 20) + 4096));
	mm = st(r, "mmap_calls");
	p = M->alloc(r, 1 << 20, 0); /* now below the threshold: heap */
	CHECK(p && st(r, "mmap_blocks") == 0 && st(r, "mmap_calls") == mm);
	CHECK(st(r, "heap_bytes") >= (1 << 20));
	M->free(r, p, 1 << 20);

	/* above glibc's 32 MiB DEFAULT_MMAP_THRESHOLD_MAX nothing moves */
	p = M->alloc(r, 40u << 20, 0);
	CHECK(p && st(r, "mmap_blocks") == 1);
	M->free(r, p, 40u << 20);
	CHECK(st(r, "mmap_threshold_bytes") == (1 << 20) + 4096);
	p = M->alloc(r, (32u << 20) - 8192, 0); /* mapping exactly 32 MiB - 4 KiB */
	CHECK(p && st(r, "mmap_blocks") == 1);
	M->free(r, p, (32u << 20) - 8192);
	CHECKF(st(r, "mmap_threshold_bytes") == (32u << 20) - 4096, "threshold %g",
	       st(r, "mmap_threshold_bytes"));
	CHECK(st(r, "mmap_threshold_bytes") <= 32u << 20);
	M->destroy(r);

	r = mk("fixed_threshold=1");
	CHECK(r != NULL);
	p = M->alloc(r, 1 << 20, 0);
	M->free(r, p, 1 << 20);
	CHECK(st(r, "mmap_threshold_bytes") == 128 * 1024 && st(r, "threshold_moves") == 0);
	p = M->alloc(r, 1 << 20, 0);
	CHECK(p && st(r, "mmap_blocks") == 1); /* still mmapped */
	M->free(r, p, 1 << 20);
	M->destroy(r);

	r = mk("mmap_threshold=64k");
	CHECK(r != NULL);
	p = M->alloc(r, 70000, 0);
	CHECK(p && st(r, "mmap_blocks") == 1);
	M->free(r, p, 70000);
	M->destroy(r);

	/* unlike glibc's M_MMAP_THRESHOLD, a given threshold (or trim
	 * threshold, or top_pad) is only where it starts: it still moves
	 * unless fixed_threshold=1, and the help says so */
	r = mk("mmap_threshold=256k,trim_threshold=1m,top_pad=0");
	CHECK(r != NULL);
	p = M->alloc(r, 1 << 20, 0);
	M->free(r, p, 1 << 20);
	CHECKF(st(r, "threshold_moves") == 1 && st(r, "mmap_threshold_bytes") == (1 << 20) + 4096,
	       "a set mmap_threshold moves (moves %g, threshold %g)", st(r, "threshold_moves"),
	       st(r, "mmap_threshold_bytes"));
	M->destroy(r);
	for (uint32_t i = 0; i < M->nparams; i++) {
		const char *k = M->params[i].key, *h = M->params[i].help;
		if (!strcmp(k, "mmap_threshold") || !strcmp(k, "trim_threshold") ||
		    !strcmp(k, "top_pad"))
			CHECKF(
			    strstr(h, "unlike glibc") && strstr(h, "fixed_threshold=1"),
			    "refmalloc %s's help says setting it does not fix the threshold: '%s'",
			    k, h);
	}
}

#define NB 100
#define BS 4000

static void touch_all(void **b, int n)
{
	for (int i = 0; i < n; i++)
		mt_fill(b[i], BS, (uint32_t)i + 10);
}

static void test_trim(void)
{
	void *r = mk("");
	void *b[NB];
	char *brk0, *brk1, *brk2;
	double heap1;
	CHECK(r != NULL);
	for (int i = 0; i < NB; i++)
		b[i] = M->alloc(r, BS, 0);
	touch_all(b, NB);
	heap1 = st(r, "heap_bytes");
	brk1 = sbrk(0);
	CHECK(heap1 >= NB * BS);
	brk0 = brk1;
	for (int i = NB - 1; i >= 0; i--) {
		CHECK(mt_check(b[i], BS, (uint32_t)i + 10));
		M->free(r, b[i], BS);
	}
	brk2 = sbrk(0);
	CHECKF(st(r, "trim_events") >= 1, "trim events %g", st(r, "trim_events"));
	CHECKF(brk2 < brk0 && st(r, "heap_bytes") < heap1,
	       "negative sbrk gave the top back (break %p -> %p, heap %g -> %g)", (void *)brk0,
	       (void *)brk2, heap1, st(r, "heap_bytes"));
	/* what stays is the top pad (128 KiB) plus at most a page and headers */
	CHECKF(st(r, "top_bytes") <= 128 * 1024 + 4096 + 64, "top %g", st(r, "top_bytes"));
	M->destroy(r);
}

static void test_pinned_top(void)
{
	void *r = mk("");
	void *b[NB], *pin;
	char *brk1;
	double heap1, trims;
	int64_t rss1, rss2, rss3;
	CHECK(r != NULL);
	as_procstat_open();
	for (int i = 0; i < NB; i++)
		b[i] = M->alloc(r, BS, 0);
	pin = M->alloc(r, 16, 0); /* the last block: it sits right below the top */
	touch_all(b, NB);
	heap1 = st(r, "heap_bytes");
	brk1 = sbrk(0);
	trims = st(r, "trim_events");
	rss1 = as_rss_kib();
	for (int i = 0; i < NB; i++)
		M->free(r, b[i], BS);
	rss2 = as_rss_kib();
	CHECKF(sbrk(0) == brk1 && st(r, "heap_bytes") == heap1 && st(r, "trim_events") == trims,
	       "a block in use at the top pins the heap: break and heap size unchanged");
	CHECK(st(r, "bin_free_bytes") >= NB * BS);
	CHECKF(!check_rss || rss2 >= rss1 - 8,
	       "RSS stays after freeing 99%% of the heap (%lld -> %lld KiB)", (long long)rss1,
	       (long long)rss2);
	/* trim() (malloc_trim(0)): the top above the pin goes back, and the free
	 * chunks' pages below it are madvised away: RSS drops, the freed heap
	 * stays (the break cannot pass the pin) */
	{
		double binned = st(r, "bin_free_bytes");
		CHECK(M->trim(r) == 0);
		CHECKF(st(r, "madvise_calls") >= 1 && (char *)sbrk(0) > (char *)pin &&
		           st(r, "bin_free_bytes") == binned &&
		           st(r, "heap_bytes") >= heap1 - 128 * 1024 - 8192,
		       "trim madvises the bins and keeps the heap below the pin");
	}
	CHECKF(!check_rss || as_rss_kib() < rss2 - 200, "RSS drops after trim (%lld -> %lld KiB)",
	       (long long)rss2, (long long)as_rss_kib());
	rss2 = as_rss_kib() + 300;   /* the pin's release below is checked against this */
	for (int i = 0; i < NB; i++) /* the madvised memory is still usable */
		b[i] = M->alloc(r, BS, 0);
	touch_all(b, NB);
	for (int i = 0; i < NB; i++)
		CHECK(mt_check(b[i], BS, (uint32_t)i + 10));
	for (int i = 0; i < NB; i++)
		M->free(r, b[i], BS);
	rss2 = as_rss_kib();
	M->free(r, pin, 16); /* unpinned: everything merges into top and is trimmed */
	rss3 = as_rss_kib();
	CHECKF((char *)sbrk(0) < brk1 && st(r, "trim_events") > trims,
	       "freeing the pin lets the top go back");
	CHECKF(!check_rss || rss3 < rss2 - 200, "RSS drops once the pin is gone (%lld -> %lld KiB)",
	       (long long)rss2, (long long)rss3);
	M->destroy(r);
}

/* Someone else moves the break between refmalloc calls: a direct sbrk (what
 * glibc's heap growth does), then real glibc mallocs interleaved. Neither
 * heap is corrupted, and refmalloc never trims memory above it. */
static void test_foreign_sbrk(void)
{
	void *r = mk("top_pad=0,trim_threshold=64k");
	void *a[64], *g[64];
	char *foreign, *fend;
	int ok = 1;
	CHECK(r != NULL);
	a[0] = M->alloc(r, 1000, 0);
	mt_fill(a[0], 1000, 77);
	foreign = sbrk(64 * 1024);
	CHECK(foreign != (void *)-1);
	fend = foreign + 64 * 1024;
	memset(foreign, 0x5a, 64 * 1024);
	for (int i = 1; i < 64; i++) {
		a[i] = M->alloc(r, 8000, 0); /* forces growth past the foreign block */
		mt_fill(a[i], 8000, (uint32_t)i + 100);
	}
	CHECKF(st(r, "foreign_sbrk_events") >= 1 && st(r, "heap_segments") >= 2,
	       "non-contiguous break detected (events %g, segments %g)",
	       st(r, "foreign_sbrk_events"), st(r, "heap_segments"));
	for (int i = 1; i < 64; i++)
		ok &= (char *)a[i] + 8000 <= foreign || (char *)a[i] >= fend;
	CHECKF(ok, "no refmalloc block overlaps the foreign sbrk region");
	/* glibc's own heap growing in between (its blocks below its threshold) */
	for (int i = 0; i < 64; i++) {
		int j = 1 + (i * 7) % 63;
		g[i] = malloc(60000);
		mt_fill(g[i], 60000, (uint32_t)i + 500);
		M->free(r, a[j], 8000);
		a[j] = M->alloc(r, 8000, 0);
		mt_fill(a[j], 8000, (uint32_t)j + 100);
	}
	ok = 1;
	for (int i = 0; i < 64; i++)
		ok &= mt_check(g[i], 60000, (uint32_t)i + 500);
	for (int i = 1; i < 64; i++)
		ok &= mt_check(a[i], 8000, (uint32_t)i + 100);
	ok &= mt_check(a[0], 1000, 77);
	CHECKF(ok, "glibc's and refmalloc's blocks all keep their contents");
	for (int i = 0; i < 64; i++)
		M->free(r, a[i], i ? 8000 : 1000);
	for (size_t i = 0; i < 64 * 1024; i++)
		ok &= foreign[i] == 0x5a;
	CHECKF(ok, "the foreign sbrk region is untouched after refmalloc freed and trimmed");
	CHECKF((char *)sbrk(0) >= fend, "refmalloc never shrank the break below foreign memory");
	for (int i = 0; i < 64; i++)
		free(g[i]);
	M->destroy(r);
}

static void test_one_instance(void)
{
	void *r1 = mk(""), *r2 = NULL;
	char err[256] = "";
	CHECK(r1 != NULL);
	CHECK(M->create("", &r2, err, sizeof(err)) != 0);
	CHECKF(strstr(err, "process-wide") != NULL, "second create refused clearly: %s", err);
	M->destroy(r1);
	r2 = mk("");
	CHECK(r2 != NULL); /* allowed again once the first is gone */
	M->destroy(r2);
	CHECK(M->create("mmap_threshold=64m", &r2, err, sizeof(err)) != 0 &&
	      strstr(err, "mmap_threshold"));
	CHECK(M->create("bogus=1", &r2, err, sizeof(err)) != 0 && strstr(err, "bogus"));
}

static void test_api_edges(void)
{
	void *r = mk("");
	char *p, *q;
	CHECK(r != NULL);
	p = M->alloc(r, 0, 0);
	CHECK(p != NULL);
	M->free(r, p, AS_SIZE_UNKNOWN);
	CHECK(M->alloc(r, SIZE_MAX - 4096, 0) == NULL);
	for (size_t a = 32; a <= 65536; a *= 2) {
		p = M->alloc(r, 100, a);
		CHECKF(p && ((uintptr_t)p & (a - 1)) == 0, "align %zu", a);
		mt_fill(p, 100, (uint32_t)a);
		q = M->realloc(r, p, 100, 5000);
		CHECK(q && mt_check(q, 100, (uint32_t)a));
		M->free(r, q, AS_SIZE_UNKNOWN);
	}
	p = M->alloc(r, 300000, 4096); /* mmapped and page aligned */
	CHECK(p && ((uintptr_t)p & 4095) == 0);
	M->free(r, p, 300000);
	p = M->calloc(r, 5000, 0);
	CHECK(p);
	{
		int z = 1;
		for (int i = 0; i < 5000; i++)
			z &= p[i] == 0;
		CHECK(z);
	}
	/* realloc across the threshold both ways keeps the contents */
	mt_fill(p, 5000, 9);
	p = M->realloc(r, p, 5000, 400000);
	CHECK(p && mt_check(p, 5000, 9) && st(r, "mmap_blocks") == 1);
	p = M->realloc(r, p, 400000, 800000);
	CHECK(p && mt_check(p, 5000, 9) && st(r, "mremap_calls") >= 1);
	q = M->realloc(r, p, 800000, 100);
	CHECK(q && mt_check(q, 100, 9));
	M->free(r, q, 100);
	CHECK(st(r, "in_use_blocks") == 0 && st(r, "in_use_bytes") == 0);
	M->destroy(r);
}

/* Random mixed operations with content checks: sizes mostly small, some
 * medium, a few above the mmap threshold; aligned requests, realloc, calloc,
 * and unsized frees. */
typedef struct {
	void *inst;
	uint64_t ops;
	uint64_t seed;
	int bad;
} stress_arg_t;

#define LIVE 4096

static inline uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void *stress(void *varg)
{
	stress_arg_t *a = varg;
	static __thread char *ptr[LIVE];
	static __thread size_t len[LIVE];
	static __thread uint32_t tag[LIVE];
	uint64_t s = a->seed;
	void *r = a->inst;
	memset(ptr, 0, sizeof(ptr));
	for (uint64_t i = 0; i < a->ops; i++) {
		uint64_t x = rnd(&s);
		unsigned k = (unsigned)(x % LIVE);
		unsigned what = (unsigned)(x >> 20) % 100;
		size_t n;
		uint64_t y = rnd(&s);
		unsigned cls = (unsigned)(y % 1000);
		if (cls < 900)
			n = 1 + (y >> 16) % 512;
		else if (cls < 995)
			n = 512 + (y >> 16) % 16384;
		else
			n = 100000 + (y >> 16) % 400000;
		if (ptr[k]) {
			if (!mt_check(ptr[k], len[k], tag[k]))
				a->bad++;
			if (what < 10) {
				char *q = M->realloc(r, ptr[k], len[k], n);
				if (!q) {
					a->bad++;
					continue;
				}
				if (!mt_check(q, len[k] < n ? len[k] : n, tag[k]) && len[k] >= 4 &&
				    n >= 4)
					a->bad++;
				ptr[k] = q;
				len[k] = n;
				mt_fill(q, n, tag[k]);
				continue;
			}
			M->free(r, ptr[k], (what & 1) ? AS_SIZE_UNKNOWN : len[k]);
			ptr[k] = NULL;
			continue;
		}
		if (what < 5) {
			ptr[k] = M->calloc(r, n, 0);
			for (size_t j = 0; ptr[k] && j < n; j += 61)
				if (ptr[k][j])
					a->bad++;
		} else {
			size_t al = what < 10 ? (size_t)64 << (what % 4) * 2 : 0;
			ptr[k] = M->alloc(r, n, al);
			if (ptr[k] && al && ((uintptr_t)ptr[k] & (al - 1)))
				a->bad++;
		}
		if (!ptr[k] || ((uintptr_t)ptr[k] & 15)) {
			a->bad++;
			ptr[k] = NULL;
			continue;
		}
		len[k] = n;
		tag[k] = (uint32_t)x;
		mt_fill(ptr[k], n, tag[k]);
	}
	for (int k = 0; k < LIVE; k++)
		if (ptr[k]) {
			if (!mt_check(ptr[k], len[k], tag[k]))
				a->bad++;
			M->free(r, ptr[k], len[k]);
		}
	return NULL;
}

static void test_stress(uint64_t ops)
{
	void *r = mk("");
	stress_arg_t one = {r, ops, 0x9e3779b97f4a7c15ULL, 0};
	stress_arg_t two[2] = {{r, ops / 8, 12345, 0}, {r, ops / 8, 67890, 0}};
	pthread_t t;
	CHECK(r != NULL);
	stress(&one);
	CHECKF(one.bad == 0, "%d bad blocks in %llu single-thread ops", one.bad,
	       (unsigned long long)ops);
	CHECK(st(r, "in_use_blocks") == 0 && st(r, "mmap_blocks") == 0);
	CHECK(st(r, "mmap_calls") > 0 && st(r, "sbrk_calls") > 0);
	/* two threads on the one instance (it claims AS_CAP_THREAD_SAFE) */
	pthread_create(&t, NULL, stress, &two[1]);
	stress(&two[0]);
	pthread_join(t, NULL);
	CHECKF(two[0].bad == 0 && two[1].bad == 0, "%d/%d bad blocks with 2 threads", two[0].bad,
	       two[1].bad);
	CHECK(st(r, "in_use_blocks") == 0);
	M->destroy(r);
}

/* Many free chunks of nearly the same size (one size range, as a hash-heavy
 * perl script leaves them) cost O(log n) each to bin and to find: a sorted
 * list walked on every insert made this quadratic (issue 19). bin_steps
 * counts the tree nodes visited. */
static void test_many_free_chunks(void)
{
	enum { N = 20000 };
	void *r = mk(""), **big, **sep;
	double steps;
	CHECK(r != NULL);
	big = malloc(N * sizeof(void *));
	sep = malloc(N * sizeof(void *));
	for (int i = 0; i < N; i++) {
		big[i] = M->alloc(r, 1024 + 16 * (size_t)(i % 15), 0);
		sep[i] = M->alloc(r, 32, 0); /* keeps the big ones apart */
		CHECK(big[i] && sep[i]);
	}
	steps = st(r, "bin_steps");
	for (int i = 0; i < N; i++)
		M->free(r, big[i], 1024 + 16 * (size_t)(i % 15));
	CHECKF(st(r, "bin_free_chunks") >= N * 9 / 10, "about %d separate free chunks (%g)", N,
	       st(r, "bin_free_chunks"));
	for (int i = 0; i < N; i++)
		big[i] = M->alloc(r, 1024 + 16 * (size_t)((i * 7) % 15), 0);
	steps = (st(r, "bin_steps") - steps) / (2.0 * N);
	CHECKF(steps < 100, "bin steps per free or alloc with %d free chunks: %.1f (O(log n))", N,
	       steps);
	for (int i = 0; i < N; i++) {
		M->free(r, big[i], 1024 + 16 * (size_t)((i * 7) % 15));
		M->free(r, sep[i], 32);
	}
	free(big);
	free(sep);
	M->destroy(r);
}

int main(int argc, char **argv)
{
	as_loaded_t lm;
	uint64_t ops = 1000000;
	if (argc > 1) {
		char *end;
		ops = strtoull(argv[1], &end, 10);
		if (*end || !ops || (argc > 2 && strcmp(argv[2], "norss"))) {
			fprintf(stderr, "usage: test_refmalloc [STRESS_OPS [norss]]\n");
			return 2;
		}
		check_rss = argc < 3;
		if (!check_rss)
			as_check_skip_case("RSS checks (norss: under valgrind RSS is valgrind's)");
	}
	if (mt_load("refmalloc", &lm) != 0) {
		CHECK(!"refmalloc module loads");
		return as_check_done();
	}
	M = lm.mod;
	CHECK(M->caps & AS_CAP_SIZE_UNKNOWN && M->caps & AS_CAP_THREAD_SAFE);
	test_one_instance();
	test_threshold_switch();
	test_dynamic_threshold();
	test_trim();
	test_pinned_top();
	test_foreign_sbrk();
	test_api_edges();
	test_many_free_chunks();
	test_stress(ops);
	return as_check_done();
}
