/* userprog.c - the program a user hands `exec` and `capture`: its process
 * group, its death with allocscope, its aide, and the signals passed on to
 * it (see userprog.h). Not the workers' guard (guard.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guard.h"
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

/* The aide (userprog.h): its pid (0: none), the pipe allocscope writes
 * to it (its end of the ask pipe) and reads its answers from. */
static volatile pid_t aide_pid;
static int aide_ask = -1, aide_said = -1;
static volatile sig_atomic_t aide_mute; /* it did not answer: not asked again */

/* The signals as_userprog_pass is given; the job's aide holds them blocked */
static const int passed_sigs[] = {SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2};

/* The aide's life: ask, said (the pipes' ends), prog, own_group as given
 * to as_userprog_aide_start. Never returns. */
static void aide_main(int ask, int said, pid_t prog, int own_group)
{
	sigset_t set;
	struct sigaction ign, dfl;
	unsigned char b;
	as_close_fds_but(ask, said);
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	dfl = ign;
	dfl.sa_handler = SIG_DFL;
	if (own_group) {
		/* out of allocscope's group: its group's SIGKILL misses this */
		setpgid(0, 0);
		sigfillset(&set);
	} else {
		/* in the job's group: what is sent to it stays pending here */
		sigemptyset(&set);
		for (size_t i = 0; i < sizeof(passed_sigs) / sizeof(passed_sigs[0]); i++)
			sigaddset(&set, passed_sigs[i]);
	}
	sigprocmask(SIG_SETMASK, &set, NULL);
	for (ssize_t n;;) {
		n = read(ask, &b, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 1 && b == 0)
			_exit(0); /* the program ended: done */
		if (n == 1 && !own_group) {
			/* drop the pending b: an ignored signal's pending one is
			 * discarded (POSIX), and the next one is kept pending */
			sigaction(b, &ign, NULL);
			sigaction(b, &dfl, NULL);
			if (write(said, &b, 1) != 1)
				_exit(0);
			continue;
		}
		if (n == 0 && own_group)
			/* allocscope died without a word: the program died with it
			 * (its death signal), its group goes after it */
			kill(-prog, SIGKILL);
		if (n <= 0)
			_exit(0);
	}
}

void as_userprog_aide_start(pid_t prog, int own_group)
{
	int ask[2], said[2];
	sigset_t all, before;
	pid_t p;
	if (pipe2(ask, O_CLOEXEC) != 0)
		return;
	if (pipe2(said, O_CLOEXEC) != 0) {
		close(ask[0]);
		close(ask[1]);
		return;
	}
	/* none of allocscope's handlers runs in the aide */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &before);
	p = fork();
	if (p == 0)
		aide_main(ask[0], said[1], prog, own_group);
	sigprocmask(SIG_SETMASK, &before, NULL);
	close(ask[0]);
	close(said[1]);
	if (p < 0) {
		close(ask[1]);
		close(said[0]);
		return;
	}
	aide_ask = ask[1];
	aide_said = said[0];
	aide_mute = 0;
	aide_pid = p;
}

void as_userprog_aide_stop(void)
{
	pid_t p = aide_pid;
	unsigned char done = 0;
	if (p <= 0)
		return;
	aide_pid = 0;
	if (write(aide_ask, &done, 1) != 1) {
		/* it cannot be told: it must not take allocscope's end (the
		 * closed pipe) for a death */
		kill(p, SIGKILL);
	}
	close(aide_ask);
	close(aide_said);
	aide_ask = aide_said = -1;
	while (waitpid(p, NULL, 0) < 0 && errno == EINTR)
		;
}

/* Whether sig is pending in the job's aide, read from /proc/PID/status
 * (its SigPnd and ShdPnd masks). Async-signal-safe. */
static int aide_pending(pid_t p, int sig)
{
	char path[40], buf[2048];
	int fd, got = 0;
	ssize_t n;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)p);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	for (char *l = buf; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		unsigned long long mask = 0;
		if (strncmp(l, "SigPnd:", 7) && strncmp(l, "ShdPnd:", 7))
			continue;
		for (char *h = l + 7; *h && *h != '\n'; h++)
			if (*h >= '0' && *h <= '9')
				mask = mask << 4 | (unsigned)(*h - '0');
			else if (*h >= 'a' && *h <= 'f')
				mask = mask << 4 | (unsigned)(*h - 'a' + 10);
		got |= (int)(mask >> (sig - 1) & 1);
	}
	return got;
}

/* Whether sig was sent to the job's process group: the job's aide, in it,
 * has it pending; then the aide drops it, so that the next sig to this
 * process alone is not taken for one to the group. Async-signal-safe. A
 * kill of a group reaches its newest members first (the kernel's list),
 * so the aide (newer than this process) has it pending before this process
 * is even sent it; kill(-1, ...) goes oldest first, and its copy may be
 * passed on. */
static int sent_to_job(int sig)
{
	pid_t p = aide_pid;
	unsigned char b = (unsigned char)sig;
	struct pollfd pf = {.fd = aide_said, .events = POLLIN};
	if (p <= 0 || aide_mute || !aide_pending(p, sig))
		return 0;
	if (write(aide_ask, &b, 1) != 1 || poll(&pf, 1, 2000) != 1 || read(aide_said, &b, 1) != 1)
		aide_mute = 1; /* a stopped or dead aide: no more asking */
	return 1;
}

void as_userprog_pass(pid_t pid, int own_group, int sig, const siginfo_t *si)
{
	int e = errno; /* the interrupted code's */
	if (pid <= 0)
		return;
	if (!own_group && sent_to_job(sig)) {
		errno = e;
		return;
	}
	if (own_group) {
		/* the program's group; the program alone when it left it */
		if (kill(-pid, sig) != 0 || getpgid(pid) != pid)
			kill(pid, sig);
	} else if (!((sig == SIGINT || sig == SIGQUIT) && si && si->si_code == SI_KERNEL))
		kill(pid, sig);
	errno = e;
}
