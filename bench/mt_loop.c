/* mt_loop.c - the xmalloc and larson workloads' patterns written by hand
 * as a plain program calling malloc/free, so that any allocator can be
 * measured under LD_PRELOAD without allocscope: the reference that
 * bench/mt_rank.sh sets allocscope's rankings against. Same defaults as the
 * workloads (xmalloc: producer thread 0 allocates batches of 4096 blocks of
 * 64 B, writes their first byte and hands each batch to consumer thread 1,
 * which frees it, at most 100 batches ahead, xmalloc-test's queue; larson: per-thread arrays of
 * 5000 blocks of 8..1000 B, random replacement, the arrays passing to the
 * next thread 4 times; benchmt: glibc's bench-malloc-thread, per thread 1024
 * slots, 200,000 random replacements each pass with inverse-square sizes
 * 4..32768, every block freed at the pass end, PASSES passes, no
 * cross-thread frees; xmalloc too takes PASSES: its batches go on through
 * the same queue, PASSES x 100 of them, as the engine's --min-time passes
 * repeat the stream). Waiting is a spin of 64 pauses, then sched_yield, as
 * in the engine. Prints one line: pattern, threads, ops, ns per op (wall time
 * of all threads' ops / ops, alloc and free each one op). Not a test. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_THREADS 64

static uint32_t nthreads = 2;
static uint64_t batch = 4096, batches = 100, depth = 100;           /* xmalloc */
static uint64_t blocks = 5000, reps = 200000, epochs = 4;           /* larson */
static uint64_t bmt_slots = 1024, bmt_ops = 200000, bmt_passes = 1; /* benchmt */
static void **ring;                                                 /* xmalloc: depth x batch */
static void **arrays;                                               /* larson: nthreads x blocks */
static _Atomic uint64_t produced, consumed;
static _Atomic uint64_t arrived; /* larson: epoch barrier */
static pthread_barrier_t start;
static uint64_t t_start[MAX_THREADS], t_end[MAX_THREADS];

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void wait_until(_Atomic uint64_t *v, uint64_t at_least)
{
	unsigned spins = 0;
	while (*v < at_least) {
		if (++spins > 64)
			sched_yield();
		else
			__builtin_ia32_pause();
	}
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void producer(void)
{
	for (uint64_t b = 0; b < batches * bmt_passes; b++) {
		void **slot = &ring[(b % depth) * batch];
		wait_until(&consumed, b + 1 > depth ? b + 1 - depth : 0);
		for (uint64_t i = 0; i < batch; i++) {
			char *p = malloc(64);
			p[0] = 1;
			slot[i] = p;
		}
		produced = b + 1;
	}
}

static void consumer(void)
{
	for (uint64_t b = 0; b < batches * bmt_passes; b++) {
		void **slot = &ring[(b % depth) * batch];
		wait_until(&produced, b + 1);
		for (uint64_t i = 0; i < batch; i++)
			free(slot[i]);
		consumed = b + 1;
	}
}

static void larson(uint32_t t)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL * (t + 1), per = reps / epochs;
	for (uint64_t i = 0; i < blocks; i++) {
		size_t n = 8 + rng_next(&s) % 993;
		char *p = malloc(n);
		p[0] = 1;
		arrays[t * blocks + i] = p;
	}
	for (uint64_t e = 0; e < epochs; e++) {
		void **a = &arrays[((t + e) % nthreads) * blocks];
		/* the array's previous owner is done with it */
		arrived++;
		wait_until(&arrived, (e + 1) * nthreads);
		for (uint64_t k = 0; k < per; k++) {
			uint64_t i = rng_next(&s) % blocks;
			size_t n = 8 + rng_next(&s) % 993;
			char *p;
			free(a[i]);
			p = malloc(n);
			p[0] = 1;
			a[i] = p;
		}
	}
	for (uint64_t i = 0; i < blocks; i++)
		free(arrays[((t + epochs - 1) % nthreads) * blocks + i]);
}

/* glibc benchtests/bench-malloc-thread.c get_block_size(): inverse square
 * between 4 and 32768, from a uniform draw */
