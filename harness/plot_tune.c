/* plot_tune.c - a tune folder's part of the report: `allocscope tune`
 * writes tune.csv, frontier.csv and (with --verify) verify.csv next to its
 * replay/ run folder. From those files alone: the frontier chart (each
 * configuration's median time against its median peak RSS growth, the
 * Pareto frontier drawn and labelled, the baseline and the recommendation
 * marked) and the section that says what was recommended and whether the
 * real program bore it out. The replay run is plotted as any run. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"
#include "oom.h"

static double num(const as_table_t *t, int row, const char *col)
{
	return plot_cellnum(t, row, as_table_col(t, col));
}

/* "1.23x (95 % CI 1.01-1.40)" into b; "n/a" without a value. */
static void ratio_text(as_buf_t *b, double r, double lo, double hi)
{
	if (isnan(r))
		as_buf_printf(b, "n/a");
	else if (isnan(lo))
		as_buf_printf(b, "%.2fx", r);
	else
		as_buf_printf(b, "%.2fx (%.2f-%.2f)", r, lo, hi);
}

/* One configuration: a row of the chart's data file. SIDE: its label
 * above (1) or below (-1) the point, alternating along the frontier so
 * that neighbours' labels do not overlap. */
static void data_row(as_buf_t *d, const as_table_t *t, int i, const char *shown, int side)
{
	plot_dnum(d, num(t, i, "elapsed_ns_median") / 1e6, " ");
	plot_dnum(d, num(t, i, "rss_growth_kib_median") / 1024, " ");
	as_buf_printf(d, "%d %d %d \"", num(t, i, "frontier") == 1, num(t, i, "recommended") == 1,
	              i == 0);
	for (const char *s = shown; *s; s++)
		if (*s != '"' && *s != '\\' && *s != '\n')
			as_buf_add(d, s, 1);
	as_buf_printf(d, "\" %d\n", side);
}

/* One configuration: a row of the table under the chart. */
static void table_row(as_buf_t *b, const as_table_t *t, int i, const char *full)
{
	as_buf_t cellb = {0};
	as_buf_add(b, "|", 1);
	plot_tstr(b, full);
	plot_tnum(b, num(t, i, "reps_ok"));
	plot_tnum(b, num(t, i, "elapsed_ns_median") / 1e6);
	plot_tnum(b, num(t, i, "rss_growth_kib_median") / 1024);
	plot_tnum(b, num(t, i, "syscalls_total_median"));
	ratio_text(&cellb, num(t, i, "time_ratio"), num(t, i, "time_ratio_ci95_low"),
	           num(t, i, "time_ratio_ci95_high"));
	plot_tstr(b, i == 0 ? "baseline" : cellb.data);
	cellb.len = 0;
	ratio_text(&cellb, num(t, i, "rss_ratio"), num(t, i, "rss_ratio_ci95_low"),
	           num(t, i, "rss_ratio_ci95_high"));
	plot_tstr(b, i == 0 ? "baseline" : cellb.data);
	as_buf_printf(b, " %s%s", num(t, i, "frontier") == 1 ? "frontier" : "",
	              num(t, i, "recommended") == 1 ? " **recommended**" : "");
	if (*as_table_str(t, (size_t)i, "eliminated_by")) {
		cellb.len = 0;
		as_buf_printf(&cellb, "eliminated early by %s",
		              as_table_str(t, (size_t)i, "eliminated_by"));
		plot_tstr(b, cellb.data);
		as_buf_add(b, "\n", 1);
	} else {
		as_buf_add(b, " |\n", 3);
	}
	as_buf_free(&cellb);
}

/* Indexes of the frontier rows, by time: the staircase's order. */
static int frontier_by_time(const as_table_t *t, int *idx)
{
	int k = 0;
	for (int i = 0; i < NROWS(t); i++) {
		double ti = num(t, i, "elapsed_ns_median");
		int j;
		if (num(t, i, "frontier") != 1)
			continue;
		for (j = k++; j > 0 && num(t, idx[j - 1], "elapsed_ns_median") > ti; j--)
			idx[j] = idx[j - 1];
		idx[j] = i;
	}
	return k;
}

/* What the section says before the chart: the recommendation with its
 * gains against the baseline (row 0, glibc's defaults). */
