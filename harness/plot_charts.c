/* plot_charts.c - the list of a folder's charts (slots, kinds asked for,
 * skip lines) and the charts drawn from trials.csv alone: time and
 * throughput bars, memory syscalls, bytes per block and thread scaling;
 * each fills a chart_t (data file, table, variables). Not the size sweep
 * (plot_charts_sweep.c), the series/latency charts (plot_charts_series.c),
 * a chart's note (plot_charts_notes.c) nor the drawing. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"
#include "oom.h"

chart_t *plot_new_chart(charts_t *cs, const char *kind, const char *stem, const char *script)
{
	chart_t *c;
	if (cs->only.n && plot_sl_find(&cs->only, kind) < 0) {
		plot_sl_add(&cs->left_out, kind);
		return NULL;
	}
	if (cs->n == MAXCH) {
		plot_skip(cs, kind,
		          "more than " AS_STR(MAXCH) " charts in one folder: the rest left out");
		return NULL;
	}
	c = &cs->ch[cs->n++];
	memset(c, 0, sizeof(*c));
	if (stem)
		snprintf(c->name, sizeof(c->name), "%s-%.140s", kind, stem);
	else
		snprintf(c->name, sizeof(c->name), "%s", kind);
	snprintf(c->script, sizeof(c->script), "%s", script);
	return c;
}

void plot_only_kinds(charts_t *cs, const char *list)
{
	while (list && *list) {
		size_t n = strcspn(list, ", ");
		char k[64];
		if (n > 0 && n < sizeof(k)) {
			snprintf(k, sizeof(k), "%.*s", (int)n, list);
			plot_sl_add(&cs->only, k);
		}
		list += n + strspn(list + n, ", ");
	}
}

/* Whether KIND (comma-separated kinds, "per size" and the like after a
 * kind's name) names a kind that is drawn. */
static int kind_wanted(const charts_t *cs, const char *kind)
{
	if (!cs->only.n)
		return 1;
	for (int i = 0; i < cs->only.n; i++) {
		size_t n = strlen(cs->only.v[i]);
		for (const char *p = strstr(kind, cs->only.v[i]); p;
		     p = strstr(p + 1, cs->only.v[i]))
			if ((p == kind || p[-1] == ' ') && (p[n] == ',' || p[n] == ' ' || !p[n]))
				return 1;
	}
	return 0;
}

int plot_kind_named(const charts_t *cs, const char *kind)
{
	return cs->only.n && kind_wanted(cs, kind);
}

void plot_skip(charts_t *cs, const char *kind, const char *why)
{
	char line[LABEL + 64];
	if (!kind_wanted(cs, kind))
		return;
	snprintf(line, sizeof(line), "%s: %s", kind, why);
	plot_sl_add(&cs->skipped, line);
}

void plot_skip_no_trial(charts_t *cs, const run_t *r)
{
	/* every kind define_charts() draws, in report order; the kinds that
	 * repeat others' data only with --all-charts */
	static const struct {
		const char *kind;
		int extra;
	} kinds[] = {{"time", 0},     {"throughput", 0}, {"latency", 0},   {"latency_tail", 0},
	             {"rss_ops", 0},  {"rss_time", 1},   {"heap_mmap", 0}, {"syscalls_cum", 1},
	             {"syscalls", 0}, {"sweep", 0},      {"metadata", 0},  {"scaling", 0},
	             {"pass_time", 1}};
	as_buf_t list = {0};
	char why[128];
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if ((!kinds[k].extra || cs->all) && kind_wanted(cs, kinds[k].kind))
			as_buf_printf(&list, "%s%s", list.len ? ", " : "", kinds[k].kind);
	if (r->nt == 0)
		snprintf(why, sizeof(why), "trials.csv has no trial rows");
	else
		snprintf(why, sizeof(why),
		         "no trial completed (all %d trial rows failed or were skipped)", r->nt);
	if (list.len)
		plot_skip(cs, list.data, why);
	as_buf_free(&list);
}

void plot_free_charts(charts_t *cs)
{
	for (int i = 0; i < cs->n; i++) {
		as_buf_free(&cs->ch[i].data);
		as_buf_free(&cs->ch[i].table);
		as_buf_free(&cs->ch[i].vars);
	}
	plot_sl_free(&cs->skipped);
	plot_sl_free(&cs->only);
	plot_sl_free(&cs->left_out);
}

