/* userprog.c - the program a user hands `exec` and `capture`: its death
 * with allocscope (see userprog.h). Not the workers' guard (guard.c). */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "userprog.h"

int as_userprog_child(pid_t parent)
{
	/* a kill -9 of allocscope (timeout -s KILL) must not leave the
	 * program running, under capture writing its spool for ever; the
	 * parent may have died before this was set, hence getppid */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		return -1;
	return 0;
}
