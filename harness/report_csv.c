/* report_csv.c - the CSV reporter: the results folder's tables. Each table
 * holds in memory only the rows not yet on disk: at the start of the run
 * it is written whole (header, and with --resume the rows the interrupted
 * run completed: trials.csv's straight from the loader's buffer,
 * run->resumed) and then emptied; every trial's rows are formatted into
 * it, appended, and dropped, one write per file (a replace per trial
 * renamed over the old file, whose freed blocks ext4 discards there and
 * then with the `discard` mount option: ~2.8 ms per file per trial here).
 * Until session 30 each table was kept whole for the run and only its new
 * bytes appended: series.csv's ~256 rows a trial made the run's memory
 * grow with its trials (docs/measure.md "The CSV reporter's tables").
 * The header is written only at the start, the one whole write of each
 * table; context.csv (replaced whenever the run's context grew: run->ctx)
 * and summary.csv (made from the records at the end, an interrupted run
 * included) are not logs of rows and are written whole each time.
 * Nothing is fsynced per trial (an fsync each cost 1-17 ms of a tiny
 * trial under load): every file is synced once at the end of the run; a
 * machine crash before that can lose trials, and a kill inside an append
 * can leave a cut last row, which --resume runs again (it trusts only
 * whole rows). Formatting rows is results.c's job; this file only decides
 * what is written when. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reporter.h"
#include "results.h"
#include "resume.h"

typedef struct {
	as_buf_t trials, series, lat, hist, summary;                   /* rows not yet on disk */
	int trials_started, series_started, lat_started, hist_started; /* file written */
	unsigned ctx_written; /* ctx_generation last written */
} csv_t;

/* Every file flush() writes, synced by sync_all() at the end. */
static const char *const tables[] = {"context.csv", "series.csv", "latency.csv", "histogram.csv",
                                     "trials.csv"};

static int flush(const as_run_t *run, const char *name, const as_buf_t *b, char *err, size_t errlen)
{
	return as_write_file_atomic_nosync(run->dir, name, b, err, errlen);
}

/* Write b and empty it: the whole file the first time (*started 0: b
 * begins with the header), appended after. The first write's buffer (a
 * resumed run's rows) is released, the others keep their room for the
 * next trial's rows. */
static int put(const as_run_t *run, const char *name, as_buf_t *b, int *started, char *err,
               size_t errlen)
{
	int rc = 0;
	if (*started && b->len)
		rc = as_append_file(run->dir, name, b->data, b->len, err, errlen);
	else if (!*started)
		rc = flush(run, name, b, err, errlen);
	if (rc != 0)
		return rc;
	if (!*started)
		as_buf_free(b);
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
	*started = 1;
	return 0;
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

/* The context when it grew, then what each table holds beyond its file:
 * a trial's own rows first, its trials.csv row last, so a row in
 * trials.csv means every row of that trial is on disk (--resume drops
 * series rows of trials without one). */
static int put_all(csv_t *c, const as_run_t *run, char *err, size_t errlen)
{
	if (flush_context(c, run, err, errlen) ||
	    put(run, "series.csv", &c->series, &c->series_started, err, errlen))
		return -1;
	if (run->cfg->latency_every &&
	    (put(run, "latency.csv", &c->lat, &c->lat_started, err, errlen) ||
	     put(run, "histogram.csv", &c->hist, &c->hist_started, err, errlen)))
		return -1;
	/* --resume: the header and the rows kept, as the loader made them */
	if (!c->trials_started && run->resumed.len) {
		if (flush(run, "trials.csv", &run->resumed, err, errlen))
			return -1;
		c->trials_started = 1;
	}
	return put(run, "trials.csv", &c->trials, &c->trials_started, err, errlen);
}

static int csv_begin(void *self, const as_run_t *run, char *err, size_t errlen)
{
	csv_t *c = self;
	c->ctx_written = run->ctx_generation - 1;
	if (!run->resumed.len) /* else the loader's rows start with it */
		as_trials_header(&c->trials);
	as_series_header(&c->series);
	as_latency_header(&c->lat);
	as_hist_header(&c->hist);
	if (run->cfg->resume) {
		/* keep what the interrupted run completed, rows of unfinished
		 * trials dropped, in matrix order */
		as_resume_keep_rows(run->dir, "series.csv", run->specs, run->done, run->n,
		                    &c->series);
		as_resume_keep_rows(run->dir, "latency.csv", run->specs, run->done, run->n,
		                    &c->lat);
		as_resume_keep_rows(run->dir, "histogram.csv", run->specs, run->done, run->n,
		                    &c->hist);
	}
	/* the context and the schema, at once; the tables trials append to */
	return put_all(c, run, err, errlen);
}

static int write_summary(csv_t *c, const as_run_t *run, int n, char *err, size_t errlen)
{
	c->summary.len = 0;
	if (as_summary_table(&c->summary, run->specs, run->res, n) != 0) {
		snprintf(err, errlen, "summary.csv: out of memory");
		return -1;
	}
	return as_write_file_atomic(run->dir, "summary.csv", &c->summary, err, errlen);
}

static int csv_trial(void *self, const as_run_t *run, int i, char *err, size_t errlen)
{
	csv_t *c = self;
	const as_trial_spec_t *s = &run->specs[i];
	const as_trial_result_t *r = run->cur;
	/* this trial's rows alone: earlier ones are on disk, never reformatted */
	as_trials_row(&c->trials, s, r);
	as_series_rows(&c->series, s, r);
	if (run->cfg->latency_every) { /* else never written: not kept either */
		as_latency_rows(&c->lat, s, r);
		as_hist_rows(&c->hist, s, r);
	}
	return put_all(c, run, err, errlen);
}

static int csv_end(void *self, const as_run_t *run, char *err, size_t errlen)
{
	csv_t *c = self;
	/* a resumed run whose trials were all done still gets its summary */
	if (flush_context(c, run, err, errlen) || sync_all(run, err, errlen))
		return -1;
	return write_summary(c, run, run->n, err, errlen);
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
