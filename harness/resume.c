/* resume.c - see resume.h. */
#define _GNU_SOURCE
#include "resume.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../workloads/opstream.h"
#include "disturb.h"
#include "files.h"
#include "results.h"
#include "results_dir.h"
#include "tables.h"
#include "trial_wire.h"
#include "trials_read.h"
#include "oom.h"

int as_resume_save_args(const char *dir, const char *name, int argc, char *const *argv, char *err,
                        size_t errlen)
{
	as_buf_t b = {0};
	int r;
	for (int i = 1; i < argc; i++)
		as_buf_add(&b, argv[i], strlen(argv[i]) + 1);
	r = as_write_file_atomic(dir, name, &b, err, errlen);
	as_buf_free(&b);
	return r;
}

int as_resume_load_args(const char *dir, const char *name, const char *cmd, char *argv0,
                        char ***argv, char **text, char *err, size_t errlen)
{
	char path[PATH_MAX], why[PATH_MAX + 64];
	struct stat st;
	FILE *f;
	long len;
	int n = 1;
	*argv = NULL;
	*text = NULL;
	if (!*dir) {
		/* "" + "/run.args" is the root's: a /run.args there would have
		 * been resumed into "" (until session 35 the line named
		 * /run.args) */
		snprintf(err, errlen,
		         "allocscope %s: option --resume: empty path (--resume DIR names a results "
		         "folder)",
		         cmd);
		return -1;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		snprintf(err, errlen, "allocscope %s: cannot resume %.200s...: path too long", cmd,
		         dir);
		return -1;
	}
	f = as_fopen_regular(path, why, sizeof(why));
	if (!f && errno == ENOENT) {
		/* the other command's folder: say which */
		static const char *const kinds[][2] = {{"run.args", "run"},
		                                       {"suite.args", "suite"}};
		for (size_t i = 0; i < 2; i++) {
			char op[PATH_MAX + 16];
			snprintf(op, sizeof(op), "%s/%s", dir, kinds[i][0]);
			if (strcmp(name, kinds[i][0]) && access(op, F_OK) == 0) {
				char *dir_w = as_shell_word(dir);
				snprintf(
				    err, errlen,
				    "allocscope %s: cannot resume %s: it is a %s's folder (%s): "
				    "allocscope %s --resume %s",
				    cmd, dir_w, kinds[i][1], kinds[i][0], kinds[i][1], dir_w);
				free(dir_w);
				return -1;
			}
		}
	}
	if (!f && errno == ENOENT && as_results_dir_unstarted(dir)) {
		char *dir_w = as_shell_word(dir);
		snprintf(err, errlen,
		         "allocscope %s: cannot resume %s: the %s was stopped before it wrote %s "
		         "(nothing was measured); start it again with -o %s",
		         cmd, dir_w, cmd, name, dir_w);
		free(dir_w);
		return -2;
	}
	if (!f) {
		char *dir_w = as_shell_word(dir);
		snprintf(err, errlen, "allocscope %s: cannot resume %s: %s", cmd, dir_w, why);
		free(dir_w);
		return -1;
	}
	/* an empty file is a command given no arguments (`allocscope suite`,
	 * what scripts/quickstart runs): argv0 alone. Refusing it as "empty"
	 * left the README's `suite --resume results/...-default` unable to
	 * finish the default suite (an outside review). A folder, a FIFO or
	 * a read error is still refused (as_fopen_regular, and below: a
	 * folder's size is 0, an empty file's). */
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > LONG_MAX) {
		fclose(f);
		snprintf(err, errlen, "allocscope %s: cannot resume %s: %s is not a readable file",
		         cmd, dir, path);
		return -1;
	}
	len = (long)st.st_size;
	*text = calloc(1, (size_t)len + 1);
	if (!*text || fread(*text, 1, (size_t)len, f) != (size_t)len || ferror(f)) {
		fclose(f);
		snprintf(err, errlen, "allocscope %s: cannot resume %s: %s is unreadable", cmd, dir,
		         path);
		return -1;
	}
	fclose(f);
	*argv = calloc((size_t)len + 2, sizeof(char *));
	if (!*argv)
		as_oom("resume: argument list", 0);
	(*argv)[0] = argv0;
	for (long i = 0; i < len; i += (long)strlen(*text + i) + 1)
		(*argv)[n++] = *text + i;
	return n;
}

