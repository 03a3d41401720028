/* userprog.c - the program a user hands `exec` and `capture`: its process
 * group, its death with allocscope, and the signals passed on to it (see
 * userprog.h). Not the workers' guard (guard.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "userprog.h"

int as_userprog_own_group(void)
{
	/* tty_nr, the 7th field of /proc/self/stat (after the comm, which
	 * may hold spaces and parentheses): 0 without a controlling terminal */
	char buf[512], *p;
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	int tty = 1;
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0; /* not known: as with a terminal, as before */
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) && sscanf(p + 1, " %*c %*d %*d %*d %d", &tty) != 1)
		tty = 1;
	return tty == 0;
}

int as_userprog_child(pid_t parent, int own_group)
{
	if (own_group)
		setpgid(0, 0);
	/* a kill -9 of allocscope (timeout -s KILL) must not leave the
	 * program running, under capture writing its spool for ever; the
	 * parent may have died before this was set, hence getppid */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		return -1;
	return 0;
}

void as_userprog_pass(pid_t pid, int own_group, int sig, const siginfo_t *si)
{
	int e = errno; /* the interrupted code's */
	if (pid <= 0)
		return;
	if (own_group) {
		/* the program's group; the program alone when it left it */
		if (kill(-pid, sig) != 0 || getpgid(pid) != pid)
			kill(pid, sig);
	} else if (!((sig == SIGINT || sig == SIGQUIT) && si && si->si_code == SI_KERNEL))
		kill(pid, sig);
	errno = e;
}
