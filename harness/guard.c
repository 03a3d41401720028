/* guard.c - see guard.h. The cgroup is found from /proc/self/mountinfo (the
 * cgroup2 mount) and /proc/self/cgroup (this process's "0::" path); the guard
 * is a grandchild (so no sweep of the run's children touches it) that waits
 * for EOF on a pipe only the run holds open. */
#define _GNU_SOURCE
#include "guard.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sched.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void as_close_fds_but(int a, int b)
{
	int lo = b < 0 || a < b ? a : b, hi = b < 0 ? a : a ^ b ^ lo;
	if (lo > 0)
		close_range(0, (unsigned)lo - 1, 0);
	if (hi > lo + 1)
		close_range((unsigned)lo + 1, (unsigned)hi - 1, 0);
	close_range((unsigned)hi + 1, ~0U, 0);
}

static char dir[PATH_MAX];        /* the run's cgroup, "" when none */
static char procs[PATH_MAX + 16]; /* DIR/cgroup.procs, ready for the worker */
static char desc[PATH_MAX + 128];
static char sub[PATH_MAX + 16]; /* DIR/trial: the running worker's own cgroup */
static int started;
static int joined;    /* in a child of as_guard_fork_exec: a member already */
static int no_clone;  /* clone3 into a cgroup failed once: fork and join */
static int slot = -1; /* a job process's number (as_guard_slot), else -1 */
static int std_fl[3]; /* file status flags of fds 0-2 (as_guard_std_save) */
static int std_saved;

/* The cgroup2 mount point from /proc/self/mountinfo. Returns 0 or -1. */
static int cgroup2_mount(char *out, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;
	int rc = -1;
	if (!f)
		return -1;
	while (rc && getline(&line, &cap, f) > 0) {
		char mnt[PATH_MAX];
		const char *sep = strstr(line, " - ");
		/* id parent major:minor root mount-point ... - fstype ... */
		if (sep && !strncmp(sep, " - cgroup2 ", 11) &&
		    sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1 && strlen(mnt) < len) {
			snprintf(out, len, "%s", mnt);
			rc = 0;
		}
	}
	free(line);
	fclose(f);
	return rc;
}

/* This process's cgroup v2 path ("/..." from the "0::" line). */
static int own_cgroup(char *out, size_t len)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char *line = NULL;
	size_t cap = 0;
	int rc = -1;
	if (!f)
		return -1;
	while (rc && getline(&line, &cap, f) > 0)
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = '\0';
			rc = (size_t)snprintf(out, len, "%s", line + 3) < len ? 0 : -1;
		}
	free(line);
	fclose(f);
	return rc;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc = -1;
	if (fd >= 0) {
		size_t n = strlen(text);
		rc = write(fd, text, n) == (ssize_t)n ? 0 : -1;
		close(fd);
	}
	return rc;
}

/* 1 while cgroup cg holds a live process (cgroup.events "populated 1"). */
static int populated(const char *cg)
{
	char path[PATH_MAX + 32], buf[256];
	int fd, n;
	snprintf(path, sizeof(path), "%s/cgroup.events", cg);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return strstr(buf, "populated 1") != NULL;
}

/* Kill every process in cgroup cg (and below) and wait until it is empty. */
static void kill_all(const char *cg)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/cgroup.kill", cg);
	if (write_file(path, "1") != 0)
		return;
	for (int i = 0; i < 2000 && populated(cg); i++) {
		struct timespec ms = {0, 1000000};
		nanosleep(&ms, NULL);
	}
}

/* The guard: wait until the run is gone (EOF), then empty and remove the
 * cgroup. Never returns. */