void plot_drop_last(charts_t *cs)
{
	chart_t *c = &cs->ch[--cs->n];
	as_buf_free(&c->data);
	as_buf_free(&c->table);
	as_buf_free(&c->vars);
}

/* Column col (times scale, over column per when per >= 0) of the trials of
 * module m in group g that the statistics keep (completed, not left out as
 * disturbed), at most max values into v; returns how many. Only group g's
 * rows are read (run_t.grow): rows x modules x groups per chart before. */
static int group_values_per(const run_t *r, int m, int g, int col, int per, double scale, double *v,
                            int max)
{
	int nrows, n = 0;
	const int *rows = plot_group_rows(r, g, &nrows);
	for (int k = 0; k < nrows && n < max; k++) {
		const trow_t *t = &r->t[rows[k]];
		if (!t->kept || t->m != m)
			continue;
		v[n++] = plot_cellnum(&r->trials, t->row, col) * scale /
		         (per >= 0 ? plot_cellnum(&r->trials, t->row, per) : 1);
	}
	return n;
}

/* A time or a rate below 0 is no measurement: trials.csv's ns_per_op is
 * the whole loop's time (never net of null: summary.csv's difference can
 * fall below 0 within noise), so a value below 0 is a hand-edited or
 * damaged row. Such values of v (module m in group g, column col) become
 * NaN, not drawn: clipped to 0 a bar would claim an op that costs nothing;
 * on a log axis gnuplot refused the whole chart, and on the linear one
 * from 0 the bar was hidden while the legend named the module. A row of
 * table gives them as trials.csv has them, a line of the note ("WHY\tMOD"
 * in why) names the module. Returns how many. */
/* The values of v (n of them, at most 1024) below 0, taken out: each
 * becomes NaN in v, their median, min and max go to mmm, and *kept counts
 * the values left (not NaN). Returns how many were taken out. */
static int below_zero_take(double *v, int n, double mmm[3], int *kept)
{
	double out[1024];
	int nout = 0;
	*kept = 0;
	for (int i = 0; i < n; i++) {
		if (!(v[i] < 0)) {
			*kept += !isnan(v[i]);
			continue;
		}
		out[nout++] = v[i];
		v[i] = NAN;
	}
	if (nout)
		plot_reduce(out, nout, &mmm[0], &mmm[1], &mmm[2]);
	return nout;
}

static int below_zero_out(const run_t *r, int m, int g, double *v, int n, const char *col,
                          as_buf_t *table, strlist_t *why)
{
	double mmm[3];
	int kept, nout = below_zero_take(v, n, mmm, &kept);
	char line[LABEL + 200], cell[64];
	if (!nout)
		return 0;
	as_buf_add(table, "|", 1);
	plot_tstr(table, r->gshow[g]);
	plot_tstr(table, r->mshow[m]);
	snprintf(cell, sizeof(cell), "not drawn: %d below 0", nout);
	plot_tstr(table, cell);
	plot_tnum(table, mmm[0]);
	plot_tnum(table, mmm[1]);
	plot_tnum(table, mmm[2]);
	as_buf_add(table, "\n", 1);
	if (kept)
		snprintf(line, sizeof(line),
		         "%s below 0 in trials.csv: not a measurement, the table gives it\t%s, "
		         "%d of %d repetitions",
		         col, r->mshow[m], nout, nout + kept);
	else
		snprintf(line, sizeof(line),
		         "%s below 0 in trials.csv: not a measurement, the table gives it\t%s", col,
		         r->mshow[m]);
	plot_sl_add(why, line);
	return nout;
}

/* Clustered bars with min..max error bars from repetitions: for each group
 * (category on x) and module (bars), reduce column COL over ok trials. */
