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

#include "../workloads/workload.h"
#include "labels.h"
#include "plot_int.h"
#include "oom.h"

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
	strlist_t uniq = {0}, slugs = {0};
	const char **wl = calloc((size_t)r->groups.n + 1, sizeof(char *));
	char **ws = calloc((size_t)r->groups.n + 1, sizeof(char *));
	r->mshow = calloc((size_t)r->mods.n + 1, sizeof(char *));
	r->mstyle = calloc((size_t)r->mods.n + 1, sizeof(int));
	r->gshow = calloc((size_t)r->groups.n + 1, sizeof(char *));
	r->gslug = calloc((size_t)r->groups.n + 1, sizeof(char *));
	if (!wl || !ws || !r->mshow || !r->mstyle || !r->gshow || !r->gslug)
		as_oom("plot: labels", 0);
	as_short_labels(r->mods.v, r->mods.n, r->mshow);
	for (int m = 0; m < r->mods.n; m++) {
		char name[LABEL];
		as_label_name(r->mods.v[m], name, sizeof(name));
		r->mstyle[m] = pick_style(name, r->mstyle, m);
	}
	/* a group's workload label, from its first row */
	for (int g = 0; g < r->groups.n; g++) {
		int nrows;
		const int *rows = plot_group_rows(r, g, &nrows);
		if (nrows)
			wl[g] = r->t[rows[0]].wlabel;
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
		/* unique among the groups before it (slugs: theirs, hashed) */
		for (int k = 2; plot_sl_find(&slugs, slug) >= 0; k++) {
			char base[160];
			snprintf(base, sizeof(base), "%s", slug);
			snprintf(slug, sizeof(slug), "%.150s-%d", base, k);
		}
		plot_sl_add(&slugs, slug);
		r->gslug[g] = strdup(slug);
		if (!r->gshow[g] || !r->gslug[g])
			as_oom("plot: group labels", 0);
	}
	for (int u = 0; u < uniq.n; u++)
		free(ws[u]);
	plot_sl_free(&uniq);
	plot_sl_free(&slugs);
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
		as_oom("plot: label widths", 0);
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
	/* a legend of long or many labels goes below a line chart; KEYCH:
	 * the longest label, for a legend panel of its own (sweep.gp) */
	as_buf_printf(v, "KEYBELOW=%d; KEYCH=%d; ", longest > 22 || labels->n > 12, longest);
	free(lt);
}

/* One category label split: workload name, its params (k=v, at most
 * MAXP) and the rest after ", " (e.g. "2 threads"); each part cut at
 * LABEL - 1 bytes, in one block (text). The parts were char[LABEL] arrays,
 * 17 KB a category: 350 MB of a 20,000-group folder's plot
 * (docs/measure.md "plot reads the columns it draws"). */
enum { MAXP = 16 };
typedef struct {
	char *text;
	const char *name, *rest;
	const char *key[MAXP], *val[MAXP];
	int np;
} catparts_t;

/* N bytes of S (cut at LABEL - 1) copied to *W and ended: the copy. */
static const char *cat_part(char **w, const char *s, size_t n)
{
	char *at = *w;
	if (n > LABEL - 1)
		n = LABEL - 1;
	memcpy(at, s, n);
	at[n] = '\0';
	*w += n + 1;
	return at;
}

static void cat_split(const char *show, catparts_t *c)
{
	const char *end = strstr(show, ", ");
	size_t wl = end ? (size_t)(end - show) : strlen(show), nl = strcspn(show, ":");
	char *w;
	memset(c, 0, sizeof(*c));
	/* every part is a piece of show, each ended: twice its length is room */
	if (!(c->text = w = malloc(2 * strlen(show) + 2 * MAXP + 4)))
		as_oom("plot: tick labels", 0);
	c->rest = cat_part(&w, end ? end + 2 : "", end ? strlen(end + 2) : 0);
	if (nl > wl)
		nl = wl;
	c->name = cat_part(&w, show, nl);
	for (const char *p = show + nl + (nl < wl); p < show + wl && c->np < MAXP;) {
		size_t len = strcspn(p, ","), kl;
		if (p + len > show + wl)
			len = (size_t)(show + wl - p);
		kl = strcspn(p, "=");
		if (kl > len)
			kl = len;
		c->key[c->np] = cat_part(&w, p, kl);
		c->val[c->np] = cat_part(&w, p + kl + (kl < len), kl < len ? len - kl - 1 : 0);
		c->np++;
		p += len + 1;
	}
}

/* Whether every category sets key (to a value): then the tick shows the
 * value alone and the axis label names the key. */
static int key_in_all(const catparts_t *c, int n, const char *key)
{
	for (int j = 0; j < n; j++) {
		int has = 0;
		for (int q = 0; q < c[j].np; q++)
			has |= !strcmp(c[j].key[q], key) && c[j].val[q][0];
		if (!has)
			return 0;
	}
	return 1;
}

