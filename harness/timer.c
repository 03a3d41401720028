/* timer.c - see timer.h. rdtsc is trusted only with the "constant_tsc" and
 * "nonstop_tsc" CPU flags (the counter ticks at a fixed rate in every
 * P-state and C-state); otherwise the fallback is clock_gettime. */
#define _GNU_SOURCE
#include "timer.h"

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
	done = *out;
	return 0;
}

void as_timer_use(double ns_per_tick)
{
	as_timer_tsc = AS_HAVE_TSC && ns_per_tick > 0;
}
