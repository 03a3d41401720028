/* results.c - see results.h. */
#define _GNU_SOURCE
#include "results.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disturb.h"
#include "stats.h"
#include "tables.h"
#include "oom.h"

void as_trials_header(as_buf_t *b)
{
#define H(name, fmt, doc) as_buf_add(b, #name ",", strlen(#name) + 1);
	AS_TRIAL_KEY_COLS(H)
	AS_TRIAL_COLS(H)
#undef H
	b->data[b->len - 1] = '\n';
}

/* The key columns every table shares: module, module_params, workload,
 * workload_params, each from the parsed spec. */
static void spec_keys(as_buf_t *b, const as_trial_spec_t *spec)
{
	as_buf_csv_str(b, spec->module->name, 0);
	as_buf_csv_str(b, spec->module->params, 0);
}

static void workload_keys(as_buf_t *b, const as_trial_spec_t *spec)
{
	as_buf_csv_str(b, spec->workload->name, 0);
	as_buf_csv_str(b, spec->workload->params, 0);
}

void as_trials_row(as_buf_t *b, const as_trial_spec_t *spec, const as_trial_result_t *res)
{
	as_buf_csv_num(b, spec->trial, 'I', 0);
	as_buf_csv_num(b, spec->rep, 'I', 0);
	spec_keys(b, spec);
	as_buf_csv_str(b, res->module_version, 0);
	workload_keys(b, spec);
	as_buf_csv_num(b, as_trial_threads(spec, res), 'I', 0);
	as_buf_printf(b, "%llu,", (unsigned long long)spec->seed);
	as_buf_csv_str(b, as_status_name(res->status), 0);
	as_buf_csv_str(b, res->reason, 0);
	as_buf_csv_str(b, res->bindings, 0);
	{
		static const char fmts[] = {
#define F(name, fmt, doc) #fmt[0],
		    AS_TRIAL_COLS(F)
#undef F
		};
		for (int i = 0; i < AS_TRIAL_NCOLS; i++)
			as_buf_csv_num(b, res->v[i], fmts[i], i == AS_TRIAL_NCOLS - 1);
	}
}

static void row_keys(as_buf_t *b, const as_trial_spec_t *spec, const as_trial_result_t *res)
{
	as_buf_csv_num(b, spec->trial, 'I', 0);
	as_buf_csv_num(b, spec->rep, 'I', 0);
	spec_keys(b, spec);
	workload_keys(b, spec);
	as_buf_csv_num(b, as_trial_threads(spec, res), 'I', 0);
}

static void header(as_buf_t *b, const char *const *names, int n)
{
	static const char *const keys[] = {
#define H(name, fmt, doc) #name,
	    AS_ROW_KEY_COLS(H)
#undef H
	};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		as_buf_csv_str(b, keys[i], 0);
	for (int i = 0; i < n; i++)
		as_buf_csv_str(b, names[i], i == n - 1);
	as_buf_add(b, "\n", 1);
}

static void rows(as_buf_t *b, const as_trial_spec_t *spec, const as_trial_result_t *res,
                 const as_rows_t *r, const char *fmts, int ncols)
{
	for (size_t i = 0; i < r->n; i++) {
		const double *v = r->v + i * (size_t)ncols;
		row_keys(b, spec, res);
		for (int c = 0; c < ncols; c++) {
			if (fmts[c] == 'K') {
				unsigned k = (unsigned)v[c];
				as_buf_csv_str(b, as_op_kind_name((unsigned)k), c == ncols - 1);
				if (c == ncols - 1)
					as_buf_add(b, "\n", 1);
			} else {
				as_buf_csv_num(b, v[c], fmts[c], c == ncols - 1);
			}
		}
	}
}

#define NAMES(name, fmt, doc) #name,
#define FMTS(name, fmt, doc)  #fmt[0],
static const char *const series_names[] = {AS_SERIES_COLS(NAMES)};
static const char series_fmts[] = {AS_SERIES_COLS(FMTS)};
static const char *const latency_names[] = {AS_LATENCY_COLS(NAMES)};
static const char latency_fmts[] = {AS_LATENCY_COLS(FMTS)};
static const char *const hist_names[] = {AS_HIST_COLS(NAMES)};
static const char hist_fmts[] = {AS_HIST_COLS(FMTS)};

