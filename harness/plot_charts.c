/* plot_charts.c - the charts drawn from trials.csv alone: time and
 * throughput bars, memory syscalls, the size sweep, bytes per block and
 * thread scaling; each fills a chart_t (data file, table, variables). Not
 * the series/latency charts (plot_charts_series.c) nor the drawing. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"

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
 * module `mod` in group `group` that the statistics keep (completed, not
 * left out as disturbed), at most max values into v; returns how many. */
static int group_values_per(const run_t *r, const char *mod, const char *group, int col, int per,
                            double scale, double *v, int max);

static int group_values(const run_t *r, const char *mod, const char *group, int col, double scale,
                        double *v, int max)
{
	return group_values_per(r, mod, group, col, -1, scale, v, max);
}

static int group_values_per(const run_t *r, const char *mod, const char *group, int col, int per,
                            double scale, double *v, int max)
{
	/* pointers, not strcmp: rows x modules x groups per chart */
	const char *pm = plot_pool_find(r, mod), *pg = plot_pool_find(r, group);
	int n = 0;
	if (!pm || !pg)
		return 0; /* no row has that module or group */
	for (int i = 0; i < r->nt && n < max; i++) {
		const trow_t *t = &r->t[i];
		if (!t->kept || t->mlabel != pm || t->glabel != pg)
			continue;
		v[n++] = plot_cellnum(&r->trials, t->row, col) * scale /
		         (per >= 0 ? plot_cellnum(&r->trials, t->row, per) : 1);
	}
	return n;
}

/* Why module `mod` has no completed row in group `group`: its status in
 * status and the reason's first clause in clause, without the module's own
 * name, so that modules skipped for the same reason share one line of the
 * note; "n/a" where its rows completed without a value. Returns 0 when it
 * has no row there at all. */
static int missing_why(const run_t *r, const char *mod, const char *group, char *status,
                       size_t slen, char *clause, size_t clen)
{
	int cs = as_table_col(&r->trials, "status"), cr = as_table_col(&r->trials, "reason");
	for (int i = 0; i < r->nt; i++) {
		char pre[LABEL];
		const trow_t *t = &r->t[i];
		const char *reason, *p;
		size_t n;
		if (t->ok || strcmp(t->mlabel, mod) || strcmp(t->glabel, group))
			continue;
		reason = plot_cell(&r->trials, t->row, cr);
		snprintf(pre, sizeof(pre), "module %s is ", t->mbase);
		if (!strncmp(reason, pre, strlen(pre)))
			reason += strlen(pre);
		n = strcspn(reason, ";(");
		if ((p = strstr(reason, " and ")) != NULL && (size_t)(p - reason) < n)
			n = (size_t)(p - reason);
		snprintf(clause, clen, "%.*s%s", (int)(n > 60 ? 60 : n), reason,
		         n > 60 ? "..." : "");
		snprintf(status, slen, "%s", plot_cell(&r->trials, t->row, cs));
		return 1;
	}
	/* completed, but the chart's column is empty (n/a) in every row */
	for (int i = 0; i < r->nt; i++) {
		const trow_t *t = &r->t[i];
		if (t->ok && !strcmp(t->mlabel, mod) && !strcmp(t->glabel, group)) {
			snprintf(status, slen, "n/a");
			snprintf(clause, clen, "no value in trials.csv");
			return 1;
		}
	}
	return 0;
}

/* Why module `mod` has no completed row in group `group`, as a line
 * "WHY\tMODULE" in `why` (once per module and reason); nothing when it
 * has no row there at all. */
static void note_missing(const run_t *r, const char *mod, const char *group, strlist_t *why)
{
	char status[64], clause[96], line[LABEL + 200];
	if (!missing_why(r, mod, group, status, sizeof(status), clause, sizeof(clause)))
		return;
	snprintf(line, sizeof(line), "%s%s%s\t%s", status, *clause ? ": " : "", clause,
	         plot_mod_show(r, mod));
	plot_sl_add(why, line);
}

