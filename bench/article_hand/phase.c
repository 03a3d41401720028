/* phase.c - requests of 2000 log-normal objects (median 64 B, sigma 1,
 * truncated to [16, 4096] by resampling), the first byte of each written,
 * released at the request's end: by one reset of a bump arena (mmap'd
 * region, 16-byte alignment), or by glibc free() of every object (in
 * allocation order). By hand, no allocscope code.
 *
 *   phase arena|glibc [REQUESTS [PASSES]]   (defaults 50 and 20)
 *
 * A pass is REQUESTS requests (100,000 allocations at 50). Prints the
 * anonymous RSS (/proc/self/statm resident - shared) it grew by over the
 * peak live bytes (the largest request's requested bytes): at its peak
 * (read at each request's end in the first pass, before the release) and
 * after the last pass; arena_reach is how far the bump pointer got (0 for
 * glibc); the first pass's ms and the median ms per pass of the rest. The
 * harness's overhead_ratio is the end figure. */
#define _GNU_SOURCE
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define LIVE   2000
#define REGION (64u << 20)

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static double unit(void) /* xorshift64*: [0, 1) */
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (double)((rng * 2685821657736338717ull) >> 11) * 0x1.0p-53;
}
static double normal(void)
{
	double u1 = unit(), u2 = unit();
	if (u1 < 1e-300)
		u1 = 1e-300;
	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}
static uint32_t lognormal_size(void)
{
	for (;;) {
		double x = exp(log(64.0) + normal());
		if (x >= 16 && x <= 4096)
			return (uint32_t)x;
	}
}

/* anonymous resident KiB: statm's resident less its shared (file-backed)
 * pages, read with read(2) into a static buffer (no stdio, no malloc) */
static long rss_kib(void)
{
	static char buf[256];
	long size = 0, res = 0, shared = 0;
	int fd = open("/proc/self/statm", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0 || (buf[n] = 0, sscanf(buf, "%ld %ld %ld", &size, &res, &shared) != 3))
		return -1;
	return (res - shared) * (sysconf(_SC_PAGESIZE) / 1024);
}
static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static char *a_base, *a_ptr;
static inline void *arena_alloc(size_t n)
{
	char *p = a_ptr;
	a_ptr += (n + 15) & ~(size_t)15;
	return p;
}

int main(int argc, char **argv)
{
	int use_arena = argc > 1 && !strcmp(argv[1], "arena");
	int nreq = argc > 2 ? atoi(argv[2]) : 50;
	int passes = argc > 3 ? atoi(argv[3]) : 20;
	if (argc < 2 || (!use_arena && strcmp(argv[1], "glibc")) || nreq < 1 || passes < 2) {
		fprintf(stderr, "usage: phase arena|glibc [REQUESTS [PASSES>=2]]\n");
		return 2;
	}
	/* the sizes and the pointer slots are built before anything is measured */
	size_t nops = (size_t)nreq * LIVE;
	uint32_t *sizes = malloc(nops * sizeof *sizes);
	void *volatile *ptr = malloc(LIVE * sizeof *ptr);
	uint64_t *pass_ns = malloc((size_t)passes * sizeof *pass_ns);
	uint64_t live_peak = 0;
	if (!sizes || !ptr || !pass_ns)
		return 1;
	for (int r = 0; r < nreq; r++) {
		uint64_t live = 0;
		for (int i = 0; i < LIVE; i++)
			live += sizes[(size_t)r * LIVE + i] = lognormal_size();
		if (live > live_peak)
			live_peak = live;
	}
	for (int i = 0; i < LIVE; i++)
		ptr[i] = NULL;
	if (use_arena) { /* reserved, not touched: only what the bump pointer reaches gets pages */
		a_base = mmap(NULL, REGION, PROT_READ | PROT_WRITE,
		              MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (a_base == MAP_FAILED)
			return 1;
		a_ptr = a_base;
	}
	long rss0 = rss_kib(), rss_peak = rss0, rss1 = 0;
	size_t a_reach = 0;
	/* the first pass also reads the RSS at each request's end, before its
	 * release (the peak); it is reported apart and left out of the median */
	for (int pass = 0; pass < passes; pass++) {
		uint64_t t0 = now_ns();
		for (int r = 0; r < nreq; r++) {
			const uint32_t *sz = sizes + (size_t)r * LIVE;
			if (use_arena) {
				for (int i = 0; i < LIVE; i++) {
					char *p = arena_alloc(sz[i]);
					*(volatile char *)p = 1;
					ptr[i] = p;
				}
			} else {
				for (int i = 0; i < LIVE; i++) {
					char *p = malloc(sz[i]);
					*(volatile char *)p = 1;
					ptr[i] = p;
				}
			}
			if (pass == 0) {
				long k = rss_kib();
				if (k > rss_peak)
					rss_peak = k;
			}
			if (use_arena) {
				if ((size_t)(a_ptr - a_base) > a_reach)
					a_reach = (size_t)(a_ptr - a_base);
				a_ptr = a_base; /* the reset */
			} else {
				for (int i = 0; i < LIVE; i++)
					free(ptr[i]);
			}
		}
		pass_ns[pass] = now_ns() - t0;
	}
	rss1 = rss_kib();
	uint64_t first = pass_ns[0];
	qsort(pass_ns + 1, (size_t)passes - 1, sizeof *pass_ns, cmp_u64);
	printf("%s requests=%d live_peak_kib=%.1f rss_peak_growth_kib=%ld rss_end_growth_kib=%ld "
	       "peak_over_live=%.3f end_over_live=%.3f arena_reach_kib=%.1f first_pass_ms=%.3f "
	       "median_pass_ms=%.3f\n",
	       use_arena ? "arena" : "glibc", nreq, live_peak / 1024.0, rss_peak - rss0,
	       rss1 - rss0, (double)(rss_peak - rss0) * 1024 / (double)live_peak,
	       (double)(rss1 - rss0) * 1024 / (double)live_peak, a_reach / 1024.0, first / 1e6,
	       pass_ns[1 + (passes - 1) / 2] / 1e6);
	return 0;
}
