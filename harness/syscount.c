/* syscount.c - see syscount.h. The tracepoint ids come from tracefs, which
 * a fresh boot may not have mounted: as root the harness mounts it itself
 * (and says why not when it cannot). madvise is split by advice with a perf
 * tracepoint filter on its `behavior` field. The seccomp filter itself is
 * seccomp_count.c's (libseccomp); this file keeps the counters' state. */
#define _GNU_SOURCE
#include "syscount.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp_count.h"
#include "trial_wire.h"

/* In AS_SYSCALL_COLS order. */
static const struct {
	const char *tracepoint;
	const char *filter;
	long nr;
	int advice; /* -1: any */
} calls[AS_SYS_NCOLS] = {
    {"sys_enter_brk", NULL, SYS_brk, -1},
    {"sys_enter_mmap", NULL, SYS_mmap, -1},
    {"sys_enter_munmap", NULL, SYS_munmap, -1},
    {"sys_enter_mremap", NULL, SYS_mremap, -1},
    {"sys_enter_madvise", NULL, SYS_madvise, -1},
    {"sys_enter_madvise", "behavior == 4", SYS_madvise, MADV_DONTNEED},
    {"sys_enter_madvise", "behavior == 8", SYS_madvise, MADV_FREE},
    {"sys_enter_mprotect", NULL, SYS_mprotect, -1},
};

static as_syscount_method_t method = AS_SYSCOUNT_OFF;
static int fds[AS_SYS_NCOLS] = {-1, -1, -1, -1, -1, -1, -1, -1};
static int grouped; /* fds are one group, led by fds[0]: read together */
static volatile uint64_t *shared_counts;

int as_syscount_parse(const char *s, as_syscount_method_t *out)
{
	if (!strcmp(s, "off"))
		*out = AS_SYSCOUNT_OFF;
	else if (!strcmp(s, "perf"))
		*out = AS_SYSCOUNT_PERF;
	else if (!strcmp(s, "seccomp"))
		*out = AS_SYSCOUNT_SECCOMP;
	else
		return -1;
	return 0;
}

const char *as_syscount_name(as_syscount_method_t m)
{
	return m == AS_SYSCOUNT_PERF ? "perf" : m == AS_SYSCOUNT_SECCOMP ? "seccomp" : "off";
}

static const char *const tracefs_dirs[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};

static int tracepoint_id(const char *name, long long *id, char *why, size_t len)
{
	char path[256], buf[32];
	int fd = -1, err = ENOENT;
	for (int pass = 0; pass < 2 && fd < 0; pass++) {
		for (size_t i = 0; i < 2 && fd < 0; i++) {
			snprintf(path, sizeof(path), "%s/events/syscalls/%s/id", tracefs_dirs[i],
			         name);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0 && errno != ENOENT)
				err = errno;
		}
		if (fd >= 0 || err != ENOENT)
			break;
		/* not mounted (a fresh boot): mount it, as root may */
		if (pass == 0 && mount("nodev", tracefs_dirs[0], "tracefs", 0, NULL) != 0 &&
		    errno != EBUSY) {
			snprintf(why, len,
			         "tracefs not mounted and mounting it failed: %s (needs root; try "
			         "--syscalls seccomp)",
			         strerror(errno));
			return -1;
		}
	}
	if (fd < 0 && err != ENOENT) {
		snprintf(why, len,
		         "cannot read tracepoint ids under %s: %s (needs root or CAP_PERFMON; try "
		         "--syscalls seccomp)",
		         tracefs_dirs[0], strerror(err));
		return -1;
	}
	if (fd < 0) {
		snprintf(why, len, "%s: no such tracepoint (kernel without syscall tracepoints?)",
		         name);
		return -1;
	}
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		snprintf(why, len, "%s: cannot read tracepoint id", name);
		return -1;
	}
	buf[n] = '\0';
	*id = strtoll(buf, NULL, 10);
	return 0;
}

/* The probe's counters, kept open (inherit=0, on the parent only) for the
 * rest of the process: while one event holds a syscall tracepoint, a
 * worker's counters on it are opened and torn down without the kernel
 * (un)registering the tracepoint, which waits for an RCU grace period per
 * event (~15-30 ms each on the project's VM: 8 per worker and thread,
 * ~140 ms at every worker's exit). */
