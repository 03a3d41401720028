/* timer_jump.c - what finding the clock's jump (timer.h
 * as_timer_jump_measure) costs against the rest of the timer's
 * calibration, and whether it finds the same jump every time: the
 * calibration once (its time past the busy wait for its span), then
 * REPS measurements of the jump alone, their least and median time and
 * the jumps they found.
 * usage: timer_jump [REPS]   (default 200) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../harness/timer.h"

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static uint64_t buf[2048];
	int reps = argc > 1 ? atoi(argv[1]) : 200, fine = 0;
	double *ms, t0, cal_ms, lo = 1e300, hi = 0;
	as_timer_info_t ti;
	if (reps < 1 || !(ms = calloc((size_t)reps, sizeof(*ms)))) {
		fprintf(stderr, "usage: timer_jump [REPS]\n");
		return 2;
	}
	as_timer_start();
	t0 = now_ms();
	as_timer_calibrate(&ti);
	cal_ms = now_ms() - t0 - ti.wait_ms;
	for (int i = 0; i < reps; i++) {
		double j;
		t0 = now_ms();
		j = as_timer_jump_measure(buf, 2048, ti.ns_per_tick);
		ms[i] = now_ms() - t0;
		if (j == 0)
			fine++;
		else if (j < lo)
			lo = j;
		if (j > hi)
			hi = j;
	}
	qsort(ms, (size_t)reps, sizeof(*ms), cmp_d);
	printf("source %s, %.5g ns a tick: floor %.3g ns, read %.3g ns, jump %.3g ns\n", ti.source,
	       ti.ns_per_tick, ti.floor_ns, ti.read_cost_ns, ti.jump_ns);
	printf("calibration past its wait: %.3f ms (the jump's measurement included)\n", cal_ms);
	printf("the jump's measurement alone, %d times: least %.3f ms, median %.3f ms\n", reps,
	       ms[0], ms[reps / 2]);
	if (fine < reps)
		printf("jumps found: %d of %d, %.3f to %.3f ns; none (fine) in %d\n", reps - fine,
		       reps, lo, hi, fine);
	else
		printf("jumps found: none in %d (fine-grained)\n", reps);
	free(ms);
	return 0;
}
