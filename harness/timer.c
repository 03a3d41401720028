/* timer.c - see timer.h. rdtsc is trusted only with the "constant_tsc" and
 * "nonstop_tsc" CPU flags (the counter ticks at a fixed rate in every
 * P-state and C-state); otherwise the fallback is clock_gettime. */
#define _GNU_SOURCE
#include "timer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int as_timer_tsc;

static int cpu_flag(const char *flag)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];
	int found = 0;
	size_t n = strlen(flag);
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		for (char *p = strstr(line, flag); p; p = strstr(p + 1, flag))
			if ((p[-1] == ' ' || p[-1] == '\t') && (p[n] == ' ' || p[n] == '\n'))
				found = 1;
		break;
	}
	fclose(f);
	return found;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

#if AS_HAVE_TSC
/* The calibration's span: 20 ms keeps the endpoints' read error (a pair
 * brackets CLOCK_MONOTONIC between two rdtsc within ~100 ns) at ~5e-6 of
 * the ratio. */
#define CAL_SPAN_NS 20000000ULL

typedef struct {
	uint64_t ns, tsc;
} cal_pair_t;

/* A (CLOCK_MONOTONIC, TSC) pair: the clock read between two rdtsc, the
 * tightest of 5 tries (a preemption between the reads would skew the ratio;
 * the old loop read them one after the other, unguarded). */
static cal_pair_t cal_pair(void)
{
	cal_pair_t best = {0, 0};
	uint64_t best_gap = UINT64_MAX;
	for (int i = 0; i < 5; i++) {
		uint64_t a = __rdtsc(), n = as_now_ns(), b = __rdtsc();
		if (b >= a && b - a < best_gap) {
			best_gap = b - a;
			best = (cal_pair_t){n, a + (b - a) / 2};
		}
	}
	return best;
}

static cal_pair_t cal_first;
#endif

void as_timer_start(void)
{
#if AS_HAVE_TSC
	if (!cal_first.ns)
		cal_first = cal_pair();
#endif
}

/* Wait until the instructions before it are done (x86: lfence). */
static inline void fence(void)
{
#if AS_HAVE_TSC
	_mm_lfence();
#else
	__asm__ volatile("" ::: "memory");
#endif
}

/* 90 % of the sorted gaps g[n] lie within max(1, j/8) of a multiple of j,
 * and 2 multiples or more (0 included) hold 1 % of them each. Then *fit
 * is the jump that fits those gaps best (least squares: g = k * fit):
 * j comes from the smallest gaps alone, which a jump of 25.6 ticks
 * rounds to 26. */
static int at_multiples(const uint64_t *g, size_t n, double j, double *fit)
{
	size_t near = 0, multiples = 0, run = 0, one_pct = (n + 99) / 100;
	double tol = j / 8 < 1 ? 1 : j / 8, gk = 0, kk = 0;
	long long k_run = -1;
	for (size_t i = 0; i < n; i++) { /* sorted: k never goes down */
		long long k = llround((double)g[i] / j);
		if (fabs((double)g[i] - (double)k * j) > tol)
			continue;
		near++;
		run = k == k_run ? run + 1 : 1;
		k_run = k;
		multiples += run == one_pct;
		gk += (double)g[i] * (double)k;
		kk += (double)k * (double)k;
	}
	*fit = kk > 0 ? gk / kk : j;
	return near * 10 >= n * 9 && multiples >= 2;
}

double as_timer_jump_ns(uint64_t *gaps, size_t n, double ns_per_tick)
{
	size_t z = 0;
	double c = 0;
	qsort(gaps, n, sizeof(gaps[0]), cmp_u64);
	while (z < n && gaps[z] == 0)
		z++;
	if (n - z < 8)
		return 0;
	/* c: the first value whose window [v, v + v/8] holds 5 % of the
	 * nonzero gaps (a stray tick, or 25 among 26s, holds less), their
	 * mean */
	for (size_t i = z, e = z; i < n && c == 0;) {
		double w = gaps[i] / 8.0 < 1 ? 1 : gaps[i] / 8.0, sum = 0;
		size_t next = i;
		while (e < n && (double)gaps[e] <= (double)gaps[i] + w)
			e++;
		if ((e - i) * 20 >= n - z) {
			for (size_t q = i; q < e; q++)
				sum += (double)gaps[q];
			c = sum / (double)(e - i);
		}
		while (next < n && gaps[next] == gaps[i])
			next++;
		i = next;
	}
	/* c itself where a read costs less than a jump; a whole fraction of
	 * it where the first gap is two or three jumps (clock_gettime here:
	 * 20, 30, 40 ns, the counter's jumps of 10 in nanoseconds) */
	for (int m = 1; m <= 8; m++) {
		double j = c / m, fit;
		if (j < 4 || j * ns_per_tick < 2)
			break;
		if (at_multiples(gaps, n, j, &fit))
			return fit * ns_per_tick;
	}
	return 0;
}

