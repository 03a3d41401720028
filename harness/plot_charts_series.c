/* plot_charts_series.c - the charts drawn from series.csv (RSS, heap vs
 * mmap, cumulative syscalls over ops and time) and from latency.csv and
 * histogram.csv (percentiles, CDF). Rows of those files are matched to
 * trials.csv by (trial, rep) only. Not the trials.csv charts nor drawing. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"
#include "oom.h"

typedef struct {
	long trial, rep;
	const trow_t *t;
	int *rows;
	int n;
} srun_t;

static srun_t *series_runs(run_t *r, int *nout)
{
	const as_table_t *s = &r->series;
	int ct = as_table_col(s, "trial"), cr = as_table_col(s, "rep");
	srun_t *runs = NULL;
	int n = 0, last = -1;
	*nout = 0;
	if (ct < 0 || cr < 0)
		return NULL;
	for (int i = 0; i < NROWS(s); i++) {
		long tr = (long)plot_cellnum(s, i, ct), rp = (long)plot_cellnum(s, i, cr);
		int k = -1;
		if (last >= 0 && runs[last].trial == tr && runs[last].rep == rp)
			k = last;
		for (int j = 0; k < 0 && j < n; j++)
			if (runs[j].trial == tr && runs[j].rep == rp)
				k = j;
		if (k < 0) {
			runs = realloc(runs, (size_t)(n + 1) * sizeof(*runs));
			if (!runs)
				as_oom("plot: series runs", 0);
			runs[n] = (srun_t){tr, rp, plot_find_trial(r, tr, rp), NULL, 0};
			k = n++;
		}
		runs[k].rows = realloc(runs[k].rows, (size_t)(runs[k].n + 1) * sizeof(int));
		if (!runs[k].rows)
			as_oom("plot: series rows", 0);
		runs[k].rows[runs[k].n++] = i;
		last = k;
	}
	*nout = n;
	return runs;
}

static const char *pl[] = {"p50", "p90", "p99", "p99.9", "p99.99", "max"};

/* The "not shown" lines of the run's modules without a series in a chart
 * of group g (plot_note_unshown; FILE: the file the chart reads), after
 * what out has on a line of their own. */
static void unshown_note(const run_t *r, int g, const strlist_t *labels, const char *file,
                         as_buf_t *out)
{
	strlist_t why = {0};
	as_buf_t u = {0};
	plot_note_unshown(r, r->groups.v[g], labels, file, &why);
	plot_note_text(&u, NULL, &why);
	if (u.len)
		as_buf_printf(out, "%s%.*s", out->len ? "\n" : "", (int)u.len, u.data);
	as_buf_free(&u);
	plot_sl_free(&why);
}

/* A sample-path chart's line on what it draws where group g has several
 * kept repetitions: one of them per module, not a median (the bar charts'
 * notes say median), and which (rep[i] for labels->v[i]). Into out
 * (nothing at one repetition). */
static void path_reps_note(const run_t *r, int g, const strlist_t *labels, const long *rep,
                           as_buf_t *out)
{
	strlist_t one = {0};
	int kmin, kmax, nout, same = 1;
	plot_sl_add(&one, r->groups.v[g]);
	plot_reps_count(r, &one, NULL, &kmin, &kmax, &nout);
	plot_sl_free(&one);
	if (kmax <= 1 || labels->n == 0)
		return;
	for (int i = 1; i < labels->n; i++)
		same &= rep[i] == rep[0];
	if (kmin == kmax)
		as_buf_printf(out,
		              "one repetition per module, not a median of the %d kept: ", kmax);
	else
		as_buf_printf(out, "one repetition per module, not a median of the %d to %d kept: ",
		              kmin, kmax);
	if (same) {
		as_buf_printf(out, "the first kept, rep %ld", rep[0]);
	} else {
		as_buf_printf(out, "the first kept (rep");
		for (int i = 0; i < labels->n; i++)
			as_buf_printf(out, "%s %s %ld", i ? "," : "",
			              plot_mod_show(r, labels->v[i]), rep[i]);
		as_buf_printf(out, ")");
	}
}

