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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../workloads/opstream.h"
#include "forkserver.h"
#include "guard.h"
#include "loader.h"
#include "oom.h"
#include "modenv.h"
#include "pin.h"
#include "syscount.h"
#include "trial_wire.h"
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

void as_trial_result_none(as_trial_result_t *res, as_status_t st)
{
	memset(res, 0, sizeof(*res));
	for (int i = 0; i < AS_TRIAL_NCOLS; i++)
		res->v[i] = NAN;
	for (int i = 0; i < AS_OP_KIND_COUNT; i++)
		res->p99_ns[i] = NAN;
	res->status = st;
}

int as_trial_rec_set(as_trial_rec_t *rec, const as_trial_result_t *res)
{
	rec->status = res->status;
	rec->threads = res->threads;
	memcpy(rec->v, res->v, sizeof(rec->v));
	memcpy(rec->p99_ns, res->p99_ns, sizeof(rec->p99_ns));
	free(rec->reason);
	rec->reason = NULL;
	if (res->status == AS_OK)
		return 0;
	rec->reason = strdup(res->reason);
	return rec->reason ? 0 : -1;
}

void as_trial_rec_free(as_trial_rec_t *rec)
{
	free(rec->reason);
	rec->reason = NULL;
}

/* How long the tracer handles stops before the caller looks at its
 * deadline again: with two threads of the worker in system calls a stop is
 * always pending, and the loop below never ended (a module hanging in
 * madvise outlived --timeout: tests/test_seccomp_hang.sh). */
#define TRACE_SLICE_NS 20000000ULL

/* The seccomp tracer: handle the pending ptrace stops of the worker's
 * threads, for at most TRACE_SLICE_NS. Returns 1 once the worker process
 * itself has been reaped, 2 when stops may still be pending (call again
 * without waiting for a SIGCHLD), else 0. */
