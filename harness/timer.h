/* timer.h - the per-op clock: the CPU's time-stamp counter where it is
 * invariant (calibrated against CLOCK_MONOTONIC once, in the parent), else
 * clock_gettime in nanoseconds. Also measures the clock's own floor. Not for
 * the whole timed region: that uses as_now_ns(). */
#ifndef AS_TIMER_H
#define AS_TIMER_H

#include <stddef.h>
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
	double jump_ns;      /* the step the counter moves in (as_timer_jump_ns); 0: fine */
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

/* The jump a counter moves in, from GAPS: n differences of two reads of
 * it with delays of 0 to ~128 cycles between them, sorted in place.
 * A counter that moves in jumps of J ticks gives gaps at multiples of J
 * whatever the delay (0, J, 2J: this VM's EPYC 21 ticks, 10.0 ns; another
 * one's 24 to 26); a fine one gives gaps anywhere, as the delays do. The
 * rule: C is the first cluster of the nonzero gaps (within C/8) holding
 * 5 % of them, and J the largest of C, C/2, ... C/8 that is 4 ticks and
 * 2 ns or more and that 90 % of the gaps lie within max(1, J/8) ticks of
 * a multiple of, landing on 2 multiples or more (0 included), each with
 * 1 % of them (gaps all alike are a read's cost, not a jump); J is then
 * fitted to all the gaps at its multiples. Returns J in ns (NS_PER_TICK a
 * tick), or 0: fine-grained, or too few nonzero gaps (8) to tell. */
double as_timer_jump_ns(uint64_t *gaps, size_t n, double ns_per_tick);

/* as_timer_jump_ns of n pairs of reads of the selected source (BUF: room
 * for n gaps, left sorted), as as_timer_calibrate measures it with 2048
 * (bench/timer_jump.c times it). */
double as_timer_jump_measure(uint64_t *buf, size_t n, double ns_per_tick);

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