/* Copy a group's data file and table into chart c, with the series
 * variables (a series hidden under another says so) and the title. */
static void fill_chart(const run_t *r, chart_t *c, const as_buf_t *data, const as_buf_t *tab,
                       const strlist_t *labels)
{
	as_buf_add(&c->data, data->data, data->len);
	as_buf_add(&c->table, tab->data, tab->len);
	plot_vars_series(&c->vars, r, labels, NULL);
	/* per-module panels (heap_mmap) hide nothing under each other */
	if (strcmp(c->script, "heap_mmap"))
		plot_vars_same(&c->vars, data, labels->n);
	plot_vars_str(&c->vars, "TITLE_TEXT", c->title);
}

/* The series.csv columns the series charts read (-1 when absent), and
 * trials.csv's rss_peak_kib and rss_before_kib (VmHWM: the peak that
 * summary.csv and the console give). */
typedef struct {
	int ops, el, rss, heap, mmap, live, sys[6];
	int t_peak, t_before, t_passes;
} scols_t;

/* What one group's sample paths have: heap/mmap, syscalls, elapsed time. */
typedef struct {
	int heap, sys, el;
	double ops;            /* the most ops drawn of any module */
	double sys_lo, sys_hi; /* the smallest and largest positive syscall total */
	as_buf_t passes;       /* "glibc 7, jemalloc 10": modules whose op stream
	                          ran several passes (--min-time), sampled in the
	                          first only */
} shas_t;

/* Per module of group g, its first kept repetition (trow_t) in series.csv:
 * labels gets the module labels, pick the matching runs. */
static void pick_runs(const run_t *r, const srun_t *runs, int nruns, int g, strlist_t *labels,
                      const srun_t **pick)
{
	for (int m = 0; m < r->mods.n && labels->n < MAXS; m++) {
		const srun_t *best = NULL;
		for (int k = 0; k < nruns; k++) {
			const trow_t *t = runs[k].t;
			if (!t || !t->kept || strcmp(t->mlabel, r->mods.v[m]) ||
			    strcmp(t->glabel, r->groups.v[g]))
				continue;
			if (!best || t->rep < best->t->rep)
				best = &runs[k];
		}
		if (!best)
			continue;
		pick[labels->n] = best;
		plot_sl_add(labels, r->mods.v[m]);
	}
}

/* One module's sample path: its block in the data file and its table row
 * (the largest sampled values, the VmHWM growth of trials.csv, the last
 * syscall total). */
