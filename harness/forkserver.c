/* forkserver.c - see forkserver.h. One request per worker on a
 * SOCK_SEQPACKET pair: the run sends the worker's fds (SCM_RIGHTS: result
 * pipe, spec, then the stream record and the trial cgroup when there are
 * any) and its own pid; the server answers the worker's pid or an errno. */
#define _GNU_SOURCE
#include "forkserver.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guard.h"
#include "modenv.h"
#include "trial.h"
#include "trial_wire.h"
#include "util.h"

/* ---- the request ---- */
#define F_STREAM 1u /* a stream record fd follows the spec's */
#define F_CGROUP 2u /* the trial cgroup's fd is the last */

typedef struct {
	int32_t parent; /* the run: the worker's parent (CLONE_PARENT) */
	uint32_t flags;
} request_t;

typedef struct {
	int32_t pid; /* > 0, or 0 with err */
	int32_t err;
} reply_t;

/* ---- server side ---- */

/* glibc's copy of the thread's tid and its robust list head: a raw clone
 * leaves the first the server's and the second unregistered, which glibc's
 * fork() would set (raise() and abort() signal the tid glibc holds: the
 * server's, from a worker). From the kernel at start: PR_GET_TID_ADDRESS is
 * where glibc keeps it (set_tid_address at start). */
static int *tid_addr;
static void *robust_head;
static size_t robust_len;

/* The pages of file-backed mappings (the program's and its libraries'
 * code and read-only data) that the server's start had mapped, as runs of
 * pages. A fork copies no page table entry of a file mapping the process
 * never wrote (the kernel maps those again at the child's first touch),
 * so a worker would miss what an exec'd worker's own start (the dynamic
 * loader, the libraries' constructors) had mapped, and fault it in inside
 * the timed region: 64 KiB more RSS (fault-around) in mimalloc's rows of
 * the lazy scenario, at libc's __snprintf_chk. The worker reads one byte
 * of each page first. Kept in a mapping of its own (no malloc, no .bss),
 * which the worker unmaps. */
typedef struct {
	uintptr_t start, npages;
} run_t;
#define RUNS_BYTES (256u << 10)
#define SNAP_BUF   (1u << 20)
static run_t *runs;
static size_t nruns;

static uintptr_t hex(const char **p)
{
	uintptr_t v = 0;
	for (;; (*p)++) {
		char c = **p;
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (d < 0)
			return v;
		v = v * 16 + (uintptr_t)d;
	}
}

/* Hand-parsed (no stdio, no malloc): the server's start as an exec'd
 * worker's, nothing more. */
