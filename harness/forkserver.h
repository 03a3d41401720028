/* forkserver.h - workers forked from a server exec'd once, not exec'd one
 * by one. A trial's worker used to be fork + exec of `allocscope __worker`:
 * the exec and the dynamic loading of the program and its 9 libraries
 * (relocation, lazy binding) were a third of the CPU a tiny trial costs.
 * Now the run execs `allocscope __worker --serve` with the module's
 * environment (what an exec'd worker was given: GLIBC_TUNABLES is read at
 * exec) and asks it for each worker; the server clones the worker as the
 * run's own child (CLONE_PARENT) straight into the trial's cgroup, where it
 * sets itself up as an exec'd worker did (trial.c) and runs as_worker_main.
 * The server itself loads no module and calls no malloc, so a worker starts
 * from the same clean state; a server serves at most one trial of any trial
 * group (one repetition of a row), so every repetition still runs in an
 * address-space layout of its own (ASLR) as before. Not used with
 * --syscalls seccomp (the run must be the worker's tracer from its exec),
 * without clone3 into the cgroup, or with ALLOCSCOPE_NO_FORKSERVER=1 (for
 * A/B measurements): the worker is exec'd as before. */
#ifndef AS_FORKSERVER_H
#define AS_FORKSERVER_H

#include <stdint.h>
#include <sys/types.h>

/* Run side: a worker for trial group `group` (mark: count it as served;
 * warm-ups and probes measure nothing and are not counted), with the module
 * environment `env` (modenv.h lines), whose fds go to AS_WIRE_FD_RESULT,
 * AS_WIRE_FD_SPEC and AS_WIRE_FD_STREAM (streamfd -1: none). Returns its
 * pid (a child of this process, in the trial's cgroup), or -1: exec one. */
pid_t as_forkserver_worker(const char *env, uint32_t group, int mark, int wfd, int specfd,
                           int streamfd);

/* In a child of the run: stdin from /dev/null, stdout to stderr, the module
 * environment env applied, then exec this program with argv (a worker or a
 * server). Never returns (_exit 127 when the exec fails). */
void as_exec_self(const char *env, char **argv) __attribute__((noreturn));

/* Run side: stop and reap every server (the end of a run, and at exit). */
void as_forkserver_stop_all(void);

/* Server side (`allocscope __worker --serve`): serve requests on
 * AS_WIRE_FD_RESULT until EOF, then _exit. */
int as_forkserver_main(void) __attribute__((noreturn));

#endif
