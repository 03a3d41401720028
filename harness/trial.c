/* trial.c - the parent side of a trial: start the worker with a result pipe,
 * read its messages until EOF or the deadline, kill it when late, and turn
 * whatever happened into one result. Never exits, never loses the row. With
 * --syscalls seccomp it is also the worker's ptrace tracer: every trapped
 * memory syscall stops the worker, is counted into a page shared with it,
 * and resumes it. */
#define _GNU_SOURCE
#include "trial.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/ptrace.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loader.h"
#include "pin.h"
#include "syscount.h"
#include "util.h"

/* glibc's <sys/ptrace.h> clashes with <linux/ptrace.h>; use the syscall. */
#include <sys/syscall.h>
static long xptrace(long req, pid_t pid, void *addr, void *data)
{
	return syscall(SYS_ptrace, req, pid, addr, data);
}

void as_trial_result_free(as_trial_result_t *res)
{
	free(res->series.v);
	free(res->latency.v);
	free(res->hist.v);
	memset(&res->series, 0, sizeof(res->series));
	memset(&res->latency, 0, sizeof(res->latency));
	memset(&res->hist, 0, sizeof(res->hist));
}

static void rows_add(as_rows_t *r, const void *row, size_t ncols)
{
	if (r->n == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 256;
		double *nv = realloc(r->v, ncap * ncols * sizeof(double));
		if (!nv)
			return; /* row lost, never the run */
		r->v = nv;
		r->cap = ncap;
	}
	memcpy(r->v + r->n * ncols, row, ncols * sizeof(double));
	r->n++;
}

/* Accumulates the worker's byte stream and decodes complete messages. */
typedef struct {
	char *buf;
	size_t len, cap;
	int got_status;
	int got_trial;
} inbox_t;

static void decode(inbox_t *in, as_trial_result_t *res)
{
	size_t off = 0;
	while (in->len - off >= sizeof(as_msg_hdr_t)) {
		as_msg_hdr_t h;
		memcpy(&h, in->buf + off, sizeof(h));
		if (in->len - off - sizeof(h) < h.len)
			break;
		const char *p = in->buf + off + sizeof(h);
		if (h.type == AS_MSG_TRIAL && h.len == sizeof(res->v)) {
			memcpy(res->v, p, sizeof(res->v));
			in->got_trial = 1;
		} else if (h.type == AS_MSG_STATUS && h.len == sizeof(as_msg_status_t)) {
			as_msg_status_t m;
			memcpy(&m, p, sizeof(m));
			res->status = (as_status_t)m.status;
			m.reason[sizeof(m.reason) - 1] = '\0';
			snprintf(res->reason, sizeof(res->reason), "%s", m.reason);
			in->got_status = 1;
		} else if (h.type == AS_MSG_SERIES && h.len == AS_SERIES_NCOLS * sizeof(double)) {
			rows_add(&res->series, p, AS_SERIES_NCOLS);
		} else if (h.type == AS_MSG_LATENCY && h.len == AS_LATENCY_NCOLS * sizeof(double)) {
			double row[AS_LATENCY_NCOLS];
			memcpy(row, p, sizeof(row));
			rows_add(&res->latency, row, AS_LATENCY_NCOLS);
			if ((unsigned)row[AS_LC_kind] < AS_OP_KIND_COUNT)
				res->p99_ns[(unsigned)row[AS_LC_kind]] = row[AS_LC_p99_ns];
		} else if (h.type == AS_MSG_HIST && h.len == AS_HIST_NCOLS * sizeof(double)) {
			rows_add(&res->hist, p, AS_HIST_NCOLS);
		} else if (h.type == AS_MSG_INFO) {
			char kv[512];
			size_t n = h.len < sizeof(kv) - 1 ? h.len : sizeof(kv) - 1;
			memcpy(kv, p, n);
			kv[n] = '\0';
			if (!strncmp(kv, "module_version=", 15)) {
				snprintf(res->module_version, sizeof(res->module_version), "%s",
				         kv + 15);
			} else if (!strncmp(kv, "binding.", 8)) {
				size_t l = strlen(res->bindings);
				char *eq = strchr(kv, '=');
				if (eq && l + 1 < sizeof(res->bindings)) {
					*eq = ':';
					snprintf(res->bindings + l, sizeof(res->bindings) - l,
					         "%s%s", l ? " " : "", kv + 8);
				}
			} else if (!strncmp(kv, "syscalls_na=", 12)) {
				snprintf(res->syscalls_na, sizeof(res->syscalls_na), "%s", kv + 12);
			} else if (!strncmp(kv, "warning=", 8)) {
				snprintf(res->warning, sizeof(res->warning), "%s", kv + 8);
			}
		}
		off += sizeof(h) + h.len;
	}
	memmove(in->buf, in->buf + off, in->len - off);
	in->len -= off;
}

/* The seccomp tracer: handle every pending ptrace stop of the worker's
 * threads. Returns 1 once the worker process itself has been reaped. */