void as_series_header(as_buf_t *b)
{
	header(b, series_names, AS_SERIES_NCOLS);
}
void as_series_rows(as_buf_t *b, const as_trial_spec_t *spec, const as_trial_result_t *res)
{
	rows(b, spec, res, &res->series, series_fmts, AS_SERIES_NCOLS);
}
void as_latency_header(as_buf_t *b)
{
	header(b, latency_names, AS_LATENCY_NCOLS);
}
void as_latency_rows(as_buf_t *b, const as_trial_spec_t *spec, const as_trial_result_t *res)
{
	rows(b, spec, res, &res->latency, latency_fmts, AS_LATENCY_NCOLS);
}
void as_hist_header(as_buf_t *b)
{
	header(b, hist_names, AS_HIST_NCOLS);
}
void as_hist_rows(as_buf_t *b, const as_trial_spec_t *spec, const as_trial_result_t *res)
{
	rows(b, spec, res, &res->hist, hist_fmts, AS_HIST_NCOLS);
}

/* column col of trial group `trial`'s ok repetitions the statistics keep
 * (dist: as_disturbed_set) */
static int gather(const as_trial_spec_t *specs, const as_trial_rec_t *res, int n,
                  const unsigned char *dist, uint32_t trial, int col, double *out)
{
	int k = 0;
	for (int j = 0; j < n; j++)
		if (specs[j].trial == trial && res[j].status == AS_OK && dist[j] != AS_DIST_OUT &&
		    !isnan(res[j].v[col]))
			out[k++] = res[j].v[col];
	return k;
}

#define M(name, fmt, doc) AS_TC_##name,
static const int metric_cols[AS_SUMMARY_NMETRICS] = {AS_SUMMARY_METRICS(M)};
#undef M
static const char *const metric_names[AS_SUMMARY_NMETRICS] = {AS_SUMMARY_METRICS(NAMES)};
static const char metric_fmts[AS_SUMMARY_NMETRICS] = {AS_SUMMARY_METRICS(FMTS)};
const char *const as_summary_stat_names[AS_ST_N] = {"median", "min", "max", "ci95_low",
                                                    "ci95_high"};

const char *as_summary_metric_name(int m, char *fmt)
{
	*fmt = metric_fmts[m];
	return metric_names[m];
}

/* Append ITEM to the space-separated list in buf[cap] (*w bytes long), or
 * " ..." once it no longer fits (*w = cap: nothing more is added). */
static void list_add(char *buf, size_t cap, size_t *w, const char *item)
{
	size_t l = strlen(item) + (*w ? 1 : 0);
	if (*w >= cap)
		return;
	if (*w + l + 5 <= cap) {
		snprintf(buf + *w, cap - *w, "%s%s", *w ? " " : "", item);
		*w += l;
	} else {
		snprintf(buf + *w, cap - *w, " ...");
		*w = cap;
	}
}

/* The row's ok repetitions, the disturbed ones among them, the ones left
 * out and the rule that took each, and its ns/op spread with and without
 * them (dist, rule: as_disturbed_rules). Every ok repetition counts,
 * timed or not: --jobs trials have no ns/op (their reps_ok was 0), only
 * the spreads need ns/op values. */
static void spread(const as_trial_spec_t *specs, const as_trial_rec_t *res, int n,
                   const unsigned char *dist, const unsigned char *rule, as_summary_row_t *row)
{
	double lo = NAN, hi = NAN, ulo = NAN, uhi = NAN;
	int k = 0, kx = 0, ku = 0;
	uint32_t trial = row->spec->trial;
	size_t w = 0, wr = 0;
	row->reps_disturbed = 0;
	row->reps_left_out[0] = row->reps_left_out_rules[0] = '\0';
	for (int j = 0; j < n; j++) {
		double x = res[j].v[AS_TC_ns_per_op];
		if (specs[j].trial != trial || res[j].status != AS_OK)
			continue;
		k++;
		if (!isnan(x)) {
			lo = isnan(lo) || x < lo ? x : lo;
			hi = isnan(hi) || x > hi ? x : hi;
			kx++;
		}
		if (dist[j] != AS_DIST_NO) {
			row->reps_disturbed++;
			if (dist[j] == AS_DIST_OUT) {
				char one[48];
				snprintf(one, sizeof(one), "%u", specs[j].rep);
				list_add(row->reps_left_out, sizeof(row->reps_left_out), &w, one);
				snprintf(one, sizeof(one), "%u:%s", specs[j].rep,
				         as_disturb_rule_name(rule[j]));
				list_add(row->reps_left_out_rules, sizeof(row->reps_left_out_rules),
				         &wr, one);
			}
			continue;
		}
		if (isnan(x))
			continue;
		ulo = isnan(ulo) || x < ulo ? x : ulo;
		uhi = isnan(uhi) || x > uhi ? x : uhi;
		ku++;
	}
	/* one value has no spread: 1.00 would read as a group within any limit */
	row->ns_per_op_spread = kx >= 2 && lo > 0 ? hi / lo : NAN;
	row->ns_per_op_spread_undisturbed = ku >= 2 && ulo > 0 ? uhi / ulo : NAN;
	row->reps_ok = k;
}

