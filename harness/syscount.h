/* syscount.h - exact counts of the memory system calls (brk, mmap, munmap,
 * mremap, madvise, mprotect) made by the worker and every thread it creates.
 * Method "perf": syscall tracepoints through perf_event_open with inherit=1,
 * opened before any engine thread exists. Method "seccomp": a seccomp filter
 * traps only those calls and the parent (a ptrace tracer) counts them into
 * memory shared with the worker. Never an LD_PRELOAD wrapper: glibc's
 * malloc enters the kernel directly. Not thread-safe: start once, then read
 * from one thread. */
#ifndef AS_SYSCOUNT_H
#define AS_SYSCOUNT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tables.h"

typedef enum as_syscount_method {
	AS_SYSCOUNT_OFF = 0,
	AS_SYSCOUNT_PERF,
	AS_SYSCOUNT_SECCOMP,
} as_syscount_method_t;

/* "off", "perf", "seccomp" <-> method. parse returns 0 or -1. */
int as_syscount_parse(const char *s, as_syscount_method_t *out);
const char *as_syscount_name(as_syscount_method_t m);

/* Parent: can `m` work here? Returns 0, or -1 with the reason in why (perf:
 * opens the tracepoints on itself, mounting tracefs if needed, and keeps
 * them open, not inherited, for the rest of the process: holding the
 * tracepoints registered makes every worker's counters cheap to tear down). */
int as_syscount_probe(as_syscount_method_t m, char *why, size_t len);

/* Take the remedy "; try --syscalls seccomp" out of a reason, in place,
 * for a command that has no --syscalls (exec, tune): it named an option
 * the user could not give. */
void as_syscount_drop_remedy(char *why);

/* Worker, perf: open the counters on this process (inherited by threads
 * created later). Returns 0, or -1 with the reason. */
int as_syscount_start_perf(char *why, size_t len);

/* The same for another process (allocscope exec counts the program it
 * started: the counters follow it across exec and into its children, whose
 * counts are added when they exit). Call before the process runs. */
int as_syscount_start_perf_pid(pid_t pid, char *why, size_t len);

/* Method "seccomp"'s memory shared by the tracing parent and the worker:
 * the counters at its start, the filter's program after them. */
#define AS_SYSCOUNT_SHARED_BYTES 4096

/* Parent, seccomp: write the filter into the shared memory's file fd
 * (AS_SYSCOUNT_SHARED_BYTES long) before the worker starts. Returns 0, or
 * -1 with the reason (also left there for the worker to report). */
int as_syscount_prepare_seccomp(int fd, char *why, size_t len);

/* Worker, seccomp: counters live in the shared memory at `shared` (written
 * by the tracing parent); install the parent's filter on every thread.
 * Returns 0 or -1 with the reason. */
int as_syscount_start_seccomp(volatile uint64_t *shared, char *why, size_t len);

/* Counters on the syscall tracepoints for this process alone (not
 * inherited, not counted): references that keep them registered, so that
 * another process's last close does not unregister them (libc_probe.c's
 * lingering holder; the release waits for RCU grace periods under the
 * kernel's event_mutex). Returns 0, or -1 with the reason (set all -1). */
int as_syscount_open_self(int set[AS_SYS_NCOLS], char *why, size_t len);

/* Close the perf counters (counting is off afterwards). */
void as_syscount_stop(void);

/* Cumulative counts in AS_SYSCALL_COLS order. Returns 0, or -1 when
 * counting is off or failed (the caller writes n/a). */
int as_syscount_read(uint64_t out[AS_SYS_NCOLS]);

/* Parent side of the seccomp method: index (AS_SYS_*) counters to bump for
 * syscall number nr and its advice argument; returns how many indices were
 * written to idx (0: not a counted call). */
int as_syscount_classify(long nr, unsigned long arg2, int idx[2]);

#endif /* AS_SYSCOUNT_H */