static size_t bmt_size(uint64_t *s)
{
	double r = (double)(rng_next(s) >> 11) / 9007199254740992.0;
	return (size_t)(4.0 / (1.0 - r * (1.0 - 4.0 / 32768.0)));
}

static void benchmt(uint32_t t)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL * (t + 1);
	void **a = &arrays[t * bmt_slots];
	for (uint64_t p = 0; p < bmt_passes; p++) {
		for (uint64_t k = 0; k < bmt_ops; k++) {
			uint64_t i = rng_next(&s) % bmt_slots;
			free(a[i]);
			a[i] = malloc(bmt_size(&s));
		}
		for (uint64_t i = 0; i < bmt_slots; i++) {
			free(a[i]);
			a[i] = NULL;
		}
	}
}

static enum { XMALLOC, LARSON, BENCHMT } pattern;

static void *thread_main(void *arg)
{
	uint32_t t = (uint32_t)(uintptr_t)arg;
	pthread_barrier_wait(&start);
	t_start[t] = now_ns();
	if (pattern == LARSON)
		larson(t);
	else if (pattern == BENCHMT)
		benchmt(t);
	else if (t == 0)
		producer();
	else
		consumer();
	t_end[t] = now_ns();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t tid[MAX_THREADS];
	uint64_t t0, t1, ops;
	unsigned long v;
	char *end;

	if (argc < 2 || (strcmp(argv[1], "xmalloc") && strcmp(argv[1], "larson") &&
	                 strcmp(argv[1], "benchmt"))) {
		fprintf(stderr, "usage: mt_loop xmalloc|larson|benchmt [THREADS [PASSES]]\n"
		                "  xmalloc: 2 threads, producer -> consumer, PASSES x 100 batches\n"
		                "  larson: 1..64 threads\n"
		                "  benchmt: 1..64 threads, PASSES (default 1) passes\n");
		return 2;
	}
	pattern = !strcmp(argv[1], "larson")    ? LARSON
	          : !strcmp(argv[1], "benchmt") ? BENCHMT
	                                        : XMALLOC;
	if (argc > 2) {
		v = strtoul(argv[2], &end, 10);
		if (*end || v < 1 || v > MAX_THREADS || (pattern == XMALLOC && v != 2)) {
			fprintf(stderr, "mt_loop: threads '%s' out of range\n", argv[2]);
			return 2;
		}
		nthreads = (uint32_t)v;
	}
	if (argc > 3) {
		v = strtoul(argv[3], &end, 10);
		if (*end || v < 1 || v > 100000 || pattern == LARSON) {
			fprintf(stderr, "mt_loop: passes '%s': 1..100000, benchmt and xmalloc\n",
			        argv[3]);
			return 2;
		}
		bmt_passes = v;
	}
	if (pattern == XMALLOC)
		nthreads = 2;
	ring = calloc(depth * batch, sizeof(void *));
	arrays =
	    calloc((size_t)nthreads * (blocks > bmt_slots ? blocks : bmt_slots), sizeof(void *));
	if (!ring || !arrays)
		return 1;
	pthread_barrier_init(&start, NULL, nthreads);
	for (uint32_t t = 0; t < nthreads; t++)
		if (pthread_create(&tid[t], NULL, thread_main, (void *)(uintptr_t)t) != 0)
			return 1;
	t0 = UINT64_MAX;
	t1 = 0;
	for (uint32_t t = 0; t < nthreads; t++) {
		pthread_join(tid[t], NULL);
		t0 = t_start[t] < t0 ? t_start[t] : t0;
		t1 = t_end[t] > t1 ? t_end[t] : t1;
	}
	ops = pattern == LARSON ? (uint64_t)nthreads * (2 * blocks + 2 * (reps / epochs) * epochs)
	      : pattern == BENCHMT ? (uint64_t)nthreads * bmt_passes * 2 * bmt_ops
	                           : 2 * batch * batches * bmt_passes;
	printf("%s %u %llu %.2f\n", argv[1], nthreads, (unsigned long long)ops,
	       (double)(t1 - t0) / (double)ops);
	return 0;
}