/* The row's undisturbed repetitions whose median pass took AS_SLOW_PASSES
 * times the median of their pass_ns_median or more: slow from the first
 * timed pass to the last, where a stall shows in pass_ns_max alone and a CPU
 * taken by another process in wait_ns (the disturbed, not judged here). Seen
 * idle in tcmalloc's larson trials (3.6 x, docs/measure.md "A whole trial
 * slow"). NaN with fewer than 3 undisturbed repetitions of 2 passes or
 * more: the median of 2 would be halfway to the slow one. v: scratch of n
 * values. */
static void slow_passes(const as_trial_spec_t *specs, const as_trial_rec_t *res, int n,
                        const unsigned char *dist, as_summary_row_t *row, double *v)
{
	int k = 0, slow = 0;
	double med;
	for (int j = 0; j < n; j++)
		if (specs[j].trial == row->spec->trial && res[j].status == AS_OK &&
		    dist[j] == AS_DIST_NO && !isnan(res[j].v[AS_TC_pass_ns_median]))
			v[k++] = res[j].v[AS_TC_pass_ns_median];
	if (k < 3) {
		row->reps_slow_passes = NAN;
		return;
	}
	med = as_median(v, k);
	for (int i = 0; i < k; i++)
		slow += v[i] >= AS_SLOW_PASSES * med;
	row->reps_slow_passes = slow;
}

uint32_t as_group_threads(const as_trial_spec_t *specs, const as_trial_rec_t *res, int n, int i)
{
	for (int j = 0; j < n; j++)
		if (specs[j].trial == specs[i].trial && res[j].threads)
			return res[j].threads;
	return specs[i].threads;
}

uint32_t *as_group_threads_all(const as_trial_spec_t *specs, const as_trial_rec_t *res, int n)
{
	uint32_t ntrial = 0, *thr;
	for (int j = 0; j < n; j++)
		if (specs[j].trial >= ntrial)
			ntrial = specs[j].trial + 1;
	thr = calloc(ntrial ? ntrial : 1, sizeof(*thr));
	/* the first repetition in matrix order that knows its count */
	for (int j = 0; thr && j < n; j++)
		if (!thr[specs[j].trial] && res[j].threads)
			thr[specs[j].trial] = res[j].threads;
	for (int j = 0; thr && j < n; j++)
		if (!thr[specs[j].trial])
			thr[specs[j].trial] = specs[j].threads;
	return thr;
}

