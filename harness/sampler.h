/* sampler.h - one sample point of the worker's memory state: RSS, the brk
 * heap / anonymous mmap split, page faults and syscall counters, reading
 * again only what may have changed since the previous point. Used by the
 * worker at every series point and by bench/ to measure what that costs.
 * Not thread-safe (thread 0 samples). */
#ifndef AS_SAMPLER_H
#define AS_SAMPLER_H

#include <stdint.h>

#include "memmap.h"
#include "tables.h"

typedef struct as_point {
	int64_t rss_kib;
	as_memmap_t mm;
	uint64_t minflt, majflt;
	uint64_t sys[AS_SYS_NCOLS]; /* cumulative since the counters opened */
	int have_sys;               /* sys[] valid */
	int split_read;             /* 1: mm was read now; 0: reused from prev */
} as_point_t;

/* Take a point. prev is the previous point of the same timed region, or
 * NULL. With syscall counts available, /proc/self/maps is re-read only after
 * a brk/mmap/munmap/mremap/mprotect, and the residency (mincore) is reused
 * as well when, in addition, no madvise, no page fault and no RSS change
 * happened: resident anonymous memory cannot grow without a fault nor shrink
 * without one of those calls (or the kernel reclaiming, which changes RSS). */
void as_point_take(as_point_t *out, const as_point_t *prev);

#endif /* AS_SAMPLER_H */
