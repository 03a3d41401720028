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

chart_t *plot_new_chart(charts_t *cs, const char *kind, int gi, const char *script)
{
	chart_t *c;
	if (cs->n == MAXCH) {
		plot_skip(cs, kind,
		          "more than " AS_STR(MAXCH) " charts in one folder: the rest left out");
		return NULL;
	}
	c = &cs->ch[cs->n++];
	memset(c, 0, sizeof(*c));
	if (gi >= 0)
		snprintf(c->name, sizeof(c->name), "%s-%d", kind, gi + 1);
	else
		snprintf(c->name, sizeof(c->name), "%s", kind);
	snprintf(c->script, sizeof(c->script), "%s", script);
	return c;
}

void plot_skip(charts_t *cs, const char *kind, const char *why)
{
	char line[LABEL + 64];
	snprintf(line, sizeof(line), "%s: %s", kind, why);
	plot_sl_add(&cs->skipped, line);
}

void plot_free_charts(charts_t *cs)
{
	for (int i = 0; i < cs->n; i++) {
		as_buf_free(&cs->ch[i].data);
		as_buf_free(&cs->ch[i].table);
		as_buf_free(&cs->ch[i].vars);
	}
	plot_sl_free(&cs->skipped);
}

void plot_drop_last(charts_t *cs)
{
	chart_t *c = &cs->ch[--cs->n];
	as_buf_free(&c->data);
	as_buf_free(&c->table);
	as_buf_free(&c->vars);
}

/* Column col (times scale) of the completed trials of module `mod` in
 * group `group`, at most max values into v; returns how many. */
static int group_values(const run_t *r, const char *mod, const char *group, int col, double scale,
                        double *v, int max)
{
	int n = 0;
	for (int i = 0; i < r->nt && n < max; i++) {
		char gl[LABEL + 32];
		const trow_t *t = &r->t[i];
		if (!t->ok || strcmp(t->mlabel, mod) ||
		    strcmp(plot_group_of(r, t, gl, sizeof(gl)), group))
			continue;
		v[n++] = plot_cellnum(&r->trials, t->row, col) * scale;
	}
	return n;
}

/* Clustered bars with min..max error bars from repetitions: for each group
 * (category on x) and module (bars), reduce column COL over ok trials. */
void plot_chart_bars_metric(run_t *r, charts_t *cs, const char *kind, const char *col,
                            const char *what, const char *unit, double scale)
{
	int ci = as_table_col(&r->trials, col);
	double lo = INFINITY, hi = 0;
	int any = 0;
	chart_t *c;
	if (ci < 0) {
		plot_skip(cs, kind, "trials.csv has no column for it");
		return;
	}
	c = plot_new_chart(cs, kind, -1, kind);
	if (!c)
		return;
	snprintf(c->title, sizeof(c->title), "%s per module and workload", what);
	as_buf_printf(&c->table,
	              "| workload | module | reps ok | median %s | min | max |\n"
	              "|---|---|---|---|---|---|\n",
	              unit);
	for (int g = 0; g < r->groups.n; g++) {
		plot_dstr(&c->data, r->groups.v[g]);
		for (int m = 0; m < r->mods.n; m++) {
			double v[1024], med, mn, mx;
			int n = group_values(r, r->mods.v[m], r->groups.v[g], ci, scale, v, 1024),
			    k;
			k = plot_reduce(v, n, &med, &mn, &mx);
			as_buf_add(&c->data, "\t", 1);
			plot_dnum(&c->data, med, "\t");
			plot_dnum(&c->data, mn, "\t");
			plot_dnum(&c->data, mx, "");
			if (k == 0)
				continue;
			any = 1;
			if (mn > 0 && mn < lo)
				lo = mn;
			if (mx > hi)
				hi = mx;
			as_buf_add(&c->table, "|", 1);
			plot_tstr(&c->table, r->groups.v[g]);
			plot_tstr(&c->table, r->mods.v[m]);
			as_buf_printf(&c->table, " %d |", k);
			plot_tnum(&c->table, med);
			plot_tnum(&c->table, mn);
			plot_tnum(&c->table, mx);
			as_buf_add(&c->table, "\n", 1);
		}
		as_buf_add(&c->data, "\n", 1);
	}
	if (!any) {
		plot_drop_last(cs);
		plot_skip(cs, kind, "no completed trial has a value for it");
		return;
	}
	plot_vars_series(&c->vars, &r->mods);
	plot_vars_cats(&c->vars, &c->data);
	as_buf_printf(&c->vars, "LOGY=%d; ", plot_spans_decades(lo, hi));
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
		if (r->sweep[g])
			continue;
		c = plot_new_chart(cs, "syscalls", g, "syscalls");
		double hi = 0;
		int any = 0;
		if (!c)
			return;
		snprintf(c->title, sizeof(c->title), "Memory system calls per module\n%s",
		         r->groups.v[g]);
		as_buf_printf(&c->table, "| module |");
		for (int k = 0; k < nc; k++)
			as_buf_printf(&c->table, " %s |", names[k]);
		as_buf_printf(&c->table, "\n|---|");
		for (int k = 0; k < nc; k++)
			as_buf_printf(&c->table, "---|");
		as_buf_add(&c->table, "\n", 1);
		for (int k = 0; k < nc; k++) {
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
			plot_tstr(&row, r->mods.v[m]);
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
			as_buf_free(&row);
		}
		if (!any) {
			plot_drop_last(cs);
			plot_skip(cs, "syscalls",
			          "syscall counts are n/a in every completed trial");
			return;
		}
		plot_vars_series(&c->vars, &r->mods);
		plot_vars_cats(&c->vars, &c->data);
		as_buf_printf(&c->vars, "LOGY=%d; ", hi > 100);
		plot_vars_str(&c->vars, "TITLE_TEXT", c->title);
	}
}

