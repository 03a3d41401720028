/* verdict.c - see verdict.h. */
#define _GNU_SOURCE
#include "verdict.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disturb.h"
#include "json.h"
#include "labels.h"
#include "resume.h"
#include "stats.h"
#include "suite.h"

static const char *const verdict_names[] = {"CONFIRMED", "REFUTED", "INCONCLUSIVE"};

const char *as_verdict_name(as_verdict_t v)
{
	return v < AS_VERDICT_COUNT ? verdict_names[v] : "?";
}

as_verdict_t as_claim_judge(const as_claim_t *c, double lo, double hi)
{
	double min = c->op == AS_CLAIM_AT_LEAST ? c->bound
	             : c->op == AS_CLAIM_WITHIN ? c->bound - c->tol
	                                        : -INFINITY;
	double max = c->op == AS_CLAIM_AT_MOST  ? c->bound
	             : c->op == AS_CLAIM_WITHIN ? c->bound + c->tol
	                                        : INFINITY;
	if (isnan(lo) || isnan(hi))
		return AS_VERDICT_INCONCLUSIVE;
	if (lo >= min && hi <= max)
		return AS_VERDICT_CONFIRMED;
	if (hi < min || lo > max)
		return AS_VERDICT_REFUTED;
	return AS_VERDICT_INCONCLUSIVE;
}

static void expected_text(const as_claim_t *c, char *buf, size_t len)
{
	switch (c->op) {
	case AS_CLAIM_AT_LEAST: snprintf(buf, len, ">= %g", c->bound); return;
	case AS_CLAIM_AT_MOST: snprintf(buf, len, "<= %g", c->bound); return;
	case AS_CLAIM_WITHIN: snprintf(buf, len, "%g +- %g", c->bound, c->tol); return;
	}
}

/* verdicts.csv's module: the label judged (a variant's with its params,
 * "glibc:mmap_threshold=1m"), LABEL/VS for a ratio against module label VS,
 * with " tN/tK" when the ratio is across thread counts ("mimalloc t2/t1"). */
static void who_text(const as_claim_t *c, const char *label, const char *vs, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s%s%s", label, c->vs ? "/" : "", c->vs ? vs : "");
	if (c->vs_threads && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " t%u/t%u", c->threads, c->vs_threads);
}

void as_verdicts_header(as_buf_t *csv)
{
	as_buf_printf(csv, "scenario,workload,module,claim,expected,measured,ci_lo,ci_hi,unit,"
	                   "verdict,n\n");
}

/* Row r's module label: "name", or "name:params" for a variant. */
static void row_label(const as_table_t *t, size_t r, char *out, size_t len)
{
	const char *params = as_table_str(t, r, "module_params");
	snprintf(out, len, "%s%s%s", as_table_str(t, r, "module"), *params ? ":" : "", params);
}

#define MAX_LABELS 16 /* variants of one module judged in a run */

/* The distinct module labels of t's rows of module NAME into labels[] (at
 * most MAX_LABELS), in the order the rows have them; returns how many. A
 * claim about glibc is judged once per label: `-a
 * glibc,glibc:mmap_threshold=1m` has two glibcs, not one of 2 repetitions. */
static int module_labels(const as_table_t *t, const char *name, char labels[][AS_LABEL_MAX])
{
	int n = 0;
	for (size_t r = 0; r < t->nrows && n < MAX_LABELS; r++) {
		int k;
		if (strcmp(as_table_str(t, r, "module"), name))
			continue;
		row_label(t, r, labels[n], AS_LABEL_MAX);
		for (k = 0; k < n && strcmp(labels[k], labels[n]); k++)
			;
		n += k == n;
	}
	return n;
}

/* The metric of every ok repetition of (module label, workload, threads;
 * 0: any) in t that the statistics keep (dist: as_table_disturbed, as in
 * summary.csv); *rows counts the rows, ok or not. */
static int gather(const as_scenario_t *sc, const as_claim_metric_t *cm, const as_table_t *t,
                  const unsigned char *dist, const char *module, const char *workload,
                  uint32_t threads, double *v, int max, int *rows)
{
	int k = 0;
	*rows = 0;
	for (size_t r = 0; r < t->nrows; r++) {
		char label[512], mlabel[AS_LABEL_MAX];
		const char *params = as_table_str(t, r, "workload_params");
		double x;
		snprintf(label, sizeof(label), "%s%s%s", as_table_str(t, r, "workload"),
		         *params ? ":" : "", params);
		row_label(t, r, mlabel, sizeof(mlabel));
		if (strcmp(label, workload) || strcmp(mlabel, module) ||
		    (threads && as_table_num(t, r, "threads") != threads))
			continue;
		(*rows)++;
		if (dist[r] == AS_DIST_OUT)
			continue;
		if (!cm)
			x = as_scenario_metric(sc, t, r);
		else if (strcmp(as_table_str(t, r, "status"), "ok"))
			x = NAN;
		else
			x = cm->value ? cm->value(t, r) : as_table_num(t, r, cm->column);
		if (!isnan(x) && k < max)
			v[k++] = x;
	}
	return k;
}