int as_summary_rows(const as_trial_spec_t *specs, const as_trial_rec_t *res, int n,
                    as_summary_row_t **out)
{
	double *v = malloc(sizeof(double) * (size_t)(n ? n : 1));
	as_summary_row_t *rows;
	unsigned char *dist = malloc((size_t)(n ? n : 1));
	unsigned char *rule = malloc((size_t)(n ? n : 1));
	int nrows = 0, ngroups = 0;

	/* a row per group (its first repetition), 1 KB each: not per
	 * entry (100 MB at 10^5 trials) */
	for (int i = 0; i < n; i++)
		ngroups += specs[i].rep == 0;
	rows = calloc((size_t)(ngroups ? ngroups : 1), sizeof(*rows));
	if (!v || !rows || !dist || !rule || as_disturbed_rules(specs, res, n, dist, rule) != 0) {
		free(v);
		free(rows);
		free(dist);
		free(rule);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		as_summary_row_t *row = &rows[nrows];
		double null_ns = NAN;
		int k;
		if (specs[i].rep != 0)
			continue;
		/* the null module's cost on the same workload and threads */
		for (int j = 0; j < n; j++) {
			if (specs[j].rep != 0 || specs[j].threads != specs[i].threads ||
			    strcmp(specs[j].workload->label, specs[i].workload->label) ||
			    strcmp(specs[j].module->name, "null"))
				continue;
			k = gather(specs, res, n, dist, specs[j].trial, AS_TC_ns_per_op, v);
			null_ns = as_median(v, k);
			break;
		}
		row->spec = &specs[i];
		row->threads = as_group_threads(specs, res, n, i);
		spread(specs, res, n, dist, rule, row);
		slow_passes(specs, res, n, dist, row, v);
		k = gather(specs, res, n, dist, specs[i].trial, AS_TC_ns_per_op, v);
		row->null_ns_per_op_median = null_ns;
		row->ns_per_op_minus_null = as_median(v, k) - null_ns;
		for (int m = 0; m < AS_SUMMARY_NMETRICS; m++) {
			double *st = row->stat[m];
			k = gather(specs, res, n, dist, specs[i].trial, metric_cols[m], v);
			st[AS_ST_MEDIAN] = as_median(v, k);
			st[AS_ST_MIN] = k ? v[0] : NAN;
			st[AS_ST_MAX] = k ? v[k - 1] : NAN;
			as_median_ci95(v, k, &st[AS_ST_CI95_LOW], &st[AS_ST_CI95_HIGH]);
		}
		nrows++;
	}
	free(v);
	free(dist);
	free(rule);
	*out = rows;
	return nrows;
}

int as_summary_table(as_buf_t *b, const as_trial_spec_t *specs, const as_trial_rec_t *res, int n)
{
	static const char *const key_names[] = {AS_SUMMARY_KEY_COLS(NAMES)};
	static const char *const tail_names[] = {AS_SUMMARY_TAIL_COLS(NAMES)};
	as_summary_row_t *rows;
	int nrows = as_summary_rows(specs, res, n, &rows);

	if (nrows < 0)
		return -1;
	for (size_t i = 0; i < sizeof(key_names) / sizeof(key_names[0]); i++)
		as_buf_csv_str(b, key_names[i], 0);
	for (int m = 0; m < AS_SUMMARY_NMETRICS; m++)
		for (int s = 0; s < AS_ST_N; s++)
			as_buf_printf(b, "%s_%s,", metric_names[m], as_summary_stat_names[s]);
	for (size_t i = 0; i < sizeof(tail_names) / sizeof(tail_names[0]); i++)
		as_buf_printf(b, "%s%s", tail_names[i],
		              i + 1 == sizeof(tail_names) / sizeof(tail_names[0]) ? "\n" : ",");
	for (int i = 0; i < nrows; i++) {
		const as_summary_row_t *row = &rows[i];
		spec_keys(b, row->spec);
		workload_keys(b, row->spec);
		as_buf_csv_num(b, row->threads, 'I', 0);
		as_buf_csv_num(b, row->reps_ok, 'I', 0);
		as_buf_csv_num(b, row->null_ns_per_op_median, 'F', 0);
		as_buf_csv_num(b, row->ns_per_op_minus_null, 'F', 0);
		for (int m = 0; m < AS_SUMMARY_NMETRICS; m++)
			for (int s = 0; s < AS_ST_N; s++)
				as_buf_csv_num(b, row->stat[m][s], metric_fmts[m], 0);
		as_buf_csv_num(b, row->reps_disturbed, 'I', 0);
		as_buf_csv_num(b, row->ns_per_op_spread, 'F', 0);
		as_buf_csv_num(b, row->ns_per_op_spread_undisturbed, 'F', 0);
		as_buf_csv_num(b, row->reps_slow_passes, 'I', 0);
		as_buf_csv_str(b, row->reps_left_out, 0);
		as_buf_csv_str(b, row->reps_left_out_rules, 1);
		as_buf_add(b, "\n", 1);
	}
	free(rows);
	return 0;
}

/* ---- reading back: a results file checked against its schema ---- */

/* One file's columns, key columns first, as tables.h lists them. */
typedef struct {
	const char *file;
	const char *const *keys, *const *names;
	const char *key_fmts, *fmts;
	int nkeys, n;
} schema_t;

