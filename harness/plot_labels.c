/* plot_labels.c - what charts and the report call things, and how each
 * series looks: the shortest label that still tells a run's modules (and
 * workload groups) apart, a file-name stem per group, and one style
 * (colour, dash, point, fill) per module label for every chart of a run.
 * The full specs stay in the CSV files and the report's tables. */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labels.h"
#include "plot_int.h"

/* The modules with a fixed style: their linetype in plots/style.gp is the
 * index here + 1. Linetypes 11..16 are for everything else. */
static const char *const known[] = {"glibc", "refmalloc", "bump",     "pool",     "freelist",
                                    "arena", "jemalloc",  "tcmalloc", "mimalloc", "null"};
enum { NKNOWN = 10, NSTYLES = 16 };

/* File-name stem of a label: letters, digits, '.', '_' kept, runs of
 * anything else one '-'. */
void plot_slug(const char *s, char *out, size_t len)
{
	size_t w = 0;
	for (; *s && w + 1 < len; s++) {
		if (isalnum((unsigned char)*s) || *s == '.' || *s == '_')
			out[w++] = *s;
		else if (w > 0 && out[w - 1] != '-')
			out[w++] = '-';
	}
	while (w > 0 && out[w - 1] == '-')
		w--;
	out[w] = '\0';
}

static int known_index(const char *name)
{
	for (int k = 0; k < NKNOWN; k++)
		if (!strcmp(known[k], name))
			return k;
	return -1;
}

/* Linetype for series k of a chart or run: the module's own where it is a
 * known module and the first series of it, else the first style no series
 * in `used` has (fallbacks first, then known modules' that are free);
 * past 16, the colours again with other dashes (linetype + 20). */
static int pick_style(const char *name, const int *used, int nused)
{
	int k = known_index(name), count[NSTYLES + 1] = {0}, best = 0;
	for (int i = 0; i < nused; i++)
		if (used[i] >= 1)
			count[(used[i] - 1) % 20 + 1]++;
	if (k >= 0 && count[k + 1] == 0)
		return k + 1;
	/* the least used style, fallbacks before other modules' */
	for (int round = 0; round < 64; round++) {
		for (int lt = NKNOWN + 1; lt <= NSTYLES; lt++)
			if (count[lt] == round)
				return lt + 20 * round;
		for (int lt = 1; lt <= NKNOWN; lt++)
			if (count[lt] == round) {
				int taken = 0;
				for (int i = 0; i < nused; i++)
					taken |= used[i] == lt + 20 * round;
				if (!taken)
					return lt + 20 * round;
			}
	}
	return best + 1;
}

void plot_label_run(run_t *r)
{
	strlist_t uniq = {0};
	char **wl = calloc((size_t)r->groups.n + 1, sizeof(char *));
	char **ws = calloc((size_t)r->groups.n + 1, sizeof(char *));
	r->mshow = calloc((size_t)r->mods.n + 1, sizeof(char *));
	r->mstyle = calloc((size_t)r->mods.n + 1, sizeof(int));
	r->gshow = calloc((size_t)r->groups.n + 1, sizeof(char *));
	r->gslug = calloc((size_t)r->groups.n + 1, sizeof(char *));
	if (!wl || !ws || !r->mshow || !r->mstyle || !r->gshow || !r->gslug)
		abort();
	as_short_labels(r->mods.v, r->mods.n, r->mshow);
	for (int m = 0; m < r->mods.n; m++) {
		char name[LABEL];
		as_label_name(r->mods.v[m], name, sizeof(name));
		r->mstyle[m] = pick_style(name, r->mstyle, m);
	}
	/* a group's workload label, from its first row */
	for (int g = 0; g < r->groups.n; g++)
		for (int i = 0; i < r->nt && !wl[g]; i++) {
			char gl[LABEL + 32];
			if (!strcmp(plot_group_of(r, &r->t[i], gl, sizeof(gl)), r->groups.v[g]))
				wl[g] = r->t[i].wlabel;
		}
	for (int g = 0; g < r->groups.n; g++)
		plot_sl_add(&uniq, wl[g] ? wl[g] : r->groups.v[g]);
	/* the workload labels once each (groups may differ in threads only) */
	as_short_labels(uniq.v, uniq.n, ws);
	for (int g = 0; g < r->groups.n; g++) {
		char show[3 * LABEL], slug[160];
		const char *thr = r->multi_threads ? strrchr(r->groups.v[g], ',') : NULL;
		const char *w = ws[plot_sl_find(&uniq, wl[g] ? wl[g] : r->groups.v[g])];
		snprintf(show, sizeof(show), "%s%s", w, thr ? thr : "");
		r->gshow[g] = strdup(show);
		if (thr)
			snprintf(show, sizeof(show), "%s-%ldt", w, atol(thr + 2));
		plot_slug(show, slug, sizeof(slug));
		/* unique among the groups before it */
		for (int j = 0, k = 2; j < g; j++)
			if (!strcmp(r->gslug[j], slug)) {
				char base[160];
				snprintf(base, sizeof(base), "%s", slug);
				snprintf(slug, sizeof(slug), "%.150s-%d", base, k++);
				j = -1;
			}
		r->gslug[g] = strdup(slug);
		if (!r->gshow[g] || !r->gslug[g])
			abort();
	}
	for (int u = 0; u < uniq.n; u++)
		free(ws[u]);
	plot_sl_free(&uniq);
	free(wl);
	free(ws);
}