static int timing_metric(as_metric_t m)
{
	return m == AS_MET_NS_PER_OP || m == AS_MET_ELAPSED_MS;
}

/* A claim's measured value on module label LABEL (a ratio: against module
 * label VS, or LABEL itself on other rows): *med and its interval [*lo,
 * *hi], *n the repetitions used. Returns 0, or -1 when the run has no rows
 * for it (another module list, --quick). */
static int measure(const as_scenario_t *sc, const as_table_t *t, const unsigned char *dist,
                   const as_claim_t *c, const char *label, const char *vs, double *med, double *lo,
                   double *hi, int *n)
{
	static double v[1000], w[1000];
	int ratio = c->vs || c->vs_threads || c->vs_workload;
	int rows, vrows = 1, nv = 0;
	*n = gather(sc, c->metric, t, dist, label, c->workload, c->threads, v, 1000, &rows);
	if (ratio)
		nv = gather(sc, c->metric, t, dist, c->vs ? vs : label,
		            c->vs_workload ? c->vs_workload : c->workload,
		            c->vs_threads ? c->vs_threads : c->threads, w, 1000, &vrows);
	if (rows == 0 || vrows == 0)
		return -1;
	if (ratio) {
		if (as_boot_ratio_ci95(v, *n, w, nv, NULL, 0, AS_BOOT_RESAMPLES, AS_BOOT_SEED, med,
		                       lo, hi) != 0)
			*lo = *hi = NAN;
		/* a memory or syscall figure repeats exactly: a ratio of one
		 * repetition a side is judged as a figure of one is (below) */
		if (isnan(*lo) && *n > 0 && nv > 0 && (c->metric || !timing_metric(sc->metric))) {
			double a = as_median(v, *n), b = as_median(w, nv);
			*med = *lo = *hi = b != 0 ? a / b : NAN;
		}
	} else {
		*med = as_median(v, *n);
		as_median_ci95(v, *n, lo, hi);
		if (isnan(*lo) && *n > 0) {
			*lo = v[0];
			*hi = v[*n - 1];
		}
	}
	/* one repetition of a time has no spread to judge it by: an outside
	 * review's `suite --quick --strict` failed at random on a t2/t1 of 1.07
	 * against <= 1, from one trial a side. Memory and syscall figures
	 * repeat exactly, and one repetition of them is judged. */
	if (!c->metric && timing_metric(sc->metric) && (*n < 2 || (ratio && nv < 2)))
		*lo = *hi = NAN;
	return 0;
}

/* Room for one more row in l (grown by half); NULL when out of memory. */
static as_verdict_row_t *list_add(as_verdict_list_t *l)
{
	if (l->n == l->cap) {
		int cap = l->cap ? l->cap + l->cap / 2 : 16;
		as_verdict_row_t *row = realloc(l->row, (size_t)cap * sizeof(*row));
		if (!row)
			return NULL;
		l->row = row;
		l->cap = cap;
	}
	return &l->row[l->n++];
}

void as_verdict_list_free(as_verdict_list_t *l)
{
	free(l->row);
	memset(l, 0, sizeof(*l));
}

/* One verdict of the module text v->module: judged into v, then its row
 * in csv, its object in json. */
static void report(const as_scenario_t *sc, const as_claim_t *c, double med, double lo, double hi,
                   int n, as_verdict_row_t *v, as_buf_t *csv, json_t *json)
{
	int ratio = c->vs || c->vs_threads || c->vs_workload;
	const char *unit = ratio ? "ratio of medians" : c->metric ? c->metric->unit : sc->unit;
	v->scenario = sc->name;
	v->workload = c->workload;
	v->claim = c->claim;
	expected_text(c, v->expected, sizeof(v->expected));
	v->measured = med;
	v->ci_lo = lo;
	v->ci_hi = hi;
	v->unit = unit ? unit : "";
	v->verdict = as_claim_judge(c, lo, hi);
	v->n = n;
	as_buf_csv_str(csv, sc->name, 0);
	as_buf_csv_str(csv, c->workload, 0);
	as_buf_csv_str(csv, v->module, 0);
	as_buf_csv_str(csv, c->claim, 0);
	as_buf_csv_str(csv, v->expected, 0);
	as_buf_csv_num(csv, med, 'F', 0);
	as_buf_csv_num(csv, lo, 'F', 0);
	as_buf_csv_num(csv, hi, 'F', 0);
	as_buf_csv_str(csv, v->unit, 0);
	as_buf_csv_str(csv, as_verdict_name(v->verdict), 0);
	as_buf_csv_num(csv, n, 'I', 1);
	if (json) {
		json_t *o = as_json_object();
		as_json_set_str(o, "scenario", sc->name);
		as_json_set_str(o, "workload", c->workload);
		as_json_set_str(o, "module", v->module);
		as_json_set_str(o, "claim", c->claim);
		as_json_set_str(o, "expected", v->expected);
		as_json_set(o, "measured", as_json_num(med, 'F'));
		as_json_set(o, "ci_lo", as_json_num(lo, 'F'));
		as_json_set(o, "ci_hi", as_json_num(hi, 'F'));
		as_json_set_str(o, "unit", unit);
		as_json_set_str(o, "verdict", as_verdict_name(v->verdict));
		as_json_set(o, "n", as_json_num(n, 'I'));
		as_json_push(json, o);
	}
}