static void series_block(const run_t *r, const scols_t *c, const srun_t *sr, const char *label,
                         const char *show, as_buf_t *data, as_buf_t *tab, shas_t *has)
{
	const as_table_t *s = &r->series;
	double rss0 = plot_cellnum(s, sr->rows[0], c->rss);
	double pk = NAN, lpk = NAN, hpk = NAN, mpk = NAN, sysl = NAN, opsl = NAN;
	double passes =
	    sr->t && c->t_passes >= 0 ? plot_cellnum(&r->trials, sr->t->row, c->t_passes) : NAN;
	/* under --min-time the stream runs again after its first pass, which
	 * alone is sampled; the end sample comes after the last pass: a line
	 * to it would cross the unsampled passes (glibc's random: samples to
	 * 2.02 million ops, the end at 14.14 million). The chart ends at the
	 * last sample of the first pass; the table has every sample. */
	int drawn = passes > 1 && sr->n > 2 ? sr->n - 1 : sr->n;
	if (drawn < sr->n)
		as_buf_printf(&has->passes, "%s%s %.0f", has->passes.len ? ", " : "", show, passes);
	as_buf_printf(data, "# %s\n", label);
	for (int j = 0; j < sr->n; j++) {
		int row = sr->rows[j];
		double rss = (plot_cellnum(s, row, c->rss) - rss0) / 1024.0;
		double heap = plot_cellnum(s, row, c->heap) / 1024.0;
		double mm = plot_cellnum(s, row, c->mmap) / 1024.0;
		double live = plot_cellnum(s, row, c->live) / 1048576.0;
		double el = plot_cellnum(s, row, c->el) / 1e6;
		double sc = NAN;
		for (int k = 0; k < 6; k++) {
			double v = plot_cellnum(s, row, c->sys[k]);
			if (!isnan(v))
				sc = isnan(sc) ? v : sc + v;
		}
		opsl = plot_cellnum(s, row, c->ops);
		if (j < drawn) {
			plot_dnum(data, opsl, "\t");
			plot_dnum(data, el, "\t");
			plot_dnum(data, rss, "\t");
			plot_dnum(data, heap, "\t");
			plot_dnum(data, mm, "\t");
			plot_dnum(data, live, "\t");
			plot_dnum(data, sc, "\n");
			if (opsl > has->ops)
				has->ops = opsl;
		}
		has->heap |= !isnan(heap) || !isnan(mm);
		has->sys |= !isnan(sc);
		has->el |= !isnan(el);
		pk = isnan(pk) || rss > pk ? rss : pk;
		lpk = isnan(lpk) || live > lpk ? live : lpk;
		hpk = isnan(hpk) || heap > hpk ? heap : hpk;
		mpk = isnan(mpk) || mm > mpk ? mm : mpk;
		if (!isnan(sc))
			sysl = sc;
	}
	if (sysl > 0 && !(sysl >= has->sys_lo))
		has->sys_lo = sysl;
	if (sysl > 0 && !(sysl <= has->sys_hi))
		has->sys_hi = sysl;
	as_buf_add(data, "\n\n", 2);
	as_buf_add(tab, "|", 1);
	plot_tstr(tab, show);
	as_buf_printf(tab, " %ld | %d |", sr->rep, sr->n);
	plot_tnum(tab, passes);
	plot_tnum(tab, opsl);
	plot_tnum(tab, pk);
	/* VmHWM catches a peak between two samples: glibc's xmalloc 2t was
	 * 0.63 MiB sampled, 0.754 MiB by VmHWM */
	plot_tnum(tab, sr->t ? (plot_cellnum(&r->trials, sr->t->row, c->t_peak) -
	                        plot_cellnum(&r->trials, sr->t->row, c->t_before)) /
	                           1024.0
	                     : NAN);
	plot_tnum(tab, lpk);
	plot_tnum(tab, hpk);
	plot_tnum(tab, mpk);
	plot_tnum(tab, sysl);
	as_buf_add(tab, "\n", 1);
}

/* The four charts of group g that share its data file and table; the ones
 * whose columns the series lacks are skipped with the reason. */
static void series_charts(const run_t *r, charts_t *cs, int g, const as_buf_t *data,
                          const as_buf_t *tab, const strlist_t *labels, const shas_t *has,
                          const char *reps)
{
	static const struct {
		const char *kind, *title;
		int need;  /* 0 none, 1 heap/mmap, 2 syscalls, 3 elapsed */
		int extra; /* repeats another chart's data: with --all-charts */
	} kinds[] = {
	    {"rss_ops", "RSS growth over ops per module, live requested bytes as reference", 0, 0},
	    {"rss_time", "RSS growth over time per module", 3, 1},
	    {"heap_mmap", "brk heap vs mmap resident memory, stacked, over time", 1, 0},
	    {"syscalls_cum", "Cumulative memory system calls over ops", 2, 1},
	};
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		chart_t *c;
		if (kinds[k].extra && !cs->all)
			continue;
		if ((kinds[k].need == 1 && !has->heap) || (kinds[k].need == 2 && !has->sys) ||
		    (kinds[k].need == 3 && !has->el)) {
			char why[LABEL + 64];
			snprintf(why, sizeof(why), "%s: series.csv has no %s", r->gshow[g],
			         kinds[k].need == 1   ? "heap/mmap columns"
			         : kinds[k].need == 2 ? "syscall counts"
			                              : "elapsed_ns");
			plot_skip(cs, kinds[k].kind, why);
			continue;
		}
		c = plot_new_chart(cs, kinds[k].kind, r->gslug[g], kinds[k].kind);
		if (!c)
			break;
		snprintf(c->title, sizeof(c->title), "%s\n%s", kinds[k].title, r->gshow[g]);
		fill_chart(r, c, data, tab, labels);
		/* ops in thousands or millions: plain tick numbers, none rounded
		 * into its neighbour */
		as_buf_printf(&c->vars, "XDIV=%g; ",
		              has->ops >= 1e6   ? 1e6
		              : has->ops >= 1e4 ? 1e3
		                                : 1);
		plot_vars_str(&c->vars, "XUNIT",
		              has->ops >= 1e6   ? " (millions)"
		              : has->ops >= 1e4 ? " (thousands)"
		                                : "");
		as_buf_printf(&c->vars, "LOGY=%d; ", plot_spans_decades(has->sys_lo, has->sys_hi));
		if (has->passes.len || *reps) {
			as_buf_t note = {0};
			as_buf_printf(&note, "%s%s", reps, *reps && has->passes.len ? "\n" : "");
			if (has->passes.len)
				as_buf_printf(
				    &note,
				    "x covers the first pass of the op stream, the one "
				    "sampled; --min-time ran it again, unsampled\n(passes: "
				    "%s; the table's ops and peaks are of every pass)",
				    has->passes.data);
			plot_vars_str(&c->vars, "NOTE", note.data);
			as_buf_free(&note);
		}
	}
}

