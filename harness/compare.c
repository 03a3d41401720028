/* compare.c - see compare.h. */
#define _GNU_SOURCE
#include "compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/* The smallest two-sided p a rank test can reach with sizes m and n: both
 * extreme arrangements out of C(m + n, m). */
static double min_p(int m, int n)
{
	double logc = lgamma(m + n + 1.0) - lgamma(m + 1.0) - lgamma(n + 1.0);
	return 2 * exp(-logc);
}

int as_cmp_samples(const double *x, int nx, const double *base, int nb, const double *null,
                   int nnull, as_cmp_t *out)
{
	double u;
	memset(out, 0, sizeof(*out));
	out->n = nx;
	out->n_base = nb;
	if (as_boot_ratio_ci95(x, nx, base, nb, null, nnull, AS_BOOT_RESAMPLES, AS_BOOT_SEED,
	                       &out->ratio, &out->ci_lo, &out->ci_hi) != 0)
		return -1;
	out->p = nx > 0 && nb > 0 ? as_mann_whitney_p(x, nx, base, nb, &u) : NAN;
	if (isnan(out->ratio))
		out->outcome = AS_CMP_NO_RATIO;
	else if (min_p(nx, nb) >= AS_CMP_ALPHA)
		out->outcome = AS_CMP_TOO_FEW;
	else if (out->p < AS_CMP_ALPHA && out->ci_hi < 1)
		out->outcome = AS_CMP_FASTER;
	else if (out->p < AS_CMP_ALPHA && out->ci_lo > 1)
		out->outcome = AS_CMP_SLOWER;
	else
		out->outcome = AS_CMP_SAME;
	return 0;
}

void as_cmp_sentence(const as_cmp_t *c, const char *module, const char *baseline, char *buf,
                     size_t len)
{
	switch (c->outcome) {
	case AS_CMP_FASTER:
		snprintf(buf, len, "%s %.2f× (%.2f–%.2f) faster than %s", module, 1 / c->ratio,
		         1 / c->ci_hi, 1 / c->ci_lo, baseline);
		return;
	case AS_CMP_SLOWER:
		snprintf(buf, len, "%s %.2f× (%.2f–%.2f) slower than %s", module, c->ratio,
		         c->ci_lo, c->ci_hi, baseline);
		return;
	case AS_CMP_SAME:
		snprintf(buf, len, "%s vs %s: no significant difference, p = %.2g", module,
		         baseline, c->p);
		return;
	case AS_CMP_TOO_FEW:
		snprintf(buf, len,
		         "%s vs %s: too few repetitions for a test (n = %d, %d; ratio %.2f)",
		         module, baseline, c->n, c->n_base, c->ratio);
		return;
	case AS_CMP_NO_RATIO:
		snprintf(buf, len, "%s vs %s: no ratio (%s)", module, baseline,
		         c->n == 0 || c->n_base == 0 ? "no ok repetition on one side"
		                                     : "the baseline is not above the null floor");
		return;
	}
}

void as_groups_add(as_groups_t *gs, const char *module, const char *workload, uint32_t threads,
                   double v)
{
	as_group_t *g = as_groups_find(gs, module, workload, threads);
	if (!g) {
		if (gs->n == gs->cap) {
			gs->cap = gs->cap ? gs->cap * 2 : 16;
			gs->g = realloc(gs->g, sizeof(*gs->g) * (size_t)gs->cap);
			if (!gs->g)
				abort();
		}
		g = &gs->g[gs->n++];
		memset(g, 0, sizeof(*g));
		g->module = strdup(module);
		g->workload = strdup(workload);
		g->threads = threads;
		if (!g->module || !g->workload)
			abort();
	}
	if (isnan(v))
		return;
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 8;
		g->v = realloc(g->v, sizeof(double) * (size_t)g->cap);
		if (!g->v)
			abort();
	}
	g->v[g->n++] = v;
}