static void guard(int rfd)
{
	char c;
	setsid(); /* a terminal's signals are the run's to handle */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	prctl(PR_SET_NAME, "allocscope-guard");
	/* not one close per possible fd (20,000 here: ~6 ms of CPU at every
	 * run's start) */
	as_close_fds_but(rfd, -1);
	while (read(rfd, &c, 1) < 0 && errno == EINTR)
		; /* nothing is ever written: EOF when the run is gone */
	kill_all(dir);
	rmdir(sub);
	for (int k = 0; k < AS_GUARD_SLOTS; k++) { /* the job processes' (as_guard_slot) */
		char s[PATH_MAX + 32];
		snprintf(s, sizeof(s), "%s/trial-%d", dir, k);
		rmdir(s);
	}
	rmdir(dir);
	_exit(0);
}

static int fail(const char *what)
{
	snprintf(desc, sizeof(desc), "no cgroup (%s: %s): subreaper sweep only", what,
	         strerror(errno));
	dir[0] = '\0';
	return 0;
}

/* The run's cgroup and its guard; see as_guard_start. */
static int start_cgroup(void)
{
	char mnt[PATH_MAX], own[PATH_MAX];
	int pfd[2], st;
	pid_t pid;
	if (cgroup2_mount(mnt, sizeof(mnt)) != 0) {
		errno = ENOENT;
		return fail("no cgroup2 mount");
	}
	if (own_cgroup(own, sizeof(own)) != 0) {
		errno = ENOENT;
		return fail("/proc/self/cgroup has no cgroup v2 line");
	}
	if ((size_t)snprintf(dir, sizeof(dir), "%s%s/allocscope-%ld", mnt,
	                     strcmp(own, "/") ? own : "", (long)getpid()) >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return fail("cgroup path");
	}
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return fail(dir);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	snprintf(sub, sizeof(sub), "%s/trial", dir);
	if (pipe2(pfd, O_CLOEXEC) != 0) {
		rmdir(dir);
		return fail("pipe");
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		/* a grandchild: not the run's child, so never swept or reaped by it */
		close(pfd[1]);
		if (fork() == 0)
			guard(pfd[0]);
		_exit(0);
	}
	close(pfd[0]);
	if (pid < 0) {
		close(pfd[1]);
		rmdir(dir);
		return fail("fork");
	}
	waitpid(pid, &st, 0);
	/* pfd[1] stays open (close-on-exec) for the run's life: its EOF is the
	 * guard's signal */
	snprintf(desc, sizeof(desc), "cgroup v2 %s", dir);
	return 1;
}

void as_guard_std_save(void)
{
	if (std_saved++)
		return;
	for (int fd = 0; fd < 3; fd++)
		std_fl[fd] = fcntl(fd, F_GETFL);
}

void as_guard_std_restore(void)
{
	for (int fd = 0; std_saved && fd < 3; fd++) {
		int fl = fcntl(fd, F_GETFL);
		if (std_fl[fd] >= 0 && fl >= 0 && fl != std_fl[fd])
			fcntl(fd, F_SETFL, std_fl[fd]);
	}
}