static void snapshot(void)
{
	size_t cap = RUNS_BYTES / sizeof(run_t), len = 0, pg = (size_t)sysconf(_SC_PAGESIZE);
	char *buf =
	    mmap(NULL, SNAP_BUF, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t *ent = NULL;
	int mfd = -1, pfd = -1;
	ssize_t n;
	runs = mmap(NULL, RUNS_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED || runs == MAP_FAILED) {
		runs = NULL;
		goto out;
	}
	ent = (uint64_t *)(buf + SNAP_BUF / 2);
	mfd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	pfd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (mfd < 0 || pfd < 0)
		goto out;
	while (len < SNAP_BUF / 2 - 1 && (n = read(mfd, buf + len, SNAP_BUF / 2 - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	for (const char *l = buf; *l;) {
		const char *p = l;
		uintptr_t lo = hex(&p), hi = (*p == '-' ? (p++, hex(&p)) : 0), inode = 0;
		int readable = p[0] == ' ' && p[1] == 'r', field = 0;
		/* start-end perms offset dev inode [path]: on to the inode */
		for (; *p && *p != '\n' && field < 4; p++)
			if (*p == ' ' && p[1] != ' ')
				field++;
		while (*p >= '0' && *p <= '9')
			inode = inode * 10 + (uintptr_t)(*p++ - '0');
		while (*l && *l != '\n')
			l++;
		if (*l)
			l++;
		if (!readable || !inode || hi <= lo)
			continue;
		for (uintptr_t a = lo; a < hi;) {
			size_t k = (hi - a) / pg, max = SNAP_BUF / 2 / sizeof(uint64_t);
			if (k > max)
				k = max;
			n = pread(pfd, ent, k * sizeof(uint64_t),
			          (off_t)(a / pg * sizeof(uint64_t)));
			if (n <= 0)
				break;
			k = (size_t)n / sizeof(uint64_t);
			for (size_t i = 0; i < k; i++, a += pg) {
				if (!(ent[i] >> 63)) /* not present */
					continue;
				if (nruns &&
				    runs[nruns - 1].start + runs[nruns - 1].npages * pg == a)
					runs[nruns - 1].npages++;
				else if (nruns < cap)
					runs[nruns++] = (run_t){a, 1};
			}
		}
	}
out:
	if (mfd >= 0)
		close(mfd);
	if (pfd >= 0)
		close(pfd);
	if (buf != MAP_FAILED)
		munmap(buf, SNAP_BUF);
}

/* In the worker: map again what the server's start had mapped, a run at a
 * time with as_populate (MADV_POPULATE_READ, Linux 5.14): the kernel faults the run's
 * pages in as a read of each would, fault-around alike, without a trap
 * per fault (~540 pages in ~20 runs here: 2.3-2.4 ms of CPU per worker
 * read one by one, 0.9-1.5 ms so, at load 20); else read one by one
 * (where the program wrote nothing, so not a sanitizer's business). */
static void retouch(void)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	if (!runs)
		return;
	for (size_t r = 0; r < nruns; r++)
		as_populate(runs[r].start, runs[r].start + runs[r].npages * pg, 0);
	munmap(runs, RUNS_BYTES);
}

/* In the new worker: what exec_worker (trial.c) does before its exec, then
 * the worker itself. fds: result, spec, [stream]. Never returns. */
static void child(const request_t *rq, int *fds, int nfds)
{
	int result, spec, stream = -1, devnull;
	char *argv[] = {"__worker", NULL};
	*tid_addr = (int)syscall(SYS_set_tid_address, tid_addr);
	if (robust_head)
		syscall(SYS_set_robust_list, robust_head, robust_len);
	retouch();
	if (as_guard_child((pid_t)rq->parent) != 0)
		_exit(127);
	/* above every target first; then the targets, nothing else open */
	result = fcntl(fds[0], F_DUPFD_CLOEXEC, AS_WIRE_FD_ABOVE);
	spec = fcntl(fds[1], F_DUPFD_CLOEXEC, AS_WIRE_FD_ABOVE);
	if ((rq->flags & F_STREAM) && nfds > 2)
		stream = fcntl(fds[2], F_DUPFD_CLOEXEC, AS_WIRE_FD_ABOVE);
	if (result < 0 || spec < 0 || ((rq->flags & F_STREAM) && stream < 0) ||
	    dup2(result, AS_WIRE_FD_RESULT) < 0 || dup2(spec, AS_WIRE_FD_SPEC) < 0 ||
	    (stream >= 0 && dup2(stream, AS_WIRE_FD_STREAM) < 0))
		_exit(127);
	close(AS_WIRE_FD_COUNTERS);
	if (stream < 0)
		close(AS_WIRE_FD_STREAM);
	close_range(AS_WIRE_FD_STREAM + 1, ~0U, 0);
	devnull = open("/dev/null", O_RDONLY);
	if (devnull >= 0 && devnull != 0) {
		dup2(devnull, 0);
		close(devnull);
	}
	dup2(2, 1);
	exit(as_worker_main(1, argv));
}

/* One request: clone the worker (the run's child, in the trial cgroup when
 * one came) and answer its pid. Returns 0, or -1 at EOF or a broken
 * request. */
static int serve_one(int sock)
{
	request_t rq;
	reply_t rp = {0, 0};
	int fds[4], nfds = 0, cg = -1;
	union {
		char buf[CMSG_SPACE(sizeof(fds))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {&rq, sizeof(rq)};
	struct msghdr m = {.msg_iov = &iov,
	                   .msg_iovlen = 1,
	                   .msg_control = u.buf,
	                   .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c;
	struct clone_args a;
	ssize_t n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	if (n <= 0)
		return n < 0 && errno == EINTR ? 0 : -1;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			nfds = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			if (nfds > 4)
				nfds = 4;
			memcpy(fds, CMSG_DATA(c), (size_t)nfds * sizeof(int));
		}
	if (n != sizeof(rq) || nfds < 2 ||
	    nfds != 2 + !!(rq.flags & F_STREAM) + !!(rq.flags & F_CGROUP)) {
		rp.err = EINVAL;
	} else {
		if (rq.flags & F_CGROUP)
			cg = fds[nfds - 1];
		memset(&a, 0, sizeof(a));
		a.flags = CLONE_PARENT | (cg >= 0 ? CLONE_INTO_CGROUP : 0);
		a.cgroup = cg >= 0 ? (uint64_t)cg : 0;
		/* with CLONE_PARENT the exit signal is the server's own (SIGCHLD) */
		pid_t pid = (pid_t)syscall(SYS_clone3, &a, sizeof(a));
		if (pid == 0)
			child(&rq, fds, nfds);
		if (pid < 0)
			rp.err = errno;
		else
			rp.pid = pid;
	}
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	return send(sock, &rp, sizeof(rp), MSG_NOSIGNAL) == (ssize_t)sizeof(rp) ? 0 : -1;
}

int as_forkserver_main(void)
{
	int sock = AS_WIRE_FD_RESULT;
	snapshot();
	if (prctl(PR_GET_TID_ADDRESS, &tid_addr, 0, 0, 0) != 0 || !tid_addr ||
	    *tid_addr != (int)syscall(SYS_gettid))
		_exit(3); /* the run sees EOF and execs its workers */
	if (syscall(SYS_get_robust_list, 0, &robust_head, &robust_len) != 0)
		robust_head = NULL;
	while (serve_one(sock) == 0)
		;
	/* _exit: no exit handlers. A sanitizer build's LeakSanitizer pass at
	 * exit starts a tracer process; when it outlasted the run's wait for
	 * the server, the tracer, orphaned, came to the run, whose sweep
	 * counted it as the next trial's stray */
	_exit(0);
}

/* ---- run side ---- */
#define SERVERS_MAX 8

typedef struct {
	pid_t pid;
	int sock;
	char *env;
	uint8_t *served; /* trial groups it made a worker for */
	uint32_t nserved;
	uint64_t used; /* when last used (a counter): the oldest goes first */
} server_t;

static server_t servers[SERVERS_MAX];
static int nservers, off, registered;
static pid_t owner; /* the run that spawned them */
static uint64_t clock_uses;

static void stop(server_t *s)
{
	int st;
	close(s->sock);
	/* EOF: it exits at once; a server stuck in a request is killed */
	if (!as_guard_wait_exit(s->pid, 200))
		kill(s->pid, SIGKILL);
	waitpid(s->pid, &st, 0);
	as_guard_keep(s->pid, 0);
	free(s->env);
	free(s->served);
	*s = servers[--nservers];
}

/* In a fork of the run that uses no exec (a --jobs process, jobs.h): the
 * run's servers are not its own (their workers would be the run's
 * children). Forget them, closing only this process's copies of their
 * sockets; it spawns its own. */
static void adopt(void)
{
	if (!owner || owner == getpid())
		return;
	for (int i = 0; i < nservers; i++) {
		close(servers[i].sock);
		as_guard_keep(servers[i].pid, 0);
		free(servers[i].env);
		free(servers[i].served);
	}
	nservers = 0;
	owner = 0;
}

void as_forkserver_stop_all(void)
{
	if (owner != getpid())
		return; /* a child of the run that exit()s: the servers are not its */
	while (nservers)
		stop(&servers[0]);
}

void as_exec_self(const char *env, char **argv)
{
	int devnull = open("/dev/null", O_RDONLY);
	if (devnull >= 0)
		dup2(devnull, 0);
	/* what a module prints goes to stderr: the tool's stdout is its table
	 * and the results line (-q keeps it empty) */
	dup2(2, 1);
	/* the module's variables, read when the worker or its allocator starts */
	if (as_env_apply(env) != 0)
		_exit(127);
	execv("/proc/self/exe", argv);
	_exit(127);
}

/* Exec a server with env applied, as exec_worker does for a worker. */
static server_t *spawn(const char *env)
{
	int sv[2];
	pid_t parent = getpid(), pid;
	server_t *s;
	if (nservers == SERVERS_MAX) {
		int old = 0;
		for (int i = 1; i < nservers; i++)
			if (servers[i].used < servers[old].used)
				old = i;
		stop(&servers[old]);
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return NULL;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		char *argv[] = {"allocscope", "__worker", "--serve", NULL};
		int fd;
		/* its own group (no terminal signals), death with the run */
		setpgid(0, 0);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
			_exit(127);
		fd = fcntl(sv[1], F_DUPFD_CLOEXEC, AS_WIRE_FD_ABOVE);
		if (fd < 0 || dup2(fd, AS_WIRE_FD_RESULT) < 0)
			_exit(127);
		as_exec_self(env, argv);
	}
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		return NULL;
	}
	as_guard_keep(pid, 1);
	owner = parent;
	if (!registered++)
		atexit(as_forkserver_stop_all);
	s = &servers[nservers++];
	memset(s, 0, sizeof(*s));
	s->pid = pid;
	s->sock = sv[0];
	s->env = strdup(env);
	if (!s->env) {
		stop(s);
		return NULL;
	}
	return s;
}

/* The server for env that has made no worker of group yet. */
static server_t *server_for(const char *env, uint32_t group)
{
	for (int i = 0; i < nservers; i++) {
		server_t *s = &servers[i];
		if (strcmp(s->env, env))
			continue;
		if (group < s->nserved && s->served[group]) {
			stop(s); /* one more repetition: a fresh layout */
			break;
		}
		return s;
	}
	return spawn(env);
}

static int mark_served(server_t *s, uint32_t group)
{
	if (group >= s->nserved) {
		uint32_t n = group + 64;
		uint8_t *v = realloc(s->served, n);
		if (!v)
			return -1;
		memset(v + s->nserved, 0, n - s->nserved);
		s->served = v;
		s->nserved = n;
	}
	s->served[group] = 1;
	return 0;
}

/* ALLOCSCOPE_NO_FORKSERVER set (not "0"): every worker exec'd. */
static int disabled(void)
{
	const char *v;
	if (!off) {
		v = getenv("ALLOCSCOPE_NO_FORKSERVER");
		off = v && *v && strcmp(v, "0") ? 1 : -1;
	}
	return off > 0;
}

pid_t as_forkserver_worker(const char *env, uint32_t group, int mark, int wfd, int specfd,
                           int streamfd)
{
	request_t rq = {(int32_t)getpid(), 0};
	reply_t rp;
	int fds[4], nfds = 0, cg;
	union {
		char buf[CMSG_SPACE(sizeof(fds))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {&rq, sizeof(rq)};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf};
	struct cmsghdr *c;
	server_t *s;
	if (disabled())
		return -1;
	adopt();
	if (!(s = server_for(env ? env : "", group)))
		return -1;
	cg = as_guard_trial_cgroup();
	if (cg == -1)
		return -1; /* a cgroup it cannot clone into: exec, which joins */
	fds[nfds++] = wfd;
	fds[nfds++] = specfd;
	if (streamfd >= 0) {
		fds[nfds++] = streamfd;
		rq.flags |= F_STREAM;
	}
	if (cg >= 0) {
		fds[nfds++] = cg;
		rq.flags |= F_CGROUP;
	}
	memset(&u, 0, sizeof(u));
	m.msg_controllen = CMSG_SPACE((size_t)nfds * sizeof(int));
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN((size_t)nfds * sizeof(int));
	memcpy(CMSG_DATA(c), fds, (size_t)nfds * sizeof(int));
	s->used = ++clock_uses;
	ssize_t n = sendmsg(s->sock, &m, MSG_NOSIGNAL);
	if (n == (ssize_t)sizeof(rq))
		while ((n = recv(s->sock, &rp, sizeof(rp), 0)) < 0 && errno == EINTR)
			;
	if (n != (ssize_t)sizeof(rp) || rp.pid <= 0) {
		/* a server that died or refused: gone, and this worker exec'd */
		if (cg >= 0) {
			close(cg);
			as_guard_trial_cgroup_drop();
		}
		stop(s);
		return -1;
	}
	if (cg >= 0)
		close(cg);
	if (mark)
		(void)mark_served(s, group);
	return (pid_t)rp.pid;
}
