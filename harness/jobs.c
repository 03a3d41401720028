/* jobs.c - see jobs.h. A job process is a fork of the run (no exec): the
 * specs' module and workload pointers stay valid in it. It reads one
 * as_trial_spec_t at a time from its command pipe and answers with the
 * as_trial_result_t followed by its series, latency and histogram rows. */
#define _GNU_SOURCE
#include "jobs.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "forkserver.h"
#include "guard.h"
#include "tables.h"
#include "trial.h"
#include "util.h"

static const size_t row_cols[3] = {AS_SERIES_NCOLS, AS_LATENCY_NCOLS, AS_HIST_NCOLS};

static as_rows_t *rows_of(as_trial_result_t *r, int k)
{
	return k == 0 ? &r->series : k == 1 ? &r->latency : &r->hist;
}

static int send_result(int fd, const as_trial_result_t *r)
{
	as_trial_result_t head = *r;
	if (as_write_all(fd, &head, sizeof(head)) != 0)
		return -1;
	for (int k = 0; k < 3; k++) {
		const as_rows_t *rows = rows_of(&head, k);
		if (rows->n &&
		    as_write_all(fd, rows->v, rows->n * row_cols[k] * sizeof(double)) != 0)
			return -1;
	}
	return 0;
}

/* Read one result; -1 when the job is gone (EOF, or a short message). */
static int recv_result(int fd, as_trial_result_t *r)
{
	if (as_read_full(fd, r, sizeof(*r)) != (long)sizeof(*r))
		return -1;
	for (int k = 0; k < 3; k++) { /* the sender's pointers mean nothing here */
		rows_of(r, k)->v = NULL;
		rows_of(r, k)->cap = rows_of(r, k)->n;
	}
	for (int k = 0; k < 3; k++) {
		as_rows_t *rows = rows_of(r, k);
		size_t bytes = rows->n * row_cols[k] * sizeof(double);
		if (!rows->n)
			continue;
		if (!(rows->v = malloc(bytes)) || as_read_full(fd, rows->v, bytes) != (long)bytes) {
			as_trial_result_free(r);
			return -1;
		}
	}
	return 0;
}

/* The job process: a child subreaper (what its workers orphan comes to it,
 * for its own sweep), dead with the run, its workers in its own cgroup. */
static void job_main(int k, pid_t parent, int cmd, int res, as_job_fn fn, void *ctx)
{
	as_trial_spec_t spec;
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(1);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	prctl(PR_SET_NAME, "allocscope-job");
	as_guard_slot(k);
	while (as_read_full(cmd, &spec, sizeof(spec)) == (long)sizeof(spec)) {
		as_trial_result_t r;
		fn(ctx, &spec, &r);
		if (send_result(res, &r) != 0)
			_exit(1);
		as_trial_result_free(&r);
	}
	/* its fork servers (forkserver.h) end with it, reaped here: orphaned,
	 * they would come to the run as strays */
	as_forkserver_stop_all();
	_exit(0); /* EOF: the run has no more trials; no stdio of the run's is flushed */
}

int as_jobs_start(as_jobs_t *j, int n, as_job_fn fn, void *ctx, char *err, size_t errlen)
{
	pid_t parent = getpid();
	memset(j, 0, sizeof(*j));
	for (int k = 0; k < n && k < AS_JOBS_MAX; k++) {
		int c[2], r[2];
		as_job_t *jb = &j->job[k];
		if (pipe2(c, O_CLOEXEC) != 0) {
			snprintf(err, errlen, "pipe: %s", strerror(errno));
			as_jobs_stop(j);
			return -1;
		}
		if (pipe2(r, O_CLOEXEC) != 0) {
			snprintf(err, errlen, "pipe: %s", strerror(errno));
			close(c[0]);
			close(c[1]);
			as_jobs_stop(j);
			return -1;
		}
		jb->pid = fork();
		if (jb->pid == 0) {
			/* the earlier jobs' pipe ends: theirs to see EOF on, not ours */
			for (int i = 0; i < k; i++) {
				close(j->job[i].cmd);
				close(j->job[i].res);
			}
			close(c[1]);
			close(r[0]);
			job_main(k, parent, c[0], r[1], fn, ctx);
		}
		close(c[0]);
		close(r[1]);
		jb->cmd = c[1];
		jb->res = r[0];
		j->n = k + 1;
		if (jb->pid < 0) {
			snprintf(err, errlen, "fork: %s", strerror(errno));
			as_jobs_stop(j);
			return -1;
		}
	}
	return 0;
}

