/* tune.c - see tune.h. */
#define _GNU_SOURCE
#include "tune.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "compare.h"
#include "files.h"
#include "stats.h"

static int find(as_tune_point_t *p, int n, const char *m, const char *params)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(p[i].module, m) && !strcmp(p[i].params, params))
			return i;
	return -1;
}

static int push(double **v, int n, double x)
{
	double *g = realloc(*v, (size_t)(n + 1) * sizeof(double));
	if (!g)
		return -1;
	g[n] = x;
	*v = g;
	return 0;
}

int as_tune_points(const as_table_t *t, as_tune_point_t **out)
{
	as_tune_point_t *p = NULL;
	int n = 0;
	for (size_t r = 0; r < t->nrows; r++) {
		const char *m = as_table_str(t, r, "module"),
		           *params = as_table_str(t, r, "module_params");
		double tm = as_table_num(t, r, "elapsed_ns");
		double rss =
		    as_table_num(t, r, "rss_peak_kib") - as_table_num(t, r, "rss_before_kib");
		int i = find(p, n, m, params);
		if (i < 0) {
			as_tune_point_t *g = realloc(p, (size_t)(n + 1) * sizeof(*p));
			if (!g)
				goto fail;
			p = g;
			memset(&p[n], 0, sizeof(p[n]));
			p[n].module = strdup(m);
			p[n].params = strdup(params);
			i = n++;
			if (!p[i].module || !p[i].params)
				goto fail;
		}
		if (strcmp(as_table_str(t, r, "status"), "ok") || isnan(tm) || isnan(rss))
			continue;
		if (push(&p[i].time_ns, p[i].n, tm) || push(&p[i].rss_kib, p[i].n, rss) ||
		    push(&p[i].sys, p[i].n, as_table_num(t, r, "syscalls_total")) ||
		    push(&p[i].start_s, p[i].n, as_table_num(t, r, "module_start_rss_kib")))
			goto fail;
		p[i].n++;
	}
	if (n > 0)
		as_tune_starts(p, n, 0);
	for (int i = 0; i < n; i++)
		for (int j = 0; j < p[i].n; j++)
			p[i].rss_kib[j] += p[i].start_kib;
	*out = p;
	return n;
fail:
	as_tune_points_free(p, n);
	return -1;
}

/* The least of a point's module_start_rss_kib samples, NaN where it has
 * none read. The least, not the median: a sample is the allocator's own
 * plus 0-100 KiB of glibc's heap that the load's dlopen may or may not
 * grow (glibc's module: 24, 52, 120 KiB), and the least drops that. Over
 * 6 tunes of tests/test_tune_verify.sh's python3 script, 3 replays each,
 * tcmalloc's start-up less glibc's spread 36 KiB as the least, 72 as the
 * median; jemalloc's 136 and 176, mimalloc's 0 and 64 (docs/tune.md). */
static double start_of(const as_tune_point_t *p)
{
	double m = NAN;
	for (int j = 0; j < p->n; j++)
		m = fmin(m, p->start_s[j]);
	return m;
}

void as_tune_starts(as_tune_point_t *p, int n, int base)
{
	double b = start_of(&p[base]);
	for (int i = 0; i < n; i++) {
		double s = start_of(&p[i]);
		p[i].start_kib =
		    !p[i].module || !strcmp(p[i].module, "glibc") || isnan(s) || isnan(b) ? 0
		                                                                          : s - b;
	}
}

void as_tune_points_free(as_tune_point_t *p, int n)
{
	for (int i = 0; i < n; i++) {
		free(p[i].module);
		free(p[i].params);
		free(p[i].time_ns);
		free(p[i].rss_kib);
		free(p[i].sys);
		free(p[i].start_s);
	}
	free(p);
}

/* Smallest and largest of v[0..n). */
static void range(const double *v, int n, double *lo, double *hi)
{
	*lo = *hi = v[0];
	for (int i = 1; i < n; i++) {
		*lo = fmin(*lo, v[i]);
		*hi = fmax(*hi, v[i]);
	}
}