as_group_t *as_groups_find(const as_groups_t *gs, const char *module, const char *workload,
                           uint32_t threads)
{
	for (int i = 0; i < gs->n; i++)
		if (gs->g[i].threads == threads && !strcmp(gs->g[i].module, module) &&
		    !strcmp(gs->g[i].workload, workload))
			return &gs->g[i];
	return NULL;
}

void as_groups_free(as_groups_t *gs)
{
	for (int i = 0; i < gs->n; i++) {
		free(gs->g[i].module);
		free(gs->g[i].workload);
		free(gs->g[i].v);
	}
	free(gs->g);
	memset(gs, 0, sizeof(*gs));
}

static int is_null(const char *module)
{
	return !strcmp(module, "null");
}

/* Net of null only where null is a floor: every module's median on this
 * workload and threads above null's (null is not always the cheapest: it
 * may touch memory others leave alone). */
static int null_is_floor(const as_groups_t *gs, const as_group_t *nl)
{
	double floor = as_median_of(nl->v, nl->n);
	for (int i = 0; i < gs->n; i++) {
		const as_group_t *g = &gs->g[i];
		if (g == nl || g->threads != nl->threads || strcmp(g->workload, nl->workload) ||
		    g->n == 0)
			continue;
		if (!(as_median_of(g->v, g->n) > floor))
			return 0;
	}
	return 1;
}

int as_comparisons(const as_groups_t *gs, const char *baseline, as_buf_t *csv, as_buf_t *lines)
{
	int rows = 0;
	as_buf_printf(csv, "workload,threads,metric,module,baseline,ratio,ci_lo,ci_hi,p_value,n,"
	                   "n_baseline,summary\n");
	for (int i = 0; i < gs->n; i++) {
		const as_group_t *g = &gs->g[i], *b, *nl;
		as_cmp_t c;
		char sentence[512];
		int first = 1;
		if (!strcmp(g->module, baseline) || is_null(g->module))
			continue;
		b = as_groups_find(gs, baseline, g->workload, g->threads);
		if (!b)
			continue;
		nl = as_groups_find(gs, "null", g->workload, g->threads);
		if (nl && (nl->n == 0 || !null_is_floor(gs, nl)))
			nl = NULL;
		for (int j = 0; j < i && first; j++)
			first = !(gs->g[j].threads == g->threads &&
			          !strcmp(gs->g[j].workload, g->workload) &&
			          strcmp(gs->g[j].module, baseline) && !is_null(gs->g[j].module));
		if (as_cmp_samples(g->v, g->n, b->v, b->n, nl ? nl->v : NULL, nl ? nl->n : 0, &c))
			return -1;
		as_cmp_sentence(&c, g->module, baseline, sentence, sizeof(sentence));
		as_buf_csv_str(csv, g->workload, 0);
		as_buf_csv_num(csv, g->threads, 'I', 0);
		as_buf_csv_str(csv, nl ? "ns_per_op_minus_null" : "ns_per_op", 0);
		as_buf_csv_str(csv, g->module, 0);
		as_buf_csv_str(csv, baseline, 0);
		as_buf_csv_num(csv, c.ratio, 'F', 0);
		as_buf_csv_num(csv, c.ci_lo, 'F', 0);
		as_buf_csv_num(csv, c.ci_hi, 'F', 0);
		as_buf_csv_num(csv, c.p, 'F', 0);
		as_buf_csv_num(csv, c.n, 'I', 0);
		as_buf_csv_num(csv, c.n_base, 'I', 0);
		as_buf_csv_str(csv, sentence, 1);
		as_buf_add(csv, "\n", 1);
		if (lines) {
			if (first)
				as_buf_printf(lines, "%s, %u thread%s (ns/op%s):\n", g->workload,
				              g->threads, g->threads == 1 ? "" : "s",
				              nl ? " net of null" : "");
			as_buf_printf(lines, "  %s\n", sentence);
		}
		rows++;
	}
	return rows;
}
