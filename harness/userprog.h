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

/* The program's aide: a process allocscope forks once the program runs
 * (prog: its pid, own_group as given to as_userprog_child), which closes
 * every descriptor but two pipes to allocscope and waits on them.
 * - own_group: it leaves allocscope's group (a SIGKILL to that group
 *   misses it) and blocks every signal; when allocscope dies without
 *   saying the program ended (the pipe's end), it kills the program's
 *   group with SIGKILL. Else a SIGKILL to allocscope (its group, timeout
 *   -s KILL, kill -9) ended the program through its death signal, but
 *   not the processes it started: they live on in its group.
 * - else it stays in the job's group with the signals as_userprog_pass
 *   passes on blocked, so that one sent to the group (kill %1, a terminal
 *   hang-up) is seen pending there and not passed on: the program, in
 *   the same group, got it from the kill already.
 * Without it (fork failed) all goes as before. */
void as_userprog_aide_start(pid_t prog, int own_group);

/* The program ended (call before it is reaped, so that its pid is not
 * another's yet): the aide exits, reaped here. Before the stragglers are
 * counted (as_guard_stragglers): the aide is a child too. */
void as_userprog_aide_stop(void);

/* Pass sig, received with si (NULL: unknown), on to the program pid: to
 * its process group when own_group, else to pid alone, except a signal
 * sent to the job's process group (the aide has it pending) and a SIGINT
 * or SIGQUIT from the terminal (SI_KERNEL), which reached the program in
 * our group already. Call with the other passed signals blocked (the
 * handlers' sa_mask). Async-signal-safe; errno is kept. */
void as_userprog_pass(pid_t pid, int own_group, int sig, const siginfo_t *si);

#endif
