/* bench_modules.c - single-thread micro-benchmarks of allocator modules side
 * by side in one process, for the patterns the `random` workload cannot
 * express: allocate-only small objects (bump vs malloc), fixed-size churn
 * (pool vs malloc), and request/phase lifetimes (arena reset vs individual
 * frees). Modules are loaded with the harness loader, exactly as the CLI
 * does, and called through their vtables. Not a test: it asserts nothing,
 * it prints a table (docs/modules.md records the figures and the command).
 * Usage: bench_modules [-q] [-m MODULE,...]   (-q: fewer iterations) */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "loader.h"
#include "statictls.h"

#define MAXMOD 16
#define REPS   7

typedef struct {
	const char *name;
	const as_module_t *m;
	void *inst;
} bmod_t;

static bmod_t mods[MAXMOD];
static int nmods;
static void **slots;
static uint32_t *sizes;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Median of REPS runs of fn (after one warm-up run), in ns per unit. */
static double median_run(double (*fn)(bmod_t *, uint64_t), bmod_t *b, uint64_t n)
{
	double v[REPS];
	fn(b, n); /* warm-up: pages faulted, caches and lists primed */
	for (int r = 0; r < REPS; r++)
		v[r] = fn(b, n);
	qsort(v, REPS, sizeof(v[0]), cmp_d);
	return v[REPS / 2];
}

static void free_all(bmod_t *b, uint64_t n, size_t size)
{
	if (b->m->reset)
		b->m->reset(b->inst);
	else
		for (uint64_t i = 0; i < n; i++)
			b->m->free(b->inst, slots[i], size);
}

/* n allocations of 32 bytes, first byte written; ns per allocation. The
 * blocks are released untimed afterwards (reset or free). */
static double alloc_only(bmod_t *b, uint64_t n)
{
	const as_module_t *m = b->m;
	uint64_t t0 = now_ns(), t1;
	for (uint64_t i = 0; i < n; i++) {
		char *p = m->alloc(b->inst, 32, 0);
		*p = 1;
		slots[i] = p;
	}
	t1 = now_ns();
	free_all(b, n, 32);
	return (double)(t1 - t0) / (double)n;
}

/* Fixed-size churn, batches of 1000: allocate 1000 blocks of 64 bytes, free
 * them in allocation order (FIFO); ns per alloc+free pair. */
static double churn_batch(bmod_t *b, uint64_t n)
{
	const as_module_t *m = b->m;
	uint64_t t0 = now_ns();
	for (uint64_t done = 0; done < n; done += 1000) {
		for (int i = 0; i < 1000; i++) {
			char *p = m->alloc(b->inst, 64, 0);
			*p = 1;
			slots[i] = p;
		}
		for (int i = 0; i < 1000; i++)
			m->free(b->inst, slots[i], 64);
	}
	return (double)(now_ns() - t0) / (double)n;
}

/* Fixed-size churn, one pair at a time (ping-pong); ns per pair. */
static double churn_pair(bmod_t *b, uint64_t n)
{
	const as_module_t *m = b->m;
	uint64_t t0 = now_ns();
	for (uint64_t i = 0; i < n; i++) {
		char *p = m->alloc(b->inst, 64, 0);
		*p = 1;
		m->free(b->inst, p, 64);
	}
	return (double)(now_ns() - t0) / (double)n;
}

/* Requests: each allocates 200 objects of 16..512 bytes (sizes precomputed)
 * and at its end releases them all: reset() where the module has it, else
 * 200 individual frees. ns per request. */
#define PER_REQ 200
static int use_reset;
static double requests(bmod_t *b, uint64_t nreq)
{
	const as_module_t *m = b->m;
	uint64_t t0 = now_ns();
	for (uint64_t r = 0; r < nreq; r++) {
		const uint32_t *sz = sizes + (r % 64) * PER_REQ;
		for (int i = 0; i < PER_REQ; i++) {
			char *p = m->alloc(b->inst, sz[i], 0);
			*p = 1;
			slots[i] = p;
		}
		if (use_reset)
			m->reset(b->inst);
		else
			for (int i = 0; i < PER_REQ; i++)
				m->free(b->inst, slots[i], sz[i]);
	}
	return (double)(now_ns() - t0) / (double)nreq;
}

