/* procstat.h - cheap reads of the worker's own memory counters from /proc
 * and getrusage. Each read is one pread of an already-open file, so it can be
 * used at sample points inside the timed region. */
#ifndef AS_PROCSTAT_H
#define AS_PROCSTAT_H

#include <stdint.h>

/* Open the files once (call before timing). Returns 0 or -1. */
int as_procstat_open(void);
/* Resident set in KiB from /proc/self/statm; -1 on error. */
int64_t as_rss_kib(void);
/* The same, opening statm for this one read and closing it: for before
 * as_procstat_open, where a descriptor kept would take a number the worker
 * is still to be given (its op stream's: the worker took statm for it,
 * then closed it). Returns KiB, or -1. */
int64_t as_rss_kib_unheld(void);
/* Peak resident set (VmHWM) in KiB; -1 on error. */
int64_t as_rss_peak_kib(void);
/* Reset VmHWM to the current RSS (writes 5 to /proc/self/clear_refs). */
int as_rss_peak_reset(void);
/* Fold every CPU's pending part of the kernel's per-CPU RSS counters into
 * their global counts, from which VmHWM is raised (see the definition),
 * again while VmHWM's reset starts above the RSS (at most 4 times). Moves
 * the calling thread from CPU to CPU; it ends on the CPU it started on,
 * with the affinity it had. Untimed: call before a baseline, then reset
 * VmHWM. Returns the passes made, 0 when none could be. */
int as_rss_fold(void);
/* Minor and major page faults of the process so far. */
void as_faults(uint64_t *minflt, uint64_t *majflt);

#endif /* AS_PROCSTAT_H */