/* series.csv, one data file per workload group feeding four charts: RSS
 * over ops and over time, brk heap vs mmap stacked, cumulative syscalls.
 * Per module the first completed repetition is drawn (a sample path, not an
 * average). Block columns: ops_done elapsed_ms rss_growth_mib heap_rss_mib
 * mmap_rss_mib live_mib syscalls_cum. */
void plot_chart_series(run_t *r, charts_t *cs)
{
	static const char *sys[] = {"brk_calls",    "mmap_calls",    "munmap_calls",
	                            "mremap_calls", "madvise_calls", "mprotect_calls"};
	const as_table_t *s = &r->series;
	scols_t c;
	srun_t *runs;
	int nruns;

	if (NROWS(s) == 0 && NCOLS(s) == 0) {
		plot_skip(cs, "rss, heap_mmap, syscalls_cum", "no series.csv in this folder");
		return;
	}
	c.ops = as_table_col(s, "ops_done");
	c.el = as_table_col(s, "elapsed_ns");
	c.rss = as_table_col(s, "rss_kib");
	c.heap = as_table_col(s, "heap_rss_kib");
	c.mmap = as_table_col(s, "mmap_rss_kib");
	c.live = as_table_col(s, "live_bytes");
	for (int i = 0; i < 6; i++)
		c.sys[i] = as_table_col(s, sys[i]);
	c.t_peak = plot_tcol(r, "rss_peak_kib");
	c.t_before = plot_tcol(r, "rss_before_kib");
	c.t_passes = plot_tcol(r, "passes");
	if (c.ops < 0 || c.rss < 0) {
		plot_skip(cs, "rss, heap_mmap, syscalls_cum",
		          "series.csv lacks ops_done or rss_kib");
		return;
	}
	runs = series_runs(r, &nruns);
	for (int g = 0; g < r->groups.n; g++) {
		strlist_t labels = {0};
		const srun_t *pick[MAXS];
		as_buf_t data = {0}, tab = {0};
		shas_t has = {0, 0, 0, 0, NAN, NAN, {0}};
		if (r->sweep[g])
			continue;
		pick_runs(r, runs, nruns, g, &labels, pick);
		if (labels.n == 0) {
			plot_sl_free(&labels);
			continue;
		}
		/* "largest sampled": the largest value over the samples the chart
		 * draws; VmHWM: trials.csv's rss_peak_kib - rss_before_kib, the
		 * peak growth summary.csv and the console give */
		as_buf_printf(
		    &tab, "| module | rep | samples | passes | ops | largest sampled RSS growth "
		          "(MiB) | peak RSS growth, VmHWM (MiB) | largest sampled live "
		          "(MiB) | largest sampled brk heap RSS (MiB) | largest sampled "
		          "mmap RSS (MiB) | memory syscalls |\n"
		          "|---|---|---|---|---|---|---|---|---|---|---|\n");
		for (int i = 0; i < labels.n; i++)
			series_block(r, &c, pick[i], labels.v[i], plot_mod_show(r, labels.v[i]),
			             &data, &tab, &has);
		{
			long reps[MAXS];
			as_buf_t note = {0};
			for (int i = 0; i < labels.n; i++)
				reps[i] = pick[i]->t->rep;
			path_reps_note(r, g, &labels, reps, &note);
			unshown_note(r, g, &labels, "series.csv", &note);
			series_charts(r, cs, g, &data, &tab, &labels, &has,
			              note.data ? note.data : "");
			as_buf_free(&note);
		}
		as_buf_free(&data);
		as_buf_free(&tab);
		as_buf_free(&has.passes);
		plot_sl_free(&labels);
	}
	for (int k = 0; k < nruns; k++)
		free(runs[k].rows);
	free(runs);
}