void plot_reps_count(const run_t *r, const strlist_t *groups, const char *wlabel, int *kmin_out,
                     int *kmax_out, int *nout_out)
{
	strlist_t keys = {0};
	int *cnt = calloc((size_t)r->nt + 1, sizeof(int)), kmin = 0, kmax = 0, nout = 0;
	if (!cnt)
		abort();
	for (int i = 0; i < r->nt; i++) {
		char key[2 * LABEL + 40];
		const trow_t *t = &r->t[i];
		const char *gl = t->glabel;
		if (!t->ok || (groups && plot_sl_find(groups, gl) < 0) ||
		    (wlabel && strcmp(t->wlabel, wlabel)))
			continue;
		snprintf(key, sizeof(key), "%s\t%s", t->mlabel, gl);
		if (t->kept)
			cnt[plot_sl_add(&keys, key)]++;
		else
			nout++;
	}
	for (int k = 0; k < keys.n; k++) {
		if (!kmin || cnt[k] < kmin)
			kmin = cnt[k];
		if (cnt[k] > kmax)
			kmax = cnt[k];
	}
	plot_sl_free(&keys);
	free(cnt);
	*kmin_out = kmin;
	*kmax_out = kmax;
	*nout_out = nout;
}

/* The note's line on what a bar or point and its whisker are, and how
 * many repetitions they rest on (plot_reps_count), into out. */
static void reps_said(const run_t *r, const strlist_t *groups, const char *wlabel, char *out,
                      size_t len)
{
	int kmin, kmax, nout;
	plot_reps_count(r, groups, wlabel, &kmin, &kmax, &nout);
	if (kmax <= 1)
		snprintf(out, len, "bar or point: one repetition (no spread to show)");
	else if (kmin == kmax)
		snprintf(out, len, "bar or point: median of %d repetitions; whisker: min..max",
		         kmax);
	else
		snprintf(out, len,
		         "bar or point: median of %d to %d repetitions; whisker: min..max", kmin,
		         kmax);
	if (nout)
		snprintf(out + strlen(out), len - strlen(out),
		         "; %d disturbed repetition%s left out (report.md)", nout,
		         nout == 1 ? "" : "s");
}

/* NOTE: what the bars or points and whiskers are (`reps`, reps_said; NULL:
 * none), and per reason the modules not shown ("WHY\tMODULE" lines, or
 * whole lines). */
void plot_vars_note(as_buf_t *v, const char *reps, const strlist_t *why)
{
	as_buf_t n = {0};
	plot_note_text(&n, reps, why);
	plot_vars_str(v, "NOTE", n.data ? n.data : "");
	as_buf_free(&n);
}

void plot_note_unshown(const run_t *r, const char *group, const strlist_t *shown, const char *file,
                       strlist_t *why)
{
	for (int m = 0; m < r->mods.n; m++) {
		char status[64], clause[96], line[LABEL + 200];
		int kept = 0;
		if (plot_sl_find(shown, r->mods.v[m]) >= 0)
			continue;
		for (int i = 0; i < r->nt && !kept; i++) {
			kept = r->t[i].kept && !strcmp(r->t[i].mlabel, r->mods.v[m]) &&
			       !strcmp(r->t[i].glabel, group);
		}
		/* completed, but FILE has nothing of it */
		if (kept)
			snprintf(line, sizeof(line), "no rows in %s\t%s", file, r->mshow[m]);
		else if (missing_why(r, r->mods.v[m], group, status, sizeof(status), clause,
		                     sizeof(clause)))
			snprintf(line, sizeof(line), "%s%s%s\t%s", status, *clause ? ": " : "",
			         clause, r->mshow[m]);
		else
			continue;
		plot_sl_add(why, line);
	}
}