static void head_text(as_buf_t *h, const as_table_t *t, char *const *full, int nfront)
{
	int rec = -1;
	for (int i = 0; i < NROWS(t); i++)
		if (num(t, i, "recommended") == 1)
			rec = i;
	as_buf_printf(h,
	              "%d configurations replayed the trace (tune.csv); on the "
	              "Pareto frontier of time against peak RSS growth (frontier.csv): %d, those "
	              "that no other "
	              "configuration is at least as fast and as small, and better on one. "
	              "Ratios are medians against glibc's defaults with bootstrap 95 %% CIs.\n\n",
	              NROWS(t), nfront);
	if (rec < 0) {
		as_buf_printf(h, "**No recommendation**: no configuration fits the memory budget "
		                 "(--max-rss).\n\n");
	} else if (rec == 0) {
		as_buf_printf(h, "**Recommended: keep glibc's defaults** (the baseline): no "
		                 "configuration is shown to gain at least 5 %% on the objective "
		                 "(p < 0.05 and a 95 %% CI below 1; tune.json `kept_because` says "
		                 "whether more replays could tell).\n\n");
	} else {
		as_buf_printf(h, "**Recommended: `%s`**: time ", full[rec]);
		ratio_text(h, num(t, rec, "time_ratio"), num(t, rec, "time_ratio_ci95_low"),
		           num(t, rec, "time_ratio_ci95_high"));
		as_buf_printf(h, ", peak RSS growth ");
		ratio_text(h, num(t, rec, "rss_ratio"), num(t, rec, "rss_ratio_ci95_low"),
		           num(t, rec, "rss_ratio_ci95_high"));
		as_buf_printf(h, " of glibc's defaults.\n\n");
	}
}

/* What the tune replayed, for the chart alone to say: the file name of
 * the trace its replay/ folder ran (context.csv's workload row,
 * trace:file=PATH), into out; "" when that folder does not say. */
static void replayed(const char *dir, char *out, size_t len)
{
	char path[PLOT_PATH_MAX], err[256], file[PLOT_PATH_MAX];
	as_table_t t = {0};
	int ck, cv;
	*out = '\0';
	if (plot_path(path, sizeof(path), "%s/replay/context.csv", dir) != 0 ||
	    plot_table_load(path, &t, err, sizeof(err)) != 0)
		return;
	ck = as_table_col(&t, "key");
	cv = as_table_col(&t, "value");
	for (int i = 0; ck >= 0 && cv >= 0 && i < NROWS(&t) && !*out; i++) {
		const char *v = plot_cell(&t, i, cv), *params = strchr(v, ':'), *slash;
		if (strcmp(plot_cell(&t, i, ck), "workload") || !params ||
		    as_label_param(params + 1, "file", file, sizeof(file)) != 0)
			continue;
		slash = strrchr(file, '/');
		snprintf(out, len, "%s", slash ? slash + 1 : file);
	}
	as_table_free(&t);
}

int plot_tune_define(const char *dir, charts_t *cs, as_buf_t *head, char *err, size_t errlen)
{
	static const char *const need[] = {
	    "module",   "module_params", "elapsed_ns_median", "rss_growth_kib_median",
	    "frontier", "recommended"};
	char path[PLOT_PATH_MAX];
	as_table_t t = {0};
	char **full = NULL, **shown = NULL;
	int *idx = NULL, n, nf, rc;
	double tmin = NAN, tmax = NAN;
	chart_t *c;
	if (plot_path(path, sizeof(path), "%s/tune.csv", dir) != 0) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	rc = plot_table_load(path, &t, err, errlen);
	if (rc != 0)
		return rc > 0 ? 0 : -1;
	for (size_t k = 0; k < sizeof(need) / sizeof(need[0]); k++)
		if (as_table_col(&t, need[k]) < 0) {
			snprintf(err, errlen, "%s: no column %s (not written by allocscope tune?)",
			         path, need[k]);
			as_table_free(&t);
			return -1;
		}
	n = NROWS(&t);
	full = calloc((size_t)n + 1, sizeof(char *));
	shown = calloc((size_t)n + 1, sizeof(char *));
	idx = calloc((size_t)n + 1, sizeof(int));
	if (!full || !shown || !idx)
		as_oom("plot: tune labels", 0);
	for (int i = 0; i < n; i++) {
		const char *params = as_table_str(&t, (size_t)i, "module_params");
		double tm = num(&t, i, "elapsed_ns_median") / 1e6;
		if (asprintf(&full[i], "%s%s%s", as_table_str(&t, (size_t)i, "module"),
		             *params ? ":" : "", params) < 0)
			as_oom("plot: tune labels", 0);
		tmin = isnan(tmin) || tm < tmin ? tm : tmin;
		tmax = isnan(tmax) || tm > tmax ? tm : tmax;
	}
	as_short_labels(full, n, shown);
	nf = frontier_by_time(&t, idx);
	c = n ? plot_new_chart(cs, "frontier", NULL, "frontier") : NULL;
	if (c) {
		char trace[200];
		replayed(dir, trace, sizeof(trace));
		snprintf(c->title, sizeof(c->title),
		         "Tune: replay time against peak RSS growth\n%s%s%d configurations, %d on "
		         "the frontier",
		         trace, *trace ? ": " : "", n, nf);
		as_buf_printf(&c->data, "# allocscope tune: index 0 every configuration, index 1 "
		                        "the frontier by time\n# time_ms rss_mib frontier "
		                        "recommended baseline label label_side\n");
		for (int i = 0; i < n; i++)
			data_row(&c->data, &t, i, shown[i], 1);
		as_buf_printf(&c->data, "\n\n");
		for (int k = 0; k < nf; k++)
			data_row(&c->data, &t, idx[k], shown[idx[k]], k % 2 ? -1 : 1);
		as_buf_printf(
		    &c->table,
		    "| configuration | reps ok | time ms | RSS growth MiB | syscalls | "
		    "time vs glibc | RSS vs glibc | |\n|---|---|---|---|---|---|---|---|\n");
		for (int i = 0; i < n; i++)
			table_row(&c->table, &t, i, full[i]);
		plot_vars_str(&c->vars, "TITLE_TEXT", c->title);
		plot_vars_str(&c->vars, "NOTE",
		              "point: a configuration's medians over its replays (those off the "
		              "frontier are named in the table); frontier: no other point is at "
		              "least as good on both and better on one");
		as_buf_printf(&c->vars, "LOGX=%d; ", plot_spans_decades(tmin, tmax));
		head_text(head, &t, full, nf);
	}
	for (int i = 0; i < n; i++) {
		free(full[i]);
		free(shown[i]);
	}
	free(full);
	free(shown);
	free(idx);
	as_table_free(&t);
	return c != NULL;
}