static int trace_stops(pid_t pid, volatile uint64_t *counts, int *wstatus)
{
	uint64_t until = as_now_ns() + TRACE_SLICE_NS;
	for (;;) {
		int st;
		pid_t w;
		if (as_now_ns() > until)
			return 2;
		w = waitpid(-1, &st, WNOHANG | __WALL);
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

/* What the parent knows of one running worker. */
typedef struct {
	pid_t pid;
	int rfd;                   /* result pipe, read end */
	int tracing;               /* --syscalls seccomp: the parent is the tracer */
	int memfd, sfd;            /* shared counters page, SIGCHLD signalfd */
	volatile uint64_t *counts; /* the shared counters page */
	sigset_t oldmask;
	int wstatus, reaped, timed_out, interrupted;
	int stopped;                 /* killed at the timeout in a stop (SIGSTOP...) */
	int strays;                  /* processes the trial left behind (the module forked) */
	int streamfd;                /* the op stream's record for the worker, or -1 */
	struct stream_entry *stream; /* its cache entry (filled by this worker when new) */
} worker_t;

/* ---- op streams built once per run ----
 * A generator's stream depends only on its params, the seed and the thread
 * count, and the same one runs in every module's trial and every
 * repetition. The first worker of a (workload, seed, threads) builds it as
 * before and writes it into an empty memfd the parent made (the record,
 * as_opstream_write, header last); once that worker has exited with the
 * record whole, the parent seals it and hands it to every later worker of
 * the key, which reads it instead of building (worker.c). Traces
 * are read by each worker as before. Kept until as_trial_streams_clear. */
#define STREAMS_MAX       64
#define STREAMS_MAX_BYTES (512ULL << 20)

typedef struct stream_entry {
	char *key;
	int fd;
	int sealed; /* 1: a whole record, read-only; 0: being filled, or not to be had */
	uint64_t bytes;
} stream_entry_t;

static stream_entry_t streams[STREAMS_MAX];
static int nstreams;
static uint64_t stream_bytes;

void as_trial_streams_clear(void)
{
	for (int i = 0; i < nstreams; i++) {
		free(streams[i].key);
		if (streams[i].fd >= 0)
			close(streams[i].fd);
	}
	nstreams = 0;
	stream_bytes = 0;
}

/* The record fd for spec's worker (dup2'd to AS_WIRE_FD_STREAM), or -1
 * when there is none to give (a trace, a probe, the cache full, no
 * memfd): the worker builds its stream itself. */
static int stream_for(const as_trial_spec_t *spec, stream_entry_t **ent)
{
	char *key = NULL;
	int fd;
	*ent = NULL;
	if (spec->probe || !spec->workload || !strcmp(spec->workload->name, "trace") ||
	    getenv("ALLOCSCOPE_NO_STREAM_CACHE"))
		return -1;
	if (asprintf(&key, "%s\n%llu\n%u", spec->workload->label, (unsigned long long)spec->seed,
	             spec->threads) < 0)
		return -1;
	for (int i = 0; i < nstreams; i++)
		if (!strcmp(streams[i].key, key)) {
			free(key);
			return streams[i].sealed ? streams[i].fd : -1;
		}
	if (nstreams == STREAMS_MAX || stream_bytes >= STREAMS_MAX_BYTES ||
	    (fd = memfd_create("allocscope-opstream", MFD_CLOEXEC | MFD_ALLOW_SEALING)) < 0) {
		free(key);
		return -1;
	}
	streams[nstreams] = (stream_entry_t){key, fd, 0, 0};
	*ent = &streams[nstreams++];
	return fd;
}

/* After the worker that was to fill e exited: keep the record when it is
 * whole and can be sealed (no process left can write it), else never
 * try this key again in the run. */
static void stream_done(stream_entry_t *e)
{
	struct stat st;
	if (as_opstream_record_ok(e->fd) && fstat(e->fd, &st) == 0 &&
	    stream_bytes + (uint64_t)st.st_size <= STREAMS_MAX_BYTES &&
	    fcntl(e->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) ==
	        0) {
		e->sealed = 1;
		e->bytes = (uint64_t)st.st_size;
		stream_bytes += e->bytes;
		return;
	}
	close(e->fd);
	e->fd = -1;
}

/* The worker's side of the fork: move the fds where trial_wire.h says,
 * become traceable where asked, and exec this same program. */
static void exec_worker(const worker_t *w, pid_t parent, int wfd, int specfd, const char *env)
{
	int sfd = -1;
	char *argv[] = {"allocscope", "__worker", NULL};
	/* own process group, death with the run, the run's cgroup (guard.h):
	 * every process the module starts ends with the trial; stdin from
	 * /dev/null. PDEATHSIG survives the exec. */
	int cfd = -1;
	if (as_guard_child(parent) != 0)
		_exit(127);
	/* lift every source above the targets first: a source may sit on
	 * another's target number (dup2 onto itself would keep CLOEXEC) */
	wfd = fcntl(wfd, F_DUPFD_CLOEXEC, AS_WIRE_FD_ABOVE);
	specfd = fcntl(specfd, F_DUPFD_CLOEXEC, AS_WIRE_FD_ABOVE);
	if (w->tracing)
		cfd = fcntl(w->memfd, F_DUPFD_CLOEXEC, AS_WIRE_FD_ABOVE);
	if (w->streamfd >= 0 && (sfd = fcntl(w->streamfd, F_DUPFD_CLOEXEC, AS_WIRE_FD_ABOVE)) < 0)
		_exit(127);
	if (wfd < 0 || specfd < 0 || dup2(wfd, AS_WIRE_FD_RESULT) < 0 ||
	    dup2(specfd, AS_WIRE_FD_SPEC) < 0)
		_exit(127);
	/* the stream's record, or nothing there: the worker builds its own */
	if (sfd >= 0 ? dup2(sfd, AS_WIRE_FD_STREAM) < 0
	             : close(AS_WIRE_FD_STREAM) != 0 && errno != EBADF)
		_exit(127);
	if (w->tracing) {
		if (cfd < 0 || dup2(cfd, AS_WIRE_FD_COUNTERS) < 0)
			_exit(127);
		sigprocmask(SIG_SETMASK, &w->oldmask, NULL);
		if (xptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0)
			_exit(127);
	}
	as_exec_self(env, argv);
}

/* Shared counters and SIGCHLD signalfd for the seccomp tracer. */
static int tracer_setup(worker_t *w, char *err, size_t errlen)
{
	sigset_t chld;
	char why[512];
	w->memfd = memfd_create("allocscope-syscalls", MFD_CLOEXEC);
	if (w->memfd < 0 || ftruncate(w->memfd, AS_SYSCOUNT_SHARED_BYTES) != 0 ||
	    (w->counts = mmap(NULL, AS_SYSCOUNT_SHARED_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED,
	                      w->memfd, 0)) == MAP_FAILED) {
		snprintf(err, errlen, "shared counters: %s", strerror(errno));
		if (w->memfd >= 0)
			close(w->memfd);
		w->counts = NULL;
		return -1;
	}
	/* a filter libseccomp cannot build leaves its reason there: the worker
	 * reports it and runs uncounted, as when the kernel refuses it */
	(void)as_syscount_prepare_seccomp(w->memfd, why, sizeof(why));
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &w->oldmask);
	w->sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	return 0;
}

static void tracer_teardown(worker_t *w)
{
	if (!w->tracing || !w->counts)
		return;
	close(w->sfd);
	sigprocmask(SIG_SETMASK, &w->oldmask, NULL);
	munmap((void *)w->counts, AS_SYSCOUNT_SHARED_BYTES);
	close(w->memfd);
}

/* Start the worker for spec. Returns 0, or -1 with res->reason. */
static int start_worker(const as_trial_spec_t *spec, worker_t *w, as_trial_result_t *res)
{
	int pfd[2], specfd;
	pid_t parent;
	static as_modenv_t me;
	w->tracing = spec->syscalls == AS_SYSCOUNT_SECCOMP;
	w->pid = -1;
	w->streamfd = stream_for(spec, &w->stream);
	res->status = as_module_env_status(spec->module, &me, res->reason, sizeof(res->reason));
	if (res->status != AS_OK) /* refused (params), or loading it crashed, hung, exited */
		return -1;
	specfd = as_wire_spec_memfd(spec, res->reason, sizeof(res->reason));
	if (specfd < 0)
		return -1;
	if (pipe2(pfd, O_CLOEXEC) != 0) {
		snprintf(res->reason, sizeof(res->reason), "pipe: %s", strerror(errno));
		close(specfd);
		return -1;
	}
	if (w->tracing && tracer_setup(w, res->reason, sizeof(res->reason)) != 0) {
		w->tracing = 0;
		goto out_close;
	}
	/* forked by a server exec'd once (forkserver.h), else exec'd here */
	w->pid = w->tracing
	             ? -1
	             : as_forkserver_worker(me.env, spec->trial, !spec->probe && !spec->warmup,
	                                    pfd[1], specfd, w->streamfd);
	if (w->pid > 0)
		goto started;
	fflush(NULL);
	parent = getpid();
	w->pid = as_guard_fork_exec();
	if (w->pid == 0)
		exec_worker(w, parent, pfd[1], specfd, me.env);
	if (w->pid < 0) {
		snprintf(res->reason, sizeof(res->reason), "fork: %s", strerror(errno));
		tracer_teardown(w);
		goto out_close;
	}
started:
	close(pfd[1]);
	close(specfd);
	w->rfd = pfd[0];
	return 0;
out_close:
	close(pfd[0]);
	close(pfd[1]);
	close(specfd);
	return -1;
}

/* 1 once the worker has exited (not reaped: see as_guard_exited). */
static int worker_exited(const worker_t *w)
{
	return as_guard_exited(w->pid);
}

/* Wait at most until the deadline, and at most 100 ms at a time so a worker
 * that exited while a process it started holds the pipe is noticed. */
static int poll_ms(uint64_t deadline, uint64_t now)
{
	uint64_t ms = (deadline - now) / 1000000ULL + 1;
	return ms > 100 ? 100 : (int)ms;
}

/* The deadline moved by the time the worker spent sampling (the harness's
 * work, not the module's), at most by 9 timeouts so that no trial can go
 * on for ever. */
static uint64_t moved(uint64_t deadline, const as_wire_inbox_t *in, double timeout_s)
{
	uint64_t cap = (uint64_t)(timeout_s * 9e9);
	return deadline + (in->sampling_ns < cap ? in->sampling_ns : cap);
}

/* A wait of at most WAIT_MS that took more than a second longer: this
 * process stood still (^Z or SIGSTOP, then fg; or starved). The worker is
 * in a process group of its own, so ^Z does not stop it: what it reported
 * meanwhile is read at fg. */
#define STOOD_STILL_NS 1000000000ULL

/* Read the worker's messages until EOF (and, when tracing, until it is
 * reaped), the deadline (moved by sampling) or an interrupt. The time the
 * run stood still moves *start_deadline: a run suspended with ^Z for
 * longer than --timeout killed its trial at fg as late ("timeout: killed
 * after 3 s", a module blamed for a second of its own). */
static void collect(worker_t *w, uint64_t *start_deadline, double timeout_s, as_trial_result_t *res,
                    as_wire_inbox_t *in)
{
	int eof = 0, gone = 0, more = 0;
	while (!eof || (w->tracing && !w->reaped)) {
		uint64_t now = as_now_ns(), deadline = moved(*start_deadline, in, timeout_s),
		         polled;
		struct pollfd p[2] = {{eof ? -1 : w->rfd, POLLIN, 0}, {w->sfd, POLLIN, 0}};
		int r, wait_ms;
		long n;
		if (as_interrupted) {
			w->interrupted = w->timed_out = 1; /* kill it like a late worker */
			return;
		}
		if (now >= deadline) {
			w->timed_out = 1;
			return;
		}
		wait_ms = gone || more ? 0 : poll_ms(deadline, now);
		r = poll(p, w->tracing ? 2 : 1, wait_ms);
		/* only the wait counts: the time spent handling the worker's
		 * messages and stops is the run's, not standing still (with it
		 * the deadline of a trial whose stops kept the tracer busy moved
		 * on for ever) */
		polled = as_now_ns() - now;
		if (polled > (uint64_t)wait_ms * 1000000ULL + STOOD_STILL_NS)
			*start_deadline += polled - (uint64_t)wait_ms * 1000000ULL;
		if (r == 0 && !w->tracing && worker_exited(w)) {
			/* a process it left behind holds the pipe open; but the
			 * worker may have written its result between the poll's
			 * timeout and its exit: read what the pipe holds first */
			if (gone)
				return;
			gone = 1;
			continue;
		}
		if (r < 0 || (r == 0 && !more))
			continue;
		if (w->tracing && ((p[1].revents & POLLIN) || more)) {
			struct signalfd_siginfo si;
			int t;
			while (read(w->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				;
			t = trace_stops(w->pid, w->counts, &w->wstatus);
			more = t == 2;
			if (t == 1)
				w->reaped = 1;
		}
		if (eof || !(p[0].revents & (POLLIN | POLLHUP)))
			continue;
		n = as_wire_inbox_read(in, w->rfd, res);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			eof = 1; /* EOF: worker finished or died */
	}
}

/* After EOF give the worker the rest of its time to exit; kill it when it
 * is late. Its process group is killed in every case (a module's children
 * die with the trial), then it is reaped and what is left is swept. */
static void finish(worker_t *w, uint64_t deadline)
{
	uint64_t now;
	while (!w->timed_out && !w->reaped && (now = as_now_ns()) < deadline &&
	       !as_guard_wait_exit(w->pid, poll_ms(deadline, now)))
		;
	if (!w->reaped && !w->timed_out && !worker_exited(w))
		w->timed_out = 1;
	if (w->timed_out && !w->reaped) {
		/* a stopped worker is no slow one: say so (a module that
		 * raised SIGSTOP read as any hang) */
		w->stopped = !w->interrupted && as_guard_state(w->pid) == 'T';
		kill(w->pid, SIGKILL);
	}
	/* a traced worker's other threads are the tracer's to reap before its
	 * leader is reported: as_guard_end's waitpid(pid) alone waited for
	 * ever on a worker killed with a thread in a seccomp stop */
	while (w->tracing && !w->reaped) {
		int st;
		pid_t r = waitpid(-1, &st, __WALL);
		if (r < 0 && errno != EINTR)
			break;
		if (r == w->pid && (WIFEXITED(st) || WIFSIGNALED(st))) {
			w->wstatus = st;
			w->reaped = 1;
		}
	}
	w->strays = as_guard_end(w->pid, w->reaped ? NULL : &w->wstatus, w->tracing ? __WALL : 0);
	w->reaped = 1;
}

/* Where a worker that ended without a result stopped: a probe reports
 * once the instance exists, so its status tells create from destroy; a
 * trial reports its numbers before destroy. */
static const char *phase(const as_trial_spec_t *spec, const as_wire_inbox_t *in)
{
	if (spec->probe)
		return in->got_status ? " in destroy"
		       : in->in_checks
		           ? " in the quick checks of its blocks, after create ('allocscope check' "
		             "runs them one by one)"
		           : " in load or create";
	return in->got_status ? " after reporting: in destroy or exit" : "";
}

/* Turn how the worker ended into the result's status. */
static void classify(const worker_t *w, const as_wire_inbox_t *in, const as_trial_spec_t *spec,
                     as_trial_result_t *res)
{
	if (w->strays && !w->interrupted && !w->timed_out) {
		/* the rows may hold two processes' reports: none is kept */
		res->status = AS_ERR_WORKER;
		if (spec->probe) /* as_module_probe puts "the module's probe (...) " first */
			snprintf(res->reason, sizeof(res->reason),
			         "started %d process%s (a fork in load, create or destroy?): a "
			         "trial must stay in one process",
			         w->strays, w->strays == 1 ? "" : "es");
		else
			snprintf(
			    res->reason, sizeof(res->reason),
			    "the module started %d process%s (fork in the trial?): a trial must "
			    "stay in one process; its numbers are dropped",
			    w->strays, w->strays == 1 ? "" : "es");
		as_trial_result_free(res);
		for (int i = 0; i < AS_TRIAL_NCOLS; i++)
			res->v[i] = NAN;
		res->bindings[0] = '\0';
	} else if (w->interrupted) {
		res->status = AS_ERR_INTERRUPTED;
		snprintf(res->reason, sizeof(res->reason), "interrupted");
	} else if (w->timed_out && spec->probe) {
		res->status = AS_ERR_TIMEOUT;
		snprintf(res->reason, sizeof(res->reason), "hung%s: killed after %.3g s%s",
		         phase(spec, in), spec->timeout_s,
		         w->stopped ? " (it was stopped: SIGSTOP or another stop signal)" : "");
	} else if (w->timed_out) {
		res->status = AS_ERR_TIMEOUT;
		char spent[64] = "";
		/* last, so "killed after N s" and what follows it read the same
		 * with or without it (in the middle it broke two tests' patterns
		 * on a loaded machine, where sampling took a few ms) */
		if (in->sampling_ns)
			snprintf(spent, sizeof(spent), " (and %.3g s of sampling not counted)",
			         (double)in->sampling_ns / 1e9);
		snprintf(res->reason, sizeof(res->reason), "killed after %.3g s%s%s%s",
		         spec->timeout_s, in->got_trial ? " (after reporting its numbers)" : "",
		         w->stopped ? ": it was stopped (SIGSTOP or another stop signal, the "
		                      "module's own or another process's), not running"
		                    : "",
		         spent);
	} else if (WIFSIGNALED(w->wstatus)) {
		int sig = WTERMSIG(w->wstatus);
		res->status = AS_ERR_CRASH;
		snprintf(res->reason, sizeof(res->reason), "%sdied on signal %d (%s)%s",
		         spec->probe ? "" : "worker ", sig, strsignal(sig), phase(spec, in));
	} else if (in->got_status && res->status == AS_OK && WIFEXITED(w->wstatus) &&
	           WEXITSTATUS(w->wstatus) != 0) {
		/* the worker returns 0 after destroy: another code is the
		 * module's exit() there (or in an atexit handler or destructor),
		 * a failure as a crash there is (until session 27 the row was
		 * ok, the probe passed) */
		res->status = AS_ERR_WORKER;
		snprintf(res->reason, sizeof(res->reason), "%sexited with status %d%s",
		         spec->probe ? "" : "worker ", WEXITSTATUS(w->wstatus), phase(spec, in));
	} else if (!in->got_status) {
		int code = WIFEXITED(w->wstatus) ? WEXITSTATUS(w->wstatus) : -1;
		char pipe_lost[128] = "";
		res->status = AS_ERR_WORKER;
		/* 3: the worker's own exit when a write to its result pipe
		 * failed (worker.c) while this process was reading it: the
		 * module closed the descriptor (a close of every fd from 3 up)
		 * or put another in its place; before, the reason stopped at
		 * "status 3" */
		if (code == AS_EXIT_OOM)
			snprintf(
			    pipe_lost, sizeof(pipe_lost),
			    ": out of memory in the harness's code (its own line is on stderr)");
		else if (code == 3)
			snprintf(pipe_lost, sizeof(pipe_lost),
			         ": it could not write to its result pipe (fd %d): did the module "
			         "close or replace descriptors it did not open?",
			         AS_WIRE_FD_RESULT);
		/* 0: the worker's own exit comes only after its status, so the
		 * module ended the process, or wrote-off its result pipe (a
		 * dup2 of /dev/null over it: every write "succeeded") */
		else if (code == 0 && !spec->probe)
			snprintf(
			    pipe_lost, sizeof(pipe_lost),
			    ": the module called exit(0), or closed or replaced the result pipe "
			    "(fd %d)",
			    AS_WIRE_FD_RESULT);
		snprintf(res->reason, sizeof(res->reason),
		         "%sexited with status %d%s without a result%s",
		         spec->probe ? "" : "worker ", code, phase(spec, in), pipe_lost);
	}
}

/* A reason is one line on stderr and one CSV cell: a module's newlines and
 * other control characters become spaces. */
static void one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

int as_trial_run(const as_trial_spec_t *spec, as_trial_result_t *res)
{
	worker_t w;
	as_wire_inbox_t in = {0};
	uint64_t deadline;

	memset(&w, 0, sizeof(w));
	as_guard_start(); /* once: the run's cgroup, and a subreaper */
	as_trial_result_none(res, AS_ERR_WORKER);
	if (start_worker(spec, &w, res) != 0) {
		if (w.stream)
			stream_done(w.stream);
		return -1;
	}
	deadline = as_now_ns() + (uint64_t)(spec->timeout_s * 1e9);
	collect(&w, &deadline, spec->timeout_s, res, &in);
	close(w.rfd);
	finish(&w, moved(deadline, &in, spec->timeout_s));
	if (w.stream)
		stream_done(w.stream);
	classify(&w, &in, spec, res);
	one_line(res->reason);
	as_wire_inbox_free(&in);
	tracer_teardown(&w);
	return 0;
}

int as_status_is_fault(as_status_t st)
{
	return st == AS_ERR_CRASH || st == AS_ERR_TIMEOUT || st == AS_ERR_WORKER ||
	       st == AS_ERR_INVALID;
}

as_status_t as_module_probe(const as_spec_t *module, double timeout_s, int quick_checks, char *err,
                            size_t errlen)
{
	as_trial_spec_t spec = {.module = module,
	                        .threads = 1,
	                        .timeout_s = timeout_s,
	                        .probe = quick_checks ? AS_PROBE_CHECKS : AS_PROBE_NO_CHECKS};
	as_trial_result_t res;
	int started = as_trial_run(&spec, &res) == 0;
	char shown[AS_SHOW_MAX];
	if (as_status_is_fault(res.status) && !strstr(res.reason, module->name))
		snprintf(err, errlen, "%s: %s%s", as_show(module->label, shown),
		         !started ? ""
		         : quick_checks
		             ? "the module's probe (load, create, quick checks, destroy) "
		             : "the module's probe (load, create, destroy) ",
		         res.reason);
	else
		snprintf(err, errlen, "%s", res.reason);
	as_trial_result_free(&res);
	return res.status;
}