static bmod_t *find(const char *name)
{
	for (int i = 0; i < nmods; i++)
		if (!strcmp(mods[i].name, name))
			return &mods[i];
	return NULL;
}

static void row(const char *pattern, const char *unit, bmod_t *b, double v, double base)
{
	printf("%-28s %-10s %10.2f %-8s", pattern, b->name, v, unit);
	if (base > 0)
		printf("  %6.2fx faster than glibc", base / v);
	printf("\n");
}

int main(int argc, char **argv)
{
	const char *list = "glibc,bump,arena,pool,freelist,refmalloc,jemalloc,tcmalloc,mimalloc";
	char buf[512], err[1024];
	uint64_t n_alloc = 1000000, n_churn = 5000000, n_req = 20000;
	double base;
	bmod_t *g;

	as_static_tls_reexec(argv);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-q")) {
			n_alloc /= 5;
			n_churn /= 5;
			n_req /= 5;
		} else if (!strcmp(argv[i], "-m") && i + 1 < argc) {
			list = argv[++i];
		} else {
			fprintf(stderr, "usage: bench_modules [-q] [-m MODULE,...]\n");
			return 2;
		}
	}
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *s = strtok(buf, ","); s && nmods < MAXMOD; s = strtok(NULL, ",")) {
		as_loaded_t *lm = calloc(1, sizeof(*lm));
		if (!lm || as_module_load(s, lm, err, sizeof(err)) != AS_OK) {
			fprintf(stderr, "bench_modules: skipping %s: %s\n", s, err);
			free(lm);
			continue;
		}
		mods[nmods].name = lm->mod->name;
		mods[nmods].m = lm->mod;
		nmods++;
	}
	slots = calloc(n_alloc, sizeof(void *));
	sizes = malloc(64 * PER_REQ * sizeof(uint32_t));
	if (!slots || !sizes)
		return 1;
	srand(42);
	for (int i = 0; i < 64 * PER_REQ; i++)
		sizes[i] = 16 + (uint32_t)(rand() % 497);
	g = find("glibc");
	printf("bench_modules: single thread, median of %d runs after a warm-up; glibc is the "
	       "baseline\n\n",
	       REPS);
	printf("%-28s %-10s %10s %-8s\n", "pattern", "module", "value", "unit");

	/* each module is created for a pattern and destroyed after it, so only
	 * one refmalloc instance ever exists */
#define EACH(cond, body)                                               \
	for (int i = 0; i < nmods; i++) {                              \
		bmod_t *b = &mods[i];                                  \
		char e2[256];                                          \
		if (!(cond))                                           \
			continue;                                      \
		if (b->m->create("", &b->inst, e2, sizeof(e2)) != 0) { \
			fprintf(stderr, "%s: %s\n", b->name, e2);      \
			continue;                                      \
		}                                                      \
		body;                                                  \
		b->m->destroy(b->inst);                                \
	}

	base = 0;
	EACH(1, {
		double v = median_run(alloc_only, b, n_alloc);
		if (b == g)
			base = v;
		row("alloc-only 32 B x 1M", "ns/alloc", b, v, b == g ? 0 : base);
	});
	printf("\n");
	base = 0;
	EACH(b->m->caps & AS_CAP_FREE, {
		double v = median_run(churn_batch, b, n_churn);
		if (b == g)
			base = v;
		row("churn 64 B, batch 1000 FIFO", "ns/pair", b, v, b == g ? 0 : base);
	});
	printf("\n");
	base = 0;
	EACH(b->m->caps & AS_CAP_FREE, {
		double v = median_run(churn_pair, b, n_churn);
		if (b == g)
			base = v;
		row("churn 64 B, one pair", "ns/pair", b, v, b == g ? 0 : base);
	});
	printf("\n");
	base = 0;
	for (int pass = 0; pass < 2; pass++) {
		use_reset = pass;
		EACH(pass ? b->m->reset != NULL : (b->m->caps & AS_CAP_FREE) != 0, {
			double v = median_run(requests, b, n_req);
			if (b == g)
				base = v;
			row(pass ? "request 200 x 16-512 B, reset"
			         : "request 200 x 16-512 B, frees",
			    "ns/req", b, v, b == g ? 0 : base);
		});
	}
	return 0;
}