/* Pairs of reads with 0 to 127 turns of a one-cycle loop between them (in
 * a scrambled order), so that a fine counter's gaps spread over ~128
 * cycles of values; fenced, or the CPU runs the second read before the
 * loop is done (unfenced, with 0 to 63 turns, this VM's gaps hardly moved
 * with the delay, and 35 of 500 measurements at load 12 found no jump). */
double as_timer_jump_measure(uint64_t *buf, size_t n, double ns_per_tick)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t a, x = (uint32_t)i * 2654435761u >> 25; /* Knuth's hash: 0..127 */
		a = as_ticks();
		fence();
		for (uint64_t k = x; k; k--)
			__asm__ volatile("" : "+r"(x));
		fence();
		buf[i] = as_ticks() - a;
	}
	return as_timer_jump_ns(buf, n, ns_per_tick);
}

int as_timer_calibrate(as_timer_info_t *out)
{
	enum { N = 10001 };
	static uint64_t d[N];
	static as_timer_info_t done;
	size_t nz = 0;

	if (done.source[0]) { /* once per process: every run of a suite alike */
		*out = done;
		out->wait_ms = 0;
		as_timer_use(strcmp(out->source, "rdtsc") ? 0 : out->ns_per_tick);
		return 0;
	}
	memset(out, 0, sizeof(*out));
	as_timer_use(0);
	snprintf(out->source, sizeof(out->source), "clock_gettime");
	out->ns_per_tick = 1.0;
#if AS_HAVE_TSC
	if (cpu_flag("constant_tsc") && cpu_flag("nonstop_tsc")) {
		/* from the first pair (as_timer_start, at the process's start)
		 * to now: the span has mostly passed doing the run's start-up;
		 * only what is left of CAL_SPAN_NS is waited for here */
		uint64_t w0 = as_now_ns();
		cal_pair_t p1;
		as_timer_start();
		while (as_now_ns() - cal_first.ns < CAL_SPAN_NS)
			;
		p1 = cal_pair();
		out->wait_ms = (double)(as_now_ns() - w0) / 1e6;
		out->span_ms = (double)(p1.ns - cal_first.ns) / 1e6;
		if (p1.tsc > cal_first.tsc) {
			out->ns_per_tick =
			    (double)(p1.ns - cal_first.ns) / (double)(p1.tsc - cal_first.tsc);
			snprintf(out->source, sizeof(out->source), "rdtsc");
			as_timer_use(out->ns_per_tick);
		}
	} else {
		snprintf(out->why, sizeof(out->why),
		         "CPU lacks constant_tsc/nonstop_tsc: rdtsc not trusted");
	}
#else
	snprintf(out->why, sizeof(out->why), "no time-stamp counter on this architecture");
#endif
	/* floor: back-to-back reads, the median of the non-zero gaps, not the
	 * least. A VM's counter here moves in jumps of 26 ticks (0.39 ns
	 * each), so two reads are mostly 26 ticks apart, and now and then 1,
	 * 25 or 51 (0.2 % of the pairs in one process, enough of them in
	 * another that its 1st percentile was one tick): the least of 10001
	 * was one tick, 0.39 ns, in nearly every run. cost: median of
	 * 1000-read batches */
	for (int i = 0; i < N; i++) {
		uint64_t a = as_ticks(), b = as_ticks();
		d[nz] = b - a;
		nz += d[nz] != 0;
	}
	qsort(d, nz, sizeof(d[0]), cmp_u64);
	out->floor_ns = nz ? (double)d[nz / 2] * out->ns_per_tick : 0;
	for (int i = 0; i < 101; i++) {
		uint64_t a = as_ticks();
		for (int k = 0; k < 1000; k++)
			(void)as_ticks();
		d[i] = as_ticks() - a;
	}
	qsort(d, 101, sizeof(d[0]), cmp_u64);
	out->read_cost_ns = (double)d[50] * out->ns_per_tick / 1001.0;
	out->jump_ns = as_timer_jump_measure(d, 2048, out->ns_per_tick);
	done = *out;
	return 0;
}

void as_timer_use(double ns_per_tick)
{
	as_timer_tsc = AS_HAVE_TSC && ns_per_tick > 0;
}
