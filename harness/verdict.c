/* verdict.c - see verdict.h. */
#define _GNU_SOURCE
#include "verdict.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disturb.h"
#include "json.h"
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

/* verdicts.csv's module: M, M/B for a ratio against module B, with "
 * tN/tK" when the ratio is across thread counts ("mimalloc t2/t1"). */
static void who_text(const as_claim_t *c, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s%s%s", c->module, c->vs ? "/" : "", c->vs ? c->vs : "");
	if (c->vs_threads && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " t%u/t%u", c->threads, c->vs_threads);
}

void as_verdicts_header(as_buf_t *csv)
{
	as_buf_printf(csv, "scenario,workload,module,claim,expected,measured,ci_lo,ci_hi,unit,"
	                   "verdict,n\n");
}

/* The metric of every ok repetition of (module, workload, threads; 0:
 * any) in t that the statistics keep (dist: as_table_disturbed, as in
 * summary.csv); *rows counts the rows, ok or not. */
static int gather(const as_scenario_t *sc, const as_table_t *t, const unsigned char *dist,
                  const char *module, const char *workload, uint32_t threads, double *v, int max,
                  int *rows)
{
	int k = 0;
	*rows = 0;
	for (size_t r = 0; r < t->nrows; r++) {
		char label[512];
		const char *params = as_table_str(t, r, "workload_params");
		double x;
		snprintf(label, sizeof(label), "%s%s%s", as_table_str(t, r, "workload"),
		         *params ? ":" : "", params);
		if (strcmp(label, workload) || strcmp(as_table_str(t, r, "module"), module) ||
		    (threads && as_table_num(t, r, "threads") != threads))
			continue;
		(*rows)++;
		if (dist[r] == AS_DIST_OUT)
			continue;
		x = as_scenario_metric(sc, t, r);
		if (!isnan(x) && k < max)
			v[k++] = x;
	}
	return k;
}

/* With one repetition on a side there is nothing to resample: the
 * interval is the range of the ratios, min(x) / max(y) to max(x) / min(y)
 * (one repetition each: the ratio itself), as a claim on one module uses
 * the range of its repetitions below 6 (--quick). NaN when y holds no
 * positive value. */
static void ratio_range(const double *x, int nx, const double *y, int ny, double *lo, double *hi)
{
	double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
	for (int i = 0; i < nx; i++) {
		xlo = fmin(xlo, x[i]);
		xhi = fmax(xhi, x[i]);
	}
	for (int i = 0; i < ny; i++) {
		ylo = fmin(ylo, y[i]);
		yhi = fmax(yhi, y[i]);
	}
	*lo = *hi = NAN;
	if (ylo > 0 && isfinite(xlo)) {
		*lo = xlo / yhi;
		*hi = xhi / ylo;
	}
}

int as_scenario_verdicts(const as_scenario_t *sc, const char *trials_csv, as_buf_t *csv,
                         json_t *json, int counts[AS_VERDICT_COUNT], char *err, size_t errlen)
{
	as_table_t t;
	int judged = 0;
	double v[1000], w[1000];
	unsigned char *dist;
	if (!sc->claims)
		return 0;
	if (as_table_read(trials_csv, &t, err, errlen) != 0)
		return -1;
	dist = malloc(t.nrows ? t.nrows : 1);
	if (!dist || as_table_disturbed(&t, dist) != 0) {
		snprintf(err, errlen, "%s: out of memory", trials_csv);
		free(dist);
		as_table_free(&t);
		return -1;
	}
	/* the claim column as wide as the scenario's longest claim (44 at
	 * least, 64 at most): "faster than tcmalloc" was cut at "tcmall" */
	int cw = 44;
	for (const as_claim_t *c = sc->claims; c->claim; c++)
		if ((int)strlen(c->claim) > cw)
			cw = strlen(c->claim) > 64 ? 64 : (int)strlen(c->claim);
	for (const as_claim_t *c = sc->claims; c->claim; c++) {
		char exp[64];
		double med, lo, hi;
		char meas[64], who[64];
		int ratio = c->vs || c->vs_threads || c->vs_workload;
		int rows, vrows = 1, nv = 0;
		int n = gather(sc, &t, dist, c->module, c->workload, c->threads, v, 1000, &rows);
		as_verdict_t vd;
		if (ratio)
			nv = gather(sc, &t, dist, c->vs ? c->vs : c->module,
			            c->vs_workload ? c->vs_workload : c->workload,
			            c->vs_threads ? c->vs_threads : c->threads, w, 1000, &vrows);
		if (rows == 0 || vrows == 0)
			continue; /* not in this run (another module list, --quick) */
		if (ratio) {
			if (as_boot_ratio_ci95(v, n, w, nv, NULL, 0, AS_BOOT_RESAMPLES,
			                       AS_BOOT_SEED, &med, &lo, &hi) != 0)
				lo = hi = NAN;
			else if (isnan(lo) && !isnan(med) && (n < 2 || nv < 2))
				ratio_range(v, n, w, nv, &lo, &hi);
		} else {
			med = as_median(v, n);
			as_median_ci95(v, n, &lo, &hi);
			if (isnan(lo) && n > 0) {
				lo = v[0];
				hi = v[n - 1];
			}
		}
		vd = as_claim_judge(c, lo, hi);
		expected_text(c, exp, sizeof(exp));
		if (judged++ == 0)
			printf("   %-12s %-18s %-*s %-12s %-22s %s\n", "verdict", "module", cw,
			       "claim", "expected", "measured (interval)", "n");
		snprintf(meas, sizeof(meas), "%.3g (%.3g-%.3g)", med, lo, hi);
		who_text(c, who, sizeof(who));
		printf("   %-12s %-18.18s %-*.*s %-12s %-22s %d\n", as_verdict_name(vd), who, cw,
		       cw, c->claim, exp, meas, n);
		counts[vd]++;
		as_buf_csv_str(csv, sc->name, 0);
		as_buf_csv_str(csv, c->workload, 0);
		as_buf_csv_str(csv, who, 0);
		as_buf_csv_str(csv, c->claim, 0);
		as_buf_csv_str(csv, exp, 0);
		as_buf_csv_num(csv, med, 'F', 0);
		as_buf_csv_num(csv, lo, 'F', 0);
		as_buf_csv_num(csv, hi, 'F', 0);
		as_buf_csv_str(csv, ratio ? "ratio of medians" : sc->unit ? sc->unit : "", 0);
		as_buf_csv_str(csv, as_verdict_name(vd), 0);
		as_buf_csv_num(csv, n, 'I', 1);
		if (json) {
			json_t *o = as_json_object();
			as_json_set_str(o, "scenario", sc->name);
			as_json_set_str(o, "workload", c->workload);
			as_json_set_str(o, "module", who);
			as_json_set_str(o, "claim", c->claim);
			as_json_set_str(o, "expected", exp);
			as_json_set(o, "measured", as_json_num(med, 'F'));
			as_json_set(o, "ci_lo", as_json_num(lo, 'F'));
			as_json_set(o, "ci_hi", as_json_num(hi, 'F'));
			as_json_set_str(o, "unit", ratio ? "ratio of medians" : sc->unit);
			as_json_set_str(o, "verdict", as_verdict_name(vd));
			as_json_set(o, "n", as_json_num(n, 'I'));
			as_json_push(json, o);
		}
	}
	free(dist);
	as_table_free(&t);
	return judged;
}
