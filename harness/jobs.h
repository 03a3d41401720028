/* jobs.h - run trials N at a time (--jobs N): N job processes, forked from
 * the run, each running one trial at a time (as_trial_run, so each is the
 * parent of its own worker, sweeps its own strays and kills its own
 * cgroup, guard.h's as_guard_slot) and sending the result back whole over
 * a pipe. The run hands out trials and collects results; it reports them
 * in matrix order (runner.c). Only for trials whose figures are memory
 * figures: two trials sharing the cores make each other's times false. */
#ifndef AS_JOBS_H
#define AS_JOBS_H

#include <sys/types.h>

#include "trial_types.h"

#define AS_JOBS_MAX 8

/* Run spec into res in a job process (the runner's run_one). */
typedef void (*as_job_fn)(void *ctx, const as_trial_spec_t *spec, as_trial_result_t *res);

typedef struct {
	pid_t pid;  /* -1: gone (died, or never started) */
	int cmd;    /* write end: specs to run */
	int res;    /* read end: results */
	int busy;   /* a trial handed out, its result not read yet */
	int tag;    /* the caller's number for that trial (its matrix entry) */
	int killed; /* an interrupt was passed on */
} as_job_t;

typedef struct {
	as_job_t job[AS_JOBS_MAX];
	int n;
} as_jobs_t;

/* Fork n (2..AS_JOBS_MAX) job processes that run fn(ctx, ...). Call with
 * the guard started (as_guard_start) and every stdio buffer flushed.
 * Returns 0, or -1 with err (none left running). */
int as_jobs_start(as_jobs_t *j, int n, as_job_fn fn, void *ctx, char *err, size_t errlen);

/* A job with no trial, or -1 when all are busy (or gone). */
int as_jobs_idle(const as_jobs_t *j);

/* How many jobs hold a trial. */
int as_jobs_busy(const as_jobs_t *j);

/* Hand spec to idle job k, tagged tag. Returns 0, or -1 when the job is
 * gone (the caller runs the trial some other way). */
int as_jobs_submit(as_jobs_t *j, int k, const as_trial_spec_t *spec, int tag);

/* Wait for the next result of a busy job: fills *res (rows malloc'd, free
 * with as_trial_result_free) and *tag. A job that died instead gives its
 * trial AS_ERR_WORKER with the reason. An interrupt (as_interrupted) is
 * passed on to the busy jobs once; their trials end AS_ERR_INTERRUPTED.
 * Returns 0, or -1 when no job is busy. */
int as_jobs_wait(as_jobs_t *j, as_trial_result_t *res, int *tag);

/* End the job processes (after their last result) and reap them. */
void as_jobs_stop(as_jobs_t *j);

#endif /* AS_JOBS_H */