void plot_note_text(as_buf_t *out, const char *reps, const strlist_t *why)
{
	as_buf_t n = {0};
	strlist_t reasons = {0};
	if (reps)
		as_buf_printf(&n, "%s", reps);
	for (int i = 0; i < why->n; i++) {
		char r1[LABEL + 160];
		snprintf(r1, sizeof(r1), "%.*s", (int)strcspn(why->v[i], "\t"), why->v[i]);
		plot_sl_add(&reasons, r1);
	}
	for (int k = 0; k < reasons.n && k < 3; k++) {
		int first = 1;
		as_buf_printf(&n, "%snot shown: ", n.len || out->len ? "\n" : "");
		for (int i = 0; i < why->n; i++) {
			size_t l = strcspn(why->v[i], "\t");
			if (why->v[i][l] != '\t' || strlen(reasons.v[k]) != l ||
			    strncmp(why->v[i], reasons.v[k], l))
				continue;
			as_buf_printf(&n, "%s%s", first ? "" : ", ", why->v[i] + l + 1);
			first = 0;
		}
		as_buf_printf(&n, first ? "%s" : " (%s)", reasons.v[k]);
	}
	if (reasons.n > 3)
		as_buf_printf(&n, "\n%d more reasons in the report", reasons.n - 3);
	if (n.len)
		as_buf_add(out, n.data, n.len);
	as_buf_free(&n);
	plot_sl_free(&reasons);
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
static int below_zero_out(const run_t *r, int m, int g, double *v, int n, const char *col,
                          as_buf_t *table, strlist_t *why)
{
	double out[1024], med, mn, mx;
	int nout = 0, kept = 0;
	char line[LABEL + 200], cell[64];
	for (int i = 0; i < n; i++) {
		if (!(v[i] < 0)) {
			kept += !isnan(v[i]);
			continue;
		}
		out[nout++] = v[i];
		v[i] = NAN;
	}
	if (!nout)
		return 0;
	plot_reduce(out, nout, &med, &mn, &mx);
	as_buf_add(table, "|", 1);
	plot_tstr(table, r->gshow[g]);
	plot_tstr(table, r->mshow[m]);
	snprintf(cell, sizeof(cell), "not drawn: %d below 0", nout);
	plot_tstr(table, cell);
	plot_tnum(table, med);
	plot_tnum(table, mn);
	plot_tnum(table, mx);
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
	int ci = as_table_col(&r->trials, col), pi = per ? as_table_col(&r->trials, per) : -1;
	double lo = INFINITY, hi = 0;
	int any = 0, anyout = 0;
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
		abort();
	plot_cat_ticks((const char *const *)r->gshow, r->groups.n, ticks, &c->vars);
	for (int g = 0; g < r->groups.n; g++) {
		plot_dstr(&c->data, ticks[g]);
		for (int m = 0; m < r->mods.n; m++) {
			double v[1024], med, mn, mx;
			as_buf_t out = {0}; /* its table row of values left out */
			int n = group_values_per(r, r->mods.v[m], r->groups.v[g], ci, pi, scale, v,
			                         1024),
			    k, nout = below_zero_out(r, m, g, v, n, col, &out, &why);
			anyout |= nout > 0;
			k = plot_reduce(v, n, &med, &mn, &mx);
			as_buf_add(&c->data, "\t", 1);
			plot_dnum(&c->data, med, "\t");
			plot_dnum(&c->data, mn, "\t");
			plot_dnum(&c->data, mx, "");
			if (k == 0) {
				if (!nout)
					note_missing(r, r->mods.v[m], r->groups.v[g], &why);
			} else {
				any = 1;
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
		reps_said(r, NULL, NULL, reps, sizeof(reps));
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
		int ci = as_table_col(&r->trials, calls[i]);
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
				int n = group_values(r, r->mods.v[m], r->groups.v[g], cols[k], 1.0,
				                     v, 1024);
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
				int n = group_values(r, r->mods.v[m], r->groups.v[g], cols[k], 1.0,
				                     v, 1024);
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
				int n = group_values(r, r->mods.v[m], r->groups.v[g], cols[k], 1.0,
				                     v, 1024);
				has |= plot_reduce(v, n, &med, &mn, &mx) > 0;
				plot_tnum(&row, med);
			}
			as_buf_add(&row, "\n", 1);
			if (has)
				as_buf_add(&c->table, row.data, row.len);
			else
				note_missing(r, r->mods.v[m], r->groups.v[g], &why);
			as_buf_free(&row);
		}
		if (!any || nk == 0) {
			/* no value at all: no completed trial here, or counts n/a;
			 * or every count 0: no bar to draw */
			char line[LABEL + 64];
			int kept = 0;
			for (int i = 0; i < r->nt; i++) {
				kept += r->t[i].kept && !strcmp(r->t[i].glabel, r->groups.v[g]);
			}
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
			reps_said(r, &one, NULL, reps, sizeof(reps));
			plot_sl_free(&one);
			plot_vars_note(&c->vars, reps, &why);
		}
		plot_sl_free(&why);
		plot_vars_str(&c->vars, "TITLE_TEXT", c->title);
	}
}

/* A size sweep: a workload run at three or more values of its `size` param
 * (the article's mmap threshold scenario, the bump/arena size scenario).
 * One series per module (and per other params, e.g. prime=, and threads);
 * against the size: time per op, mmap calls, and the RSS still held at the
 * end of the timed region (after the blocks were freed). Data columns:
 * size_bytes ns_per_op mmap_calls rss_held_mib rss_peak_growth_mib
 * free_p50_ns. */
typedef struct {
	const char *wname; /* the sweep's workload */
	strlist_t keys;    /* params that tell two series apart at one size */
	int mt;            /* its trials have several thread counts */
} sweep_t;

/* Whether rows a and b of the sweep differ in param KEY while they share
 * module and size: then KEY separates series. */
static int separates(const trow_t *a, const trow_t *b, const char *key)
{
	char va[LABEL] = "", vb[LABEL] = "";
	int ha = as_label_param(a->wparams, key, va, sizeof(va)) == 0;
	int hb = as_label_param(b->wparams, key, vb, sizeof(vb)) == 0;
	return !strcmp(a->mlabel, b->mlabel) &&
	       plot_param_size(a->wparams, "size") == plot_param_size(b->wparams, "size") &&
	       (ha != hb || strcmp(va, vb));
}

/* The params of sweep w's workload that separate series: a param that
 * changes only with the size (ops=20000 at 16 B, ops=5000 at 4 KiB) is
 * part of the x value, not of a series. */
static void sweep_keys(const run_t *r, sweep_t *sw)
{
	long thr0 = -1;
	for (int i = 0; i < r->nt; i++) {
		const char *p = r->t[i].wparams;
		if (strcmp(r->t[i].wname, sw->wname))
			continue;
		sw->mt |= thr0 >= 0 && r->t[i].threads != thr0;
		thr0 = r->t[i].threads;
		while (*p) {
			char key[LABEL];
			size_t len = strcspn(p, ",");
			snprintf(key, sizeof(key), "%.*s", (int)strcspn(p, "=,"), p);
			p += len + (p[len] == ',');
			if (!strcmp(key, "size") || plot_sl_find(&sw->keys, key) >= 0)
				continue;
			for (int j = 0; j < r->nt; j++)
				if (!strcmp(r->t[j].wname, sw->wname) &&
				    separates(&r->t[i], &r->t[j], key)) {
					plot_sl_add(&sw->keys, key);
					break;
				}
		}
	}
}

/* Row t's variant in sweep sw: the separating params ("prime=1m", or
 * "no prime" where the row lacks the param) and the threads; "" when
 * the sweep has no variants. One panel column per variant. */
static void variant_key(const sweep_t *sw, const trow_t *t, char *out, size_t len)
{
	size_t w = 0;
	out[0] = '\0';
	for (int k = 0; k < sw->keys.n && w < len; k++) {
		char v[LABEL];
		if (as_label_param(t->wparams, sw->keys.v[k], v, sizeof(v)) == 0)
			w += (size_t)snprintf(out + w, len - w, "%s%s=%s", w ? ", " : "",
			                      sw->keys.v[k], v);
		else
			w += (size_t)snprintf(out + w, len - w, "%sno %s", w ? ", " : "",
			                      sw->keys.v[k]);
	}
	if (sw->mt && w < len)
		snprintf(out + w, len - w, "%s%ld thread%s", w ? ", " : "", t->threads,
		         t->threads == 1 ? "" : "s");
}

/* Row t's series in sweep sw, as the table names it: the module's label,
 * the separating params it has and the threads. */
static void series_key(const run_t *r, const sweep_t *sw, const trow_t *t, char *out, size_t len)
{
	size_t w = (size_t)snprintf(out, len, "%s", plot_mod_show(r, t->mlabel));
	for (int k = 0; k < sw->keys.n && w < len; k++) {
		char v[LABEL];
		if (as_label_param(t->wparams, sw->keys.v[k], v, sizeof(v)) == 0)
			w += (size_t)snprintf(out + w, len - w, " %s=%s", sw->keys.v[k], v);
	}
	if (sw->mt && w < len)
		snprintf(out + w, len - w, ", %ld thread%s", t->threads,
		         t->threads == 1 ? "" : "s");
}

/* The median latency of free (latency.csv p50_ns, kind free) of trial row
 * t; NaN when none of its frees was timed. A free writes no page: its
 * time is the allocator's and the kernel's (munmap), not page faults. */
static double free_p50(const run_t *r, const trow_t *t, double *timed)
{
	const as_table_t *l = &r->latency;
	int ct = as_table_col(l, "trial"), cr = as_table_col(l, "rep");
	int ck = as_table_col(l, "kind"), cp = as_table_col(l, "p50_ns");
	int cn = as_table_col(l, "timed_ops");
	*timed = NAN;
	for (int i = 0; ct >= 0 && cr >= 0 && ck >= 0 && i < NROWS(l); i++)
		if ((long)plot_cellnum(l, i, ct) == t->trial &&
		    (long)plot_cellnum(l, i, cr) == t->rep &&
		    !strcmp(plot_cell(l, i, ck), "free")) {
			*timed = cn >= 0 ? plot_cellnum(l, i, cn) : NAN;
			return plot_cellnum(l, i, cp);
		}
	return NAN;
}

/* The completed trials of sweep sw in variant VKEY of module MLABEL at
 * size SZ, reduced to medians: m[0] ns/op, m[1] mmap calls, m[2] RSS held
 * at the end (MiB), m[3] RSS peak growth (MiB), m[4] free p50 (ns); and
 * m[5], the fewest timed frees of those trials (what each p50 rests on;
 * NaN without them). Returns the number of trials (0: no point); *series
 * gets the table's series label. */
static int sweep_point(const run_t *r, const sweep_t *sw, const char *vkey, const char *mlabel,
                       double sz, double m[6], char *series, size_t slen)
{
	const as_table_t *tc = &r->trials;
	int c_ns = as_table_col(tc, "ns_per_op"), c_mmap = as_table_col(tc, "mmap_calls");
	int c_end = as_table_col(tc, "rss_end_kib"), c_before = as_table_col(tc, "rss_before_kib");
	int c_peak = as_table_col(tc, "rss_peak_kib"), n = 0;
	double v[5][256], a, b, timed;
	m[5] = NAN;
	for (int i = 0; i < r->nt && n < 256; i++) {
		char key[LABEL];
		const trow_t *t = &r->t[i];
		double before;
		if (!t->kept || strcmp(t->wname, sw->wname) || strcmp(t->mlabel, mlabel) ||
		    plot_param_size(t->wparams, "size") != sz)
			continue;
		variant_key(sw, t, key, sizeof(key));
		if (strcmp(key, vkey))
			continue;
		series_key(r, sw, t, series, slen);
		before = plot_cellnum(tc, t->row, c_before);
		v[0][n] = plot_cellnum(tc, t->row, c_ns);
		v[1][n] = plot_cellnum(tc, t->row, c_mmap);
		v[2][n] = (plot_cellnum(tc, t->row, c_end) - before) / 1024.0;
		v[3][n] = (plot_cellnum(tc, t->row, c_peak) - before) / 1024.0;
		v[4][n] = free_p50(r, t, &timed);
		if (!isnan(timed) && !(timed >= m[5]))
			m[5] = timed;
		n++;
	}
	for (int k = 0; k < 5 && n > 0; k++)
		plot_reduce(v[k], n, &m[k], &a, &b);
	return n;
}

/* lo..hi widened to whole decades, for a log axis shared by panels */
static void decades(double *lo, double *hi)
{
	*lo = pow(10, floor(log10(*lo)));
	*hi = pow(10, ceil(log10(*hi * 1.0001)));
}

/* The sweep's variants and modules: the completed rows' variant keys and
 * module labels, in order of first appearance (modules in the run's
 * order); smod gets each module's index in r->mods. */
static void sweep_series(const run_t *r, const sweep_t *sw, strlist_t *vars, strlist_t *mods,
                         int *smod)
{
	for (int i = 0; i < r->nt; i++) {
		char key[LABEL];
		if (!r->t[i].kept || strcmp(r->t[i].wname, sw->wname) ||
		    isnan(plot_param_size(r->t[i].wparams, "size")))
			continue;
		variant_key(sw, &r->t[i], key, sizeof(key));
		if (plot_sl_find(vars, key) < 0 && vars->n < MAXS)
			plot_sl_add(vars, key);
	}
	for (int m = 0; m < r->mods.n; m++)
		for (int i = 0; i < r->nt && mods->n < MAXS; i++)
			if (r->t[i].kept && !strcmp(r->t[i].wname, sw->wname) &&
			    !strcmp(r->t[i].mlabel, r->mods.v[m])) {
				smod[mods->n] = m;
				plot_sl_add(mods, r->mods.v[m]);
				break;
			}
}

/* Sweep sw's chart: one panel column per variant (the params that tell
 * two series of one module apart at one size, e.g. prime=1m, and the
 * threads), one line per module in every panel, so the legend names the
 * modules only (the "threshold_sweep: 20 overlapping series"). The
 * panels of a row share their y range. Data: one block per (variant,
 * module) with points, in that order: variant v's blocks are VB0[v] ..
 * VB1[v], block b is module series BM[b]. */
static void sweep_chart(run_t *r, charts_t *cs, const sweep_t *sw)
{
	strlist_t vars = {0}, mods = {0};
	as_buf_t data = {0}, tab = {0}, blocks = {0};
	/* per measure: smallest positive value (a log axis), smallest, largest */
	double xs[256], lo[5], mn[5], hi[5], fewest = NAN;
	int nx = 0, nb = 0, smod[MAXS];
	chart_t *c;
	for (int k = 0; k < 5; k++)
		lo[k] = mn[k] = INFINITY, hi[k] = -INFINITY;
	sweep_series(r, sw, &vars, &mods, smod);
	for (int i = 0; i < r->nt; i++) {
		double sz = plot_param_size(r->t[i].wparams, "size");
		int seen = 0;
		if (strcmp(r->t[i].wname, sw->wname) || isnan(sz))
			continue;
		for (int z = 0; z < nx; z++)
			seen |= xs[z] == sz;
		if (!seen && nx < 256)
			xs[nx++] = sz;
	}
	qsort(xs, (size_t)nx, sizeof(double), plot_cmp_double);
	as_buf_printf(&tab,
	              "| series | size (bytes) | reps kept | ns/op | free p50 (ns) | timed frees "
	              "(fewest a trial) | mmap calls | RSS held at end (MiB) | RSS peak growth "
	              "(MiB) |\n"
	              "|---|---|---|---|---|---|---|---|---|\n");
	for (int v = 0; v < vars.n; v++) {
		as_buf_printf(&blocks, "VB0[%d]=%d; ", v + 1, nb + 1);
		for (int s = 0; s < mods.n; s++) {
			int npts = 0;
			for (int z = 0; z < nx; z++) {
				char series[2 * LABEL];
				double m[6];
				int n = sweep_point(r, sw, vars.v[v], mods.v[s], xs[z], m, series,
				                    sizeof(series));
				double free_p50_kept;
				if (n == 0)
					continue;
				free_p50_kept = m[4];
				if (!isnan(m[5]) && !(m[5] >= fewest))
					fewest = m[5];
				if (npts++ == 0)
					as_buf_printf(&data, "# %s\n", series);
				/* a free p50 under 1 ns (a tick of the counter, or 0)
				 * is drawn at 1 ns on the log axis, as the latency
				 * charts do; the table keeps it */
				m[4] = m[4] >= 0 && m[4] < 1 ? 1 : m[4];
				for (int k = 0; k < 5; k++) {
					if (m[k] > 0 && m[k] < lo[k])
						lo[k] = m[k];
					if (m[k] < mn[k])
						mn[k] = m[k];
					if (m[k] > hi[k])
						hi[k] = m[k];
				}
				plot_dnum(&data, xs[z], "\t");
				for (int k = 0; k < 5; k++)
					plot_dnum(&data, m[k], k == 4 ? "\n" : "\t");
				as_buf_add(&tab, "|", 1);
				plot_tstr(&tab, series);
				plot_tnum(&tab, xs[z]);
				as_buf_printf(&tab, " %d |", n);
				plot_tnum(&tab, m[0]);
				plot_tnum(&tab, free_p50_kept);
				plot_tnum(&tab, m[5]);
				plot_tnum(&tab, m[1]);
				plot_tnum(&tab, m[2]);
				plot_tnum(&tab, m[3]);
				as_buf_add(&tab, "\n", 1);
			}
			if (npts == 0)
				continue;
			as_buf_add(&data, "\n\n", 2);
			nb++;
			as_buf_printf(&blocks, "BM[%d]=%d; ", nb, s + 1);
		}
		as_buf_printf(&blocks, "VB1[%d]=%d; ", v + 1, nb);
	}
	{
		char stem[160];
		plot_slug(sw->wname, stem, sizeof(stem));
		c = nb > 0 ? plot_new_chart(cs, "sweep", stem, "sweep") : NULL;
	}
	if (c) {
		/* the top row: free's latency where frees were timed (the cost
		 * the threshold is about: a munmap, or a bin), else the time per
		 * op */
		int any_free = hi[4] > 0, k0 = any_free ? 4 : 0, logy;
		/* trials run side by side (--jobs, a suite's memory scenarios)
		 * have no time: no top row, rather than an empty one */
		int has_time = any_free || hi[0] > -INFINITY;
		int mark = xs[nx - 1] >= 65536 && xs[0] <= 262144;
		char note[384], few[96] = "";
		double ylo = lo[k0], yhi = hi[k0];
		logy = plot_spans_decades(ylo, yhi);
		if (logy)
			decades(&ylo, &yhi);
		else
			ylo = mn[k0] < 0 ? mn[k0] : 0;
		snprintf(c->title, sizeof(c->title), "%s: %s%smmap calls, RSS held\n%s",
		         !strcmp(sw->wname, "threshold") ? "mmap threshold sweep" : "Size sweep",
		         !has_time  ? ""
		         : any_free ? "cost of free"
		                    : "time",
		         has_time ? ", " : "", sw->wname);
		as_buf_add(&c->data, data.data, data.len);
		as_buf_add(&c->table, tab.data, tab.len);
		for (int s = 0; s < mods.n; s++) {
			char *show = strdup(plot_mod_show(r, mods.v[s]));
			if (!show)
				abort();
			free(mods.v[s]);
			mods.v[s] = show;
		}
		plot_vars_series(&c->vars, r, &mods, smod);
		/* one column: one block per module, a line may hide another */
		plot_vars_same(&c->vars, &c->data, vars.n == 1 ? mods.n : -1);
		as_buf_printf(
		    &c->vars,
		    "NV=%d; array VTITLE[%d]; array VB0[%d]; array VB1[%d]; array BM[%d]; ", vars.n,
		    vars.n, vars.n, vars.n, nb);
		for (int v = 0; v < vars.n; v++) {
			char name[24];
			snprintf(name, sizeof(name), "VTITLE[%d]", v + 1);
			plot_vars_str(&c->vars, name, vars.v[v]);
		}
		as_buf_add(&c->vars, blocks.data, blocks.len);
		as_buf_printf(&c->vars,
		              "HAS_MMAP=%d; HAS_FREE=%d; HAS_TIME=%d; LOGY=%d; XLO=", hi[1] >= 0,
		              any_free, has_time, logy);
		plot_dnum(&c->vars, xs[0] / 1.4, "; XHI=");
		plot_dnum(&c->vars, xs[nx - 1] * 1.4, "; Y1LO=");
		plot_dnum(&c->vars, ylo < INFINITY ? ylo : 0, "; Y1HI=");
		plot_dnum(&c->vars, yhi > ylo ? yhi * (logy ? 1 : 1.08) : ylo + 1, "; Y2HI=");
		plot_dnum(&c->vars, hi[1] > 0 ? hi[1] * 1.08 : 1, "; Y3LO=");
		plot_dnum(&c->vars, mn[2] < 0 ? mn[2] * 1.08 : 0, "; Y3HI=");
		plot_dnum(&c->vars, hi[2] > 0 ? hi[2] * 1.08 : 1, "; MARK=");
		/* mark 128 KiB only where the sizes reach that far */
		as_buf_printf(&c->vars, "%d; ", mark);
		/* a p50 of a handful of frees is one call's cost, not a median
		 * of many: the threshold scenario times 1 or 2 of 15 frees at
		 * 256 KiB with one call in 64 timed (an outside review) */
		if (any_free && fewest < 10)
			snprintf(few, sizeof(few), "\nas few as %.0f timed free%s a trial (table)",
			         fewest, fewest == 1 ? "" : "s");
		snprintf(note, sizeof(note), "%s%s%s",
		         mark ? "dotted line: 128 KiB, glibc's default M_MMAP_THRESHOLD\n" : "",
		         !has_time ? "no time row: the trials ran side by side (--jobs), untimed"
		         : any_free
		             ? "top row: the median latency of free (under 1 ns drawn at 1 ns)"
		             : "top row: includes writing every page: mostly page-fault cost",
		         few);
		{
			/* the run's modules with no point at any size, and why
			 * (bump out of memory at every size was left out without a
			 * word, its legend entry too) */
			strlist_t why = {0};
			as_buf_t n = {0};
			for (int m = 0; m < r->mods.n; m++) {
				if (plot_sl_find(&mods, plot_mod_show(r, r->mods.v[m])) >= 0)
					continue;
				for (int i = 0; i < r->nt; i++) {
					if (!r->t[i].ok && !strcmp(r->t[i].wname, sw->wname) &&
					    !strcmp(r->t[i].mlabel, r->mods.v[m])) {
						note_missing(r, r->mods.v[m], r->t[i].glabel, &why);
						break;
					}
				}
			}
			as_buf_printf(&n, "%s", note);
			plot_note_text(&n, NULL, &why);
			plot_vars_str(&c->vars, "NOTE", n.data);
			as_buf_free(&n);
			plot_sl_free(&why);
		}
		plot_vars_str(&c->vars, "TITLE_TEXT", c->title);
	}
	as_buf_free(&data);
	as_buf_free(&tab);
	as_buf_free(&blocks);
	plot_sl_free(&vars);
	plot_sl_free(&mods);
}

void plot_chart_sweep(run_t *r, charts_t *cs)
{
	if (r->sweeps.n == 0) {
		plot_skip(cs, "sweep", "no workload was run at three or more values of size=");
		return;
	}
	for (int w = 0; w < r->sweeps.n; w++) {
		sweep_t sw = {r->sweeps.v[w], {0}, 0};
		sweep_keys(r, &sw);
		sweep_chart(r, cs, &sw);
		plot_sl_free(&sw.keys);
	}
}

/* Bytes of RSS per live block: for fixed-size workloads (size= param, and
 * dist= absent or fixed), (rss_peak - rss_before) / blocks, with blocks =
 * live_blocks_peak where the trials have it, else live_bytes_peak / size. */
void plot_chart_metadata(run_t *r, charts_t *cs)
{
	int c_peak = as_table_col(&r->trials, "rss_peak_kib");
	int c_before = as_table_col(&r->trials, "rss_before_kib");
	int c_live = as_table_col(&r->trials, "live_bytes_peak");
	int c_blocks = as_table_col(&r->trials, "live_blocks_peak");
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
		int ok = !r->sweep[g], any = 0;
		for (int i = 0; i < r->nt; i++) {
			char dist[64];
			const trow_t *t = &r->t[i];
			double s;
			if (strcmp(t->glabel, r->groups.v[g]))
				continue;
			s = plot_param_size(t->wparams, "size");
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
		abort();
	for (int g = 0; g < groups.n; g++)
		shows[g] = plot_group_show(r, groups.v[g]);
	plot_cat_ticks(shows, groups.n, ticks, &c->vars);
	for (int g = 0; g < groups.n; g++) {
		plot_dstr(&c->data, ticks[g]);
		for (int m = 0; m < r->mods.n; m++) {
			double v[1024], med, mn, mx, size = NAN, blocks = NAN;
			int n = 0, k;
			for (int i = 0; i < r->nt && n < 1024; i++) {
				const trow_t *t = &r->t[i];
				double rss;
				if (!t->kept || strcmp(t->mlabel, r->mods.v[m]) ||
				    strcmp(t->glabel, groups.v[g]))
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
				note_missing(r, r->mods.v[m], groups.v[g], &why);
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
		reps_said(r, &groups, NULL, reps, sizeof(reps));
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
		ri[j] = -1;
		for (int i = 0; i < r->nt && miss[j]; i++)
			if (!strcmp(r->t[i].wlabel, wlabel) && r->t[i].threads == thr[j] &&
			    !strcmp(r->t[i].mlabel, mod)) {
				if (missing_why(r, mod, r->t[i].glabel, status, sizeof(status),
				                clause, sizeof(clause))) {
					snprintf(key, sizeof(key), "%s\t%s", status, clause);
					ri[j] = plot_sl_add(&reasons, key);
				}
				break;
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

/* Throughput against threads, per workload run at several thread counts. */
/* The scaling chart's below_zero_out: module m's ops_per_sec values v at
 * thr threads below 0 set to NaN, a table row (million ops/s) and a line
 * of the note for them. Returns how many. */
static int scaling_out(const run_t *r, int m, long thr, double *v, int n, as_buf_t *table,
                       strlist_t *why)
{
	double out[1024], med, mn, mx;
	int nout = 0;
	char line[LABEL + 200];
	for (int i = 0; i < n; i++)
		if (v[i] < 0) {
			out[nout++] = v[i];
			v[i] = NAN;
		}
	if (!nout)
		return 0;
	plot_reduce(out, nout, &med, &mn, &mx);
	as_buf_add(table, "|", 1);
	plot_tstr(table, r->mshow[m]);
	as_buf_printf(table, " %ld | not drawn: %d below 0 |", thr, nout);
	plot_tnum(table, med / 1e6);
	plot_tnum(table, mn / 1e6);
	plot_tnum(table, mx / 1e6);
	as_buf_add(table, "\n", 1);
	snprintf(line, sizeof(line),
	         "ops_per_sec below 0 in trials.csv: not a measurement, the table gives it\t%s "
	         "at %ld thread%s",
	         r->mshow[m], thr, thr == 1 ? "" : "s");
	plot_sl_add(why, line);
	return nout;
}

void plot_chart_scaling(run_t *r, charts_t *cs)
{
	strlist_t wls = {0}, why = {0}, nokey = {0};
	char **wshow;
	int ci = as_table_col(&r->trials, "ops_per_sec"), drawn = 0;
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
		abort();
	as_short_labels(wls.v, wls.n, wshow);
	for (int w = 0; w < wls.n; w++) {
		char stem[160];
		long thr[64];
		int nthr = 0;
		chart_t *c;
		for (int i = 0; i < r->nt; i++) {
			int seen = 0;
			if (strcmp(r->t[i].wlabel, wls.v[w]))
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
				int n = 0, k, nout;
				for (int i = 0; i < r->nt && n < 1024; i++) {
					const trow_t *t = &r->t[i];
					if (t->kept && !strcmp(t->mlabel, r->mods.v[m]) &&
					    !strcmp(t->wlabel, wls.v[w]) && t->threads == thr[j])
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
			reps_said(r, NULL, wls.v[w], reps, sizeof(reps));
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