int as_tune_beaten_by(const as_tune_point_t *p, int n, int c)
{
	double ct, cr, unused;
	if (p[c].n < AS_TUNE_ELIM_MIN_REPS)
		return -1;
	range(p[c].time_ns, p[c].n, &ct, &unused);
	range(p[c].rss_kib, p[c].n, &cr, &unused);
	for (int d = 0; d < n; d++) {
		double dt, dr;
		if (d == c || p[d].n < AS_TUNE_ELIM_MIN_REPS)
			continue;
		range(p[d].time_ns, p[d].n, &unused, &dt);
		range(p[d].rss_kib, p[d].n, &unused, &dr);
		if (dt <= ct && dr <= cr && (dt < ct || dr < cr))
			return d;
	}
	return -1;
}

/* Ratio, CI, p and outcome of samples x against base (as compare does);
 * the ratio NaN when the baseline's median is 0. */
static int against(const double *x, int nx, const double *base, int nb, double *ratio, double *lo,
                   double *hi, double *p, int *out)
{
	as_cmp_t c;
	if (as_cmp_samples(x, nx, base, nb, NULL, 0, &c) != 0)
		return -1;
	*ratio = as_median_of(base, nb) > 0 ? c.ratio : NAN;
	*lo = c.ci_lo;
	*hi = c.ci_hi;
	*p = c.p;
	*out = (int)c.outcome;
	return 0;
}

int as_tune_stats(as_tune_point_t *p, int n, int base)
{
	for (int i = 0; i < n; i++) {
		p[i].time_med = as_median_of(p[i].time_ns, p[i].n);
		p[i].rss_med = as_median_of(p[i].rss_kib, p[i].n);
		p[i].sys_med = as_median_of(p[i].sys, p[i].n);
	}
	for (int i = 0; i < n; i++) {
		const as_tune_point_t *b = &p[base];
		p[i].t_ratio = p[i].r_ratio = p[i].t_lo = p[i].t_hi = p[i].r_lo = p[i].r_hi = NAN;
		p[i].t_p = p[i].r_p = NAN;
		p[i].t_out = p[i].r_out = AS_CMP_NO_RATIO;
		if (!p[i].n || !b->n)
			continue;
		if (against(p[i].time_ns, p[i].n, b->time_ns, b->n, &p[i].t_ratio, &p[i].t_lo,
		            &p[i].t_hi, &p[i].t_p, &p[i].t_out) != 0 ||
		    against(p[i].rss_kib, p[i].n, b->rss_kib, b->n, &p[i].r_ratio, &p[i].r_lo,
		            &p[i].r_hi, &p[i].r_p, &p[i].r_out) != 0)
			return -1;
	}
	return 0;
}

int as_tune_frontier(as_tune_point_t *p, int n)
{
	int count = 0;
	for (int i = 0; i < n; i++) {
		p[i].frontier = p[i].n > 0;
		for (int j = 0; j < n && p[i].frontier; j++)
			if (j != i && p[j].n > 0 && p[j].time_med <= p[i].time_med &&
			    p[j].rss_med <= p[i].rss_med &&
			    (p[j].time_med < p[i].time_med || p[j].rss_med < p[i].rss_med))
				p[i].frontier = 0;
		count += p[i].frontier;
	}
	return count;
}

/* Lower is better. RSS growth can be near 0 (a trace that fits in what the
 * worker already holds): the baseline's is floored at 1 MiB. */
static double score(const as_tune_point_t *q, as_tune_objective_t obj, const as_tune_point_t *b)
{
	switch (obj) {
	case AS_TUNE_TIME: return q->time_med + q->rss_med * 1e-9; /* ties: less memory */
	case AS_TUNE_MEMORY: return q->rss_med + q->time_med * 1e-12;
	case AS_TUNE_BALANCED: break;
	}
	return q->time_med / b->time_med + q->rss_med / fmax(b->rss_med, 1024.0);
}

int as_tune_pick(as_tune_point_t *p, int n, as_tune_objective_t obj, double max_rss_kib, int base)
{
	int best = -1;
	for (int i = 0; i < n; i++) {
		p[i].recommended = 0;
		if (!p[i].frontier || (max_rss_kib >= 0 && p[i].rss_med > max_rss_kib))
			continue;
		if (best < 0 || score(&p[i], obj, &p[base]) < score(&p[best], obj, &p[base]))
			best = i;
	}
	if (best >= 0)
		p[best].recommended = 1;
	return best;
}