static int hold[AS_SYS_NCOLS] = {-1, -1, -1, -1, -1, -1, -1, -1};
static pid_t holder; /* the process that opened them */

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static void close_all(int *set)
{
	for (int i = 0; i < AS_SYS_NCOLS; i++) {
		if (set[i] >= 0)
			close(set[i]);
		set[i] = -1;
	}
}

/* group: the counters as one group led by set[0], so that one read() on
 * it gives all (a sample point reads them: one system call instead of
 * AS_SYS_NCOLS, each ~2-3 us on the project's VM). */
static int open_perf(pid_t pid, int *set, int inherit, int group, char *why, size_t len)
{
	for (int i = 0; i < AS_SYS_NCOLS; i++) {
		struct perf_event_attr a;
		long long id;
		if (tracepoint_id(calls[i].tracepoint, &id, why, len) != 0)
			goto out_fail;
		memset(&a, 0, sizeof(a));
		a.type = PERF_TYPE_TRACEPOINT;
		a.size = sizeof(a);
		a.config = (uint64_t)id;
		a.inherit = (unsigned)inherit; /* 1: every thread created later counts too */
		if (group && i == 0)
			a.read_format = PERF_FORMAT_GROUP;
		set[i] = (int)syscall(SYS_perf_event_open, &a, pid, -1, group && i ? set[0] : -1,
		                      PERF_FLAG_FD_CLOEXEC);
		if (set[i] < 0) {
			snprintf(why, len,
			         "perf_event_open(%s): %s (perf_event_paranoid or missing "
			         "CAP_PERFMON; try --syscalls seccomp)",
			         calls[i].tracepoint, strerror(errno));
			goto out_fail;
		}
		/* above the worker's wire descriptors (trial_wire.h): opened
		 * before a worker has its op stream, a counter took the number
		 * of the stream's record (closed when the run gave none), which
		 * stream() then read and closed: that trial's counts were empty */
		if (set[i] < AS_WIRE_FD_ABOVE) {
			int hi = fcntl(set[i], F_DUPFD_CLOEXEC, AS_WIRE_FD_ABOVE);
			close(set[i]);
			set[i] = hi;
			if (hi < 0) {
				snprintf(why, len, "perf counter descriptor: %s", strerror(errno));
				goto out_fail;
			}
		}
		if (calls[i].filter &&
		    ioctl(set[i], PERF_EVENT_IOC_SET_FILTER, calls[i].filter) != 0) {
			snprintf(why, len, "perf filter '%s' on %s: %s", calls[i].filter,
			         calls[i].tracepoint, strerror(errno));
			goto out_fail;
		}
	}
	return 0;
out_fail:
	close_all(set);
	return -1;
}

/* At exit the held events' last close unregisters each tracepoint and
 * waits for an RCU grace period per tracepoint (~20 ms each here: ~125 ms
 * at the end of every run). That close is left to a grandchild that
 * outlives the run: it shares the events, keeps nothing else open (no
 * output pipe a caller waits on, no lock), waits for EOF on a pipe only
 * this process holds, and closes them after this process is gone. Where
 * the fork fails the close stays here (slow, not wrong). */
