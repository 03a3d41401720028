/* report_csv.c - the CSV reporter: the results folder's tables, each kept
 * whole in memory and rewritten atomically after every trial (so a reader
 * or an interrupt sees complete rows only); context.csv again whenever the
 * run's context grew. The per-trial rewrites are not fsynced (an fsync each
 * cost 1-17 ms of a tiny trial's time under load): every file is synced once
 * at the end of the run, an interrupted one included; a machine crash before
 * that can lose trials, which --resume re-runs (it trusts only whole rows).
 * Formatting rows is results.c's job; this file only decides what is
 * written when. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reporter.h"
#include "results.h"
#include "resume.h"

typedef struct {
	as_buf_t trials, series, lat, hist, summary;
	unsigned ctx_written; /* ctx_generation last written */
} csv_t;

/* Every file flush() writes, synced by sync_all() at the end. */
static const char *const tables[] = {"context.csv", "series.csv", "latency.csv", "histogram.csv",
                                     "trials.csv"};

static int flush(const as_run_t *run, const char *name, const as_buf_t *b, char *err, size_t errlen)
{
	return as_write_file_atomic_nosync(run->dir, name, b, err, errlen);
}

static int sync_all(const as_run_t *run, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", run->dir, tables[i]);
		if (access(path, F_OK) == 0 && as_fsync_file(run->dir, tables[i], err, errlen))
			return -1;
	}
	return 0;
}

static int flush_context(csv_t *c, const as_run_t *run, char *err, size_t errlen)
{
	if (c->ctx_written == run->ctx_generation)
		return 0;
	c->ctx_written = run->ctx_generation;
	return flush(run, "context.csv", &run->ctx, err, errlen);
}

static int csv_begin(void *self, const as_run_t *run, char *err, size_t errlen)
{
	csv_t *c = self;
	c->ctx_written = run->ctx_generation - 1;
	as_trials_header(&c->trials);
	as_series_header(&c->series);
	as_latency_header(&c->lat);
	as_hist_header(&c->hist);
	if (run->cfg->resume) {
		/* keep what the interrupted run completed, rows of unfinished
		 * trials dropped, in matrix order */
		for (int i = 0; i < run->n; i++)
			if (run->done[i])
				as_trials_row(&c->trials, &run->specs[i], &run->res[i]);
		as_resume_keep_rows(run->dir, "series.csv", run->specs, run->done, run->n,
		                    &c->series);
		as_resume_keep_rows(run->dir, "latency.csv", run->specs, run->done, run->n,
		                    &c->lat);
		as_resume_keep_rows(run->dir, "histogram.csv", run->specs, run->done, run->n,
		                    &c->hist);
	}
	/* the context and the schema, at once */
	if (flush_context(c, run, err, errlen) || flush(run, "trials.csv", &c->trials, err, errlen))
		return -1;
	return 0;
}

static int write_summary(csv_t *c, const as_run_t *run, int n, int sync, char *err, size_t errlen)
{
	c->summary.len = 0;
	if (as_summary_table(&c->summary, run->specs, run->res, n) != 0) {
		snprintf(err, errlen, "summary.csv: out of memory");
		return -1;
	}
	return (sync ? as_write_file_atomic : as_write_file_atomic_nosync)(
	    run->dir, "summary.csv", &c->summary, err, errlen);
}

static int csv_trial(void *self, const as_run_t *run, int i, char *err, size_t errlen)
{
	csv_t *c = self;
	const as_trial_spec_t *s = &run->specs[i];
	const as_trial_result_t *r = &run->res[i];
	/* append this trial's rows; earlier rows are never reformatted */
	as_trials_row(&c->trials, s, r);
	as_series_rows(&c->series, s, r);
	as_latency_rows(&c->lat, s, r);
	as_hist_rows(&c->hist, s, r);
	/* the trial's own rows first, its trials.csv row last: a row in
	 * trials.csv means every row of that trial is on disk (--resume drops
	 * series rows of trials without one) */
	if (flush_context(c, run, err, errlen) || flush(run, "series.csv", &c->series, err, errlen))
		return -1;
	if (run->cfg->latency_every && (flush(run, "latency.csv", &c->lat, err, errlen) ||
	                                flush(run, "histogram.csv", &c->hist, err, errlen)))
		return -1;
	if (flush(run, "trials.csv", &c->trials, err, errlen))
		return -1;
	return write_summary(c, run, i + 1, 0, err, errlen);
}

static int csv_end(void *self, const as_run_t *run, char *err, size_t errlen)
{
	csv_t *c = self;
	/* a resumed run whose trials were all done still gets its summary */
	if (flush_context(c, run, err, errlen) || sync_all(run, err, errlen))
		return -1;
	return write_summary(c, run, run->n, 1, err, errlen);
}

static void csv_destroy(void *self)
{
	csv_t *c = self;
	as_buf_free(&c->trials);
	as_buf_free(&c->series);
	as_buf_free(&c->lat);
	as_buf_free(&c->hist);
	as_buf_free(&c->summary);
	free(c);
}

int as_reporter_csv(as_reporter_t *r)
{
	memset(r, 0, sizeof(*r));
	r->self = calloc(1, sizeof(csv_t));
	if (!r->self)
		return -1;
	r->name = "csv";
	r->begin = csv_begin;
	r->trial = csv_trial;
	r->end = csv_end;
	r->destroy = csv_destroy;
	return 0;
}
