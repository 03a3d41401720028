/* core_probe.c - how fast each CPU runs just now: pinned to each CPU in
 * turn, the time per step of an xorshift loop and of pointer chases
 * through 32 KiB, 512 KiB and 4 MiB rings of cache lines in a random order
 * (L1-, L2- and L3-sized on this project's EPYC VM), the fastest of 3,
 * each the median of its timed chunks.
 * Prints one line: for each CPU, "alu c32k c512k c4m" in ns per step.
 * A core shared with another tenant's busy hyperthread reads slower in the
 * small rings (bench/core_watch.sh; docs/measure.md "Two threads: a busy
 * neighbour on the core").
 * usage: core_probe */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

static double now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static uint64_t xs = 88172645463325252u;
static uint64_t xr(void)
{
	xs ^= xs << 13;
	xs ^= xs >> 7;
	xs ^= xs << 17;
	return xs;
}

/* a ring of bytes / 64 lines, each pointing at the next in a random order */
static char *ring(size_t bytes)
{
	size_t n = bytes / 64;
	char *b = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t *o = malloc(n * sizeof(*o));
	if (b == MAP_FAILED || !o) {
		perror("core_probe");
		exit(1);
	}
	for (size_t i = 0; i < n; i++)
		o[i] = i;
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = xr() % (i + 1), t = o[i];
		o[i] = o[j];
		o[j] = t;
	}
	for (size_t i = 0; i < n; i++)
		*(void **)(b + o[i] * 64) = b + o[(i + 1) % n] * 64;
	free(o);
	return b;
}

/* Each figure is timed in AS_CHUNKS chunks, the median chunk's time per
 * step kept: a chunk that lost the CPU (a preemption, a cgroup's CPU quota
 * running out) does not move it. Until session 30 a figure was one timed
 * loop, and one preemption in it could put the alu figure over ten times
 * the 32 KiB chase's (test_core_watch failed 3 of 10 runs with its
 * processes held to 10 % of a CPU). */
#define AS_CHUNKS 15

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), dbl_cmp);
	return v[n / 2];
}

static double chase(char *b, size_t steps)
{
	void *p = b;
	double t[AS_CHUNKS];
	size_t n = steps / AS_CHUNKS;
	for (size_t i = 0; i < steps; i++) /* warm */
		p = *(void *volatile *)p;
	for (int c = 0; c < AS_CHUNKS; c++) {
		double t0 = now_ns();
		for (size_t i = 0; i < n; i++)
			p = *(void *volatile *)p;
		t[c] = (now_ns() - t0) / (double)n;
	}
	return median(t, AS_CHUNKS);
}

static double alu(void)
{
	uint64_t y = xs;
	double t[AS_CHUNKS];
	const int n = 2000000 / AS_CHUNKS;
	for (int c = 0; c < AS_CHUNKS; c++) {
		double t0 = now_ns();
		for (int i = 0; i < n; i++) {
			y ^= y << 13;
			y ^= y >> 7;
			y ^= y << 17;
		}
		__asm__ volatile("" : "+r"(y));
		t[c] = (now_ns() - t0) / n;
	}
	return median(t, AS_CHUNKS);
}

static double least(double a, double b)
{
	return a < b ? a : b;
}

int main(void)
{
	char *s = ring(32 << 10), *m = ring(512 << 10), *l = ring(4 << 20);
	cpu_set_t all, one;
	if (sched_getaffinity(0, sizeof(all), &all) != 0) {
		perror("core_probe: sched_getaffinity");
		return 1;
	}
	for (int c = 0; c < CPU_SETSIZE; c++) {
		double a = 1e9, x = 1e9, y = 1e9, z = 1e9;
		if (!CPU_ISSET(c, &all))
			continue;
		CPU_ZERO(&one);
		CPU_SET(c, &one);
		if (sched_setaffinity(0, sizeof(one), &one) != 0)
			continue;
		for (int r = 0; r < 3; r++) {
			a = least(a, alu());
			x = least(x, chase(s, 300000));
			y = least(y, chase(m, 300000));
			z = least(z, chase(l, 200000));
		}
		printf("%s%.3f %.3f %.3f %.2f", c ? " " : "", a, x, y, z);
	}
	printf("\n");
	return 0;
}