void plot_chart_bars_metric(run_t *r, charts_t *cs, const char *kind, const char *col,
                            const char *per, const char *what, const char *unit, double scale)
{
	int ci = plot_tcol(r, col), pi = per ? plot_tcol(r, per) : -1;
	double lo = INFINITY, hi = 0;
	int any = 0, anyout = 0, reps_n[2] = {0, 0};
	strlist_t why = {0};
	char yunit[64], **ticks;
	chart_t *c;
	if (ci < 0 || (per && pi < 0)) {
		plot_skip(cs, kind, "trials.csv has no column for it");
		return;
	}
	snprintf(yunit, sizeof(yunit), "%s", unit);
	if (scale == 0) {
		/* per second: in millions, thousands or ones, whichever fits the
		 * largest value, so ticks read as plain numbers */
		double top = 0;
		for (int i = 0; i < r->nt; i++)
			if (r->t[i].kept && plot_cellnum(&r->trials, r->t[i].row, ci) > top)
				top = plot_cellnum(&r->trials, r->t[i].row, ci);
		scale = top >= 1e6 ? 1e-6 : top >= 1e3 ? 1e-3 : 1;
		snprintf(yunit, sizeof(yunit), "%s%s",
		         scale == 1e-6   ? "million "
		         : scale == 1e-3 ? "thousand "
		                         : "",
		         unit);
	}
	c = plot_new_chart(cs, kind, NULL, kind);
	if (!c)
		return;
	snprintf(c->title, sizeof(c->title), "%s per module and workload", what);
	as_buf_printf(&c->table,
	              "| workload | module | reps kept | median %s | min | max |\n"
	              "|---|---|---|---|---|---|\n",
	              yunit);
	ticks = calloc((size_t)r->groups.n + 1, sizeof(char *));
	if (!ticks)
		as_oom("plot: chart ticks", 0);
	plot_cat_ticks((const char *const *)r->gshow, r->groups.n, ticks, &c->vars);
	for (int g = 0; g < r->groups.n; g++) {
		plot_dstr(&c->data, ticks[g]);
		for (int m = 0; m < r->mods.n; m++) {
			double v[1024], med, mn, mx;
			as_buf_t out = {0}; /* its table row of values left out */
			int n = group_values_per(r, m, g, ci, pi, scale, v, 1024), k,
			    nout = below_zero_out(r, m, g, v, n, col, &out, &why);
			anyout |= nout > 0;
			k = plot_reduce(v, n, &med, &mn, &mx);
			as_buf_add(&c->data, "\t", 1);
			plot_dnum(&c->data, med, "\t");
			plot_dnum(&c->data, mn, "\t");
			plot_dnum(&c->data, mx, "");
			if (k == 0) {
				if (!nout)
					plot_note_missing(r, r->mods.v[m], r->groups.v[g], &why);
			} else {
				any = 1;
				plot_drawn_add(reps_n, k);
				if (mn > 0 && mn < lo)
					lo = mn;
				if (mx > hi)
					hi = mx;
				as_buf_add(&c->table, "|", 1);
				plot_tstr(&c->table, r->gshow[g]);
				plot_tstr(&c->table, r->mshow[m]);
				as_buf_printf(&c->table, " %d |", k);
				plot_tnum(&c->table, med);
				plot_tnum(&c->table, mn);
				plot_tnum(&c->table, mx);
				as_buf_add(&c->table, "\n", 1);
			}
			if (out.len)
				as_buf_add(&c->table, out.data, out.len);
			as_buf_free(&out);
		}
		as_buf_add(&c->data, "\t", 1);
		plot_dstr_line(&c->data, ticks[g]);
		as_buf_add(&c->data, "\n", 1);
	}
	for (int g = 0; g < r->groups.n; g++)
		free(ticks[g]);
	free(ticks);
	if (!any) {
		plot_drop_last(cs);
		plot_skip(cs, kind,
		          anyout ? "every value of it in trials.csv is below 0: not a measurement"
		                 : "no completed trial has a value for it");
		plot_sl_free(&why);
		return;
	}
	plot_vars_series(&c->vars, r, &r->mods, NULL);
	plot_vars_cats(&c->vars, &c->data);
	as_buf_printf(&c->vars, "LOGY=%d; YLO=", plot_spans_decades(lo, hi));
	plot_dnum(&c->vars, lo, "; ");
	plot_vars_str(&c->vars, "YUNIT", yunit);
	{
		char reps[160];
		plot_reps_drawn(r, reps_n, NULL, reps, sizeof(reps));
		plot_vars_note(&c->vars, reps, &why);
	}
	plot_sl_free(&why);
	plot_vars_str(&c->vars, "TITLE_TEXT", c->title);
}

/* Memory syscalls per module, one chart per workload group: categories are
 * the call kinds, bars the modules (median of the ok repetitions). */
