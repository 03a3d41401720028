/* mmapcost.c - glibc's cost per fresh block either side of the 128 KiB
 * mmap threshold, and the bare system calls under it, by hand.
 *
 *   mmapcost malloc SIZE N   N fresh malloc(SIZE), never freed, nothing
 *                            written by us (glibc writes its chunk header);
 *                            one timed loop in a fresh process (run each
 *                            size in its own process: nothing is freed, so
 *                            the dynamic threshold stays at 128 KiB)
 *   mmapcost brkpair BYTES N sbrk(+BYTES) then sbrk(-BYTES), N times
 *   mmappair BYTES N         mmap(BYTES) then munmap, N times
 *   mmapcost brkgrow BYTES N sbrk(+BYTES) N times (the heap only grows)
 *   mmapcost mmapgrow BYTES N mmap(BYTES) N times, never unmapped
 *   ... add "touch" as a 4th argument to brkgrow/mmapgrow to write one byte
 *   at the start of each new piece (a page fault each, as glibc's header)
 *
 * Prints: mode, size, n, ns per op, minor faults per op (getrusage), and
 * the heap's growth (sbrk(0)) over the loop. clock_gettime(MONOTONIC). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define MAXN 100000
static void *volatile ptrs[MAXN]; /* bss, pre-faulted below: the pointers escape */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static long minflt(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static size_t parse_size(const char *s)
{
	char *e;
	double v = strtod(s, &e);
	if (*e == 'k' || *e == 'K')
		v *= 1024;
	else if (*e == 'm' || *e == 'M')
		v *= 1048576;
	return (size_t)v;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(
		    stderr,
		    "usage: mmapcost malloc|brkpair|mmappair|brkgrow|mmapgrow SIZE N [touch]\n");
		return 2;
	}
	const char *mode = argv[1];
	size_t size = parse_size(argv[2]);
	long n = atol(argv[3]);
	int touch = argc > 4 && !strcmp(argv[4], "touch");
	if (n < 1 || n > MAXN || size == 0) {
		fprintf(stderr, "mmapcost: N must be 1..%d, SIZE > 0\n", MAXN);
		return 2;
	}
	for (long i = 0; i < n; i++) /* fault the pointer array in before the clock */
		ptrs[i] = NULL;
	/* clock_gettime and getrusage once, so that their first-call costs
	 * (vDSO page, ...) land outside the loop */
	(void)now_ns();
	(void)minflt();
	char *brk0 = sbrk(0);
	long f0 = minflt();
	uint64_t t0 = now_ns();
	if (!strcmp(mode, "malloc")) {
		for (long i = 0; i < n; i++)
			ptrs[i] = malloc(size);
	} else if (!strcmp(mode, "brkpair")) {
		for (long i = 0; i < n; i++) {
			ptrs[i] = sbrk((intptr_t)size);
			sbrk(-(intptr_t)size);
		}
	} else if (!strcmp(mode, "mmappair")) {
		for (long i = 0; i < n; i++) {
			void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			ptrs[i] = p;
			munmap(p, size);
		}
	} else if (!strcmp(mode, "brkgrow")) {
		for (long i = 0; i < n; i++) {
			char *p = sbrk((intptr_t)size);
			ptrs[i] = p;
			if (touch)
				*(volatile char *)p = 1;
		}
	} else if (!strcmp(mode, "mmapgrow")) {
		for (long i = 0; i < n; i++) {
			char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			ptrs[i] = p;
			if (touch)
				*(volatile char *)p = 1;
		}
	} else {
		fprintf(stderr, "mmapcost: unknown mode %s\n", mode);
		return 2;
	}
	uint64_t t1 = now_ns();
	long f1 = minflt();
	char *brk1 = sbrk(0);
	for (long i = 0; i < n; i++)
		if (!ptrs[i] || ptrs[i] == MAP_FAILED || ptrs[i] == (void *)-1) {
			fprintf(stderr, "mmapcost: %s %zu failed at %ld\n", mode, size, i);
			return 1;
		}
	printf("%s%s %zu %ld ns_per_op=%.1f minflt_per_op=%.3f heap_grew_kib=%ld\n", mode,
	       touch ? "+touch" : "", size, n, (double)(t1 - t0) / (double)n,
	       (double)(f1 - f0) / (double)n, (long)(brk1 - brk0) / 1024);
	return 0;
}