static void release_hold(void)
{
	int pfd[2] = {-1, -1};
	pid_t pid;
	if (hold[0] < 0 || getpid() != holder || pipe2(pfd, O_CLOEXEC) != 0)
		return; /* a forked child that calls exit() leaves them alone */
	pid = fork();
	if (pid == 0) {
		if (fork() != 0)
			_exit(0);
		char c;
		int keep[AS_SYS_NCOLS + 1], n = 0, from = 0;
		for (int i = 0; i < AS_SYS_NCOLS; i++)
			keep[n++] = hold[i];
		keep[n++] = pfd[0];
		qsort(keep, (size_t)n, sizeof(keep[0]), cmp_int);
		for (int i = 0; i < n; from = keep[i++] + 1)
			if (keep[i] > from)
				close_range((unsigned)from, (unsigned)keep[i] - 1, 0);
		close_range((unsigned)from, ~0U, 0);
		while (read(pfd[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0); /* the events' last close, the run gone */
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	close(pfd[0]);
	close_all(hold); /* not the last close when the grandchild has them */
	                 /* pfd[1] closes with the process: the grandchild's signal */
}

int as_syscount_probe(as_syscount_method_t m, char *why, size_t len)
{
	if (m == AS_SYSCOUNT_OFF) {
		snprintf(why, len, "disabled by --syscalls off");
		return -1;
	}
	if (m == AS_SYSCOUNT_SECCOMP)
		return as_seccomp_probe(why, len);
	if (hold[0] >= 0)
		return 0; /* probed before: still open */
	/* not inherited: a forked worker must not carry these */
	if (open_perf(0, hold, 0, 0, why, len) != 0)
		return -1;
	holder = getpid();
	atexit(release_hold);
	return 0;
}

int as_syscount_start_perf(char *why, size_t len)
{
	return as_syscount_start_perf_pid(0, why, len);
}

int as_syscount_open_self(int set[AS_SYS_NCOLS], char *why, size_t len)
{
	return open_perf(0, set, 0, 0, why, len);
}

int as_syscount_start_perf_pid(pid_t pid, char *why, size_t len)
{
	/* a kernel that refuses the group (with inherit) still counts alone */
	grouped = open_perf(pid, fds, 1, 1, why, len) == 0;
	if (!grouped && open_perf(pid, fds, 1, 0, why, len) != 0)
		return -1;
	method = AS_SYSCOUNT_PERF;
	return 0;
}

void as_syscount_drop_remedy(char *why)
{
	static const char remedy[] = "; try --syscalls seccomp";
	char *p = strstr(why, remedy);
	if (p)
		memmove(p, p + sizeof(remedy) - 1, strlen(p + sizeof(remedy) - 1) + 1);
}

/* the filter's program in the shared page, after the counters */
#define SECCOMP_PROG_OFF 1024
_Static_assert(AS_SYS_NCOLS * sizeof(uint64_t) <= SECCOMP_PROG_OFF, "counters overlap");

int as_syscount_prepare_seccomp(int fd, char *why, size_t len)
{
	long nrs[AS_SYS_NCOLS];
	for (int i = 0; i < AS_SYS_NCOLS; i++)
		nrs[i] = calls[i].nr;
	return as_seccomp_program(nrs, AS_SYS_NCOLS, fd, SECCOMP_PROG_OFF,
	                          AS_SYSCOUNT_SHARED_BYTES - SECCOMP_PROG_OFF, why, len);
}

int as_syscount_start_seccomp(volatile uint64_t *shared, char *why, size_t len)
{
	if (as_seccomp_install((const char *)shared + SECCOMP_PROG_OFF,
	                       AS_SYSCOUNT_SHARED_BYTES - SECCOMP_PROG_OFF, why, len) != 0)
		return -1;
	shared_counts = shared;
	method = AS_SYSCOUNT_SECCOMP;
	return 0;
}

void as_syscount_stop(void)
{
	close_all(fds);
	method = AS_SYSCOUNT_OFF;
}

int as_syscount_read(uint64_t out[AS_SYS_NCOLS])
{
	if (method == AS_SYSCOUNT_PERF && grouped) {
		uint64_t g[1 + AS_SYS_NCOLS]; /* nr, then the values in opening order */
		if (read(fds[0], g, sizeof(g)) != (ssize_t)sizeof(g) || g[0] != AS_SYS_NCOLS)
			return -1;
		memcpy(out, g + 1, AS_SYS_NCOLS * sizeof(out[0]));
		return 0;
	}
	if (method == AS_SYSCOUNT_PERF) {
		for (int i = 0; i < AS_SYS_NCOLS; i++)
			if (read(fds[i], &out[i], sizeof(out[i])) != (ssize_t)sizeof(out[i]))
				return -1;
		return 0;
	}
	if (method == AS_SYSCOUNT_SECCOMP) {
		for (int i = 0; i < AS_SYS_NCOLS; i++)
			out[i] = __atomic_load_n(&shared_counts[i], __ATOMIC_ACQUIRE);
		return 0;
	}
	return -1;
}

int as_syscount_classify(long nr, unsigned long arg2, int idx[2])
{
	int n = 0;
	for (int i = 0; i < AS_SYS_NCOLS && n < 2; i++)
		if (calls[i].nr == nr &&
		    (calls[i].advice < 0 || (unsigned long)calls[i].advice == arg2))
			idx[n++] = i;
	return n;
}