int as_resume_check_columns(const char *dir, char *err, size_t errlen)
{
	static const char *const names[] = {"trials.csv", "series.csv", "latency.csv",
	                                    "histogram.csv"};
	static void (*const heads[])(as_buf_t *) = {as_trials_header, as_series_header,
	                                            as_latency_header, as_hist_header};
	int rc = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !rc; i++) {
		char path[PATH_MAX];
		as_buf_t want = {0};
		char *line = NULL;
		size_t cap = 0, bom;
		ssize_t len;
		FILE *f;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= sizeof(path))
			continue; /* the folder's own files were written: cannot happen */
		f = as_fopen_regular(path, err, errlen);
		if (!f && errno != ENOENT) {
			/* a FIFO or a folder: not a table rows can be added to */
			rc = -1;
			continue;
		}
		if (!f)
			continue;
		len = getline(&line, &cap, f);
		heads[i](&want);
		/* a byte order mark (a spreadsheet's "CSV UTF-8"): the readers
		 * pass over it, and --resume writes the table again without it */
		bom = len >= 3 && !memcmp(line, "\xef\xbb\xbf", 3) ? 3 : 0;
		if (len > 0 &&
		    ((size_t)len - bom != want.len || memcmp(line + bom, want.data, want.len))) {
			snprintf(
			    err, errlen,
			    "%s: not the columns this allocscope writes (another version wrote "
			    "it): --resume cannot add rows to it; run the matrix again into a "
			    "new folder",
			    path);
			rc = -1;
		}
		free(line);
		as_buf_free(&want);
		fclose(f);
	}
	return rc;
}

void as_resume_keep_rows(const char *dir, const char *name, const as_trial_spec_t *specs,
                         const int *done, int n, as_buf_t *out)
{
	char path[PATH_MAX];
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int first = 1;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return; /* the folder's own files were written, so this cannot happen */
	f = as_fopen_regular(path, NULL, 0);
	if (!f)
		return;
	while ((len = getline(&line, &cap, f)) > 0) {
		unsigned trial, rep;
		if (first) {
			first = 0;
			continue;
		}
		if (sscanf(line, "%u,%u,", &trial, &rep) != 2)
			continue;
		for (int i = 0; i < n; i++)
			if (done[i] && specs[i].trial == trial && specs[i].rep == rep) {
				as_buf_add(out, line, (size_t)len);
				break;
			}
	}
	free(line);
	fclose(f);
}

/* Fill res from trials.csv row r. */
/* *v, read with 6 significant digits, as the exact x it was written from
 * when it is that (within the rounding); else left as read. */
static void exact(double *v, double x)
{
	if (!isnan(*v) && x != 0 && fabs(*v - x) <= 5e-6 * fabs(x))
		*v = x;
}

static void result_from_row(const as_table_t *t, size_t r, as_trial_result_t *res)
{
	static const char *const names[] = {
#define N(name, fmt, doc) #name,
	    AS_TRIAL_COLS(N)
#undef N
	};
	res->status = AS_ERR_WORKER;
	for (int st = 0; st < AS_STATUS_COUNT; st++)
		if (!strcmp(as_status_name((as_status_t)st), as_table_str(t, r, "status")))
			res->status = (as_status_t)st;
	snprintf(res->reason, sizeof(res->reason), "%s", as_table_str(t, r, "reason"));
	snprintf(res->module_version, sizeof(res->module_version), "%s",
	         as_table_str(t, r, "module_version"));
	snprintf(res->bindings, sizeof(res->bindings), "%s", as_table_str(t, r, "cpu_binding"));
	for (int c = 0; c < AS_TRIAL_NCOLS; c++)
		res->v[c] = as_table_num(t, r, names[c]);
	/* the ratios again from the integers they were made of, as the worker
	 * made them, where the row's 6 digits are theirs: a median of two
	 * rounded values could round the other way in the console's 4 digits
	 * (3.354e+07 resumed, 3.355e+07 first run, in one CI run of
	 * test_resume_auto); a row edited by hand keeps its own value */
	{
		double ops = res->v[AS_TC_ops], el = res->v[AS_TC_elapsed_ns];
		double peak = res->v[AS_TC_live_bytes_peak];
		if (ops > 0 && el > 0) {
			exact(&res->v[AS_TC_ns_per_op], el / ops);
			exact(&res->v[AS_TC_ops_per_sec], ops * 1e9 / el);
		}
		if (peak > 0)
			exact(&res->v[AS_TC_overhead_ratio],
			      (res->v[AS_TC_rss_peak_kib] - res->v[AS_TC_rss_before_kib]) * 1024.0 /
			          peak);
	}
	for (int k = 0; k < AS_OP_KIND_COUNT; k++)
		res->p99_ns[k] = NAN;
}