void plot_chart_syscalls(run_t *r, charts_t *cs)
{
	static const char *calls[] = {"brk_calls",    "mmap_calls",    "munmap_calls",
	                              "mremap_calls", "madvise_calls", "mprotect_calls"};
	int cols[6], nc = 0;
	const char *names[6];
	for (int i = 0; i < 6; i++) {
		int ci = plot_tcol(r, calls[i]);
		if (ci >= 0) {
			cols[nc] = ci;
			names[nc++] = calls[i];
		}
	}
	if (nc == 0) {
		plot_skip(cs, "syscalls",
		          "trials.csv has no *_calls columns (a run without syscall "
		          "counting)");
		return;
	}
	for (int g = 0; g < r->groups.n; g++) {
		chart_t *c;
		double hi = 0;
		int any = 0, kc[6], nk = 0;
		strlist_t why = {0};
		if (r->sweep[g])
			continue;
		/* the call kinds some module made in this group: an empty group of
		 * bars says nothing (the table has the zeros) */
		for (int k = 0; k < nc; k++) {
			int made = 0;
			for (int m = 0; m < r->mods.n && !made; m++) {
				double v[1024], med, mn, mx;
				int n = group_values_per(r, m, g, cols[k], -1, 1.0, v, 1024);
				made = plot_reduce(v, n, &med, &mn, &mx) > 0 && mx > 0;
			}
			if (made)
				kc[nk++] = k;
		}
		c = plot_new_chart(cs, "syscalls", r->gslug[g], "syscalls");
		if (!c)
			return;
		snprintf(c->title, sizeof(c->title), "Memory system calls per module\n%s",
		         r->gshow[g]);
		/* medians over the kept repetitions: of an even number of them
		 * a count can be 0.50 (madvise 0 and 1), so the header says so */
		as_buf_printf(&c->table, "| module |");
		for (int k = 0; k < nc; k++)
			as_buf_printf(&c->table, " median %s |", names[k]);
		as_buf_printf(&c->table, "\n|---|");
		for (int k = 0; k < nc; k++)
			as_buf_printf(&c->table, "---|");
		as_buf_add(&c->table, "\n", 1);
		for (int j = 0; j < nk; j++) {
			int k = kc[j];
			char lab[64];
			snprintf(lab, sizeof(lab), "%.*s", (int)(strlen(names[k]) - 6), names[k]);
			plot_dstr(&c->data, lab);
			for (int m = 0; m < r->mods.n; m++) {
				double v[1024], med, mn, mx;
				int n = group_values_per(r, m, g, cols[k], -1, 1.0, v, 1024);
				if (plot_reduce(v, n, &med, &mn, &mx) > 0) {
					any = 1;
					if (mx > hi)
						hi = mx;
				}
				as_buf_add(&c->data, "\t", 1);
				plot_dnum(&c->data, med, "\t");
				plot_dnum(&c->data, mn, "\t");
				plot_dnum(&c->data, mx, "");
			}
			as_buf_add(&c->data, "\n", 1);
		}
		for (int m = 0; m < r->mods.n; m++) {
			int has = 0;
			as_buf_t row = {0};
			as_buf_add(&row, "|", 1);
			plot_tstr(&row, r->mshow[m]);
			for (int k = 0; k < nc; k++) {
				double v[1024], med, mn, mx;
				int n = group_values_per(r, m, g, cols[k], -1, 1.0, v, 1024);
				has |= plot_reduce(v, n, &med, &mn, &mx) > 0;
				plot_tnum(&row, med);
			}
			as_buf_add(&row, "\n", 1);
			if (has)
				as_buf_add(&c->table, row.data, row.len);
			else
				plot_note_missing(r, r->mods.v[m], r->groups.v[g], &why);
			as_buf_free(&row);
		}
		if (!any || nk == 0) {
			/* no value at all: no completed trial here, or counts n/a;
			 * or every count 0: no bar to draw */
			char line[LABEL + 64];
			int kept = 0, nrows;
			const int *rows = plot_group_rows(r, g, &nrows);
			for (int k = 0; k < nrows; k++)
				kept += r->t[rows[k]].kept;
			snprintf(line, sizeof(line), "%s: %s", r->gshow[g],
			         any    ? "no memory system call in the timed region"
			         : kept ? "syscall counts are n/a in every completed trial"
			                : "no completed trial");
			plot_drop_last(cs);
			plot_skip(cs, "syscalls", line);
			plot_sl_free(&why);
			continue;
		}
		plot_vars_series(&c->vars, r, &r->mods, NULL);
		plot_vars_cats(&c->vars, &c->data);
		as_buf_printf(&c->vars, "LOGY=%d; YLO=1; ", hi > 100);
		{
			char reps[160];
			strlist_t one = {0};
			plot_sl_add(&one, r->groups.v[g]);
			plot_reps_said(r, &one, NULL, reps, sizeof(reps));
			plot_sl_free(&one);
			plot_vars_note(&c->vars, reps, &why);
		}
		plot_sl_free(&why);
		plot_vars_str(&c->vars, "TITLE_TEXT", c->title);
	}
}