static const char *const trial_key_names[] = {AS_TRIAL_KEY_COLS(NAMES)};
static const char trial_key_fmts[] = {AS_TRIAL_KEY_COLS(FMTS)};
static const char *const trial_names[] = {AS_TRIAL_COLS(NAMES)};
static const char trial_fmts[] = {AS_TRIAL_COLS(FMTS)};
static const char *const row_key_names[] = {AS_ROW_KEY_COLS(NAMES)};
static const char row_key_fmts[] = {AS_ROW_KEY_COLS(FMTS)};
#define NKEYS(a) (int)(sizeof(a) / sizeof(a[0]))

static const schema_t schemas[] = {
    {"trials.csv", trial_key_names, trial_names, trial_key_fmts, trial_fmts, NKEYS(trial_key_names),
     AS_TRIAL_NCOLS},
    {"series.csv", row_key_names, series_names, row_key_fmts, series_fmts, NKEYS(row_key_names),
     AS_SERIES_NCOLS},
    {"latency.csv", row_key_names, latency_names, row_key_fmts, latency_fmts, NKEYS(row_key_names),
     AS_LATENCY_NCOLS},
    {"histogram.csv", row_key_names, hist_names, row_key_fmts, hist_fmts, NKEYS(row_key_names),
     AS_HIST_NCOLS},
};

/* The column's format letter in schema s (I, F, K, S), or 0 when unknown. */
static char fmt_of(const schema_t *s, const char *name)
{
	for (int i = 0; i < s->nkeys; i++)
		if (!strcmp(s->keys[i], name))
			return s->key_fmts[i];
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->names[i], name))
			return s->fmts[i];
	return 0;
}

/* A number as allocscope writes one (as_buf_csv_num: %.0f or %.6g of a
 * finite value, empty for none): decimal, a '-' at most before it. strtod
 * alone took "inf", "nan", "0x1p4" and " 7", and plot charted an inf
 * ns/op as the median of a module without a word. */
static int is_number(const char *c)
{
	const char *d = *c == '-' ? c + 1 : c;
	char *end;
	double v;
	if (!((*d >= '0' && *d <= '9') || *d == '.') || strpbrk(d, "xXpP"))
		return 0;
	errno = 0;
	v = strtod(c, &end);
	return end != c && !*end && errno != ERANGE && isfinite(v);
}

/* What check_rows asks of a column's cells (check_head's *num). */
enum { COL_TEXT, COL_NAME, COL_NUMBER };

/* The header's checks of as_results_check_table: its schema in *s (NULL:
 * a file without one, whose rows' fields alone are checked) and what
 * each column's cells must be in *num (ncols COL_*, as_xcalloc'd). 0, or
 * -1 with err. */
static int check_head(const char *path, const as_table_t *t, const schema_t **s, char **num,
                      char *err, size_t errlen)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	*s = NULL;
	for (size_t i = 0; i < sizeof(schemas) / sizeof(schemas[0]) && !*s; i++)
		if (!strcmp(base, schemas[i].file))
			*s = &schemas[i];
	if (*s && (!t->ncols || strcmp(t->head[0], (*s)->keys[0]))) {
		const char *h = t->ncols ? t->head[0] : "";
		if (is_number(h)) /* a data row where the header belongs */
			snprintf(err, errlen,
			         "%s: line 1: no header (it starts '%.40s', not '%s,%s,...')", path,
			         h, (*s)->keys[0], (*s)->keys[1]);
		else
			snprintf(err, errlen, "%s: no column '%s' first: not a results table", path,
			         (*s)->keys[0]);
		return -1;
	}
	/* the numeric columns, looked up once (by name per cell, the lookup
	 * was a tenth of `allocscope plot`'s CPU on a suite folder); a table
	 * without a schema here (tune.csv, frontier.csv, ...) has none: its
	 * rows still hold one line each, all their fields (a cut row read as
	 * a configuration with empty cells: an outside review) */
	*num = as_xcalloc(t->ncols + 1, 1, "a table's numeric columns");
	for (size_t c = 0; *s && c < t->ncols; c++) {
		char f = fmt_of(*s, t->head[c]);
		/* a trials.csv row names its module and its status (until
		 * session 35 plot drew a row without them, which compare
		 * refused) */
		int named = *s == &schemas[0] &&
		            (!strcmp(t->head[c], "module") || !strcmp(t->head[c], "status"));
		(*num)[c] = f == 'I' || f == 'F' ? COL_NUMBER : named ? COL_NAME : COL_TEXT;
	}
	return 0;
}

