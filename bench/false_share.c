/* false_share.c - does the malloc this program runs with (LD_PRELOAD) put
 * two threads' small objects on one cache line, and what does that cost a
 * write pattern? The question behind cache-thrash/scratch at 2 threads
 * (docs/measure.md "cache-thrash: a shared line, and how it is written").
 * Two threads start together at a barrier and each mallocs one SIZE-byte
 * object (default 8); the program prints both addresses and whether they
 * share a 64-byte line. Then, ROUNDS times (default 5), both threads write
 * their object ITERS times (default 200,000), 50 passes over its bytes
 * each: once as blind stores (Hoard's cache-thrash.cpp writes obj[k] = k),
 * once as read-modify-writes (allocscope's WRITE op does b[k]++), and the
 * same two on objects 128 bytes apart in a static buffer. Prints the
 * median and min-max of each, ms for both threads' writes.
 * usage: LD_PRELOAD=LIB false_share [SIZE [ITERS [ROUNDS]]] */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_barrier_t bar;
static size_t size = 8;
static long iters = 200000;
static volatile char *obj[2];
static _Alignas(128) char apart[256];
static volatile char *target[2];
static int rmw;

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void *alloc_one(void *arg)
{
	long t = (long)arg;
	pthread_barrier_wait(&bar);
	obj[t] = malloc(size);
	return NULL;
}

static void *write_loop(void *arg)
{
	volatile char *p = target[(long)arg];
	pthread_barrier_wait(&bar);
	for (long i = 0; i < iters; i++)
		for (int j = 0; j < 50; j++)
			for (size_t k = 0; k < size; k++) {
				if (rmw)
					p[k]++;
				else
					p[k] = (char)k;
			}
	return NULL;
}

/* both threads run fn; returns the ms from the barrier to the last join */
static double both(void *(*fn)(void *))
{
	pthread_t th[2];
	double t0;
	pthread_barrier_init(&bar, NULL, 3);
	for (long t = 0; t < 2; t++)
		if (pthread_create(&th[t], NULL, fn, (void *)t) != 0) {
			perror("false_share: pthread_create");
			exit(1);
		}
	pthread_barrier_wait(&bar);
	t0 = now_ms();
	for (int t = 0; t < 2; t++)
		pthread_join(th[t], NULL);
	pthread_barrier_destroy(&bar);
	return now_ms() - t0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	static const char *name[4] = {"allocated, blind stores", "allocated, read-modify-write",
	                              "128 B apart, blind stores",
	                              "128 B apart, read-modify-write"};
	int rounds = argc > 3 ? atoi(argv[3]) : 5;
	double ms[4][64];
	uintptr_t a, b;
	if (argc > 1)
		size = strtoul(argv[1], NULL, 10);
	if (argc > 2)
		iters = strtol(argv[2], NULL, 10);
	if (size < 1 || size > 64 || iters < 1 || rounds < 1 || rounds > 64) {
		fprintf(stderr, "usage: false_share [SIZE 1..64 [ITERS [ROUNDS 1..64]]]\n");
		return 2;
	}
	both(alloc_one);
	if (!obj[0] || !obj[1]) {
		fprintf(stderr, "false_share: malloc failed\n");
		return 1;
	}
	a = (uintptr_t)obj[0];
	b = (uintptr_t)obj[1];
	printf("objects of %zu B: %p %p, %lu B apart, same 64-byte line: %s\n", size,
	       (void *)obj[0], (void *)obj[1], (unsigned long)(a > b ? a - b : b - a),
	       a / 64 == b / 64 ? "yes" : "no");
	for (int r = 0; r < rounds; r++)
		for (int m = 0; m < 4; m++) { /* interleaved */
			target[0] = m < 2 ? obj[0] : (volatile char *)apart;
			target[1] = m < 2 ? obj[1] : (volatile char *)apart + 128;
			rmw = m & 1;
			ms[m][r] = both(write_loop);
		}
	for (int m = 0; m < 4; m++) {
		qsort(ms[m], (size_t)rounds, sizeof(double), cmp);
		printf("%-32s median %7.1f ms (%.1f-%.1f)\n", name[m], ms[m][rounds / 2], ms[m][0],
		       ms[m][rounds - 1]);
	}
	free((void *)obj[0]);
	free((void *)obj[1]);
	return 0;
}
