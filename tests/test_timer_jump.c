/* test_timer_jump.c - the rule that tells a clock moving in jumps from a
 * fine one (as_timer_jump_ns, timer.h), fed made-up gap sets shaped like
 * the ones measured: this VM's rdtsc (jumps of 21 ticks), another VM's
 * (26 ticks, now and then 25, 27 or a stray 1), a jump that is no whole
 * number of ticks, clock_gettime on this VM (the same jumps in ns, its
 * first gaps three of them), a coarse clock (most pairs read 0); and fine
 * counters, whose gaps fall anywhere the delays put them, or all alike. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "timer.h"

#define N 2048

static uint64_t g[N];
static uint64_t rng = 0x9e3779b97f4a7c15ull;

/* xorshift64: the same sets every run */
static double uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

/* g from a table of (gap, count) pairs, in a scrambled order */
static size_t from_table(const unsigned (*t)[2], size_t nt)
{
	size_t n = 0;
	for (size_t i = 0; i < nt; i++)
		for (unsigned k = 0; k < t[i][1] && n < N; k++)
			g[n++] = t[i][0];
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(uniform() * (double)i);
		uint64_t x = g[i - 1];
		g[i - 1] = g[j];
		g[j] = x;
	}
	return n;
}

/* gaps of a counter that moves in jumps of J ticks (not a whole number,
 * perhaps), read at a random phase R ticks + a random delay of up to
 * SPREAD ticks apart */
static void jumpy(double j, double r, double spread)
{
	for (size_t i = 0; i < N; i++) {
		double t0 = uniform() * j * 1000, t1 = t0 + r + uniform() * spread;
		g[i] = (uint64_t)(floor(t1 / j) * j + 0.5) - (uint64_t)(floor(t0 / j) * j + 0.5);
	}
}

/* gaps of a fine counter: R ticks, and 0 to 127 turns of a loop of C
 * ticks each, and up to a tick of noise */
static void fine(double r, double c)
{
	for (size_t i = 0; i < N; i++)
		g[i] = (uint64_t)(r + floor(uniform() * 128) * c + uniform());
}

int main(void)
{
	/* this VM (AMD EPYC, 0.47709 ns a tick): one calibration's gaps */
	static const unsigned epyc[][2] = {{42, 179},  {63, 414}, {84, 522}, {105, 581},
	                                   {126, 311}, {147, 25}, {168, 9},  {189, 3},
	                                   {210, 1},   {231, 1},  {9708, 1}, {1, 1}};
	/* clock_gettime on it, in ns: its jumps of 10.02 ns rounded to ns */
	static const unsigned cg[][2] = {{29, 69},  {30, 144}, {31, 79},  {40, 840},
	                                 {41, 146}, {49, 160}, {50, 283}, {51, 92},
	                                 {60, 197}, {61, 18},  {70, 2},   {9708, 1}};
	double j;
	size_t n;

	n = from_table(epyc, sizeof(epyc) / sizeof(epyc[0]));
	j = as_timer_jump_ns(g, n, 0.47709);
	CHECKF(fabs(j - 21 * 0.47709) < 0.05, "this VM's rdtsc gaps: %g ns, want 10.02", j);
	n = from_table(cg, sizeof(cg) / sizeof(cg[0]));
	j = as_timer_jump_ns(g, n, 1.0);
	CHECKF(fabs(j - 10.02) < 0.3, "clock_gettime's gaps (first one 3 jumps): %g ns, want 10",
	       j);

	/* 26 ticks of 0.385 ns, now and then a gap of 25, 27 or 1 */
	jumpy(26, 40, 60);
	for (size_t i = 0; i < N; i += 97)
		g[i] += uniform() < 0.5 ? 1 : (uint64_t)-1;
	g[5] = 1;
	j = as_timer_jump_ns(g, N, 0.385);
	CHECKF(fabs(j - 26 * 0.385) < 0.1, "26-tick jumps with strays: %g ns, want 10.01", j);
	/* jumps of 25.6 ticks: gaps of 25 and 26, 51, 77 */
	jumpy(25.6, 30, 80);
	j = as_timer_jump_ns(g, N, 0.385);
	CHECKF(fabs(j - 25.6 * 0.385) < 0.15, "25.6-tick jumps: %g ns, want 9.86", j);
	/* a coarse clock: 1 us jumps, pairs ~60 ns apart, most read 0 */
	jumpy(1000, 20, 80);
	j = as_timer_jump_ns(g, N, 1.0);
	CHECKF(fabs(j - 1000) < 10, "1 us jumps, most gaps 0: %g ns, want 1000", j);

	/* fine: a loop turn of 1.3 ticks, of exactly 1, of 2.7 (a core
	 * slower than the counter); of 4 ticks, 1.2 ns: under 2 ns is no
	 * jump to speak of */
	{
		static const double fines[][3] = {/* read, turn (ticks), ns a tick */
		                                  {40, 1.3, 0.3},
		                                  {40, 1.0, 0.3},
		                                  {25, 2.7, 0.4},
		                                  {40, 4.0, 0.3}};
		for (size_t f = 0; f < sizeof(fines) / sizeof(fines[0]); f++) {
			fine(fines[f][0], fines[f][1]);
			j = as_timer_jump_ns(g, N, fines[f][2]);
			CHECKF(j == 0, "fine, %g ticks a turn: %g ns, want 0", fines[f][1], j);
		}
	}
	/* every gap alike: a read's cost, not a jump */
	for (size_t i = 0; i < N; i++)
		g[i] = 30 + (i % 50 == 0);
	j = as_timer_jump_ns(g, N, 0.3);
	CHECKF(j == 0, "gaps all alike: %g ns, want 0", j);
	/* too few nonzero gaps to tell */
	for (size_t i = 0; i < N; i++)
		g[i] = i < 5 ? 21 : 0;
	j = as_timer_jump_ns(g, N, 0.47709);
	CHECKF(j == 0, "5 nonzero gaps: %g ns, want 0", j);
	j = as_timer_jump_ns(g, 0, 0.47709);
	CHECKF(j == 0, "no gap: %g ns, want 0", j);
	return as_check_done();
}