/* The rows' checks of as_results_check_table; row r is line r + LINE0 + 2. */
static int check_rows(const char *path, const as_table_t *t, const char *num, size_t line0,
                      char *err, size_t errlen)
{
	for (size_t r = 0; r < t->nrows; r++) {
		/* rows are one line each: the writer keeps newlines out of cells */
		char why[64];
		if (as_table_row_damage(t, r, why, sizeof(why))) {
			snprintf(err, errlen, "%s: line %zu: %s", path, r + line0 + 2, why);
			return -1;
		}
		for (size_t c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r * t->ncols + c];
			const char *bad = num[c] == COL_NAME && !*cell ? "is empty"
			                  : num[c] == COL_NUMBER && *cell && !is_number(cell)
			                      ? "is not a number"
			                      : NULL;
			if (bad) {
				snprintf(err, errlen, "%s: line %zu, column %zu (%s): '%.40s' %s",
				         path, r + line0 + 2, c + 1, t->head[c], cell, bad);
				return -1;
			}
		}
	}
	return 0;
}

int as_results_check_table(const char *path, const as_table_t *t, char *err, size_t errlen)
{
	const schema_t *s;
	char *num;
	int rc;
	if (check_head(path, t, &s, &num, err, errlen) != 0)
		return -1;
	rc = check_rows(path, t, num, 0, err, errlen);
	free(num);
	return rc;
}

int as_results_check_row(const char *path, const as_table_t *row, size_t line, char **num,
                         char *err, size_t errlen)
{
	const schema_t *s;
	if (!*num && check_head(path, row, &s, num, err, errlen) != 0)
		return -1;
	return check_rows(path, row, *num, line, err, errlen);
}

typedef struct {
	uint32_t trial, rep;
	size_t line;
} ident_t;

/* strcmp of rows a and b (t's rows, by line) over every column t holds; 0
 * when t is NULL (the rows not looked at). */
static int cmp_cells(const as_table_t *t, const ident_t *a, const ident_t *b)
{
	int c = 0;
	for (size_t k = 0; t && k < t->ncols && !c; k++)
		c = strcmp(t->cells[(a->line - 2) * t->ncols + k],
		           t->cells[(b->line - 2) * t->ncols + k]);
	return c;
}

static int cmp_ident(const void *x, const void *y, void *ctx)
{
	const ident_t *a = x, *b = y;
	int c;
	if (a->trial != b->trial)
		return a->trial < b->trial ? -1 : 1;
	if (a->rep != b->rep)
		return a->rep < b->rep ? -1 : 1;
	if ((c = cmp_cells(ctx, a, b)) != 0)
		return c;
	return a->line < b->line ? -1 : a->line > b->line;
}

int as_results_check_twice(const char *path, const as_table_t *t, int same_row, char *err,
                           size_t errlen)
{
	const as_table_t *g = same_row ? t : NULL;
	ident_t *id;
	size_t n = 0;
	int rc = 0;
	if (as_table_col(t, "trial") < 0 || as_table_col(t, "rep") < 0 || t->nrows < 2)
		return 0;
	if (!(id = malloc(t->nrows * sizeof(*id))))
		as_oom("trials.csv's trial and rep", t->nrows * sizeof(*id));
	for (size_t r = 0; r < t->nrows && rc == 0; r++) {
		id[n].line = r + 2;
		if (as_table_count(as_table_num(t, r, "trial"), &id[n].trial) == 0 &&
		    as_table_count(as_table_num(t, r, "rep"), &id[n].rep) == 0)
			n++;
		else if (!g) {
			snprintf(err, errlen,
			         "%s: line %zu: trial or rep is not a count: the folder is damaged",
			         path, r + 2);
			rc = -1;
		} /* else plot's own check of the row says so, naming the cell */
	}
	if (rc == 0)
		qsort_r(id, n, sizeof(*id), cmp_ident, (void *)g);
	for (size_t r = 1; r < n && rc == 0; r++)
		if (id[r].trial == id[r - 1].trial && id[r].rep == id[r - 1].rep &&
		    cmp_cells(g, &id[r - 1], &id[r]) == 0) {
			snprintf(err, errlen,
			         "%s: lines %zu and %zu: trial %u repetition %u twice: the folder "
			         "is damaged (a row written twice would count twice)",
			         path, id[r - 1].line, id[r].line, id[r].trial, id[r].rep);
			rc = -1;
		}
	free(id);
	return rc;
}