/* Module m's percentiles of op kind `kind` in group g (median over its
 * kept repetitions, max the largest): a data block and a table row. Returns 0, or -1 when it has
 * no such rows. cols: trial, rep, kind, then the six percentile columns. */
static int percentile_row(const run_t *r, int g, int m, const char *kind, const int cols[9],
                          as_buf_t *data, as_buf_t *tab, double *ylo, double *yhi, int *zero)
{
	const as_table_t *l = &r->latency;
	double v[6][256], med[6], mn, mx;
	int n = 0;
	for (int i = 0; i < NROWS(l) && n < 256; i++) {
		if (!plot_kind_row_trial(r, l, i, cols, r->mods.v[m], r->groups.v[g], kind))
			continue;
		for (int p = 0; p < 6; p++)
			v[p][n] = plot_cellnum(l, i, cols[3 + p]);
		n++;
	}
	if (n == 0)
		return -1;
	/* p50 .. p99.99: the median over the repetitions of each one's own
	 * percentile; max: the slowest timed call of any of them (the median
	 * of their maxima hid the one of 202680 ns behind 12200) */
	for (int p = 0; p < 6; p++) {
		plot_reduce(v[p], n, &med[p], &mn, &mx);
		if (p == 5)
			med[p] = mx;
	}
	as_buf_printf(data, "# %s\n", r->mods.v[m]);
	as_buf_add(tab, "|", 1);
	plot_tstr(tab, r->mshow[m]);
	as_buf_printf(tab, " %d |", n);
	/* a percentile under 1 ns net of the harness (0, or a tick of the
	 * counter) has no place on the log axis, whose labels start at 1 ns:
	 * drawn at 1 ns, as latency_cdf does (a chart of zeros alone was
	 * gnuplot's "all points y value undefined"; 0.95 ns drew a "100m"
	 * tick); the table keeps the value */
	for (int p = 0; p < 6; p++) {
		double y = med[p] >= 1 || isnan(med[p]) ? med[p] : 1;
		*zero |= med[p] < 1;
		as_buf_printf(data, "%d\t\"%s\"\t", p, pl[p]);
		plot_dnum(data, y, "\n");
		if (!(y >= *ylo))
			*ylo = y;
		if (!(y <= *yhi))
			*yhi = y;
		plot_tnum(tab, med[p]);
	}
	as_buf_add(tab, "\n", 1);
	as_buf_add(data, "\n\n", 2);
	return 0;
}

/* The latency chart's NOTE: what p50 .. max are, over how many
 * repetitions of group `group` (plot_reps_count), how many the
 * statistics left out as disturbed (their calls are in no figure: the
 * max is the slowest call of the kept ones), and, when `zero`, that a
 * value under 1 ns is drawn at 1 ns (it would read as 1 ns). */