int as_jobs_idle(const as_jobs_t *j)
{
	for (int k = 0; k < j->n; k++)
		if (j->job[k].pid > 0 && !j->job[k].busy)
			return k;
	return -1;
}

int as_jobs_busy(const as_jobs_t *j)
{
	int n = 0;
	for (int k = 0; k < j->n; k++)
		n += j->job[k].busy;
	return n;
}

/* A job that is gone: reap it, never hand it a trial again. */
static void job_gone(as_job_t *jb)
{
	if (jb->pid > 0) {
		kill(jb->pid, SIGKILL);
		while (waitpid(jb->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	jb->pid = -1;
	jb->busy = 0;
}

int as_jobs_submit(as_jobs_t *j, int k, const as_trial_spec_t *spec, int tag)
{
	as_job_t *jb = &j->job[k];
	sigset_t pipe_, old;
	int rc;
	/* a dead job's pipe: EPIPE, not SIGPIPE */
	sigemptyset(&pipe_);
	sigaddset(&pipe_, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_, &old);
	rc = as_write_all(jb->cmd, spec, sizeof(*spec));
	if (rc != 0 && errno == EPIPE) {
		struct timespec zero = {0, 0};
		sigtimedwait(&pipe_, NULL, &zero); /* the pending SIGPIPE */
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		job_gone(jb);
		return -1;
	}
	jb->busy = 1;
	jb->tag = tag;
	return 0;
}

int as_jobs_wait(as_jobs_t *j, as_trial_result_t *res, int *tag)
{
	for (;;) {
		struct pollfd p[AS_JOBS_MAX];
		int map[AS_JOBS_MAX], np = 0;
		for (int k = 0; k < j->n; k++) {
			as_job_t *jb = &j->job[k];
			if (!jb->busy)
				continue;
			if (as_interrupted && !jb->killed) {
				kill(jb->pid, SIGTERM); /* its trial stops as an interrupted one */
				jb->killed = 1;
			}
			p[np] = (struct pollfd){jb->res, POLLIN, 0};
			map[np++] = k;
		}
		if (np == 0)
			return -1;
		/* at most 100 ms at a time: an interrupt is passed on soon */
		if (poll(p, (nfds_t)np, 100) <= 0)
			continue;
		for (int i = 0; i < np; i++) {
			as_job_t *jb = &j->job[map[i]];
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			*tag = jb->tag;
			jb->busy = 0;
			if (recv_result(jb->res, res) == 0)
				return 0;
			job_gone(jb);
			as_trial_result_none(res, AS_ERR_WORKER);
			snprintf(res->reason, sizeof(res->reason),
			         "the job process running this trial (--jobs) died");
			return 0;
		}
	}
}

void as_jobs_stop(as_jobs_t *j)
{
	for (int k = 0; k < j->n; k++) {
		as_job_t *jb = &j->job[k];
		if (jb->cmd > 0)
			close(jb->cmd); /* EOF: the job exits */
		jb->cmd = -1;
	}
	for (int k = 0; k < j->n; k++) {
		as_job_t *jb = &j->job[k];
		if (jb->pid > 0)
			while (waitpid(jb->pid, NULL, 0) < 0 && errno == EINTR)
				;
		if (jb->res > 0)
			close(jb->res);
		jb->pid = -1;
		jb->res = -1;
		jb->busy = 0;
	}
	j->n = 0;
}
