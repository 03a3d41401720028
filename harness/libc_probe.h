/* libc_probe.h - calls into glibc's malloc family that bypass the
 * executable's counting wrappers (libc_count.h): dlsym(RTLD_NEXT,
 * "malloc"), dlvsym, a library opened with RTLD_DEEPBIND, libc.so.6
 * opened by hand. Each entry of libc.so.6's malloc family (malloc, free,
 * calloc, realloc, memalign, aligned_alloc, posix_memalign, valloc,
 * pvalloc, reallocarray; names that share an address are one) gets a
 * uprobe, counted through perf_event_open with inherit=1 as syscount.h
 * counts syscall tracepoints. A call counts when its return address lies
 * neither in the wrappers (they forward every call they count) nor in
 * glibc's own code (realloc(NULL) enters malloc, a thread's exit frees its
 * cache): a perf filter on the return address the probe reads off the
 * stack. A probe that is not hit costs nothing.
 *
 * Why tracefs uprobe events (uprobe_events), not perf's uprobe PMU: a PMU
 * uprobe registers a probe of its own for every event and for every
 * thread's inherited copy, and each release waits for RCU grace periods:
 * 8 events took 1.1-3.5 s to close, a thread started and joined under
 * them up to 1.4 s (bench/uprobe_pmu_cost, docs/measure.md). A tracefs
 * event is registered once; a worker's counters and their threads' copies
 * only add and remove a filter on it. The events are shared by every run
 * on the same libc.so.6 (group allocscope_libc_<hash of its path and the
 * offsets>, or ALLOCSCOPE_LIBC_PROBE_GROUP): each run's detached holder
 * defines them when they are not (EEXIST: defined), opens a counter on
 * each on itself (and on the syscall tracepoints the workers count, whose
 * last release waits the same way), and listens at the abstract socket
 * @allocscope/held/<run's pid> for its workers' "does my run hold?". Its
 * run gone, it lingers ALLOCSCOPE_LIBC_PROBE_LINGER seconds (default 2)
 * at @allocscope/<group>/linger still holding them, unless the next run's
 * holder, its own counters open, dismisses it first: the events' last
 * release (RCU grace periods, ~0.1 s a counter under the kernel's
 * event_mutex, which every perf_event_open of a tracepoint waits for)
 * comes after the last run of a series, not between two. The holders keep
 * a shared flock on /run/allocscope/<group>.lock; the one that gets it
 * exclusive after its release is the last and removes the events (events
 * of per-run groups allocscope_<pid>, before session 30, are removed by
 * the next run once that pid is gone). Not thread-safe: the run holds
 * once, a worker starts once, then reads from one thread. */
#ifndef AS_LIBC_PROBE_H
#define AS_LIBC_PROBE_H

#include <stddef.h>
#include <stdint.h>

#define AS_LIBC_PROBE_OFF UINT64_MAX

/* The run (the process that starts workers): define the uprobe events and
 * keep them held. Returns 0 (also when held before), or -1 with the
 * reason (not root, no tracefs uprobe_events, no uprobes in the kernel,
 * perf_event_paranoid, another architecture). */
int as_libc_probe_hold(char *why, size_t len);

/* A worker: open the counters of the events its run (getppid(), or its
 * parent: a fork server's or job process's worker) holds, on
 * this process and every thread it creates later; the calls of the range
 * [wrap_lo, wrap_hi) (the counting wrappers) and of glibc's own code are
 * left out. Returns 0; 1 when the run holds no events (its context.csv
 * says why); -1 with the reason. Counting stays off unless 0. */
int as_libc_probe_start(uintptr_t wrap_lo, uintptr_t wrap_hi, char *why, size_t len);

/* Close the counters: off from here on (as_libc_probe_hits says so). */
void as_libc_probe_stop(void);

/* Calls counted so far, all threads, or AS_LIBC_PROBE_OFF when not
 * started. One read() of the counters' group (a few us). */
uint64_t as_libc_probe_hits(void);

/* The executable segments of libc.so.6 and ld.so in this process: up to
 * max ranges into lo/hi. Returns how many. */
int as_glibc_text(uintptr_t *lo, uintptr_t *hi, int max);

#endif /* AS_LIBC_PROBE_H */