int as_guard_start(void)
{
	int r;
	as_guard_std_save();
	if (started++)
		return dir[0] != '\0';
	r = start_cgroup();
	/* after the guard's fork: the guard is no child of ours. Orphans of
	 * the children come to this process, for as_guard_end's sweep. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	return r;
}

const char *as_guard_desc(void)
{
	return started ? desc : "not started";
}

/* Join the run's cgroup: async-signal-safe. 0 (also when there is none)
 * or -1. */
static int join(void)
{
	int fd, rc;
	if (!dir[0] || joined)
		return 0;
	fd = open(procs, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = write(fd, "0", 1) == 1 ? 0 : -1;
	close(fd);
	return rc;
}

int as_guard_child(pid_t parent)
{
	/* its own process group, killed whole by as_guard_end */
	setpgid(0, 0);
	/* die with the parent (kill -9, SIGHUP); the parent may have died
	 * before this was set, hence the getppid check */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		return -1;
	/* what the module starts and orphans (a setsid escape too) comes to
	 * the child, and with it to the parent, which sweeps it */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* killed whole after the child, and by the guard if the run dies;
	 * without a cgroup the sweep is what is left */
	join();
	return 0;
}

/* clone3 straight into a fresh DIR/trial (made now, removed by
 * as_guard_end). Fresh each time: a child cloned into a cgroup that was
 * once killed through cgroup.kill is killed at birth on this kernel
 * (6.18), and the run's cgroup is killed after every trial. Returns the
 * pid, 0 in the child, or -1 (not made: the caller forks). */
static pid_t clone_into_trial_cgroup(void)
{
	struct clone_args a;
	pid_t pid = -1;
	int fd;
	if (mkdir(sub, 0755) != 0)
		return -1; /* EEXIST: the last trial's is still there (not empty) */
	fd = open(sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		memset(&a, 0, sizeof(a));
		a.flags = CLONE_INTO_CGROUP;
		a.exit_signal = SIGCHLD;
		a.cgroup = (uint64_t)fd;
		pid = (pid_t)syscall(SYS_clone3, &a, sizeof(a));
		if (pid == 0) {
			joined = 1;
			return 0;
		}
		close(fd);
	}
	if (pid < 0)
		rmdir(sub);
	return pid;
}

int as_guard_trial_cgroup(void)
{
	int fd;
	if (!dir[0])
		return -2;
	if (no_clone || mkdir(sub, 0755) != 0)
		return -1;
	fd = open(sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		rmdir(sub);
	return fd < 0 ? -1 : fd;
}

void as_guard_trial_cgroup_drop(void)
{
	if (dir[0])
		rmdir(sub);
}

pid_t as_guard_fork_exec(void)
{
	pid_t pid;
	if (!dir[0] || no_clone)
		return fork();
	pid = clone_into_trial_cgroup();
	if (pid >= 0)
		return pid;
	if (errno == ENOSYS || errno == E2BIG || errno == EINVAL || errno == EOPNOTSUPP)
		no_clone = 1; /* a kernel before 5.7: never again */
	return fork();
}

void as_guard_slot(int k)
{
	slot = k;
	if (dir[0])
		snprintf(sub, sizeof(sub), "%s/trial-%d", dir, k);
}

int as_guard_exited(pid_t pid)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid;
}

int as_guard_wait_exit(pid_t pid, int ms)
{
	int fd;
	if (as_guard_exited(pid) || ms <= 0)
		return as_guard_exited(pid);
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd >= 0) {
		/* no sleep of a fixed length: a 1 ms sleep after the worker's EOF
		 * was ~1.1 ms of every trial, the worker usually gone within it */
		struct pollfd p = {fd, POLLIN, 0};
		while (poll(&p, 1, ms) < 0 && errno == EINTR)
			;
		close(fd);
	} else {
		for (int i = 0; i < ms && !as_guard_exited(pid); i++) {
			struct timespec one = {0, 1000000};
			nanosleep(&one, NULL);
		}
	}
	return as_guard_exited(pid);
}

/* State letter and parent of pid from /proc/PID/stat; 0 when unreadable. */
static int proc_stat(pid_t pid, char *state, pid_t *ppid)
{
	char path[64], buf[512], *rp, st;
	long pp;
	size_t n;
	FILE *f;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if (!(f = fopen(path, "re")))
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	rp = strrchr(buf, ')'); /* the name may hold spaces and ')' */
	if (!rp || sscanf(rp + 1, " %c %ld", &st, &pp) != 2)
		return 0;
	*state = st;
	*ppid = (pid_t)pp;
	return 1;
}

/* Parent process of pid from /proc/PID/stat, or -1. */
static pid_t parent_of(pid_t pid)
{
	char st;
	pid_t pp;
	return proc_stat(pid, &st, &pp) ? pp : -1;
}

pid_t as_guard_parent(pid_t pid)
{
	return parent_of(pid);
}

char as_guard_state(pid_t pid)
{
	char st;
	pid_t pp;
	return proc_stat(pid, &st, &pp) ? st : '\0';
}

int as_guard_stragglers(long *first)
{
	char path[64], buf[4096];
	int fd, n = 0;
	ssize_t len;
	if (first)
		*first = 0;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return waitpid(-1, NULL, WNOHANG) == 0 ? 1 : 0;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return 0;
	buf[len] = '\0';
	if (first)
		*first = strtol(buf, NULL, 10);
	for (ssize_t i = 0; i < len; i++)
		n += buf[i] == ' ';
	return n;
}

/* Children the sweep leaves alone: the fork servers (forkserver.h). */
#define KEPT_MAX 16
static pid_t kept[KEPT_MAX];
static int nkept;

static int is_kept(pid_t pid)
{
	for (int i = 0; i < nkept; i++)
		if (kept[i] == pid)
			return 1;
	return 0;
}

int as_guard_keep(pid_t pid, int keep)
{
	for (int i = 0; i < nkept; i++)
		if (kept[i] == pid) {
			if (!keep)
				kept[i] = kept[--nkept];
			return 0;
		}
	if (!keep)
		return 0;
	if (nkept == KEPT_MAX)
		return -1;
	kept[nkept++] = pid;
	return 0;
}

/* 1 when this process has a child besides the kept ones, 0 when it has
 * none, -1 when the kernel cannot say (no /proc/PID/task/TID/children).
 * One small read per thread instead of a stat of every process on the
 * machine (~260 here: 3-90 ms). */
static int has_children(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int r = 0;
	if (!d)
		return -1;
	while (r == 0 && (e = readdir(d)) != NULL) {
		char path[96], buf[4096], *p, *end;
		ssize_t n;
		int fd;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%.40s/children", e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			r = -1;
			break;
		}
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n == (ssize_t)sizeof(buf) - 1)
			r = 1; /* more than the kept ones fit in */
		buf[n > 0 ? n : 0] = '\0';
		for (p = buf; r == 0 && *p; p = end) {
			long c = strtol(p, &end, 10);
			if (end == p)
				break;
			if (!is_kept((pid_t)c))
				r = 1;
		}
	}
	closedir(d);
	return r;
}