/* Bytes of RSS per live block: for fixed-size workloads (size= param, and
 * dist= absent or fixed), (rss_peak - rss_before) / blocks, with blocks =
 * live_blocks_peak where the trials have it, else live_bytes_peak / size. */
void plot_chart_metadata(run_t *r, charts_t *cs)
{
	int c_peak = plot_tcol(r, "rss_peak_kib");
	int c_before = plot_tcol(r, "rss_before_kib");
	int c_live = plot_tcol(r, "live_bytes_peak");
	int c_blocks = plot_tcol(r, "live_blocks_peak");
	strlist_t groups = {0}, why = {0};
	chart_t *c;
	const char **shows;
	char **ticks;
	double hi = 0, lo = INFINITY, size0 = NAN;
	int same_size = 1;
	if (c_peak < 0 || c_before < 0 || (c_live < 0 && c_blocks < 0)) {
		plot_skip(cs, "metadata",
		          "trials.csv lacks rss_peak_kib, rss_before_kib or "
		          "live_bytes_peak");
		return;
	}
	/* groups whose trials all share one block size */
	for (int g = 0; g < r->groups.n; g++) {
		double sz = NAN;
		int ok = !r->sweep[g], any = 0, nrows;
		const int *rows = plot_group_rows(r, g, &nrows);
		for (int k = 0; k < nrows; k++) {
			char dist[64];
			const trow_t *t = &r->t[rows[k]];
			double s = plot_param_size(t->wparams, "size");
			if (as_label_param(t->wparams, "dist", dist, sizeof(dist)) == 0 &&
			    strcmp(dist, "fixed"))
				s = NAN;
			/* per-block overhead is a small-block question */
			if (isnan(s) || s > 4096 || (!isnan(sz) && s != sz))
				ok = 0;
			sz = s;
			any = 1;
		}
		if (ok && any) {
			plot_sl_add(&groups, r->groups.v[g]);
			if (isnan(size0))
				size0 = sz;
			else if (sz != size0)
				same_size = 0;
		}
	}
	if (groups.n == 0) {
		plot_skip(cs, "metadata",
		          "no workload with one fixed block size of at most 4 KiB (size=, "
		          "dist=fixed)");
		plot_sl_free(&groups);
		return;
	}
	c = plot_new_chart(cs, "metadata", NULL, "metadata");
	if (!c) {
		plot_sl_free(&groups);
		return;
	}
	snprintf(c->title, sizeof(c->title), "Bytes of RSS per live block per module");
	as_buf_printf(&c->table, "| workload | module | block size (bytes) | blocks | reps kept | "
	                         "RSS bytes per block (median) | min | max |\n"
	                         "|---|---|---|---|---|---|---|---|\n");
	shows = calloc((size_t)groups.n + 1, sizeof(char *));
	ticks = calloc((size_t)groups.n + 1, sizeof(char *));
	if (!shows || !ticks)
		as_oom("plot: chart ticks", 0);
	for (int g = 0; g < groups.n; g++)
		shows[g] = plot_group_show(r, groups.v[g]);
	plot_cat_ticks(shows, groups.n, ticks, &c->vars);
	for (int g = 0; g < groups.n; g++) {
		plot_dstr(&c->data, ticks[g]);
		for (int m = 0; m < r->mods.n; m++) {
			double v[1024], med, mn, mx, size = NAN, blocks = NAN;
			int n = 0, k, nrows;
			const int *rows =
			    plot_group_rows(r, plot_group_index(r, groups.v[g]), &nrows);
			for (int j = 0; j < nrows && n < 1024; j++) {
				const trow_t *t = &r->t[rows[j]];
				double rss;
				if (!t->kept || t->m != m)
					continue;
				size = plot_param_size(t->wparams, "size");
				blocks = c_blocks >= 0 ? plot_cellnum(&r->trials, t->row, c_blocks)
				                       : NAN;
				if (isnan(blocks))
					blocks =
					    floor(plot_cellnum(&r->trials, t->row, c_live) / size);
				rss = (plot_cellnum(&r->trials, t->row, c_peak) -
				       plot_cellnum(&r->trials, t->row, c_before)) *
				      1024.0;
				v[n++] = blocks > 0 ? rss / blocks : NAN;
			}
			k = plot_reduce(v, n, &med, &mn, &mx);
			/* no RSS growth at all (a module that takes its memory before
			 * the timed region, such as null): no bar, the note says why */
			if (k > 0 && med < 1) {
				char line[LABEL + 64];
				snprintf(line, sizeof(line),
				         "%s (no RSS growth in the timed region: nothing to "
				         "divide)",
				         r->mshow[m]);
				plot_sl_add(&why, line);
			}
			as_buf_add(&c->data, "\t", 1);
			plot_dnum(&c->data, k > 0 && med < 1 ? NAN : med, "\t");
			plot_dnum(&c->data, k > 0 && med < 1 ? NAN : mn, "\t");
			plot_dnum(&c->data, k > 0 && med < 1 ? NAN : mx, "");
			if (k == 0) {
				plot_note_missing(r, r->mods.v[m], groups.v[g], &why);
				continue;
			}
			if (mx > hi)
				hi = mx;
			if (mn > 0 && mn < lo)
				lo = mn;
			as_buf_add(&c->table, "|", 1);
			plot_tstr(&c->table, plot_group_show(r, groups.v[g]));
			plot_tstr(&c->table, r->mshow[m]);
			plot_tnum(&c->table, size);
			plot_tnum(&c->table, blocks);
			as_buf_printf(&c->table, " %d |", k);
			/* no RSS growth: n/a, as the chart has no bar, not 0 bytes a
			 * block */
			plot_tnum(&c->table, med < 1 ? NAN : med);
			plot_tnum(&c->table, med < 1 ? NAN : mn);
			plot_tnum(&c->table, med < 1 ? NAN : mx);
			as_buf_add(&c->table, "\n", 1);
		}
		as_buf_add(&c->data, "\t", 1);
		plot_dstr_line(&c->data, ticks[g]);
		as_buf_add(&c->data, "\n", 1);
		free(ticks[g]);
	}
	plot_vars_series(&c->vars, r, &r->mods, NULL);
	plot_vars_cats(&c->vars, &c->data);
	as_buf_printf(&c->vars, "LOGY=%d; YLO=", plot_spans_decades(lo, hi));
	plot_dnum(&c->vars, lo, "; REF=");
	plot_dnum(&c->vars, same_size ? size0 : NAN, "; ");
	plot_vars_str(&c->vars, "TITLE_TEXT", c->title);
	{
		char reps[160];
		plot_reps_said(r, &groups, NULL, reps, sizeof(reps));
		plot_vars_note(&c->vars, reps, &why);
	}
	plot_sl_free(&why);
	plot_sl_free(&groups);
	free(shows);
	free(ticks);
}

