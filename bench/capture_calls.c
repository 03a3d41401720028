/* capture_calls.c - what the capture library costs a call: a million
 * malloc/free pairs whose sizes (8..519) and slots (1024) come from a fixed
 * pseudo-random sequence, so the records' lengths vary as a real program's
 * do; 7 rounds, the best one's thread CPU time per call (ns). Plain malloc
 * and free, nothing else: run it bare and under LD_PRELOAD of
 * allocscope_capture.so (bench/capture_calls.sh does, alternating two
 * builds of the library). Not a test: prints one figure. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t cpu_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

int main(void)
{
	static void *p[1024];
	uint32_t r = 12345;
	uint64_t best = UINT64_MAX;
	for (int i = 0; i < 1024; i++)
		p[i] = malloc(16);
	for (int round = 0; round < 7; round++) {
		uint64_t t0 = cpu_ns(), t;
		for (int i = 0; i < 500000; i++) {
			uint32_t k;
			r = r * 1103515245u + 12345u;
			k = (r >> 8) & 1023;
			free(p[k]);
			p[k] = malloc(8 + ((r >> 20) & 511));
		}
		t = cpu_ns() - t0;
		if (t < best)
			best = t;
	}
	for (int i = 0; i < 1024; i++)
		free(p[i]);
	printf("%.2f\n", (double)best / 1e6); /* 1 M calls a round: ns per call */
	return 0;
}