/* v as a count, or dflt when it is none (empty, garbled, negative) */
static uint32_t count_or(double v, uint32_t dflt)
{
	uint32_t u;
	return as_table_count(v, &u) == 0 ? u : dflt;
}

/* Cell c of row r as as_table_num reads it (NaN without the column). */
static double num_at(const as_table_t *t, size_t r, int c)
{
	const char *s, *d;
	char *end;
	double v;
	if (c < 0)
		return NAN;
	s = t->cells[r * t->ncols + (size_t)c];
	d = *s == '-' ? s + 1 : s;
	if (!((*d >= '0' && *d <= '9') || *d == '.') || strpbrk(d, "xXpP"))
		return NAN;
	errno = 0;
	v = strtod(s, &end);
	return errno || *end || !isfinite(v) ? NAN : v;
}

/* The rules read a handful of each row's cells: those, by column index
 * found once, into about 100 bytes a row. Each row used to be made a
 * whole as_trial_result_t (6 KB, every column looked up by name): compare
 * took 6 GB and 72 s to read a million rows (docs/measure.md "compare on
 * a million rows"). */
int as_table_machine(const as_table_t *t, unsigned char *dist, as_machine_t *m)
{
	enum {
		TRIAL,
		REP,
		THREADS,
		STATUS,
		WL,
		WLP,
		ELAPSED,
		WAIT,
		SAMPLING,
		SAMPLES,
		HANDOFF,
		PMAX,
		PMED,
		PASSES,
		NS,
		OPS,
		NCOL
	};
	static const char *const names[NCOL] = {AS_TABLE_MACHINE_COLS};
	int col[NCOL], rc = -1;
	as_dist_trial_t *d = calloc(t->nrows ? t->nrows : 1, sizeof(*d));
	for (int k = 0; k < NCOL; k++)
		col[k] = as_table_col(t, names[k]);
	if (d && t->nrows <= INT_MAX) {
		for (size_t r = 0; r < t->nrows; r++) {
			as_dist_trial_t *x = &d[r];
			const char *st =
			    col[STATUS] < 0 ? "" : t->cells[r * t->ncols + (size_t)col[STATUS]];
			double ops = num_at(t, r, col[OPS]);
			x->trial = count_or(num_at(t, r, col[TRIAL]), 0);
			x->rep = count_or(num_at(t, r, col[REP]), 0);
			/* trials.csv's threads are the ones the trial ran on; the
			 * repetition and workload make the rounds the rules judge */
			x->threads = x->ran_threads = count_or(num_at(t, r, col[THREADS]), 1);
			x->status = AS_ERR_WORKER;
			for (int k = 0; k < AS_STATUS_COUNT; k++)
				if (!strcmp(as_status_name((as_status_t)k), st))
					x->status = (as_status_t)k;
			x->workload = col[WL] < 0 ? "" : t->cells[r * t->ncols + (size_t)col[WL]];
			x->workload_params =
			    col[WLP] < 0 ? "" : t->cells[r * t->ncols + (size_t)col[WLP]];
			x->elapsed_ns = num_at(t, r, col[ELAPSED]);
			x->wait_ns = num_at(t, r, col[WAIT]);
			x->sampling_ns = num_at(t, r, col[SAMPLING]);
			x->samples = num_at(t, r, col[SAMPLES]);
			x->handoff_end_ns = num_at(t, r, col[HANDOFF]);
			x->pass_ns_max = num_at(t, r, col[PMAX]);
			x->pass_ns_median = num_at(t, r, col[PMED]);
			x->passes = num_at(t, r, col[PASSES]);
			x->ns_per_op = num_at(t, r, col[NS]);
			if (ops > 0 && x->elapsed_ns > 0) /* as result_from_row */
				exact(&x->ns_per_op, x->elapsed_ns / ops);
		}
		rc = as_disturbed_trials(d, (int)t->nrows, dist, NULL);
		if (rc == 0 && m)
			as_machine_trials(d, (int)t->nrows, dist, m);
	}
	free(d);
	return rc;
}