static void latency_note(const run_t *r, int g, const strlist_t *labels, int zero, as_buf_t *vars)
{
	const char *group = r->groups.v[g];
	strlist_t one = {0};
	as_buf_t n = {0};
	int kmin, kmax, nout;
	plot_sl_add(&one, group);
	plot_reps_count(r, &one, NULL, &kmin, &kmax, &nout);
	plot_sl_free(&one);
	if (kmax <= 1)
		as_buf_printf(&n, "p50 .. p99.99 and max: of one repetition");
	else if (kmin == kmax)
		as_buf_printf(&n,
		              "p50 .. p99.99: median over %d repetitions of each one's "
		              "percentile; max: the slowest call of any of them",
		              kmax);
	else
		as_buf_printf(&n,
		              "p50 .. p99.99: median over %d to %d repetitions of each one's "
		              "percentile; max: the slowest call of any of them",
		              kmin, kmax);
	if (nout)
		as_buf_printf(&n, "; %d disturbed repetition%s left out (report.md)", nout,
		              nout == 1 ? "" : "s");
	if (zero)
		as_buf_printf(&n, "; a value under 1 ns (the table has it) is drawn at 1 ns");
	unshown_note(r, g, labels, "latency.csv", &n);
	plot_vars_str(vars, "NOTE", n.data);
	as_buf_free(&n);
}

/* latency.csv: percentiles per op kind (median over the kept reps; max:
 * the largest of theirs), one chart per workload group and kind. */
static void latency_percentiles(run_t *r, charts_t *cs)
{
	static const char *pc[] = {"p50_ns", "p90_ns", "p99_ns", "p99_9_ns", "p99_99_ns", "max_ns"};
	const as_table_t *l = &r->latency;
	strlist_t kinds = {0};
	int cols[9];

	if (NCOLS(l) == 0) {
		plot_skip(cs, "latency", "no latency.csv in this folder");
		return;
	}
	if ((cols[2] = as_table_col(l, "kind")) < 0 || (cols[0] = as_table_col(l, "trial")) < 0 ||
	    (cols[1] = as_table_col(l, "rep")) < 0) {
		plot_skip(cs, "latency", "latency.csv lacks trial, rep or kind");
		return;
	}
	for (int i = 0; i < 6; i++)
		cols[3 + i] = as_table_col(l, pc[i]);
	for (int i = 0; i < NROWS(l); i++)
		plot_sl_add(&kinds, plot_cell(l, i, cols[2]));
	for (int g = 0; g < r->groups.n; g++)
		for (int k = 0; k < kinds.n && !r->sweep[g]; k++) {
			strlist_t labels = {0};
			as_buf_t data = {0}, tab = {0};
			chart_t *c;
			double ylo = NAN, yhi = NAN;
			int zero = 0;
			as_buf_printf(&tab, "| module | reps |");
			for (int p = 0; p < 6; p++)
				as_buf_printf(&tab, " %s%s (ns) |", p < 5 ? "median " : "", pl[p]);
			as_buf_printf(&tab, "\n|---|---|---|---|---|---|---|---|\n");
			for (int m = 0; m < r->mods.n; m++)
				if (percentile_row(r, g, m, kinds.v[k], cols, &data, &tab, &ylo,
				                   &yhi, &zero) == 0)
					plot_sl_add(&labels, r->mods.v[m]);
			if (labels.n > 0 &&
			    (c = plot_new_chart(cs, "latency", r->gslug[g], "latency")) != NULL) {
				snprintf(c->name, sizeof(c->name), "latency-%.100s-%.40s",
				         r->gslug[g], kinds.v[k]);
				snprintf(c->title, sizeof(c->title),
				         "Latency percentiles of %s per module\n%s", kinds.v[k],
				         r->gshow[g]);
				fill_chart(r, c, &data, &tab, &labels);
				as_buf_printf(&c->vars, "YLO=");
				plot_dnum(&c->vars, ylo, "; YHI=");
				plot_dnum(&c->vars, yhi, "; ");
				latency_note(r, g, &labels, zero, &c->vars);
			}
			as_buf_free(&data);
			as_buf_free(&tab);
			plot_sl_free(&labels);
		}
	plot_sl_free(&kinds);
}

/* Module m's CDF of op kind `kind` in group g, from its first ok
 * repetition: a data block and a table row. Returns the bucket count, or
 * -1 when it has no such rows. cols: trial, rep, kind, x (bucket top), y,
 * bucket bottom (-1: absent). */