/* A metric's gain: significant (compare's rule) and at least the minimum. */
static int gains(int out, double ratio)
{
	return out == AS_CMP_FASTER && ratio <= 1 / (1 + AS_TUNE_MIN_GAIN);
}

/* Significantly worse than the baseline, or a CI above 1. */
static int worse(int out, double lo)
{
	return out == AS_CMP_SLOWER || lo > 1;
}

int as_tune_significant(const as_tune_point_t *q, as_tune_objective_t obj)
{
	switch (obj) {
	case AS_TUNE_TIME:
		return gains(q->t_out, q->t_ratio) ? 1 : q->t_out == AS_CMP_TOO_FEW ? -1 : 0;
	case AS_TUNE_MEMORY:
		return gains(q->r_out, q->r_ratio) ? 1 : q->r_out == AS_CMP_TOO_FEW ? -1 : 0;
	case AS_TUNE_BALANCED: break;
	}
	if (worse(q->t_out, q->t_lo) || worse(q->r_out, q->r_lo))
		return 0;
	if (gains(q->t_out, q->t_ratio) || gains(q->r_out, q->r_ratio))
		return 1;
	return q->t_out == AS_CMP_TOO_FEW || q->r_out == AS_CMP_TOO_FEW ? -1 : 0;
}

int as_tune_change(double ratio, double lo, double hi, double p)
{
	if (!(p < 0.05))
		return 0;
	if (hi < 1 && ratio <= 1 / (1 + AS_TUNE_MIN_GAIN))
		return -1;
	if (lo > 1 && ratio >= 1 + AS_TUNE_MIN_GAIN)
		return 1;
	return 0;
}

void as_tune_values(const as_tune_point_t *q, double v[AS_TUNE_NUMS], char fmt[AS_TUNE_NUMS])
{
	double lo = NAN, hi = NAN;
	for (int i = 0; i < q->n; i++) {
		lo = i == 0 || q->time_ns[i] < lo ? q->time_ns[i] : lo;
		hi = i == 0 || q->time_ns[i] > hi ? q->time_ns[i] : hi;
	}
	{
		const double w[AS_TUNE_NUMS] = {
		    q->n,         q->time_med, lo,      hi,          q->rss_med,    q->sys_med,
		    q->start_kib, q->t_ratio,  q->t_lo, q->t_hi,     q->t_p,        q->r_ratio,
		    q->r_lo,      q->r_hi,     q->r_p,  q->frontier, q->recommended};
		for (int i = 0; i < AS_TUNE_NUMS; i++) {
			v[i] = w[i];
			fmt[i] = i < 7 || i >= AS_TUNE_NUMS - 2 ? 'I' : 'F';
		}
	}
}

/* One row of tune.csv in AS_TUNE_COLS order. */
static void row(as_buf_t *b, const as_tune_point_t *q)
{
	double v[AS_TUNE_NUMS];
	char fmt[AS_TUNE_NUMS];
	as_tune_values(q, v, fmt);
	as_buf_csv_str(b, q->module, 0);
	as_buf_csv_str(b, q->params, 0);
	for (int i = 0; i < AS_TUNE_NUMS; i++)
		as_buf_csv_num(b, v[i], fmt[i], 0);
	as_buf_csv_str(b, q->eliminated_by ? q->eliminated_by : "", 1);
	as_buf_add(b, "\n", 1);
}

int as_tune_write(const char *dir, const as_tune_point_t *p, int n, char *err, size_t errlen)
{
	as_buf_t all = {0}, front = {0};
	int r;
#define H(name, fmt, doc) #name ","
	static const char head[] = AS_TUNE_COLS(H);
#undef H
	as_buf_add(&all, head, sizeof(head) - 2);
	as_buf_add(&all, "\n", 1);
	as_buf_add(&front, all.data, all.len);
	for (int i = 0; i < n; i++) {
		row(&all, &p[i]);
		if (p[i].frontier)
			row(&front, &p[i]);
	}
	r = as_write_file_atomic(dir, "tune.csv", &all, err, errlen) ||
	    as_write_file_atomic(dir, "frontier.csv", &front, err, errlen);
	as_buf_free(&all);
	as_buf_free(&front);
	return r ? -1 : 0;
}