/* Index of (trial, rep) in the matrix, or -1. The matrix is reps outermost
 * (runner.c), so the guess rep * ndistinct + trial is usually right. */
static int find_spec(const as_trial_spec_t *specs, int n, unsigned trial, unsigned rep)
{
	int ndistinct = 0, g;
	while (ndistinct < n && specs[ndistinct].rep == 0)
		ndistinct++;
	g = (int)(rep * (unsigned)ndistinct + trial);
	if (ndistinct && g >= 0 && g < n && specs[g].trial == trial && specs[g].rep == rep)
		return g;
	for (int i = 0; i < n; i++)
		if (specs[i].trial == trial && specs[i].rep == rep)
			return i;
	return -1;
}

/* What the long tables hold of each entry of the matrix: its series.csv
 * rows, and the ops its latency.csv rows (timed_ops) and its
 * histogram.csv rows (count) add up to, whole rows only. */
typedef struct {
	size_t series;
	double lat_ops, hist_ops;
} have_t;

/* have[i].series: how many series.csv rows trial i has (unknown trials
 * ignored). */
static void count_series(const char *dir, const as_trial_spec_t *specs, int n, have_t *have)
{
	char path[PATH_MAX], *line = NULL;
	size_t cap = 0;
	FILE *f;
	if ((size_t)snprintf(path, sizeof(path), "%s/series.csv", dir) >= sizeof(path))
		return;
	f = as_fopen_regular(path, NULL, 0);
	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		unsigned trial, rep;
		int i;
		if (sscanf(line, "%u,%u,", &trial, &rep) == 2 &&
		    (i = find_spec(specs, n, trial, rep)) >= 0)
			have[i].series++;
	}
	free(line);
	fclose(f);
}

typedef struct {
	const as_trial_spec_t *specs;
	have_t *have;
	int n, hist; /* hist: histogram.csv's count, else latency.csv's timed_ops */
} ops_t;

static int ops_row(const as_table_t *t, size_t line, void *ctx)
{
	ops_t *o = ctx;
	char why[64];
	uint32_t trial, rep;
	double v = as_table_num(t, 0, o->hist ? "count" : "timed_ops");
	int i = as_table_count(as_table_num(t, 0, "trial"), &trial) ||
	                as_table_count(as_table_num(t, 0, "rep"), &rep)
	            ? -1
	            : find_spec(o->specs, o->n, trial, rep);
	(void)line;
	/* a cut row's count may have lost digits: it counts for nothing */
	if (i < 0 || isnan(v) || as_table_row_damage(t, 0, why, sizeof(why)))
		return 0;
	*(o->hist ? &o->have[i].hist_ops : &o->have[i].lat_ops) += v;
	return 0;
}

/* have[i]'s lat_ops and hist_ops from DIR's latency.csv and histogram.csv
 * (a file not there, or unreadable, adds nothing). */
static void count_ops(const char *dir, const as_trial_spec_t *specs, int n, have_t *have)
{
	static const char *const names[] = {"latency.csv", "histogram.csv"};
	static const char *const keep[][4] = {{"trial", "rep", "timed_ops", NULL},
	                                      {"trial", "rep", "count", NULL}};
	for (int h = 0; h < 2; h++) {
		char path[PATH_MAX], err[256];
		ops_t o = {specs, have, n, h};
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[h]) >= sizeof(path) ||
		    access(path, F_OK) != 0)
			continue;
		as_table_each(path, keep[h], ops_row, &o, err, sizeof(err));
	}
}

