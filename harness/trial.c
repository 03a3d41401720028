/* trial.c - the parent side of a trial: start the worker with a result pipe,
 * read its messages until EOF or the deadline, kill it when late, and turn
 * whatever happened into one result. Never exits, never loses the row. */
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
#include <sys/wait.h>
#include <unistd.h>

#include "loader.h"
#include "util.h"

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
		} else if (h.type == AS_MSG_INFO) {
			char kv[512];
			size_t n = h.len < sizeof(kv) - 1 ? h.len : sizeof(kv) - 1;
			memcpy(kv, p, n);
			kv[n] = '\0';
			if (!strncmp(kv, "module_version=", 15))
				snprintf(res->module_version, sizeof(res->module_version), "%s",
				         kv + 15);
		}
		off += sizeof(h) + h.len;
	}
	memmove(in->buf, in->buf + off, in->len - off);
	in->len -= off;
}

int as_trial_run(const as_trial_spec_t *spec, as_trial_result_t *res)
{
	int pfd[2];
	pid_t pid;
	char fdarg[16], threads[16], seed[32], validate[4], every[32];
	inbox_t in = {0};
	uint64_t deadline;
	int wstatus = 0, timed_out = 0, reaped = 0;

	memset(res, 0, sizeof(*res));
	for (int i = 0; i < AS_TRIAL_NCOLS; i++)
		res->v[i] = NAN;
	res->status = AS_ERR_WORKER;

	if (pipe2(pfd, O_CLOEXEC) != 0) {
		snprintf(res->reason, sizeof(res->reason), "pipe: %s", strerror(errno));
		return -1;
	}
	snprintf(fdarg, sizeof(fdarg), "%d", 3);
	snprintf(threads, sizeof(threads), "%u", spec->threads);
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)spec->seed);
	snprintf(validate, sizeof(validate), "%d", spec->validate ? 1 : 0);
	snprintf(every, sizeof(every), "%llu", (unsigned long long)spec->sample_every);

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(res->reason, sizeof(res->reason), "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
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
		                NULL};
		/* result pipe on fd 3; stdin from /dev/null; own process group so a
		 * timeout kill reaches every process the module may have started */
		setpgid(0, 0);
		if (dup2(pfd[1], 3) < 0)
			_exit(127);
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
	for (;;) {
		uint64_t now = as_now_ns();
		struct pollfd p = {pfd[0], POLLIN, 0};
		int timeout_ms, r;
		if (now >= deadline) {
			timed_out = 1;
			break;
		}
		timeout_ms = (int)((deadline - now) / 1000000ULL) + 1;
		r = poll(&p, 1, timeout_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		if (in.len == in.cap) {
			in.cap *= 2;
			in.buf = realloc(in.buf, in.cap);
		}
		ssize_t n = read(pfd[0], in.buf + in.len, in.cap - in.len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* EOF: worker finished or died */
		in.len += (size_t)n;
		decode(&in, res);
	}
	close(pfd[0]);
	if (timed_out) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	} else {
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
		waitpid(pid, &wstatus, 0);
	free(in.buf);

	if (timed_out) {
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
	return 0;
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