static int trace_stops(pid_t pid, volatile uint64_t *counts, int *wstatus)
{
	for (;;) {
		int st;
		pid_t w = waitpid(-1, &st, WNOHANG | __WALL);
		if (w <= 0)
			return 0;
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			if (w == pid) {
				*wstatus = st;
				return 1;
			}
			continue;
		}
		if (!WIFSTOPPED(st))
			continue;
		int sig = WSTOPSIG(st), event = st >> 16, pass = 0;
		if (sig == SIGTRAP && event == PTRACE_EVENT_SECCOMP) {
			struct ptrace_syscall_info si;
			memset(&si, 0, sizeof(si));
			if (xptrace(PTRACE_GET_SYSCALL_INFO, w, (void *)sizeof(si), &si) > 0 &&
			    si.op == PTRACE_SYSCALL_INFO_SECCOMP) {
				int idx[2];
				int n = as_syscount_classify(
				    (long)si.seccomp.nr, (unsigned long)si.seccomp.args[2], idx);
				for (int k = 0; k < n; k++)
					__atomic_fetch_add(&counts[idx[k]], 1, __ATOMIC_RELEASE);
			}
		} else if (sig == SIGTRAP && event == 0 && w == pid) {
			/* the stop after execve: from now on trace clones and seccomp */
			xptrace(PTRACE_SETOPTIONS, w, NULL,
			        (void *)(long)(PTRACE_O_TRACESECCOMP | PTRACE_O_TRACECLONE |
			                       PTRACE_O_EXITKILL));
		} else if (sig == SIGSTOP && event == 0 && w != pid) {
			/* a new thread's first stop */
		} else if (event == 0) {
			pass = sig; /* a real signal: deliver it */
		}
		xptrace(PTRACE_CONT, w, NULL, (void *)(long)pass);
	}
}

volatile int as_interrupted;

int as_trial_run(const as_trial_spec_t *spec, as_trial_result_t *res)
{
	int pfd[2];
	pid_t pid;
	char fdarg[16], threads[16], seed[32], validate[4], every[32], lat[32], ival[32], tick[40];
	inbox_t in = {0};
	uint64_t deadline;
	int wstatus = 0, timed_out = 0, reaped = 0, eof = 0, interrupted = 0;
	int tracing = spec->syscalls == AS_SYSCOUNT_SECCOMP;
	int memfd = -1, sfd = -1;
	volatile uint64_t *counts = NULL;
	sigset_t chld, oldmask;

	memset(res, 0, sizeof(*res));
	for (int i = 0; i < AS_TRIAL_NCOLS; i++)
		res->v[i] = NAN;
	for (int i = 0; i < AS_OP_KIND_COUNT; i++)
		res->p99_ns[i] = NAN;
	res->status = AS_ERR_WORKER;

	if (pipe2(pfd, O_CLOEXEC) != 0) {
		snprintf(res->reason, sizeof(res->reason), "pipe: %s", strerror(errno));
		return -1;
	}
	if (tracing) {
		memfd = memfd_create("allocscope-syscalls", 0);
		if (memfd < 0 || ftruncate(memfd, 4096) != 0 ||
		    (counts = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0)) ==
		        MAP_FAILED) {
			snprintf(res->reason, sizeof(res->reason), "shared counters: %s",
			         strerror(errno));
			if (memfd >= 0)
				close(memfd);
			close(pfd[0]);
			close(pfd[1]);
			return -1;
		}
		sigemptyset(&chld);
		sigaddset(&chld, SIGCHLD);
		sigprocmask(SIG_BLOCK, &chld, &oldmask);
		sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	}
	snprintf(fdarg, sizeof(fdarg), "%d", 3);
	snprintf(threads, sizeof(threads), "%u", spec->threads);
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)spec->seed);
	snprintf(validate, sizeof(validate), "%d", spec->validate ? 1 : 0);
	snprintf(every, sizeof(every), "%llu", (unsigned long long)spec->sample_every);
	snprintf(lat, sizeof(lat), "%llu", (unsigned long long)spec->latency_every);
	snprintf(ival, sizeof(ival), "%llu", (unsigned long long)spec->sample_interval_ms);
	snprintf(tick, sizeof(tick), "%.17g", spec->ns_per_tick);

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(res->reason, sizeof(res->reason), "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		goto out_untrace;
	}
	if (pid == 0) {
		char *argv[] = {"allocscope",
		                "__worker",
		                fdarg,
		                (char *)spec->module,
		                (char *)spec->workload,
		                threads,
		                seed,
		                validate,
		                every,
		                lat,
		                ival,
		                (char *)as_syscount_name((as_syscount_method_t)spec->syscalls),
		                (char *)as_pin_name((as_pin_t)spec->pin),
		                tick,
		                NULL};
		/* result pipe on fd 3; stdin from /dev/null; own process group so a
		 * timeout kill reaches every process the module may have started */
		setpgid(0, 0);
		if (dup2(pfd[1], 3) < 0)
			_exit(127);
		if (tracing) {
			if (dup2(memfd, 4) < 0)
				_exit(127);
			sigprocmask(SIG_SETMASK, &oldmask, NULL);
			if (xptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0)
				_exit(127);
		}
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	close(pfd[1]);

	in.cap = 65536;
	in.buf = malloc(in.cap);
	deadline = as_now_ns() + (uint64_t)(spec->timeout_s * 1e9);
	while (!eof || (tracing && !reaped)) {
		uint64_t now = as_now_ns();
		struct pollfd p[2] = {{eof ? -1 : pfd[0], POLLIN, 0}, {sfd, POLLIN, 0}};
		int timeout_ms, r;
		if (as_interrupted) {
			interrupted = timed_out = 1; /* kill it like a late worker */
			break;
		}
		if (now >= deadline) {
			timed_out = 1;
			break;
		}
		timeout_ms = (int)((deadline - now) / 1000000ULL) + 1;
		r = poll(p, tracing ? 2 : 1, timeout_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		if (tracing && (p[1].revents & POLLIN)) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				;
			if (trace_stops(pid, counts, &wstatus))
				reaped = 1;
		}
		if (eof || !(p[0].revents & (POLLIN | POLLHUP)))
			continue;
		if (in.len == in.cap) {
			in.cap *= 2;
			in.buf = realloc(in.buf, in.cap);
		}
		ssize_t n = read(pfd[0], in.buf + in.len, in.cap - in.len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			eof = 1; /* EOF: worker finished or died */
			continue;
		}
		in.len += (size_t)n;
		decode(&in, res);
	}
	close(pfd[0]);
	if (timed_out) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	} else if (!reaped) {
		/* EOF came; give the worker the rest of its time to exit */
		while (as_now_ns() < deadline) {
			pid_t w = waitpid(pid, &wstatus, WNOHANG);
			if (w == pid) {
				reaped = 1;
				break;
			}
			usleep(1000);
		}
		if (!reaped) {
			timed_out = 1;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
		}
	}
	if (!reaped)
		waitpid(pid, &wstatus, tracing ? __WALL : 0);
	free(in.buf);

	if (interrupted) {
		res->status = AS_ERR_INTERRUPTED;
		snprintf(res->reason, sizeof(res->reason), "interrupted");
	} else if (timed_out) {
		res->status = AS_ERR_TIMEOUT;
		snprintf(res->reason, sizeof(res->reason), "killed after %.3g s%s", spec->timeout_s,
		         in.got_trial ? " (after reporting its numbers)" : "");
	} else if (WIFSIGNALED(wstatus)) {
		int sig = WTERMSIG(wstatus);
		res->status = AS_ERR_CRASH;
		snprintf(res->reason, sizeof(res->reason), "worker died on signal %d (%s)%s", sig,
		         strsignal(sig),
		         in.got_status ? " after reporting: in destroy or exit" : "");
	} else if (!in.got_status) {
		res->status = AS_ERR_WORKER;
		snprintf(res->reason, sizeof(res->reason),
		         "worker exited with status %d without a result",
		         WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
	}
out_untrace:
	if (tracing) {
		close(sfd);
		sigprocmask(SIG_SETMASK, &oldmask, NULL);
		munmap((void *)counts, 4096);
		close(memfd);
	}
	return pid < 0 ? -1 : 0;
}