/* Why ok row r's latency.csv and histogram.csv rows (have) are not all
 * there, or NULL: they add up to other than its timed_ops. Until session
 * 36 a trial whose latency rows were lost (deleted, a file cut short)
 * counted as done, and the folder kept it without a latency
 * distribution. No timed_ops (--latency 0, --jobs): no rows to check. */
static const char *ops_problem(const as_table_t *t, size_t r, const have_t *have, char *why,
                               size_t len)
{
	double ops = as_table_num(t, r, "timed_ops");
	const char *cell = as_table_str(t, r, "timed_ops");
	if (isnan(ops) && *cell)
		snprintf(why, len, "timed_ops '%.20s' is not a number", cell);
	else if (isnan(ops))
		return NULL;
	else if (have->lat_ops != ops)
		snprintf(why, len, "%.0f of its %.0f timed ops in latency.csv", have->lat_ops, ops);
	else if (have->hist_ops != ops)
		snprintf(why, len, "%.0f of its %.0f timed ops in histogram.csv", have->hist_ops,
		         ops);
	else
		return NULL;
	return why;
}

/* Why row r cannot count as a complete trial, or NULL. A row cut short, a
 * status this allocscope does not know, an ok row without its numbers, or
 * a row whose series.csv, latency.csv or histogram.csv rows are not all
 * there (have) is run again. A run of
 * --jobs above 1 writes no ns_per_op (context.csv timing_figures): its
 * rows are complete without it (until session 21 a resumed suite ran
 * every trial of its memory scenarios again). */
static const char *row_problem(const as_table_t *t, size_t r, const have_t *have, int timed,
                               char *why, size_t len)
{
	static const char *const required[] = {"ops", "elapsed_ns", "rss_peak_kib", "samples",
	                                       "ns_per_op"};
	size_t nrequired = sizeof(required) / sizeof(*required) - !timed;
	const char *status = as_table_str(t, r, "status");
	double samples = as_table_num(t, r, "samples");
	int known = 0;
	uint32_t thr;
	if (as_table_row_damage(t, r, why, len))
		return why;
	/* a trace's row may run on other threads than -t (threads_match),
	 * but on a count of them: "x" was cast from NaN into the result */
	if (as_table_count(as_table_num(t, r, "threads"), &thr) != 0 || thr == 0) {
		snprintf(why, len, "threads '%.20s' is not a count", as_table_str(t, r, "threads"));
		return why;
	}
	for (int st = 0; st < AS_STATUS_COUNT; st++)
		if (st != AS_ERR_INTERRUPTED && !strcmp(as_status_name((as_status_t)st), status))
			known = 1;
	if (!known) {
		snprintf(why, len, "status '%.40s' is not one allocscope writes", status);
		return why;
	}
	for (size_t k = 0; !strcmp(status, "ok") && k < nrequired; k++) {
		double v = as_table_num(t, r, required[k]);
		const char *cell = as_table_str(t, r, required[k]);
		if (isnan(v) && *cell) {
			snprintf(why, len, "%s '%.20s' is not a number", required[k], cell);
			return why;
		}
		if (isnan(v)) {
			snprintf(why, len, "status ok without %s", required[k]);
			return why;
		}
		/* hand-edited or damaged: summary.csv took an inf ns_per_op */
		if (!isfinite(v) || v < 0) {
			snprintf(why, len, "%s %g is not a measurement", required[k], v);
			return why;
		}
	}
	if (!strcmp(status, "ok") && samples != (double)have->series) {
		snprintf(why, len, "%zu of its %.0f series.csv rows", have->series, samples);
		return why;
	}
	return !strcmp(status, "ok") ? ops_problem(t, r, have, why, len) : NULL;
}

/* The row ran on the spec's -t, or on the workload's own thread count (a
 * trace's), which the worker's note names next to the -t it replaced. */
static int threads_match(const as_table_t *t, size_t r, uint32_t threads)
{
	if (count_or(as_table_num(t, r, "threads"), 0) == threads)
		return 1;
	return as_wire_own_threads_asked(as_table_str(t, r, "reason")) == threads;
}

