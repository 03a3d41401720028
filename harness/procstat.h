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
/* Peak resident set (VmHWM) in KiB; -1 on error. */
int64_t as_rss_peak_kib(void);
/* Reset VmHWM to the current RSS (writes 5 to /proc/self/clear_refs). */
int as_rss_peak_reset(void);
/* Minor and major page faults of the process so far. */
void as_faults(uint64_t *minflt, uint64_t *majflt);

#endif /* AS_PROCSTAT_H */