/* verify.csv: the real program under the baseline and the recommendation. */
static void verify_text(as_buf_t *b, const char *dir)
{
	char path[PLOT_PATH_MAX], err[1024];
	as_table_t v = {0};
	if (plot_path(path, sizeof(path), "%s/verify.csv", dir) != 0 ||
	    plot_table_load(path, &v, err, sizeof(err)) != 0) {
		as_buf_printf(b, "Not verified on the real program (no verify.csv: run `tune "
		                 "--verify -- PROG ARGS`).\n\n");
		as_table_free(&v);
		return;
	}
	as_buf_printf(b, "### On the real program (verify.csv)\n\n"
	                 "The program itself run under glibc's defaults and under the "
	                 "recommendation, interleaved; medians, min-max, the ratio predicted for "
	                 "the program (its median under glibc's defaults changed by what the "
	                 "allocator's changed in replay) and replay's own.\n\n| metric | "
	                 "baseline | recommended | ratio (95 %% CI) | predicted | replay's ratio | "
	                 "prediction |\n|---|---|---|---|---|---|---|\n");
	for (int i = 0; i < NROWS(&v); i++) {
		as_buf_t cellb = {0};
		as_buf_add(b, "|", 1);
		plot_tstr(b, as_table_str(&v, (size_t)i, "metric"));
		as_buf_printf(b, " %.4g (%.4g-%.4g) | %.4g (%.4g-%.4g) |",
		              num(&v, i, "baseline_median"), num(&v, i, "baseline_min"),
		              num(&v, i, "baseline_max"), num(&v, i, "recommended_median"),
		              num(&v, i, "recommended_min"), num(&v, i, "recommended_max"));
		ratio_text(&cellb, num(&v, i, "ratio"), num(&v, i, "ratio_ci95_low"),
		           num(&v, i, "ratio_ci95_high"));
		plot_tstr(b, cellb.data);
		cellb.len = 0;
		/* a folder of before session 35 has no program_ratio: n/a */
		ratio_text(&cellb, num(&v, i, "program_ratio"), num(&v, i, "program_ci95_low"),
		           num(&v, i, "program_ci95_high"));
		plot_tstr(b, cellb.data);
		cellb.len = 0;
		ratio_text(&cellb, num(&v, i, "predicted_ratio"), num(&v, i, "predicted_ci95_low"),
		           num(&v, i, "predicted_ci95_high"));
		plot_tstr(b, cellb.data);
		as_buf_printf(b, " %s |\n",
		              num(&v, i, "holds") == 1 ? "holds" : "**does not hold**");
		as_buf_free(&cellb);
	}
	as_buf_add(b, "\n", 1);
	as_table_free(&v);
}

void plot_tune_section(as_buf_t *b, const char *dir, const as_buf_t *head, const charts_t *cs,
                       const char *prefix, unsigned fmts)
{
	as_buf_printf(b, "## Tune: the allocator and settings for this program\n\n");
	as_buf_add(b, head->data ? head->data : "", head->len);
	for (int i = 0; i < cs->n; i++)
		plot_report_chart(b, &cs->ch[i], prefix, fmts, "###");
	verify_text(b, dir);
}