/* The p99 of each op kind of the trials loaded (done) from latency.csv,
 * which the console's p99 columns take their median of: without them a
 * resumed run printed nan there. A folder without the file (--latency 0)
 * leaves them NaN. Read row by row (as_table_each). */
typedef struct {
	const as_trial_spec_t *specs;
	as_trial_rec_t *res;
	const int *done;
	int n;
} p99_t;

static int p99_row(const as_table_t *t, size_t line, void *ctx)
{
	p99_t *p = ctx;
	uint32_t trial, rep;
	const char *kind = as_table_str(t, 0, "kind");
	int i = as_table_count(as_table_num(t, 0, "trial"), &trial) ||
	                as_table_count(as_table_num(t, 0, "rep"), &rep)
	            ? -1
	            : find_spec(p->specs, p->n, trial, rep);
	(void)line;
	if (i < 0 || !p->done[i])
		return 0;
	for (unsigned k = 0; k < AS_OP_KIND_COUNT; k++)
		if (!strcmp(kind, as_op_kind_name(k)))
			p->res[i].p99_ns[k] = as_table_num(t, 0, "p99_ns");
	return 0;
}

static void load_p99(const char *dir, const as_trial_spec_t *specs, as_trial_rec_t *res,
                     const int *done, int n)
{
	static const char *const keep[] = {"trial", "rep", "kind", "p99_ns", NULL};
	char path[PATH_MAX], err[256];
	p99_t p = {specs, res, done, n};
	if ((size_t)snprintf(path, sizeof(path), "%s/latency.csv", dir) >= sizeof(path) ||
	    access(path, R_OK) != 0)
		return;
	as_table_each(path, keep, p99_row, &p, err, sizeof(err));
}

/* Row r of t (entry i, done) as the run keeps it: its record in res[i],
 * and its trials.csv row, formatted again, at *off in text (*len bytes).
 * whole: room for one result. Returns 0, or -1 when out of memory. */
static int keep_row(const as_table_t *t, size_t r, const as_trial_spec_t *spec,
                    as_trial_result_t *whole, as_trial_rec_t *rec, as_buf_t *text, size_t *off,
                    size_t *len)
{
	memset(whole, 0, sizeof(*whole));
	result_from_row(t, r, whole);
	{ /* a count: row_problem said so */
		uint32_t thr = count_or(as_table_num(t, r, "threads"), spec->threads);
		if (thr != spec->threads)
			whole->threads = thr;
	}
	*off = text->len;
	as_trials_row(text, spec, whole);
	*len = text->len - *off;
	return as_trial_rec_set(rec, whole);
}

/* The header and the done entries' rows of text (it starts with the
 * header, HLEN bytes; off, len: keep_row's) in matrix order, into rows:
 * text itself when it holds them in that order and nothing else (a folder
 * as a run wrote it), else a copy in order. */
static void rows_in_order(as_buf_t *text, size_t hlen, const size_t *off, const size_t *len,
                          const int *done, int n, as_buf_t *rows)
{
	size_t at = hlen;
	for (int i = 0; i < n && at != SIZE_MAX; i++)
		if (done[i])
			at = off[i] == at ? at + len[i] : SIZE_MAX;
	if (at == text->len && !rows->len) {
		as_buf_free(rows);
		*rows = *text;
		memset(text, 0, sizeof(*text));
		return;
	}
	as_buf_add(rows, text->data, hlen);
	for (int i = 0; i < n; i++)
		if (done[i])
			as_buf_add(rows, text->data + off[i], len[i]);
}

/* What as_resume_load_trials keeps while trials.csv's rows go by. */
typedef struct {
	const char *path;
	const as_trial_spec_t *specs;
	as_trial_rec_t *res;
	int *done, n, timed;
	have_t *have;
	size_t *off, *len;
	as_trial_result_t *whole;
	as_buf_t text;
	char *err;
	size_t errlen;
} load_t;

/* Row `line` of trials.csv (t's row 0): its trial done, or run again, or
 * left out, or the folder refused (-1 with l->err). */
