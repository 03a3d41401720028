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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../workloads/spec.h"
#include "loader.h"
#include "statictls.h"

#define MAXMOD 16
#define REPS   7

typedef struct {
	const char *name; /* the spec as given: NAME[:params] */
	const char *params;
	const as_module_t *m;
	void *inst;
} bmod_t;

static bmod_t mods[MAXMOD];
static int nmods;
static void **slots;
static uint32_t *sizes;

/* The thread's CPU time, user + system (page faults included), not wall
 * time: on a shared machine a descheduled thread would otherwise be charged
 * for other processes' work. */
static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The CLI's `random` workload in a loop: 10000 live objects of 16..512 B
 * (first byte written), n random replacements (free + alloc), then every
 * object freed; ns per operation (allocs + frees). */
#define MIX_LIVE 10000
static uint32_t *mix_id, *mix_size;
static double random_mixed(bmod_t *b, uint64_t n)
{
	const as_module_t *m = b->m;
	static uint32_t live_size[MIX_LIVE];
	uint64_t t0 = now_ns();
	for (int i = 0; i < MIX_LIVE; i++) {
		char *p = m->alloc(b->inst, mix_size[i], 0);
		*p = 1;
		slots[i] = p;
		live_size[i] = mix_size[i];
	}
	for (uint64_t k = 0; k < n; k++) {
		uint32_t id = mix_id[k], sz = mix_size[k];
		char *p;
		m->free(b->inst, slots[id], live_size[id]);
		p = m->alloc(b->inst, sz, 0);
		*p = 1;
		slots[id] = p;
		live_size[id] = sz;
	}
	for (int i = 0; i < MIX_LIVE; i++)
		m->free(b->inst, slots[i], live_size[i]);
	return (double)(now_ns() - t0) / (double)(2 * MIX_LIVE + 2 * n);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

typedef double (*pattern_fn)(bmod_t *, uint64_t);

/* Run one pattern on every selected module, repetitions interleaved
 * (module A, B, C, A, B, C, ...) so that load from other processes hits all
 * of them alike; one warm-up run each first. Prints the median and the
 * minimum of REPS runs, and the median's ratio to glibc's. */
static void pattern(const char *title, const char *unit, pattern_fn fn, uint64_t n,
                    int (*want)(const bmod_t *), double *glibc_med)
{
	double v[MAXMOD][REPS];
	int on[MAXMOD] = {0};
	char err[256];
	for (int i = 0; i < nmods; i++) {
		if (!want(&mods[i]))
			continue;
		if (mods[i].m->create(mods[i].params, &mods[i].inst, err, sizeof(err)) != 0) {
			fprintf(stderr, "%s: %s\n", mods[i].name, err);
			continue;
		}
		on[i] = 1;
		fn(&mods[i], n); /* warm-up: pages faulted, lists primed */
	}
	for (int r = 0; r < REPS; r++)
		for (int i = 0; i < nmods; i++)
			if (on[i])
				v[i][r] = fn(&mods[i], n);
	for (int i = 0; i < nmods; i++) {
		double med;
		if (!on[i])
			continue;
		qsort(v[i], REPS, sizeof(double), cmp_d);
		med = v[i][REPS / 2];
		if (!strcmp(mods[i].name, "glibc") && glibc_med)
			*glibc_med = med;
		printf("%-34s %-10s %10.2f %10.2f %-8s", title, mods[i].name, med, v[i][0], unit);
		if (glibc_med && *glibc_med > 0 && strcmp(mods[i].name, "glibc"))
			printf(" %7.2fx", *glibc_med / med);
		printf("\n");
		mods[i].m->destroy(mods[i].inst);
	}
	printf("\n");
}

/* Allocate-only from cold: in a fresh child process per run (a fork, so
 * glibc's heap is as new as the parent's), create the instance and time n
 * allocations of 32 bytes, no frees, nothing written: the allocator's own
 * work including the pages its metadata touches (glibc writes a header per
 * block; bump touches nothing). Prints median and min of REPS. */
static void cold_alloc_only(uint64_t n, double *glibc_med)
{
	for (int i = 0; i < nmods; i++) {
		double v[REPS];
		int ok = 1;
		for (int r = 0; r < REPS && ok; r++) {
			int fd[2];
			pid_t pid;
			if (pipe(fd) != 0)
				return;
			pid = fork();
			if (pid == 0) {
				bmod_t *b = &mods[i];
				char err[256];
				double t = -1;
				close(fd[0]);
				if (b->m->create(b->params, &b->inst, err, sizeof(err)) == 0) {
					uint64_t t0 = now_ns();
					for (uint64_t k = 0; k < n; k++)
						slots[k] = b->m->alloc(b->inst, 32, 0);
					t = (double)(now_ns() - t0) / (double)n;
					for (uint64_t k = 0; k < n; k++)
						if (!slots[k])
							t = -1;
				}
				if (write(fd[1], &t, sizeof(t)) != sizeof(t))
					_exit(1);
				_exit(0);
			}
			close(fd[1]);
			if (pid < 0 || read(fd[0], &v[r], sizeof(v[r])) != sizeof(v[r]) || v[r] < 0)
				ok = 0;
			close(fd[0]);
			if (pid > 0)
				waitpid(pid, NULL, 0);
		}
		if (!ok) {
			printf("%-34s %-10s (failed: out of memory or create error)\n",
			       "alloc-only 32 B x 1M, cold", mods[i].name);
			continue;
		}
		qsort(v, REPS, sizeof(double), cmp_d);
		if (!strcmp(mods[i].name, "glibc"))
			*glibc_med = v[REPS / 2];
		printf("%-34s %-10s %10.2f %10.2f %-8s", "alloc-only 32 B x 1M, cold", mods[i].name,
		       v[REPS / 2], v[0], "ns/alloc");
		if (*glibc_med > 0 && strcmp(mods[i].name, "glibc"))
			printf(" %7.2fx", *glibc_med / v[REPS / 2]);
		printf("\n");
	}
	printf("\n");
}

static int want_all(const bmod_t *b)
{
	(void)b;
	return 1;
}

static int want_free(const bmod_t *b)
{
	return (b->m->caps & AS_CAP_FREE) != 0;
}

static int want_reset(const bmod_t *b)
{
	return b->m->reset != NULL && !strstr(b->name, "slot=");
}

/* mixed sizes: a single-slot pool would send most requests to oversize */
static int want_free_mixed(const bmod_t *b)
{
	return (b->m->caps & AS_CAP_FREE) != 0 && !strstr(b->name, "slot=");
}

static void free_all(bmod_t *b, uint64_t n, size_t size)
{
	if (b->m->reset)
		b->m->reset(b->inst);
	else
		for (uint64_t i = 0; i < n; i++)
			b->m->free(b->inst, slots[i], size);
}

/* n allocations of 32 bytes in batches of 10000 (a working set that stays
 * in cache); only the allocation loops are timed, each batch is released
 * untimed (reset, or free). Nothing is written into the blocks: this is the
 * cost of allocating, the allocator's own metadata writes included. ns per
 * allocation. */
#define BATCH 10000
static double alloc_only(bmod_t *b, uint64_t n)
{
	const as_module_t *m = b->m;
	uint64_t t = 0;
	for (uint64_t done = 0; done < n; done += BATCH) {
		uint64_t t0 = now_ns();
		for (uint64_t i = 0; i < BATCH; i++)
			slots[i] = m->alloc(b->inst, 32, 0);
		t += now_ns() - t0;
		free_all(b, BATCH, 32);
	}
	return (double)t / (double)n;
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

int main(int argc, char **argv)
{
	/* null: the floor (loop + indirect call); pool:slot=64 is the fixed-size
	 * pool for the fixed-size patterns */
	const char *list = "null,glibc,bump,arena,pool,pool:slot=64,freelist,refmalloc,jemalloc,"
	                   "tcmalloc,mimalloc";
	char err[1024];
	uint64_t n_alloc = 1000000, n_churn = 5000000, n_req = 20000, n_mix = 2000000;
	double base;

	as_static_tls_reexec(argv);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-q")) {
			n_alloc /= 5;
			n_churn /= 5;
			n_req /= 5;
			n_mix /= 5;
		} else if (!strcmp(argv[i], "-m") && i + 1 < argc) {
			list = argv[++i];
		} else {
			fprintf(stderr, "usage: bench_modules [-q] [-m MODULE,...]\n");
			return 2;
		}
	}
	{
		static as_spec_t specs[MAXMOD];
		int n = as_spec_parse_list(list, AS_SPEC_MODULE, specs, MAXMOD, err, sizeof(err));
		if (n <= 0) {
			fprintf(stderr, "bench_modules: -m: %s\n", err);
			return 2;
		}
		for (int k = 0; k < n; k++) {
			as_loaded_t *lm = calloc(1, sizeof(*lm));
			if (!lm || as_module_load(specs[k].name, lm, err, sizeof(err)) != AS_OK) {
				fprintf(stderr, "bench_modules: skipping %s: %s\n", specs[k].label,
				        err);
				free(lm);
				continue;
			}
			mods[nmods].name = specs[k].label;
			mods[nmods].params = specs[k].params;
			mods[nmods].m = lm->mod;
			nmods++;
		}
	}
	slots = calloc(n_alloc, sizeof(void *));
	sizes = malloc(64 * PER_REQ * sizeof(uint32_t));
	mix_id = malloc(n_mix * sizeof(uint32_t));
	mix_size = malloc(n_mix * sizeof(uint32_t));
	if (!slots || !sizes || !mix_id || !mix_size)
		return 1;
	for (uint64_t k = 0; k < n_mix; k++) {
		mix_id[k] = (uint32_t)(rand() % MIX_LIVE);
		mix_size[k] = 16 + (uint32_t)(rand() % 497);
	}
	memset(slots, 1, n_alloc * sizeof(void *)); /* resident before any fork */
	srand(42);
	for (int i = 0; i < 64 * PER_REQ; i++)
		sizes[i] = 16 + (uint32_t)(rand() % 497);
	printf("bench_modules: single thread, thread CPU time; each module's runs interleaved\n"
	       "with the others'; median and min of %d runs after a warm-up;\n"
	       "ratio = glibc median / module median\n\n",
	       REPS);
	printf("%-34s %-10s %10s %10s %-8s %8s\n", "pattern", "module", "median", "min", "unit",
	       "vs glibc");
	base = 0;
	cold_alloc_only(n_alloc, &base);
	base = 0;
	pattern("alloc-only 32 B, warm, batch 10k", "ns/alloc", alloc_only, n_alloc, want_all,
	        &base);
	base = 0;
	pattern("churn 64 B, batch 1000 FIFO", "ns/pair", churn_batch, n_churn, want_free, &base);
	base = 0;
	pattern("churn 64 B, one pair", "ns/pair", churn_pair, n_churn, want_free, &base);
	base = 0;
	use_reset = 0;
	pattern("request 200 x 16-512 B, frees", "ns/req", requests, n_req, want_free_mixed, &base);
	use_reset = 1; /* base stays glibc's individual frees */
	pattern("request 200 x 16-512 B, reset", "ns/req", requests, n_req, want_reset, &base);
	base = 0;
	pattern("random 16-512 B, 10k live", "ns/op", random_mixed, n_mix, want_free_mixed, &base);
	return 0;
}
