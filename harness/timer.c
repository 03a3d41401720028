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

int as_timer_calibrate(as_timer_info_t *out)
{
	enum { N = 10001 };
	static uint64_t d[N];
	uint64_t mindiff = UINT64_MAX;

	memset(out, 0, sizeof(*out));
	as_timer_use(0);
	snprintf(out->source, sizeof(out->source), "clock_gettime");
	out->ns_per_tick = 1.0;
#if AS_HAVE_TSC
	if (cpu_flag("constant_tsc") && cpu_flag("nonstop_tsc")) {
		uint64_t n0 = as_now_ns(), c0 = __rdtsc(), n1, c1;
		do
			n1 = as_now_ns();
		while (n1 - n0 < 20000000ULL);
		c1 = __rdtsc();
		if (c1 > c0) {
			out->ns_per_tick = (double)(n1 - n0) / (double)(c1 - c0);
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
	/* floor: back-to-back reads; cost: median of 1000-read batches */
	for (int i = 0; i < N; i++) {
		uint64_t a = as_ticks(), b = as_ticks();
		d[i] = b - a;
		if (d[i] && d[i] < mindiff)
			mindiff = d[i];
	}
	out->floor_ns = mindiff == UINT64_MAX ? 0 : (double)mindiff * out->ns_per_tick;
	for (int i = 0; i < 101; i++) {
		uint64_t a = as_ticks();
		for (int k = 0; k < 1000; k++)
			(void)as_ticks();
		d[i] = as_ticks() - a;
	}
	qsort(d, 101, sizeof(d[0]), cmp_u64);
	out->read_cost_ns = (double)d[50] * out->ns_per_tick / 1001.0;
	return 0;
}

void as_timer_use(double ns_per_tick)
{
	as_timer_tsc = AS_HAVE_TSC && ns_per_tick > 0;
}
