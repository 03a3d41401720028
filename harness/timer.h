/* timer.h - the per-op clock: the CPU's time-stamp counter where it is
 * invariant (calibrated against CLOCK_MONOTONIC once, in the parent), else
 * clock_gettime in nanoseconds. Also measures the clock's own floor. Not for
 * the whole timed region: that uses as_now_ns(). */
#ifndef AS_TIMER_H
#define AS_TIMER_H

#include <stdint.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define AS_HAVE_TSC 1
#else
#define AS_HAVE_TSC 0
#endif

typedef struct as_timer_info {
	char source[32];     /* "rdtsc" or "clock_gettime" */
	double ns_per_tick;  /* 1.0 for clock_gettime */
	double floor_ns;     /* back-to-back reads: median non-zero gap */
	double read_cost_ns; /* median cost of one read */
	char why[128];       /* why rdtsc is not used, or "" */
	double span_ms;      /* rdtsc: time between the calibration's two pairs */
	double wait_ms;      /* of which spent waiting in as_timer_calibrate */
} as_timer_info_t;

/* 1 while ticks come from rdtsc; set by as_timer_use(). */
extern int as_timer_tsc;

/* Take the calibration's first (CLOCK_MONOTONIC, rdtsc) pair; main calls
 * it at the process's start so that the start-up work overlaps the
 * calibration. Later calls do nothing. */
void as_timer_start(void);

/* Calibrate and fill *out: rdtsc against CLOCK_MONOTONIC over at least
 * 20 ms since as_timer_start (busy-waiting what is left of them, all 20
 * when it was not called), then the floor and read cost. Once per process:
 * later calls return the same figures with wait_ms 0. Returns 0. */
int as_timer_calibrate(as_timer_info_t *out);

/* Select the source in this process: ns_per_tick > 0 selects rdtsc with that
 * scale, 0 selects clock_gettime. */
void as_timer_use(double ns_per_tick);

/* Current time in ticks of the selected source. */
static inline uint64_t as_ticks(void)
{
#if AS_HAVE_TSC
	if (as_timer_tsc)
		return __rdtsc();
#endif
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

#endif /* AS_TIMER_H */