/* Kill and reap every process a child left behind. This process is a child
 * subreaper (as is the child), so whatever the module started, setsid
 * escapes included, is by now a child of ours or below one. Returns how
 * many there were. */
static int sweep(void)
{
	pid_t self = getpid(), c;
	int n = 0, more = 1, st;
	/* the usual case: nothing left, no zombie to reap, no child at all */
	if (has_children() == 0)
		return 0;
	for (int round = 0; more && round < 64; round++) {
		DIR *d = opendir("/proc");
		struct dirent *e;
		more = 0;
		while ((c = waitpid(-1, &st, WNOHANG | __WALL)) > 0) {
			if (is_kept(c)) { /* a server that died: not the trial's */
				as_guard_keep(c, 0);
				continue;
			}
			n++;
			more = 1;
		}
		while (d && (e = readdir(d)) != NULL) {
			pid_t p = (pid_t)strtol(e->d_name, NULL, 10);
			if (p <= 0 || is_kept(p) || parent_of(p) != self)
				continue;
			kill(p, SIGKILL);
			if (waitpid(p, &st, __WALL) == p)
				n++;
			more = 1;
		}
		if (d)
			closedir(d);
	}
	return n;
}

int as_guard_end(pid_t pid, int *wstatus, int wflags)
{
	kill(-pid, SIGKILL);
	if (dir[0]) {
		/* setsid escapes too; the dead are reaped below. A job process
		 * kills only its own trial's cgroup: the others' are running */
		kill_all(slot >= 0 ? sub : dir);
		rmdir(sub); /* made for this child, if it was (empty now) */
	}
	if (wstatus)
		waitpid(pid, wstatus, wflags);
	as_guard_std_restore();
	return sweep();
}