/* The "not shown" lines of module `mod` in the scaling chart of workload
 * `wlabel`: one per reason, naming the thread counts it holds at
 * ("skipped: WHY at 1 and 2 threads\tMODULE"), not one line per thread
 * count. miss[j]: the module has no point at thr[j]. */
static void note_missing_threads(const run_t *r, const char *mod, const char *wlabel,
                                 const long *thr, const int *miss, int nthr, strlist_t *why)
{
	strlist_t reasons = {0};
	int ri[64];
	for (int j = 0; j < nthr; j++) {
		char status[64] = "", clause[96] = "", key[200];
		int nrows;
		const int *rows = plot_group_rows(r, plot_group_at(r, wlabel, thr[j]), &nrows);
		ri[j] = -1;
		for (int i = 0; i < nrows && miss[j]; i++) {
			const trow_t *t = &r->t[rows[i]];
			if (!strcmp(t->wlabel, wlabel) && t->threads == thr[j] &&
			    !strcmp(t->mlabel, mod)) {
				if (plot_missing_why(r, mod, t->glabel, status, sizeof(status),
				                     clause, sizeof(clause))) {
					snprintf(key, sizeof(key), "%s\t%s", status, clause);
					ri[j] = plot_sl_add(&reasons, key);
				}
				break;
			}
		}
	}
	for (int k = 0; k < reasons.n; k++) {
		const char *clause = strchr(reasons.v[k], '\t') + 1;
		as_buf_t line = {0};
		int cnt = 0, done = 0;
		long last = 0;
		for (int j = 0; j < nthr; j++)
			cnt += ri[j] == k;
		as_buf_printf(&line, "%.*s%s%s at ", (int)(clause - 1 - reasons.v[k]), reasons.v[k],
		              *clause ? ": " : "", clause);
		for (int j = 0; j < nthr; j++) {
			if (ri[j] != k)
				continue;
			done++;
			as_buf_printf(&line, "%s%ld",
			              done == 1     ? ""
			              : done == cnt ? " and "
			                            : ", ",
			              thr[j]);
			last = thr[j];
		}
		as_buf_printf(&line, " thread%s\t%s", cnt == 1 && last == 1 ? "" : "s",
		              plot_mod_show(r, mod));
		plot_sl_add(why, line.data);
		as_buf_free(&line);
	}
	plot_sl_free(&reasons);
}