static int cdf_row(const run_t *r, int g, int m, const char *kind, const int cols[6],
                   as_buf_t *data, as_buf_t *tab, double *xmin, double *xmax, int *tail, long *rep)
{
	const as_table_t *h = &r->hist;
	const trow_t *best = NULL;
	double p50 = NAN, p99 = NAN, last = NAN, prevy = 0, prevx = NAN;
	int nb = 0;
	for (int i = 0; i < NROWS(h); i++) {
		const trow_t *t =
		    plot_kind_row_trial(r, h, i, cols, r->mods.v[m], r->groups.v[g], kind);
		if (t && (!best || t->rep < best->rep))
			best = t;
	}
	if (!best)
		return -1;
	*rep = best->rep;
	as_buf_printf(data, "# %s\n", r->mods.v[m]);
	for (int i = 0; i < NROWS(h); i++) {
		double x, y;
		if ((long)plot_cellnum(h, i, cols[0]) != best->trial ||
		    (long)plot_cellnum(h, i, cols[1]) != best->rep ||
		    strcmp(plot_cell(h, i, cols[2]), kind))
			continue;
		x = plot_cellnum(h, i, cols[3]);
		y = plot_cellnum(h, i, cols[4]);
		/* histogram.csv lists only buckets with calls: over the empty ones
		 * before this bucket the share slower than x stays the one after
		 * the last bucket, up to this bucket's bottom. Without that point
		 * the slowest call's bucket (tail 0 at its top) was never reached:
		 * tcmalloc's free at 2 threads ended at 36.6 us, its slowest call
		 * 1.78 ms */
		if (cols[5] >= 0 && prevy > 0 && prevy < 1) {
			/* at 1 ns at least, as x below: a bottom under 1 ns drawn
			 * where it is went back left of the last point */
			double lo = fmax(plot_cellnum(h, i, cols[5]), 1);
			if (lo > prevx) {
				plot_dnum(data, lo, "\t");
				plot_dnum(data, prevy, "\t");
				plot_dnum(data, 1 - prevy, "\n");
			}
		}
		/* x, the CDF, and the tail: the share of calls slower than x (none
		 * is a missing point on the log axis). Calls under 1 ns net of the
		 * harness (0, or a tick of the counter) have no place on the log
		 * axis: drawn at its left end, 1 ns (latency_tail.gp starts there) */
		if (x < 1)
			x = 1;
		prevx = x;
		plot_dnum(data, x, "\t");
		plot_dnum(data, y, "\t");
		plot_dnum(data, y < 1 ? 1 - y : NAN, "\n");
		nb++;
		*tail += y > 0 && y < 1;
		/* the x range: from the fastest bucket with calls to the slowest */
		if (y > 0 && !(x >= *xmin))
			*xmin = x;
		if (y > prevy && !(x <= *xmax))
			*xmax = x;
		prevy = y;
		if (isnan(p50) && y >= 0.5)
			p50 = x;
		if (isnan(p99) && y >= 0.99)
			p99 = x;
		last = x;
	}
	as_buf_add(data, "\n\n", 2);
	as_buf_add(tab, "|", 1);
	plot_tstr(tab, r->mshow[m]);
	as_buf_printf(tab, " %ld | %d |", best->rep, nb);
	plot_tnum(tab, p50);
	plot_tnum(tab, p99);
	plot_tnum(tab, last);
	as_buf_add(tab, "\n", 1);
	return nb;
}

/* histogram.csv: the CDF of the first ok rep, one chart per workload group
 * and op kind. */