as_status_t as_module_probe(const char *spec, char *err, size_t errlen)
{
	int pfd[2];
	pid_t pid;
	int wstatus;
	as_msg_status_t m;
	long n;
	struct pollfd p;

	if (pipe2(pfd, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return AS_ERR_WORKER;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		char name[4096], e[600];
		const char *params;
		as_loaded_t lm;
		void *inst;
		as_status_t st;
		close(pfd[0]);
		memset(&m, 0, sizeof(m));
		as_module_spec_split(spec, name, sizeof(name), &params);
		st = as_module_load(name, &lm, m.reason, sizeof(m.reason));
		if (st == AS_OK) {
			if (lm.mod->create(params, &inst, e, sizeof(e)) != 0) {
				st = AS_ERR_PARAMS;
				snprintf(m.reason, sizeof(m.reason), "module %s (%s): %s",
				         lm.mod->name, lm.path, e);
			} else {
				lm.mod->destroy(inst);
			}
		}
		m.status = st;
		_exit(as_write_all(pfd[1], &m, sizeof(m)) == 0 ? 0 : 3);
	}
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return AS_ERR_WORKER;
	}
	p.fd = pfd[0];
	p.events = POLLIN;
	n = poll(&p, 1, 20000) > 0 ? as_read_full(pfd[0], &m, sizeof(m)) : -1;
	close(pfd[0]);
	if (n != (long)sizeof(m))
		kill(pid, SIGKILL);
	waitpid(pid, &wstatus, 0);
	if (n != (long)sizeof(m)) {
		if (WIFSIGNALED(wstatus))
			snprintf(err, errlen, "%s: module crashed while loading (signal %d, %s)",
			         spec, WTERMSIG(wstatus), strsignal(WTERMSIG(wstatus)));
		else
			snprintf(err, errlen, "%s: module did not load within 20 s", spec);
		return AS_ERR_CRASH;
	}
	m.reason[sizeof(m.reason) - 1] = '\0';
	snprintf(err, errlen, "%s", m.reason);
	return (as_status_t)m.status;
}