/* A size sweep: a workload run at three or more values of its `size` param
 * (the article's mmap threshold scenario, the bump/arena size scenario).
 * One series per module (and per other params, e.g. prime=, and threads);
 * against the size: time per op, mmap calls, and the RSS still held at the
 * end of the timed region (after the blocks were freed). Data columns:
 * size_bytes ns_per_op mmap_calls rss_held_mib rss_peak_growth_mib. */
static void series_key(int multi_threads, const trow_t *t, char *out, size_t len)
{
	char rest[LABEL];
	plot_param_drop(t->wparams, "size", rest, sizeof(rest));
	if (multi_threads)
		snprintf(out, len, "%s%s%s, %ld thread%s", t->mlabel, *rest ? " " : "", rest,
		         t->threads, t->threads == 1 ? "" : "s");
	else
		snprintf(out, len, "%s%s%s", t->mlabel, *rest ? " " : "", rest);
}

void plot_chart_sweep(run_t *r, charts_t *cs)
{
	int c_ns = as_table_col(&r->trials, "ns_per_op");
	int c_mmap = as_table_col(&r->trials, "mmap_calls");
	int c_end = as_table_col(&r->trials, "rss_end_kib");
	int c_before = as_table_col(&r->trials, "rss_before_kib");
	int c_peak = as_table_col(&r->trials, "rss_peak_kib");
	if (r->sweeps.n == 0) {
		plot_skip(cs, "sweep", "no workload was run at three or more values of size=");
		return;
	}
	for (int w = 0; w < r->sweeps.n; w++) {
		strlist_t labels = {0};
		as_buf_t data = {0}, tab = {0};
		double xs[256], lo = INFINITY, hi = 0;
		int nx = 0, any_mmap = 0, mt = 0;
		long thr0 = -1;
		chart_t *c;
		for (int i = 0; i < r->nt; i++)
			if (!strcmp(r->t[i].wname, r->sweeps.v[w])) {
				mt |= thr0 >= 0 && r->t[i].threads != thr0;
				thr0 = r->t[i].threads;
			}
		for (int i = 0; i < r->nt; i++) {
			char key[2 * LABEL + 64];
			double sz = plot_param_size(r->t[i].wparams, "size");
			int seen = 0;
			if (strcmp(r->t[i].wname, r->sweeps.v[w]) || isnan(sz))
				continue;
			for (int z = 0; z < nx; z++)
				seen |= xs[z] == sz;
			if (!seen && nx < 256)
				xs[nx++] = sz;
			series_key(mt, &r->t[i], key, sizeof(key));
			if (labels.n < MAXS)
				plot_sl_add(&labels, key);
		}
		qsort(xs, (size_t)nx, sizeof(double), plot_cmp_double);
		as_buf_printf(&tab,
		              "| series | size (bytes) | reps ok | ns/op | mmap calls | RSS held "
		              "at end (MiB) | RSS peak growth (MiB) |\n"
		              "|---|---|---|---|---|---|---|\n");
		for (int s = 0; s < labels.n; s++) {
			as_buf_printf(&data, "# %s\n", labels.v[s]);
			for (int z = 0; z < nx; z++) {
				double vn[256], vm[256], ve[256], vp[256], mn, mm, me, mp, a, b;
				int n = 0;
				for (int i = 0; i < r->nt && n < 256; i++) {
					char key[2 * LABEL + 64];
					const trow_t *t = &r->t[i];
					const as_table_t *tc = &r->trials;
					double before;
					if (!t->ok || strcmp(t->wname, r->sweeps.v[w]) ||
					    plot_param_size(t->wparams, "size") != xs[z])
						continue;
					series_key(mt, t, key, sizeof(key));
					if (strcmp(key, labels.v[s]))
						continue;
					before = plot_cellnum(tc, t->row, c_before);
					vn[n] = plot_cellnum(tc, t->row, c_ns);
					vm[n] = plot_cellnum(tc, t->row, c_mmap);
					ve[n] = (plot_cellnum(tc, t->row, c_end) - before) / 1024.0;
					vp[n] =
					    (plot_cellnum(tc, t->row, c_peak) - before) / 1024.0;
					n++;
				}
				if (n == 0)
					continue;
				plot_reduce(vn, n, &mn, &a, &b);
				plot_reduce(vm, n, &mm, &a, &b);
				plot_reduce(ve, n, &me, &a, &b);
				plot_reduce(vp, n, &mp, &a, &b);
				any_mmap |= !isnan(mm);
				if (mn > 0 && mn < lo)
					lo = mn;
				if (mn > hi)
					hi = mn;
				plot_dnum(&data, xs[z], "\t");
				plot_dnum(&data, mn, "\t");
				plot_dnum(&data, mm, "\t");
				plot_dnum(&data, me, "\t");
				plot_dnum(&data, mp, "\n");
				as_buf_add(&tab, "|", 1);
				plot_tstr(&tab, labels.v[s]);
				plot_tnum(&tab, xs[z]);
				as_buf_printf(&tab, " %d |", n);
				plot_tnum(&tab, mn);
				plot_tnum(&tab, mm);
				plot_tnum(&tab, me);
				plot_tnum(&tab, mp);
				as_buf_add(&tab, "\n", 1);
			}
			as_buf_add(&data, "\n\n", 2);
		}
		c = plot_new_chart(cs, "sweep", w, "sweep");
		if (c) {
			int thr = !strcmp(r->sweeps.v[w], "threshold");
			snprintf(c->title, sizeof(c->title),
			         "%s: time, mmap calls and RSS held against request size\n%s",
			         thr ? "mmap threshold sweep" : "Size sweep", r->sweeps.v[w]);
			as_buf_add(&c->data, data.data, data.len);
			as_buf_add(&c->table, tab.data, tab.len);
			plot_vars_series(&c->vars, &labels);
			/* mark 128 KiB only where the sizes reach that far */
			as_buf_printf(&c->vars, "HAS_MMAP=%d; MARK=%d; LOGY=%d; ", any_mmap,
			              nx > 0 && xs[nx - 1] >= 65536 && xs[0] <= 262144,
			              plot_spans_decades(lo, hi));
			plot_vars_str(&c->vars, "TITLE_TEXT", c->title);
		}
		as_buf_free(&data);
		as_buf_free(&tab);
		plot_sl_free(&labels);
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
	strlist_t groups = {0};
	chart_t *c;
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
			char gl[LABEL + 32], dist[64];
			const trow_t *t = &r->t[i];
			double s;
			if (strcmp(plot_group_of(r, t, gl, sizeof(gl)), r->groups.v[g]))
				continue;
			s = plot_param_size(t->wparams, "size");
			if (plot_param_get(t->wparams, "dist", dist, sizeof(dist)) == 0 &&
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
	c = plot_new_chart(cs, "metadata", -1, "metadata");
	if (!c) {
		plot_sl_free(&groups);
		return;
	}
	snprintf(c->title, sizeof(c->title), "Bytes of RSS per live block per module");
	as_buf_printf(&c->table, "| workload | module | block size (bytes) | blocks | reps ok | "
	                         "RSS bytes per block (median) | min | max |\n"
	                         "|---|---|---|---|---|---|---|---|\n");
	for (int g = 0; g < groups.n; g++) {
		plot_dstr(&c->data, groups.v[g]);
		for (int m = 0; m < r->mods.n; m++) {
			double v[1024], med, mn, mx, size = NAN, blocks = NAN;
			int n = 0, k;
			for (int i = 0; i < r->nt && n < 1024; i++) {
				char gl[LABEL + 32];
				const trow_t *t = &r->t[i];
				double rss;
				if (!t->ok || strcmp(t->mlabel, r->mods.v[m]) ||
				    strcmp(plot_group_of(r, t, gl, sizeof(gl)), groups.v[g]))
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
			as_buf_add(&c->data, "\t", 1);
			plot_dnum(&c->data, med, "\t");
			plot_dnum(&c->data, mn, "\t");
			plot_dnum(&c->data, mx, "");
			if (k == 0)
				continue;
			if (mx > hi)
				hi = mx;
			if (mn > 0 && mn < lo)
				lo = mn;
			as_buf_add(&c->table, "|", 1);
			plot_tstr(&c->table, groups.v[g]);
			plot_tstr(&c->table, r->mods.v[m]);
			plot_tnum(&c->table, size);
			plot_tnum(&c->table, blocks);
			as_buf_printf(&c->table, " %d |", k);
			plot_tnum(&c->table, med);
			plot_tnum(&c->table, mn);
			plot_tnum(&c->table, mx);
			as_buf_add(&c->table, "\n", 1);
		}
		as_buf_add(&c->data, "\n", 1);
	}
	plot_vars_series(&c->vars, &r->mods);
	plot_vars_cats(&c->vars, &c->data);
	as_buf_printf(&c->vars, "LOGY=%d; REF=", plot_spans_decades(lo, hi));
	plot_dnum(&c->vars, same_size ? size0 : NAN, "; ");
	plot_vars_str(&c->vars, "TITLE_TEXT", c->title);
	plot_sl_free(&groups);
}

/* Throughput against threads, per workload run at several thread counts. */
void plot_chart_scaling(run_t *r, charts_t *cs)
{
	strlist_t wls = {0};
	int ci = as_table_col(&r->trials, "ops_per_sec"), drawn = 0;
	if (ci < 0) {
		plot_skip(cs, "scaling", "trials.csv has no ops_per_sec");
		return;
	}
	for (int i = 0; i < r->nt; i++)
		plot_sl_add(&wls, r->t[i].wlabel);
	for (int w = 0; w < wls.n; w++) {
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
		c = plot_new_chart(cs, "scaling", w, "scaling");
		if (!c)
			break;
		snprintf(c->title, sizeof(c->title),
		         "Thread scaling: throughput against threads\n%s", wls.v[w]);
		as_buf_printf(&c->table,
		              "| module | threads | reps ok | ops/s median | min | max |\n"
		              "|---|---|---|---|---|---|\n");
		for (int m = 0; m < r->mods.n; m++) {
			as_buf_printf(&c->data, "# %s\n", r->mods.v[m]);
			for (int j = 0; j < nthr; j++) {
				double v[1024], med, mn, mx;
				int n = 0, k;
				for (int i = 0; i < r->nt && n < 1024; i++) {
					const trow_t *t = &r->t[i];
					if (t->ok && !strcmp(t->mlabel, r->mods.v[m]) &&
					    !strcmp(t->wlabel, wls.v[w]) && t->threads == thr[j])
						v[n++] = plot_cellnum(&r->trials, t->row, ci);
				}
				k = plot_reduce(v, n, &med, &mn, &mx);
				as_buf_printf(&c->data, "%ld\t", thr[j]);
				plot_dnum(&c->data, med, "\t");
				plot_dnum(&c->data, mn, "\t");
				plot_dnum(&c->data, mx, "\n");
				if (k == 0)
					continue;
				as_buf_add(&c->table, "|", 1);
				plot_tstr(&c->table, r->mods.v[m]);
				as_buf_printf(&c->table, " %ld | %d |", thr[j], k);
				plot_tnum(&c->table, med);
				plot_tnum(&c->table, mn);
				plot_tnum(&c->table, mx);
				as_buf_add(&c->table, "\n", 1);
			}
			as_buf_add(&c->data, "\n\n", 2);
		}
		plot_vars_series(&c->vars, &r->mods);
		plot_vars_str(&c->vars, "TITLE_TEXT", c->title);
		drawn = 1;
	}
	if (!drawn)
		plot_skip(cs, "scaling", "no workload was run at two or more thread counts");
	plot_sl_free(&wls);
}