/* Every claim of sc on each label of its module (and of its vs module)
 * that t has: measured and reported, into rows unless it is NULL.
 * Returns the number judged, or -1 when rows cannot grow. */
static int judge_all(const as_scenario_t *sc, const as_table_t *t, const unsigned char *dist,
                     as_verdict_list_t *rows, as_buf_t *csv, json_t *json,
                     int counts[AS_VERDICT_COUNT])
{
	static char labels[MAX_LABELS][AS_LABEL_MAX], vlabels[MAX_LABELS][AS_LABEL_MAX];
	int judged = 0;
	for (const as_claim_t *c = sc->claims; c->claim; c++) {
		int nl = module_labels(t, c->module, labels);
		int nvl = c->vs ? module_labels(t, c->vs, vlabels) : 1;
		for (int i = 0; i < nl; i++)
			for (int j = 0; j < nvl; j++) {
				as_verdict_row_t one, *v = &one;
				double med, lo, hi;
				int n;
				const char *vs = c->vs ? vlabels[j] : NULL;
				if (measure(sc, t, dist, c, labels[i], vs, &med, &lo, &hi, &n) != 0)
					continue;
				if (rows && !(v = list_add(rows)))
					return -1;
				who_text(c, labels[i], vs, v->module, sizeof(v->module));
				report(sc, c, med, lo, hi, n, v, csv, json);
				counts[v->verdict]++;
				judged++;
			}
	}
	return judged;
}

/* Add NAME to keep (n names so far, room for max with the NULL): 0, or -1
 * when it is full. */
static int keep_add(const char **keep, size_t *n, size_t max, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(keep[i], name))
			return 0;
	if (*n + 1 >= max)
		return -1;
	keep[(*n)++] = name;
	keep[*n] = NULL;
	return 0;
}

int as_verdict_columns(const as_scenario_t *sc, const char **keep, size_t max)
{
	/* gather's and row_label's, and the disturbed rule's */
	static const char *const base[] = {"module", "module_params", AS_TABLE_MACHINE_COLS};
	size_t n = 0;
	int bad = max == 0;
	if (!bad)
		keep[0] = NULL;
	for (size_t i = 0; !bad && i < sizeof(base) / sizeof(base[0]); i++)
		bad = keep_add(keep, &n, max, base[i]) != 0;
	for (size_t i = 0; !bad && as_scenario_metric_cols[i]; i++)
		bad = keep_add(keep, &n, max, as_scenario_metric_cols[i]) != 0;
	for (const as_claim_t *c = sc->claims; !bad && c && c->claim; c++) {
		const as_claim_metric_t *cm = c->metric;
		if (!cm)
			continue;
		if (cm->value && !cm->reads)
			bad = 1;
		for (size_t i = 0; !bad && cm->value && cm->reads[i]; i++)
			bad = keep_add(keep, &n, max, cm->reads[i]) != 0;
		if (!bad && !cm->value && cm->column)
			bad = keep_add(keep, &n, max, cm->column) != 0;
	}
	if (bad && max)
		keep[0] = NULL;
	return bad ? -1 : 0;
}

int as_scenario_verdicts(const as_scenario_t *sc, const char *trials_csv, as_verdict_list_t *rows,
                         as_buf_t *csv, json_t *json, int counts[AS_VERDICT_COUNT], char *err,
                         size_t errlen)
{
	as_table_t t;
	int judged;
	unsigned char *dist;
	const char *keep[64];
	if (!sc->claims)
		return 0;
	/* the columns the claims read alone (all of them when a value function
	 * does not say which it reads) */
	if (as_table_read_cols(trials_csv, as_verdict_columns(sc, keep, 64) == 0 ? keep : NULL, &t,
	                       err, errlen) != 0)
		return -1;
	dist = malloc(t.nrows ? t.nrows : 1);
	if (!dist || as_table_disturbed(&t, dist) != 0 ||
	    (judged = judge_all(sc, &t, dist, rows, csv, json, counts)) < 0) {
		snprintf(err, errlen, "%s: out of memory", trials_csv);
		free(dist);
		as_table_free(&t);
		return -1;
	}
	free(dist);
	as_table_free(&t);
	return judged;
}
