/* plot_charts_sweep.c - the size sweep charts: a workload run at three or
 * more values of its size= param, each module's time per op, mmap calls
 * and RSS held against the size. Not the other trials.csv charts
 * (plot_charts.c) nor the drawing. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"
#include "oom.h"

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
	int c_ns = plot_tcol(r, "ns_per_op"), c_mmap = plot_tcol(r, "mmap_calls");
	int c_end = plot_tcol(r, "rss_end_kib"), c_before = plot_tcol(r, "rss_before_kib");
	int c_peak = plot_tcol(r, "rss_peak_kib"), n = 0;
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
		for (int s = 0; s < mods.n; s++)
			plot_sl_put(&mods, s, plot_mod_show(r, mods.v[s]));
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
						plot_note_missing(r, r->mods.v[m], r->t[i].glabel,
						                  &why);
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
