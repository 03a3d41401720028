/* compare.c - see compare.h. */
#define _GNU_SOURCE
#include "compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "oom.h"

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
	/* a baseline median of 0 (a count: mmap_calls, majflt) has no ratio,
	 * but both sides ran: 0 and 0 is the same, above 0 is slower when
	 * the test says so (ratio inf), not "no ok repetition" */
	if (isnan(out->ratio) && nx > 0 && nb > 0 && nnull == 0 && as_median_of(base, nb) == 0) {
		double mx = as_median_of(x, nx);
		out->ratio = mx == 0 ? 1.0 : INFINITY;
		out->outcome = mx != 0 && min_p(nx, nb) >= AS_CMP_ALPHA ? AS_CMP_TOO_FEW
		               : mx != 0 && out->p < AS_CMP_ALPHA       ? AS_CMP_SLOWER
		                                                        : AS_CMP_SAME;
		return 0;
	}
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

const char *as_cmp_outcome_name(as_cmp_outcome_t o)
{
	static const char *const names[] = {"faster", "slower", "same", "too_few", "no_ratio"};
	return (unsigned)o < sizeof(names) / sizeof(names[0]) ? names[o] : "?";
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

/* FNV-1a over the three keys (a 0 byte between the strings). */
static uint64_t group_hash(const char *module, const char *workload, uint32_t threads)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a 64-bit offset basis and prime */
	for (const char *p = module; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	h *= 0x100000001b3ULL;
	for (const char *p = workload; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	for (int i = 0; i < 4; i++)
		h = (h ^ ((threads >> (8 * i)) & 0xff)) * 0x100000001b3ULL;
	return h;
}

/* Put g[i] in the index (which has room). */
static void index_put(as_groups_t *gs, int i)
{
	const as_group_t *g = &gs->g[i];
	size_t mask = (size_t)gs->nslot - 1,
	       at = (size_t)group_hash(g->module, g->workload, g->threads) & mask;
	while (gs->slot[at])
		at = (at + 1) & mask;
	gs->slot[at] = i + 1;
}

/* Index every group again in at least 2 n slots. Out of memory aborts. */
static void reindex(as_groups_t *gs)
{
	int want = gs->nslot ? gs->nslot : 32;
	while (want < 2 * gs->n + 2)
		want *= 2;
	if (want != gs->nslot) {
		free(gs->slot);
		gs->slot = as_xmalloc(sizeof(int) * (size_t)want, "compare's group index");
		gs->nslot = want;
	}
	memset(gs->slot, 0, sizeof(int) * (size_t)gs->nslot);
	for (int i = 0; i < gs->n; i++)
		index_put(gs, i);
}

void as_groups_add(as_groups_t *gs, const char *module, const char *workload, uint32_t threads,
                   double v)
{
	as_group_t *g = as_groups_find(gs, module, workload, threads);
	if (!g) {
		if (gs->n == gs->cap) {
			gs->cap = gs->cap ? gs->cap * 2 : 16;
			gs->g = as_xrealloc(gs->g, sizeof(*gs->g) * (size_t)gs->cap,
			                    "compare's groups");
		}
		g = &gs->g[gs->n++];
		memset(g, 0, sizeof(*g));
		g->module = as_xstrdup(module, "a group's module");
		g->workload = as_xstrdup(workload, "a group's workload");
		g->threads = threads;
		if (2 * gs->n + 2 > gs->nslot)
			reindex(gs);
		else
			index_put(gs, gs->n - 1);
	}
	if (isnan(v))
		return;
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 8;
		g->v = as_xrealloc(g->v, sizeof(double) * (size_t)g->cap, "a group's values");
	}
	g->v[g->n++] = v;
}

void as_groups_add_unmeasured(as_groups_t *gs, const char *module, const char *workload,
                              uint32_t threads)
{
	as_groups_add(gs, module, workload, threads, NAN);
	as_groups_find(gs, module, workload, threads)->unmeasured++;
}

void as_groups_add_failed(as_groups_t *gs, const char *module, const char *workload,
                          uint32_t threads, const char *status)
{
	as_group_t *g;
	as_groups_add(gs, module, workload, threads, NAN);
	g = as_groups_find(gs, module, workload, threads);
	if (!g->failed++)
		snprintf(g->fail_status, sizeof(g->fail_status), "%s", status);
}

as_group_t *as_groups_find(const as_groups_t *gs, const char *module, const char *workload,
                           uint32_t threads)
{
	size_t mask, at;
	if (!gs->nslot)
		return NULL;
	mask = (size_t)gs->nslot - 1;
	at = (size_t)group_hash(module, workload, threads) & mask;
	for (; gs->slot[at]; at = (at + 1) & mask) {
		as_group_t *g = &gs->g[gs->slot[at] - 1];
		if (g->threads == threads && !strcmp(g->module, module) &&
		    !strcmp(g->workload, workload))
			return g;
	}
	return NULL;
}

void as_groups_sort(as_groups_t *gs, int (*cmp)(const void *, const void *))
{
	if (gs->n > 1)
		qsort(gs->g, (size_t)gs->n, sizeof(*gs->g), cmp);
	if (gs->nslot)
		reindex(gs);
}

void as_groups_free(as_groups_t *gs)
{
	for (int i = 0; i < gs->n; i++) {
		free(gs->g[i].module);
		free(gs->g[i].workload);
		free(gs->g[i].v);
	}
	free(gs->g);
	free(gs->slot);
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

/* The null group to net out on g's workload and threads, or NULL. */
static const as_group_t *floor_of(const as_groups_t *gs, const as_group_t *g)
{
	const as_group_t *nl = as_groups_find(gs, "null", g->workload, g->threads);
	return nl && nl->n > 0 && null_is_floor(gs, nl) ? nl : NULL;
}

int as_comparisons_each(const as_groups_t *gs, const char *baseline,
                        int (*fn)(void *arg, const as_cmp_row_t *row), void *arg)
{
	for (int i = 0; i < gs->n; i++) {
		const as_group_t *g = &gs->g[i], *nl;
		as_cmp_row_t row = {.g = g, .first = 1};
		char sentence[512];
		int rc;
		if (!strcmp(g->module, baseline) || is_null(g->module))
			continue;
		row.base = as_groups_find(gs, baseline, g->workload, g->threads);
		if (!row.base)
			continue;
		nl = floor_of(gs, g);
		for (int j = 0; j < i && row.first; j++)
			row.first =
			    !(gs->g[j].threads == g->threads &&
			      !strcmp(gs->g[j].workload, g->workload) &&
			      strcmp(gs->g[j].module, baseline) && !is_null(gs->g[j].module));
		if (as_cmp_samples(g->v, g->n, row.base->v, row.base->n, nl ? nl->v : NULL,
		                   nl ? nl->n : 0, &row.c))
			return -1;
		as_cmp_sentence(&row.c, g->module, baseline, sentence, sizeof(sentence));
		row.metric = nl ? "ns_per_op_minus_null" : "ns_per_op";
		row.summary = sentence;
		if ((rc = fn(arg, &row)) != 0)
			return rc;
	}
	return 0;
}

typedef struct {
	as_buf_t *csv, *lines;
	int rows;
} csv_rows_t;

static int csv_row(void *arg, const as_cmp_row_t *row)
{
	csv_rows_t *o = arg;
	const as_group_t *g = row->g;
	as_buf_csv_str(o->csv, g->workload, 0);
	as_buf_csv_num(o->csv, g->threads, 'I', 0);
	as_buf_csv_str(o->csv, row->metric, 0);
	as_buf_csv_str(o->csv, g->module, 0);
	as_buf_csv_str(o->csv, row->base->module, 0);
	as_buf_csv_num(o->csv, row->c.ratio, 'F', 0);
	as_buf_csv_num(o->csv, row->c.ci_lo, 'F', 0);
	as_buf_csv_num(o->csv, row->c.ci_hi, 'F', 0);
	as_buf_csv_num(o->csv, row->c.p, 'F', 0);
	as_buf_csv_num(o->csv, row->c.n, 'I', 0);
	as_buf_csv_num(o->csv, row->c.n_base, 'I', 0);
	as_buf_csv_str(o->csv, row->summary, 1);
	as_buf_add(o->csv, "\n", 1);
	if (o->lines) {
		if (row->first)
			as_buf_printf(o->lines, "%s, %u thread%s (ns/op%s):\n", g->workload,
			              g->threads, g->threads == 1 ? "" : "s",
			              strcmp(row->metric, "ns_per_op") ? " net of null" : "");
		as_buf_printf(o->lines, "  %s\n", row->summary);
	}
	o->rows++;
	return 0;
}

int as_comparisons(const as_groups_t *gs, const char *baseline, as_buf_t *csv, as_buf_t *lines)
{
	csv_rows_t o = {csv, lines, 0};
	as_buf_printf(csv, "workload,threads,metric,module,baseline,ratio,ci_lo,ci_hi,p_value,n,"
	                   "n_baseline,summary\n");
	return as_comparisons_each(gs, baseline, csv_row, &o) ? -1 : o.rows;
}

int as_winners_each(const as_groups_t *gs, int (*fn)(void *arg, const as_winner_t *w), void *arg)
{
	for (int i = 0; i < gs->n; i++) {
		const as_group_t *g = &gs->g[i], *nl;
		as_winner_t w = {0};
		double best = INFINITY, second = INFINITY;
		int seen = 0, rc;
		for (int j = 0; j < i && !seen; j++)
			seen = gs->g[j].threads == g->threads &&
			       !strcmp(gs->g[j].workload, g->workload);
		if (seen)
			continue; /* this workload and threads had its turn */
		for (int j = i; j < gs->n; j++) {
			const as_group_t *h = &gs->g[j];
			double med;
			if (h->threads != g->threads || strcmp(h->workload, g->workload) ||
			    is_null(h->module) || h->n == 0)
				continue;
			med = as_median_of(h->v, h->n);
			if (med < best) {
				second = best;
				w.runner_up = w.best;
				best = med;
				w.best = h;
			} else if (med < second) {
				second = med;
				w.runner_up = h;
			}
		}
		if (!w.best)
			continue;
		nl = floor_of(gs, w.best);
		w.metric = nl ? "ns_per_op_minus_null" : "ns_per_op";
		if (w.runner_up &&
		    as_cmp_samples(w.runner_up->v, w.runner_up->n, w.best->v, w.best->n,
		                   nl ? nl->v : NULL, nl ? nl->n : 0, &w.c))
			return -1;
		if (!w.runner_up) {
			w.c.ratio = w.c.ci_lo = w.c.ci_hi = w.c.p = NAN;
			w.c.n = 0;
			w.c.n_base = w.best->n;
			w.c.outcome = AS_CMP_NO_RATIO;
		}
		if ((rc = fn(arg, &w)) != 0)
			return rc;
	}
	return 0;
}

const char *as_change_name(as_change_kind_t k)
{
	static const char *const names[] = {"regression", "improvement",     "no_change",
	                                    "too_few",    "no_ratio",        "not_measured",
	                                    "failed",     "untested_slower", "only_in_b",
	                                    "only_in_a",  "not_run_in_b"};
	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

/* A regression or improvement is significant and beyond the threshold:
 * B slower than A by more than the factor 1 + threshold, or faster by
 * more than the same factor (ratio below 1/(1 + threshold), 0.952 at 5 %:
 * symmetric in the factor, as a ratio and its inverse are, not in the
 * difference 1 - ratio). */
static as_change_kind_t classify(const as_cmp_t *c, double threshold)
{
	if (c->outcome == AS_CMP_SLOWER && c->ratio > 1 + threshold)
		return AS_CH_REGRESSION;
	if (c->outcome == AS_CMP_FASTER && c->ratio < 1 / (1 + threshold))
		return AS_CH_IMPROVEMENT;
	/* a slowdown too few repetitions cannot test is no pass for a gate
	 * (an outside review: -r 3 against -r 3 can never reach p < 0.05, and
	 * --fail-on-regression passed every row) */
	if (c->outcome == AS_CMP_TOO_FEW)
		return c->ratio > 1 + threshold ? AS_CH_UNTESTED : AS_CH_TOO_FEW;
	if (c->outcome == AS_CMP_NO_RATIO)
		return AS_CH_NO_RATIO;
	return AS_CH_NONE;
}

/* The kind of B's group b against A's a, both in the two folders, once
 * compared (c). */
static as_change_kind_t change_kind(const as_group_t *a, const as_group_t *b, const as_cmp_t *c,
                                    double threshold)
{
	as_change_kind_t k = classify(c, threshold);
	/* not measured: a side without values that had ok but untimed
	 * repetitions, and no side that simply failed */
	if (k == AS_CH_NO_RATIO && (a->n || a->unmeasured) && (b->n || b->unmeasured))
		k = AS_CH_NOT_MEASURED;
	/* A ran it, B has no ok repetition left: the module broke, as much
	 * a regression for a gate as a slower one (a B merely skipped
	 * there, not a failure, stays "no ratio") */
	if (!b->n && !b->unmeasured && (a->n || a->unmeasured) && b->failed)
		k = AS_CH_FAILED;
	return k;
}

/* A larger share of b's repetitions failed than of a's: the module now
 * crashes now and then, which its median (of the ok ones) hides; a gate
 * sees it (an outside review: 2 of 3 crashed, exit 0, no word; a later
 * one: 5 of 6 against 1 of 6). */
static int failed_partly(const as_group_t *a, const as_group_t *b, as_change_kind_t k)
{
	int tb = b->n + b->unmeasured + b->failed, ta = a->n + a->unmeasured + a->failed;
	return k != AS_CH_FAILED && (b->n || b->unmeasured) && b->failed &&
	       (double)b->failed * ta > (double)a->failed * tb;
}

/* B's group b against A's a (NULL: b is in B alone) into *e; 0 when it
 * is no row (in both, measured or run ok by neither), 1 when it is, -1
 * when out of memory. */
static int change_of(const as_group_t *a, const as_group_t *b, double threshold, as_changes_t *ch,
                     as_change_t *e)
{
	memset(e, 0, sizeof(*e));
	e->a = a;
	e->b = b;
	if (!a) {
		e->kind = AS_CH_ONLY_B;
		return 1;
	}
	if (a->n == 0 && a->unmeasured && b->n == 0 && b->unmeasured) {
		ch->not_measured++; /* neither side measured it (--jobs): no row */
		return 0;
	}
	if (a->n == 0 && b->n == 0 && !a->unmeasured && !b->unmeasured) {
		ch->ok_in_neither++; /* skipped or failed on both sides (bump on 2 threads) */
		return 0;
	}
	ch->matched++;
	if (as_cmp_samples(b->v, b->n, a->v, a->n, NULL, 0, &e->c) != 0)
		return -1;
	e->kind = change_kind(a, b, &e->c, threshold);
	e->partly = failed_partly(a, b, e->kind);
	ch->partly += e->partly;
	ch->regressions += e->kind == AS_CH_REGRESSION;
	ch->untested += e->kind == AS_CH_UNTESTED;
	ch->failed += e->kind == AS_CH_FAILED;
	ch->improvements += e->kind == AS_CH_IMPROVEMENT;
	return 1;
}

int as_compare_changes(const as_groups_t *ga, const as_groups_t *gb, double threshold,
                       as_changes_t *out)
{
	memset(out, 0, sizeof(*out));
	if (!(out->v = calloc((size_t)ga->n + (size_t)gb->n + 1, sizeof(*out->v))))
		return -1;
	for (int i = 0; i < gb->n; i++) {
		const as_group_t *b = &gb->g[i];
		int r = change_of(as_groups_find(ga, b->module, b->workload, b->threads), b,
		                  threshold, out, &out->v[out->n]);
		if (r < 0) {
			as_changes_free(out);
			return -1;
		}
		out->n += r;
	}
	for (int i = 0; i < ga->n; i++) {
		const as_group_t *a = &ga->g[i];
		/* A ran it, B not at all: for a gate, coverage B lost (until
		 * session 24 a gate passed it) */
		int ran = a->n || a->unmeasured;
		if (as_groups_find(gb, a->module, a->workload, a->threads))
			continue;
		out->not_run_in_b += ran;
		out->v[out->n++] =
		    (as_change_t){.a = a, .kind = ran ? AS_CH_NOT_RUN_IN_B : AS_CH_ONLY_A};
	}
	return 0;
}

void as_changes_free(as_changes_t *ch)
{
	free(ch->v);
	memset(ch, 0, sizeof(*ch));
}
