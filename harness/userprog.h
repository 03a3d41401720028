/* userprog.h - the program a user hands `allocscope exec` and `capture`:
 * its death with allocscope. Not for the children that run module code
 * (workers, checks): guard.h. */
#ifndef AS_USERPROG_H
#define AS_USERPROG_H

#include <sys/types.h>

/* In the child, between fork (or vfork) and exec: SIGKILL when the parent
 * dies (PR_SET_PDEATHSIG, kept across exec). Returns 0, or -1 when the
 * parent (parent: its pid, read before the fork) has died already: the
 * child must _exit. System calls only: safe after vfork. */
int as_userprog_child(pid_t parent);

#endif
