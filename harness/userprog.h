/* userprog.h - the program a user hands `allocscope exec` and `capture`:
 * the process group it runs in, its death with allocscope, and the
 * signals passed on to it. Not for the children that run module code
 * (workers, checks): guard.h. */
#ifndef AS_USERPROG_H
#define AS_USERPROG_H

#include <signal.h>
#include <sys/types.h>

/* Whether the program gets a process group of its own: 1 when this process
 * has no controlling terminal (a job runner, timeout, cron, CI, setsid):
 * a SIGTERM to allocscope's group then reaches the program once, passed
 * on, not twice. 0 when it has one: the program stays in the job's group,
 * so that ^C, ^Z and reading the terminal work as for any command. Call
 * before the program starts. */
int as_userprog_own_group(void);

/* In the child, between fork (or vfork) and exec: a process group of its
 * own when own_group, and SIGKILL when the parent dies (PR_SET_PDEATHSIG,
 * kept across exec). Returns 0, or -1 when the parent (parent: its pid,
 * read before the fork) has died already: the child must _exit. System
 * calls only: safe after vfork. */
int as_userprog_child(pid_t parent, int own_group);

/* Pass sig, received with si (NULL: unknown), on to the program pid: to
 * its process group when own_group, else to pid alone, except a SIGINT or
 * SIGQUIT from the terminal (SI_KERNEL), which reached the program in our
 * group already. Async-signal-safe; errno is kept. */
void as_userprog_pass(pid_t pid, int own_group, int sig, const siginfo_t *si);

#endif
