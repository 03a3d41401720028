/* guard.h - no process outlives the run: where a cgroup v2 can be made, every
 * worker joins the run's cgroup, the whole cgroup is killed (cgroup.kill) at
 * the end of every trial, and a guard process kills it when the run dies,
 * kill -9 included, which catches what a module forked or setsid'd even then.
 * Without a writable cgroup v2 the subreaper sweep in trial.c is what is
 * left, and as_guard_desc says so. Not thread-safe (the runner's thread). */
#ifndef AS_GUARD_H
#define AS_GUARD_H

/* Make the run's cgroup (a child of this process's own cgroup v2, named
 * allocscope-PID) and start its guard, once; later calls do nothing.
 * Returns 1 when the cgroup is in use, 0 when not (as_guard_desc says
 * why). Call before this process becomes a child subreaper. */
int as_guard_start(void);

/* "cgroup v2 PATH" or "no cgroup (REASON): subreaper sweep only". */
const char *as_guard_desc(void);

/* In a new worker, between fork and exec: join the run's cgroup. Uses only
 * async-signal-safe calls. Returns 0 (also when there is no cgroup), or -1. */
int as_guard_join(void);

/* Parent, at the end of a trial: kill every process in the cgroup and wait
 * (at most 2 s) until it is empty. The dead are left for the caller to
 * reap. No-op without a cgroup. */
void as_guard_kill(void);

#endif /* AS_GUARD_H */