void plot_free_labels(run_t *r)
{
	for (int m = 0; r->mshow && m < r->mods.n; m++)
		free(r->mshow[m]);
	for (int g = 0; r->gshow && g < r->groups.n; g++) {
		free(r->gshow[g]);
		free(r->gslug[g]);
	}
	free(r->mshow);
	free(r->mstyle);
	free(r->gshow);
	free(r->gslug);
	r->mshow = r->gshow = r->gslug = NULL;
	r->mstyle = NULL;
}

const char *plot_mod_show(const run_t *r, const char *mlabel)
{
	int m = plot_sl_find(&r->mods, mlabel);
	return m >= 0 && r->mshow ? r->mshow[m] : mlabel;
}

const char *plot_group_show(const run_t *r, const char *glabel)
{
	int g = plot_sl_find(&r->groups, glabel);
	return g >= 0 && r->gshow ? r->gshow[g] : glabel;
}

/* Series variables: NS, TITLE[] (legend entries) and LT[] (the linetype of
 * each: a module's run-wide style; a second series of the same module in
 * one chart gets a style of its own). mod[i] is series i's index in
 * r->mods, or NULL when labels are module labels themselves. */
void plot_vars_series(as_buf_t *v, const run_t *r, const strlist_t *labels, const int *mod)
{
	int n1 = labels->n ? labels->n : 1, longest = 0;
	int *lt = calloc((size_t)n1 + (size_t)r->mods.n, sizeof(int));
	if (!lt)
		abort();
	as_buf_printf(v, "NS=%d; array TITLE[%d]; array LT[%d]; ", labels->n, n1, n1);
	for (int i = 0; i < labels->n; i++) {
		int m = mod ? mod[i] : plot_sl_find(&r->mods, labels->v[i]), dup = 0;
		for (int j = 0; j < i && m >= 0; j++)
			dup |= (mod ? mod[j] : plot_sl_find(&r->mods, labels->v[j])) == m;
		if (m >= 0 && !dup) {
			lt[i] = r->mstyle[m];
		} else {
			char name[LABEL];
			/* used: the run's modules and this chart's series so far */
			for (int k = 0; k < r->mods.n; k++)
				lt[labels->n + k] = r->mstyle[k];
			as_label_name(m >= 0 ? r->mods.v[m] : labels->v[i], name, sizeof(name));
			lt[i] = pick_style(dup ? "" : name, lt, labels->n + r->mods.n);
		}
		const char *title = mod ? labels->v[i] : plot_mod_show(r, labels->v[i]);
		as_buf_printf(v, "TITLE[%d]=", i + 1);
		plot_gstr(v, title);
		as_buf_printf(v, "; LT[%d]=%d; ", i + 1, lt[i]);
		if ((int)strlen(title) > longest)
			longest = (int)strlen(title);
	}
	/* a legend of long or many labels goes below a line chart */
	as_buf_printf(v, "KEYBELOW=%d; ", longest > 22 || labels->n > 12);
	free(lt);
}
