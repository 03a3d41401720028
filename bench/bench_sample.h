/* bench_sample.h - what the worker's series sample point does
 * (as_point_take), minus the row, as an as_sample_fn for the bench programs
 * that put the engine's measuring cost next to a hand-written loop. Call
 * bench_sample_reset() before each engine run; bench_splits counts the
 * points that re-read the heap/mmap split. Bench code only. */
#ifndef AS_BENCH_SAMPLE_H
#define AS_BENCH_SAMPLE_H

#include <stdint.h>

#include "sampler.h"

static as_point_t bench_last;
static int bench_have_last;
static uint64_t bench_splits;

static inline void bench_sample_reset(void)
{
	bench_have_last = 0;
}

static inline void bench_on_sample(void *ctx, uint64_t ops, int64_t live, uint64_t ns)
{
	as_point_t pt;
	(void)ctx;
	(void)ops;
	(void)live;
	(void)ns;
	as_point_take(&pt, bench_have_last ? &bench_last : NULL);
	bench_splits += (uint64_t)pt.split_read;
	bench_last = pt;
	bench_have_last = 1;
}

#endif /* AS_BENCH_SAMPLE_H */