static void latency_cdf(run_t *r, charts_t *cs)
{
	const as_table_t *h = &r->hist;
	strlist_t kinds = {0};
	int cols[6];
	if (NCOLS(h) == 0) {
		plot_skip(cs, "latency_cdf", "no histogram.csv in this folder");
		return;
	}
	cols[0] = as_table_col(h, "trial");
	cols[1] = as_table_col(h, "rep");
	cols[2] = as_table_col(h, "kind");
	cols[3] = as_table_col(h, "bucket_high_ns");
	cols[4] = as_table_col(h, "cum_fraction");
	cols[5] = as_table_col(h, "bucket_low_ns");
	if (cols[2] < 0 || cols[0] < 0 || cols[1] < 0 || cols[3] < 0 || cols[4] < 0) {
		plot_skip(cs, "latency_cdf",
		          "histogram.csv lacks trial, rep, kind, bucket_high_ns or cum_fraction");
		return;
	}
	for (int i = 0; i < NROWS(h); i++)
		plot_sl_add(&kinds, plot_cell(h, i, cols[2]));
	for (int g = 0; g < r->groups.n; g++)
		for (int k = 0; k < kinds.n && !r->sweep[g]; k++) {
			strlist_t labels = {0};
			as_buf_t data = {0}, tab = {0};
			chart_t *c;
			int maxnb = 1, tail = 0;
			long reps[MAXS];
			double xmin = NAN, xmax = NAN;
			as_buf_printf(&tab, "| module | rep | buckets | p50 bucket top (ns) | "
			                    "p99 bucket top (ns) | last bucket top (ns) |\n"
			                    "|---|---|---|---|---|---|\n");
			as_buf_t flat = {0};
			for (int m = 0; m < r->mods.n && labels.n < MAXS; m++) {
				int before = tail;
				int nb = cdf_row(r, g, m, kinds.v[k], cols, &data, &tab, &xmin,
				                 &xmax, &tail, &reps[labels.n]);
				if (nb < 0)
					continue;
				/* every call of this module in one bucket: no share
				 * slower than any x, no curve (nor legend entry) */
				if (tail == before)
					as_buf_printf(&flat, "%s%s", flat.len ? ", " : "",
					              r->mshow[m]);
				plot_sl_add(&labels, r->mods.v[m]);
				if (nb > maxnb)
					maxnb = nb;
			}
			if (labels.n > 0 && tail == 0) {
				/* every timed call in one bucket: 1 - CDF is 0, nothing
				 * to draw on a log axis */
				char why[LABEL + 64];
				snprintf(why, sizeof(why),
				         "%s, %s: every timed call in one latency bucket (too few "
				         "timed: --latency 1 times every op)",
				         r->gshow[g], kinds.v[k]);
				plot_skip(cs, "latency_tail", why);
			} else if (labels.n > 0 &&
			           (c = plot_new_chart(cs, "latency_tail", r->gslug[g],
			                               "latency_tail")) != NULL) {
				snprintf(c->name, sizeof(c->name), "latency_tail-%.100s-%.40s",
				         r->gslug[g], kinds.v[k]);
				snprintf(
				    c->title, sizeof(c->title),
				    "Latency tail of %s per module: share of calls slower than "
				    "x\n%s",
				    kinds.v[k], r->gshow[g]);
				fill_chart(r, c, &data, &tab, &labels);
				/* about 8 points per curve tell the modules apart in grey */
				as_buf_printf(&c->vars,
				              "PEVERY=%d; XMIN=", maxnb / 8 > 1 ? maxnb / 8 : 1);
				plot_dnum(&c->vars, xmin, "; XMAX=");
				plot_dnum(&c->vars, xmax, "; ");
				{
					as_buf_t note = {0};
					path_reps_note(r, g, &labels, reps, &note);
					unshown_note(r, g, &labels, "histogram.csv", &note);
					if (flat.len)
						as_buf_printf(
						    &note,
						    "%snot shown: %s (every timed call in "
						    "one latency bucket: none slower than "
						    "another, no tail; the table has it)",
						    note.len ? "\n" : "", flat.data);
					plot_vars_str(&c->vars, "NOTE", note.data ? note.data : "");
					as_buf_free(&note);
				}
			}
			as_buf_free(&flat);
			as_buf_free(&data);
			as_buf_free(&tab);
			plot_sl_free(&labels);
		}
	plot_sl_free(&kinds);
}

/* latency.csv: percentiles per op kind (median over kept reps, max the
 * largest), one chart per workload group and kind; histogram.csv: the CDF
 * of the first kept rep. */
void plot_chart_latency(run_t *r, charts_t *cs)
{
	latency_percentiles(r, cs);
	latency_cdf(r, cs);
}