static int load_row(const as_table_t *t, size_t line, void *ctx)
{
	load_t *l = ctx;
	char why[128];
	uint32_t trial = 0, rep = 0;
	int known = as_table_count(as_table_num(t, 0, "trial"), &trial) == 0 &&
	            as_table_count(as_table_num(t, 0, "rep"), &rep) == 0;
	int i = known ? find_spec(l->specs, l->n, trial, rep) : -1;
	const char *bad = i < 0 ? NULL : row_problem(t, 0, &l->have[i], l->timed, why, sizeof(why));
	const as_trial_spec_t *s = i < 0 ? NULL : &l->specs[i];
	if (bad) {
		/* damaged, not foreign: that trial simply runs again */
		fprintf(stderr, "allocscope: %s: row %zu (trial %u rep %u): %s; running it again\n",
		        l->path, line + 2, trial, rep, bad);
		return 0;
	}
	bad = as_table_row_damage(t, 0, why, sizeof(why));
	if (!known || (i < 0 && bad)) {
		/* no trial of this run can be told from it: a cut line or
		 * bytes appended; the trials it might be run if missing */
		fprintf(stderr, "allocscope: %s: row %zu: %s; left out\n", l->path, line + 2,
		        bad ? bad : "no trial and rep");
		return 0;
	}
	if (!s || !threads_match(t, 0, s->threads) ||
	    strcmp(s->module->name, as_table_str(t, 0, "module")) ||
	    strcmp(s->module->params, as_table_str(t, 0, "module_params")) ||
	    strcmp(s->workload->name, as_table_str(t, 0, "workload")) ||
	    strcmp(s->workload->params, as_table_str(t, 0, "workload_params"))) {
		snprintf(l->err, l->errlen,
		         "%s: row %zu (trial %u rep %u) does not belong to the matrix in run.args",
		         l->path, line + 2, trial, rep);
		return -1;
	}
	if (l->done[i]) {
		/* a row appended again: counted twice by plot and compare */
		fprintf(stderr,
		        "allocscope: %s: row %zu (trial %u rep %u): that trial's second row; "
		        "left out\n",
		        l->path, line + 2, trial, rep);
		return 0;
	}
	l->done[i] = 1;
	if (keep_row(t, 0, s, l->whole, &l->res[i], &l->text, &l->off[i], &l->len[i]) != 0) {
		snprintf(l->err, l->errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* trials.csv is read row by row (as_table_each): until session 30 it was
 * read whole first, about 700 MB at 10^6 rows (docs/measure.md "plot and
 * resume on a million rows"). */
int as_resume_load_trials(const char *dir, const as_trial_spec_t *specs, as_trial_rec_t *res,
                          int *done, int n, int timed, as_buf_t *rows, char *err, size_t errlen)
{
	char path[PATH_MAX];
	load_t l = {.path = path,
	            .specs = specs,
	            .res = res,
	            .done = done,
	            .n = n,
	            .timed = timed,
	            .err = err,
	            .errlen = errlen};
	size_t hlen;
	int rc = 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/trials.csv", dir) >= sizeof(path)) {
		snprintf(err, errlen, "%.200s...: path too long", dir);
		return -1;
	}
	l.have = calloc((size_t)n + 1, sizeof(*l.have));
	l.off = calloc((size_t)n + 1, sizeof(*l.off));
	l.len = calloc((size_t)n + 1, sizeof(*l.len));
	l.whole = malloc(sizeof(*l.whole));
	if (!l.have || !l.off || !l.len || !l.whole) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
		goto out;
	}
	count_series(dir, specs, n, l.have);
	count_ops(dir, specs, n, l.have);
	as_trials_header(&l.text);
	hlen = l.text.len;
	if (as_table_each(path, NULL, load_row, &l, err, errlen) != 0) {
		rc = -1;
		goto out;
	}
	rows_in_order(&l.text, hlen, l.off, l.len, done, n, rows);
	load_p99(dir, specs, res, done, n);
out:
	free(l.have);
	free(l.off);
	free(l.len);
	free(l.whole);
	as_buf_free(&l.text);
	return rc;
}

int as_table_disturbed(const as_table_t *t, unsigned char *dist)
{
	return as_table_machine(t, dist, NULL);
}
