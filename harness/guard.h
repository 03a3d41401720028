/* guard.h - no process outlives the child that runs module code (a trial's
 * worker, a check): the child gets its own process group and dies with its
 * parent (PR_SET_PDEATHSIG); parent and child are child subreapers, so what
 * the module starts and orphans, setsid escapes included, comes back to the
 * parent; at the child's end its group is killed and every process left is
 * killed and reaped. Where a cgroup v2 can be made, every such child joins
 * the run's cgroup, the whole cgroup is killed (cgroup.kill) at the child's
 * end, and a guard process kills it when the run dies, kill -9 included,
 * which catches what a module forked or setsid'd even then. Without a
 * writable cgroup v2 the sweep is what is left, and as_guard_desc says so.
 * Not thread-safe (the runner's thread). */
#ifndef AS_GUARD_H
#define AS_GUARD_H

#include <sys/types.h>

/* Make the run's cgroup (a child of this process's own cgroup v2, named
 * allocscope-PID), start its guard, and become a child subreaper, once;
 * later calls do nothing. Call before the first child that runs module
 * code. Returns 1 when the cgroup is in use, 0 when not (as_guard_desc
 * says why). */
int as_guard_start(void);

/* Close every descriptor but a and b (-1: none): a helper process
 * (the guard, the probes' holder, exec's aide) keeps nothing of the run's
 * but its own pipes. Two or three close_range calls, not one close per
 * possible descriptor. */
void as_close_fds_but(int a, int b);

/* "cgroup v2 PATH" or "no cgroup (REASON): subreaper sweep only". */
const char *as_guard_desc(void);

/* fork() for a child that execs at once (a trial's worker): where the
 * run has a cgroup, the child is made right inside it (clone3
 * CLONE_INTO_CGROUP into a fresh sub-cgroup DIR/trial, removed by
 * as_guard_end), because joining by a write to cgroup.procs costs the
 * kernel an expedited RCU grace period (~3.5 ms per worker idle, ~18 ms
 * under load here). The child is a raw clone3 copy, glibc's per-thread
 * state (its tid) the parent's, so it must exec, not run module code (a
 * check's child is forked). Falls back to fork(). Returns what fork()
 * returns. */
pid_t as_guard_fork_exec(void);

/* For a worker another process clones (forkserver.h): a fresh DIR/trial,
 * its fd (O_DIRECTORY, for clone3 CLONE_INTO_CGROUP); -2 when the run has
 * no cgroup (none needed); -1 when it cannot be made or cloned into (fork
 * and join instead: as_guard_fork_exec). Removed by as_guard_end, or by
 * as_guard_trial_cgroup_drop when no worker was made. */
int as_guard_trial_cgroup(void);
void as_guard_trial_cgroup_drop(void);

/* keep 1: pid (a fork server, a child of this process that outlives
 * trials) is no trial's leftover: as_guard_end's sweep neither counts nor
 * kills it; keep 0: forget it. Returns 0, or -1 when too many are kept. */
int as_guard_keep(pid_t pid, int keep);

/* In the child, right after fork (parent: the forking process's pid): its
 * own process group, death with the parent, a child subreaper, a member of
 * the run's cgroup (unless made inside it). Uses only async-signal-safe calls. Returns 0, or -1
 * when the parent is gone already (the child should _exit). */
int as_guard_child(pid_t parent);

/* In job process k (jobs.h, 0 <= k < AS_GUARD_SLOTS), before its first
 * child: its workers are made in their own cgroup DIR/trial-K, and
 * as_guard_end kills that one only (not the run's, which holds the other
 * jobs' workers); the sweep is of this process's own children as ever. A
 * worker forked into the run's cgroup instead (no clone3) is killed by its
 * process group and the sweep, as without a cgroup. */
#define AS_GUARD_SLOTS 8
void as_guard_slot(int k);

/* 1 once child pid has exited. It is not reaped (its pid stays reserved,
 * so its process group can still be killed by number). */
int as_guard_exited(pid_t pid);

/* pid's state letter in /proc/PID/stat ('R', 'S', 'T' stopped, ...), or
 * '\0' when it cannot be read. */
char as_guard_state(pid_t pid);

/* pid's parent from /proc/PID/stat, or -1 when it cannot be read. */
pid_t as_guard_parent(pid_t pid);

/* The children of this process still running, once those that have
 * ended are reaped: under PR_SET_CHILD_SUBREAPER, what a program left
 * running when it ended (capture, exec). The first one's pid in *first
 * when first is not NULL (0: not known). Without /proc: 1 when a child is
 * still running, else 0. */
int as_guard_stragglers(long *first);

/* Wait until child pid has exited (not reaped), at most ms milliseconds:
 * blocked on its pidfd, which turns readable at the exit, where the kernel
 * has one; else a check every millisecond. Returns as_guard_exited(pid). */
int as_guard_wait_exit(pid_t pid, int ms);

/* Parent, at the end of child pid (exited, or killed by the caller): kill
 * its process group and the run's cgroup (waiting at most 2 s until it is
 * empty), reap pid into *wstatus with waitpid flags wflags (unless wstatus
 * is NULL: reaped already), then kill and reap every process left.
 * Returns how many were left: more than 0 means the module started one. */
int as_guard_end(pid_t pid, int *wstatus, int wflags);

/* A child's fds 0-2 are (mostly) this process's open file descriptions, so
 * a module that sets O_NONBLOCK on them (or any other status flag) sets it
 * for the run's stdout and stderr and for the caller's terminal or pipe.
 * save records their flags (once: as_guard_start calls it); restore, after
 * a child ended (as_guard_end calls it), sets back any that changed. */
void as_guard_std_save(void);
void as_guard_std_restore(void);

#endif /* AS_GUARD_H */