/* The scaling chart's below_zero_out: module m's ops_per_sec values v at
 * thr threads below 0 set to NaN, a table row (million ops/s) and a line
 * of the note for them. Returns how many. */
static int scaling_out(const run_t *r, int m, long thr, double *v, int n, as_buf_t *table,
                       strlist_t *why)
{
	double mmm[3];
	int kept, nout = below_zero_take(v, n, mmm, &kept);
	char line[LABEL + 200];
	if (!nout)
		return 0;
	as_buf_add(table, "|", 1);
	plot_tstr(table, r->mshow[m]);
	as_buf_printf(table, " %ld | not drawn: %d below 0 |", thr, nout);
	plot_tnum(table, mmm[0] / 1e6);
	plot_tnum(table, mmm[1] / 1e6);
	plot_tnum(table, mmm[2] / 1e6);
	as_buf_add(table, "\n", 1);
	snprintf(line, sizeof(line),
	         "ops_per_sec below 0 in trials.csv: not a measurement, the table gives it\t%s "
	         "at %ld thread%s",
	         r->mshow[m], thr, thr == 1 ? "" : "s");
	plot_sl_add(why, line);
	return nout;
}

/* Throughput against threads, per workload run at several thread counts. */
void plot_chart_scaling(run_t *r, charts_t *cs)
{
	strlist_t wls = {0}, why = {0}, nokey = {0};
	char **wshow;
	int ci = plot_tcol(r, "ops_per_sec"), drawn = 0;
	if (ci < 0) {
		plot_skip(cs, "scaling", "trials.csv has no ops_per_sec");
		return;
	}
	{
		/* trials run side by side (--jobs) have no throughput: no chart,
		 * rather than gnuplot failing on an empty x range */
		int any = 0;
		for (int i = 0; i < r->nt && !any; i++)
			any = r->t[i].kept && !isnan(plot_cellnum(&r->trials, r->t[i].row, ci));
		if (!any) {
			plot_skip(
			    cs, "scaling",
			    "no ops_per_sec in trials.csv (trials run side by side, --jobs, are "
			    "untimed)");
			return;
		}
	}
	for (int i = 0; i < r->nt; i++)
		plot_sl_add(&wls, r->t[i].wlabel);
	wshow = calloc((size_t)wls.n + 1, sizeof(char *));
	if (!wshow)
		as_oom("plot: workload labels", 0);
	as_short_labels(wls.v, wls.n, wshow);
	for (int w = 0; w < wls.n; w++) {
		char stem[160];
		long thr[64];
		int nthr = 0, reps_n[2] = {0, 0};
		const char *pw = plot_pool_find(r, wls.v[w]); /* equal texts: one pointer */
		chart_t *c;
		for (int i = 0; i < r->nt; i++) {
			int seen = 0;
			if (r->t[i].wlabel != pw)
				continue;
			for (int j = 0; j < nthr; j++)
				seen |= thr[j] == r->t[i].threads;
			if (!seen && nthr < 64)
				thr[nthr++] = r->t[i].threads;
		}
		if (nthr < 2)
			continue;
		for (int a = 1; a < nthr; a++)
			for (int b = a; b > 0 && thr[b] < thr[b - 1]; b--) {
				long t = thr[b];
				thr[b] = thr[b - 1];
				thr[b - 1] = t;
			}
		plot_slug(wshow[w], stem, sizeof(stem));
		c = plot_new_chart(cs, "scaling", stem, "scaling");
		if (!c)
			break;
		/* a tick at each thread count run, no other (a tick every thread
		 * from -2 to 67 ran into each other at -t 1,16,64); log x where
		 * they span 16x or more */
		as_buf_printf(&c->vars, "XTICS='");
		for (int j = 0; j < nthr; j++)
			as_buf_printf(&c->vars, "%s%ld", j ? ", " : "", thr[j]);
		as_buf_printf(&c->vars, "'; LOGX=%d; ", thr[0] > 0 && thr[nthr - 1] >= 16 * thr[0]);
		snprintf(c->title, sizeof(c->title),
		         "Thread scaling: throughput against threads\n%s", wshow[w]);
		as_buf_printf(
		    &c->table,
		    "| module | threads | reps kept | median (million ops/s) | min | max |\n"
		    "|---|---|---|---|---|---|\n");
		plot_sl_free(&why);
		for (int m = 0; m < r->mods.n; m++) {
			int miss[64] = {0}, points = 0;
			as_buf_printf(&c->data, "# %s\n", r->mods.v[m]);
			for (int j = 0; j < nthr; j++) {
				double v[1024], med, mn, mx;
				int n = 0, k, nout, nrows;
				const int *rows =
				    plot_group_rows(r, plot_group_at(r, wls.v[w], thr[j]), &nrows);
				for (int i = 0; i < nrows && n < 1024; i++) {
					const trow_t *t = &r->t[rows[i]];
					if (t->kept && t->m == m && !strcmp(t->wlabel, wls.v[w]) &&
					    t->threads == thr[j])
						v[n++] = plot_cellnum(&r->trials, t->row, ci);
				}
				nout = scaling_out(r, m, thr[j], v, n, &c->table, &why);
				k = plot_reduce(v, n, &med, &mn, &mx);
				as_buf_printf(&c->data, "%ld\t", thr[j]);
				plot_dnum(&c->data, med, "\t");
				plot_dnum(&c->data, mn, "\t");
				plot_dnum(&c->data, mx, "\n");
				if (k == 0) {
					miss[j] = !nout;
					continue;
				}
				points++;
				plot_drawn_add(reps_n, k);
				as_buf_add(&c->table, "|", 1);
				plot_tstr(&c->table, r->mshow[m]);
				as_buf_printf(&c->table, " %ld | %d |", thr[j], k);
				/* in the chart's unit (scaling.gp: million ops/s) */
				plot_tnum(&c->table, med / 1e6);
				plot_tnum(&c->table, mn / 1e6);
				plot_tnum(&c->table, mx / 1e6);
				as_buf_add(&c->table, "\n", 1);
			}
			as_buf_add(&c->data, "\n\n", 2);
			note_missing_threads(r, r->mods.v[m], wls.v[w], thr, miss, nthr, &why);
			if (!points)
				plot_sl_add(&nokey, r->mods.v[m]);
		}
		plot_vars_series(&c->vars, r, &r->mods, NULL);
		plot_vars_same(&c->vars, &c->data, r->mods.n);
		/* a module without a point has no legend entry (as in the bar
		 * charts): the note says why it is not shown */
		for (int m = 0; m < r->mods.n; m++)
			if (plot_sl_find(&nokey, r->mods.v[m]) >= 0)
				as_buf_printf(&c->vars, "TITLE[%d] = ''; ", m + 1);
		plot_sl_free(&nokey);
		plot_vars_str(&c->vars, "TITLE_TEXT", c->title);
		{
			char reps[160];
			plot_reps_drawn(r, reps_n, wls.v[w], reps, sizeof(reps));
			plot_vars_note(&c->vars, reps, &why);
		}
		drawn = 1;
	}
	if (!drawn)
		plot_skip(cs, "scaling", "no workload was run at two or more thread counts");
	for (int w = 0; w < wls.n; w++)
		free(wshow[w]);
	free(wshow);
	plot_sl_free(&why);
	plot_sl_free(&wls);
}