/* key_in_all, once per key (ASKED: the keys asked, IN their answers): a
 * chart of 20,000 categories asked it of every category's every key,
 * n^2 compares, most of plot's time there. */
static int key_in_all_once(const catparts_t *c, int n, const char *key, strlist_t *asked, char **in)
{
	int k = plot_sl_find(asked, key);
	if (k < 0) {
		k = plot_sl_add(asked, key);
		if (!(*in = realloc(*in, (size_t)asked->n)))
			as_oom("plot: tick labels", 0);
		(*in)[k] = (char)key_in_all(c, n, key);
	}
	return (*in)[k];
}

/* A value shown without its key: a size param of a known workload in
 * binary units ("1 MiB", not "1m", which reads as milli), else as given. */
static void cat_value(const char *wl, const char *key, const char *val, char *out, size_t len)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	const as_workload_t *w = as_workload_find(wl);
	char err[128];
	uint64_t b;
	int u = 0;
	snprintf(out, len, "%s", val);
	for (uint32_t i = 0; w && i < w->nparams; i++) {
		as_param_spec_t ps = w->params[i];
		ps.offset = 0; /* parse into b alone */
		if (strcmp(ps.key, key) || ps.type != AS_PARAM_SIZE ||
		    as_param_set_(&ps, val, strlen(val), &b, err, sizeof(err)) != 0)
			continue;
		while (u < 4 && b >= 1024 && b % 1024 == 0) {
			b /= 1024;
			u++;
		}
		snprintf(out, len, "%llu %s", (unsigned long long)b, unit[u]);
	}
}

/* Category labels of a bar chart, short enough for a narrow column: when
 * every category is of one workload, its name moves to the x axis label
 * (XLABEL) and a param every category sets shows its value alone, its key
 * named once on the axis ("threshold: size"); other params keep k=v.
 * Each part is a line of the tick label. ticks[i] is malloc'd. */
void plot_cat_ticks(const char *const *show, int n, char **ticks, as_buf_t *vars)
{
	catparts_t *c = calloc((size_t)n + 1, sizeof(*c));
	char xlabel[4 * LABEL] = "", *in = NULL;
	strlist_t asked = {0};
	int same = n > 0;
	if (!c)
		as_oom("plot: tick labels", 0);
	for (int i = 0; i < n; i++) {
		cat_split(show[i], &c[i]);
		same &= !strcmp(c[i].name, c[0].name);
	}
	for (int i = 0; i < n; i++) {
		char t[4 * LABEL];
		size_t w = 0;
		t[0] = '\0';
		if (!same)
			w += (size_t)snprintf(t + w, sizeof(t) - w, "%s", c[i].name);
		for (int p = 0; p < c[i].np && w < sizeof(t); p++) {
			int everywhere = same && key_in_all_once(c, n, c[i].key[p], &asked, &in);
			char v[LABEL];
			if (everywhere)
				cat_value(c[i].name, c[i].key[p], c[i].val[p], v, sizeof(v));
			w += (size_t)snprintf(t + w, sizeof(t) - w, "%s%s%s%s", w ? ", " : "",
			                      everywhere ? "" : c[i].key[p],
			                      everywhere || !c[i].val[p][0] ? "" : "=",
			                      everywhere ? v : c[i].val[p]);
		}
		if (c[i].rest[0] && w < sizeof(t))
			snprintf(t + w, sizeof(t) - w, "%s%s", w ? ", " : "", c[i].rest);
		ticks[i] = strdup(t);
		if (!ticks[i])
			as_oom("plot: tick labels", 0);
	}
	/* the axis label: the workload and the keys shown as values alone */
	if (same) {
		size_t w = (size_t)snprintf(xlabel, sizeof(xlabel), "%s", c[0].name);
		for (int p = 0, first = 1; p < c[0].np && w < sizeof(xlabel); p++) {
			if (key_in_all_once(c, n, c[0].key[p], &asked, &in)) {
				w += (size_t)snprintf(xlabel + w, sizeof(xlabel) - w, "%s%s",
				                      first ? ": " : " / ", c[0].key[p]);
				first = 0;
			}
		}
	}
	plot_vars_str(vars, "XLABEL", xlabel);
	/* the longest tick label on one line (the chart's last data column):
	 * the rotated labels' height */
	{
		int longest = 0;
		for (int i = 0; i < n; i++) {
			int ch = 0;
			for (const char *q = ticks[i]; *q; q++)
				ch += (*q & 0xc0) != 0x80;
			longest = ch > longest ? ch : longest;
		}
		as_buf_printf(vars, "LABCH=%d; ", longest);
	}
	for (int i = 0; i < n; i++)
		free(c[i].text);
	free(c);
	free(in);
	plot_sl_free(&asked);
}
