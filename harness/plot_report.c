/* plot_report.c - report.md: a run's context, its failed and skipped
 * trials, every chart with its links and table, and a suite report's head
 * and scenario sections. Builds text only; plot.c writes the file. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "plot_int.h"
#include "reps_agree.h"
#include "resume.h"
#include "oom.h"

void plot_report_context(as_buf_t *b, const run_t *r, const char *h)
{
	const as_table_t *c = &r->context;
	int ck = as_table_col(c, "key"), cv = as_table_col(c, "value"), nw = 0;
	as_buf_printf(b, "%s Context\n\n", h);
	if (ck < 0 || cv < 0) {
		as_buf_printf(b, "No context.csv in this folder.\n\n");
		return;
	}
	for (int i = 0; i < NROWS(c); i++)
		nw += !strncmp(plot_cell(c, i, ck), "warning", 7);
	/* folded: the machine, build and settings matter after the results */
	as_buf_printf(b,
	              "<details><summary>Machine, build and settings: %d rows of context.csv%s"
	              "</summary>\n\n| key | value |\n|---|---|\n",
	              NROWS(c), nw ? ", with warnings" : "");
	for (int i = 0; i < NROWS(c); i++) {
		const char *k = plot_cell(c, i, ck);
		as_buf_add(b, "|", 1);
		if (!strncmp(k, "warning", 7)) {
			char w[300];
			snprintf(w, sizeof(w), "**%s**", k);
			plot_tstr(b, w);
		} else {
			plot_tstr(b, k);
		}
		plot_tstr(b, plot_cell(c, i, cv));
		as_buf_add(b, "\n", 1);
	}
	as_buf_printf(b, "\n</details>\n\n");
}

/* A group of failed or skipped trial rows: one module, status and reason. */
typedef struct fail_group {
	char *module, *status, *reason;
	int rows;
	strlist_t where; /* workloads (run) or scenarios (suite) */
} fail_group_t;

void plot_fails_add(plot_fails_t *f, const run_t *r, const char *scenario)
{
	int cr = plot_tcol(r, "reason"), cs = plot_tcol(r, "status");
	for (int i = 0; i < r->nt; i++) {
		const trow_t *t = &r->t[i];
		const char *mod = plot_mod_show(r, t->mlabel);
		const char *st = plot_cell(&r->trials, t->row, cs);
		const char *why = plot_cell(&r->trials, t->row, cr);
		char g[LABEL + 32];
		fail_group_t *fg = NULL;
		if (t->ok)
			continue;
		for (int k = 0; k < f->n && !fg; k++)
			if (!strcmp(f->g[k].module, mod) && !strcmp(f->g[k].status, st) &&
			    !strcmp(f->g[k].reason, why))
				fg = &f->g[k];
		if (!fg) {
			f->g = realloc(f->g, (size_t)(f->n + 1) * sizeof(*f->g));
			if (!f->g)
				as_oom("plot: failure groups", 0);
			fg = &f->g[f->n++];
			*fg = (fail_group_t){strdup(mod), strdup(st), strdup(why), 0, {0}};
			if (!fg->module || !fg->status || !fg->reason)
				as_oom("plot: failure groups", 0);
		}
		fg->rows++;
		plot_sl_add(&fg->where,
		            scenario ? scenario
		                     : plot_group_show(r, plot_group_of(r, t, g, sizeof(g))));
	}
}

void plot_fails_write(as_buf_t *b, const plot_fails_t *f, const char *where)
{
	if (f->n == 0)
		return;
	as_buf_printf(b,
	              "Failed and skipped trials, one row per module, status and reason (charts "
	              "and tables leave them out; trials.csv has every row):\n\n"
	              "| module | status | reason | rows | %s |\n|---|---|---|---|---|\n",
	              where);
	for (int k = 0; k < f->n; k++) {
		const fail_group_t *fg = &f->g[k];
		as_buf_t w = {0};
		/* a few names, then how many more: the row stays one line */
		for (int i = 0; i < fg->where.n && i < 4; i++)
			as_buf_printf(&w, "%s%s", i ? ", " : "", fg->where.v[i]);
		if (fg->where.n > 4)
			as_buf_printf(&w, " and %d more", fg->where.n - 4);
		as_buf_add(b, "|", 1);
		plot_tstr(b, fg->module);
		plot_tstr(b, fg->status);
		plot_tstr(b, fg->reason);
		as_buf_printf(b, " %d |", fg->rows);
		plot_tstr(b, w.data ? w.data : "");
		as_buf_add(b, "\n", 1);
		as_buf_free(&w);
	}
	as_buf_add(b, "\n", 1);
}

void plot_fails_free(plot_fails_t *f)
{
	for (int k = 0; k < f->n; k++) {
		free(f->g[k].module);
		free(f->g[k].status);
		free(f->g[k].reason);
		plot_sl_free(&f->g[k].where);
	}
	free(f->g);
	memset(f, 0, sizeof(*f));
}

static void report_trials(as_buf_t *b, const run_t *r)
{
	plot_fails_t f = {0};
	int nok = 0, nbad = 0, nout = 0;
	for (int i = 0; i < r->nt; i++) {
		r->t[i].ok ? nok++ : nbad++;
		nout += r->t[i].ok && !r->t[i].kept;
	}
	as_buf_printf(b,
	              "%d trial rows (repetitions included): %d completed, %d failed or "
	              "skipped.",
	              r->nt, nok, nbad);
	if (nout)
		as_buf_printf(b,
		              " %d completed repetition(s) ran while the machine was slow and "
		              "are left out of every median here, by the rule `run` applies to "
		              "its statistics (docs/measure.md; %s).",
		              nout,
		              r->has_summary ? "summary.csv counts them in reps_disturbed"
		                             : "this folder has no summary.csv, whose "
		                               "reps_disturbed would count them");
	as_buf_printf(b, "\n\n");
	plot_fails_add(&f, r, NULL);
	plot_fails_write(b, &f, "workloads");
	plot_fails_free(&f);
}

void plot_report_chart(as_buf_t *b, const chart_t *c, const char *prefix, unsigned fmts,
                       const char *h)
{
	char head[LABEL];
	plot_title_line(c->title, head, sizeof(head));
	as_buf_printf(b, "%s %s\n\n", h, head);
	if (c->drawn) {
		/* the picture: PNG where drawn, else SVG, else the 2x PNG */
		if (fmts & (AS_PLOT_PNG | AS_PLOT_SVG | AS_PLOT_PNG2X))
			as_buf_printf(b, "![%s](%s%s%s)\n\n", head, prefix, c->name,
			              fmts & AS_PLOT_PNG   ? ".png"
			              : fmts & AS_PLOT_SVG ? ".svg"
			                                   : "@2x.png");
		if (fmts & AS_PLOT_PNG2X)
			as_buf_printf(b, "[PNG 2x](%s%s@2x.png) ", prefix, c->name);
		if (fmts & AS_PLOT_SVG)
			as_buf_printf(b, "[SVG](%s%s.svg) ", prefix, c->name);
		if (fmts & AS_PLOT_PDF)
			as_buf_printf(b, "[PDF](%s%s.pdf) ", prefix, c->name);
		as_buf_printf(b, "[data](%sdata/%s.dat)\n\n", prefix, c->name);
	} else {
		as_buf_printf(b, "*Chart not drawn: %s.*\n\n", c->error);
	}
	as_buf_add(b, c->table.data ? c->table.data : "", c->table.len);
	as_buf_add(b, "\n", 1);
}

/* The body of a run's report; links are PREFIX + chart file name. */
void plot_report_body(as_buf_t *b, const run_t *r, const charts_t *cs, const char *prefix,
                      unsigned fmts, const char *h)
{
	char h2[16];
	snprintf(h2, sizeof(h2), "%s#", h);
	as_buf_printf(b, "%s Charts\n\n", h);
	if (cs->n == 0)
		as_buf_printf(b, "None: no chart kind has data here (%s).\n\n",
		              cs->skipped.n ? "see Charts without data" : "nothing to draw");
	for (int i = 0; i < cs->n; i++)
		plot_report_chart(b, &cs->ch[i], prefix, fmts, h2);
	if (cs->left_out.n) {
		as_buf_printf(b, "Charts left out: the scenario's claim is in the charts above; "
		                 "`allocscope plot --all-charts` draws these too:");
		for (int i = 0; i < cs->left_out.n; i++)
			as_buf_printf(b, "%s %s", i ? "," : "", cs->left_out.v[i]);
		as_buf_printf(b, ".\n\n");
	}
	as_buf_printf(b, "%s Trials\n\n", h);
	report_trials(b, r);
	if (cs->skipped.n) {
		as_buf_printf(b, "%s Charts without data\n\n", h);
		for (int i = 0; i < cs->skipped.n; i++)
			as_buf_printf(b, "- %s\n", cs->skipped.v[i]);
		as_buf_add(b, "\n", 1);
	}
}

/* Whether chart c's name starts with KIND followed by '-' or its end. */
static int is_kind(const chart_t *c, const char *kind)
{
	size_t n = strlen(kind);
	return !strncmp(c->name, kind, n) && (c->name[n] == '\0' || c->name[n] == '-');
}

void plot_report_key_chart(as_buf_t *b, const charts_t *cs, const char *prefix, unsigned fmts,
                           const char *metric, const char *details)
{
	/* the chart that shows the scenario's summary metric: the time of a
	 * pass where the metric is one (phase: ns_per_op does not compare its
	 * orders), for a memory metric a size sweep or bytes per block where
	 * there is one, thread scaling for a rate, else the bars of the
	 * metric, else RSS over ops, else the first. Not a sweep or bytes per
	 * block for a time: --all-charts draws them for bump and phase too. */
	const char *order[8] = {NULL};
	int k = 0, pick = -1;
	if (strcasestr(metric, "passes"))
		order[k++] = "pass_time";
	if (strcasestr(metric, "rss")) {
		order[k++] = "sweep";
		order[k++] = "metadata";
	}
	if (strcasestr(metric, "ops_per_sec")) {
		order[k++] = "scaling";
		order[k++] = "throughput";
	} else if (strcasestr(metric, "ns_per_op") || strcasestr(metric, "elapsed")) {
		order[k++] = "time";
	} else if (strcasestr(metric, "rss")) {
		order[k++] = "rss_ops";
	}
	order[k++] = "time";
	for (int o = 0; o < k && pick < 0; o++)
		for (int i = 0; i < cs->n && pick < 0; i++)
			if (is_kind(&cs->ch[i], order[o]))
				pick = i;
	if (pick < 0 && cs->n > 0)
		pick = 0;
	if (pick >= 0)
		plot_report_chart(b, &cs->ch[pick], prefix, fmts, "###");
	as_buf_printf(
	    b, "All %d charts with their tables, the trials and what was skipped: [%s](%s)\n\n",
	    cs->n, details, details);
}

void plot_report_no_gnuplot(as_buf_t *b, const char *dir, const char *out)
{
	as_buf_printf(b, "**Charts not drawn: gnuplot was not found. Install it "
	                 "(apt-get install gnuplot-nox) and run `allocscope plot ");
	as_buf_shell_word(b, dir);
	if (out) {
		as_buf_printf(b, " -o ");
		as_buf_shell_word(b, out);
	}
	as_buf_printf(b, "`.**\n\n");
}

int plot_report_no_trial(as_buf_t *b, const run_t *r)
{
	for (int i = 0; i < r->nt; i++)
		if (r->t[i].ok)
			return 0;
	if (r->nt == 0)
		as_buf_printf(b, "**No trial completed: trials.csv has no trial rows. There is "
		                 "nothing to chart.**\n\n");
	else
		as_buf_printf(b,
		              "**No trial completed: all %d trial rows failed or were skipped "
		              "(their reasons are under Trials). There is nothing to chart.**\n\n",
		              r->nt);
	return 1;
}

/* context.csv's values of KEY, in order, added to l. */
static void context_values(const run_t *r, const char *key, strlist_t *l)
{
	const as_table_t *c = &r->context;
	int ck = as_table_col(c, "key"), cv = as_table_col(c, "value");
	for (int i = 0; ck >= 0 && cv >= 0 && i < NROWS(c); i++)
		if (!strcmp(plot_cell(c, i, ck), key))
			plot_sl_add(l, plot_cell(c, i, cv));
}

/* The repetitions the run asked for per group: context.csv's
 * `repetitions` when it is a number (-r N), 0 when it is auto or absent. */
static long reps_asked(const run_t *r)
{
	strlist_t v = {0};
	long n = 0;
	context_values(r, "repetitions", &v);
	if (v.n == 1) {
		char *end;
		n = strtol(v.v[0], &end, 10);
		if (end == v.v[0] || *end || n < 1)
			n = 0;
	}
	plot_sl_free(&v);
	return n;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

/* Add count t to thr (n of them, at most 64) when new. */
static void add_thread(long *thr, int *n, long t)
{
	for (int i = 0; i < *n; i++)
		if (thr[i] == t)
			return;
	if (*n < 64 && t > 0)
		thr[(*n)++] = t;
}

/* A -t LIST (1,2,4) of a run's arguments into thr (thr_list_t). */
typedef struct {
	long *thr;
	int *n;
} thr_list_t;

static void on_threads(const char *list, void *ctx)
{
	thr_list_t *t = ctx;
	while (*list) {
		char *end;
		long v = strtol(list, &end, 10);
		if (end == list)
			break;
		add_thread(t->thr, t->n, v);
		list = end + (*end == ',');
	}
}

/* The thread counts a `run` was given (-t LIST, -tLIST, --threads LIST,
 * --threads=LIST) added to thr: from its run.args (NUL-separated, as the
 * run parsed them), read by run's own option table. Not from context.csv's
 * command row: its shell words hold an argument such as -o 'x -t 8' whole,
 * which a split on spaces read as -t 8, and once resumed it is `run
 * --resume DIR`, with no -t. A suite's scenario, a replay and tune write
 * their own commands there, and run.args of theirs: none is read. */
static void command_threads(const run_t *r, long *thr, int *n)
{
	strlist_t v = {0};
	context_values(r, "command", &v);
	if (v.n == 1 && !strncmp(v.v[0], "run ", 4)) {
		char argv0[] = "run", **argv = NULL, *text = NULL, err[256];
		thr_list_t acc = {thr, n};
		int argc = as_resume_load_args(r->dir, "run.args", "run", argv0, &argv, &text, err,
		                               sizeof(err));
		if (argc > 0)
			as_cli_option_args(&as_cmd_run, argc, argv, 't', on_threads, &acc);
		free(argv);
		free(text);
	}
	plot_sl_free(&v);
}

/* The rows of each workload label in wls, bucketed once (a counting sort,
 * trials.csv order within a label): workload w's are r->t[rows[k]] for k
 * from first[w] to first[w + 1] - 1. A scan of every row per label was
 * 4 * 10^8 comparisons at 20,000 groups. Returns rows; *first malloc'd. */
static int *rows_by_workload(const run_t *r, const strlist_t *wls, int **first)
{
	int *wof = malloc(((size_t)r->nt + 1) * sizeof(int));
	int *rows = malloc(((size_t)r->nt + 1) * sizeof(int));
	*first = calloc((size_t)wls->n + 2, sizeof(int));
	if (!wof || !rows || !*first)
		as_oom("plot: report workloads", 0);
	for (int i = 0; i < r->nt; i++)
		if ((wof[i] = plot_sl_find(wls, r->t[i].wlabel)) >= 0)
			(*first)[wof[i] + 2]++;
	for (int w = 0; w < wls->n; w++)
		(*first)[w + 2] += (*first)[w + 1];
	for (int i = 0; i < r->nt; i++)
		if (wof[i] >= 0)
			rows[(*first)[wof[i] + 1]++] = i;
	free(wof);
	return rows;
}

int plot_report_incomplete(as_buf_t *b, const run_t *r, int filtered)
{
	strlist_t mods = {0}, wls = {0};
	as_buf_t rows = {0};
	long asked = reps_asked(r), cmd_thr[64];
	int ncmd = 0, ngroups = 0, nshort = 0;
	size_t *grp = malloc(((size_t)r->nt + 1) * sizeof(*grp)); /* a group's rows */
	int *wrows, *wfirst;
	if (!grp)
		as_oom("plot: report groups", 0);
	/* the matrix: every module x workload x threads the run was given
	 * (context.csv; a workload's thread counts are those of its rows and,
	 * for a `run`, of its -t), with what trials.csv has */
	if (!filtered)
		context_values(r, "module", &mods);
	for (int m = 0; m < r->mods.n; m++)
		plot_sl_add(&mods, r->mods.v[m]);
	context_values(r, "workload", &wls);
	for (int i = 0; i < r->nt; i++)
		if (!filtered || plot_sl_find(&mods, r->t[i].mlabel) >= 0)
			plot_sl_add(&wls, r->t[i].wlabel);
	command_threads(r, cmd_thr, &ncmd);
	wrows = rows_by_workload(r, &wls, &wfirst);
	for (int w = 0; w < wls.n; w++) {
		long thr[64];
		int nthr = 0;
		for (int k = 0; k < ncmd; k++)
			add_thread(thr, &nthr, cmd_thr[k]);
		for (int k = wfirst[w]; k < wfirst[w + 1]; k++)
			add_thread(thr, &nthr, r->t[wrows[k]].threads);
		qsort(thr, (size_t)nthr, sizeof(long), cmp_long);
		for (int t = 0; t < nthr; t++)
			for (int m = 0; m < mods.n; m++) {
				int n = 0, nrows;
				const int *in =
				    plot_group_rows(r, plot_group_at(r, wls.v[w], thr[t]), &nrows);
				for (int k = 0; k < nrows; k++) {
					const trow_t *row = &r->t[in[k]];
					if (row->threads == thr[t] &&
					    !strcmp(row->mlabel, mods.v[m]) &&
					    !strcmp(row->wlabel, wls.v[w]))
						grp[n++] = (size_t)row->row;
				}
				ngroups++;
				/* fewer than asked may be the run's rule (a suite's
				 * memory scenario stops at 2 that agree) */
				if (as_reps_group_complete(&r->context, &r->trials, grp, n, asked))
					continue;
				if (nshort++ >= 20)
					continue;
				as_buf_add(&rows, "|", 1);
				plot_tstr(&rows, plot_mod_show(r, mods.v[m]));
				plot_tstr(&rows, wls.v[w]);
				as_buf_printf(&rows, " %ld | %d |\n", thr[t], n);
			}
	}
	free(grp);
	free(wrows);
	free(wfirst);
	if (r->has_summary && nshort == 0) {
		plot_sl_free(&mods);
		plot_sl_free(&wls);
		return 0;
	}
	as_buf_printf(b, "**The run is incomplete:");
	if (!r->has_summary)
		as_buf_printf(b,
		              " this folder has no summary.csv, which a run writes last (an "
		              "interrupted one too): it was killed before its end%s",
		              nshort ? ";" : ".");
	if (nshort && asked)
		as_buf_printf(b,
		              " %d of its %d module x workload x threads groups have fewer "
		              "repetitions than the %ld asked.",
		              nshort, ngroups, asked);
	else if (nshort)
		as_buf_printf(b,
		              " %d of its %d module x workload x threads groups have no "
		              "repetition.",
		              nshort, ngroups);
	as_buf_printf(b, "** Charts and tables show the repetitions there are.\n\n");
	if (nshort) {
		as_buf_printf(b, "| module | workload | threads | repetitions (trials.csv rows) |\n"
		                 "|---|---|---|---|\n");
		as_buf_add(b, rows.data, rows.len);
		if (nshort > 20)
			as_buf_printf(b, "\nand %d more groups.\n", nshort - 20);
		as_buf_add(b, "\n", 1);
	}
	as_buf_free(&rows);
	plot_sl_free(&mods);
	plot_sl_free(&wls);
	return 1;
}

void plot_report_suite_head(as_buf_t *b, const char *name, const char *dir, const char *out,
                            int have_gnuplot, char *const *subs, int n)
{
	as_buf_printf(b, "# allocscope suite report: %s\n\n", name);
	if (!have_gnuplot)
		plot_report_no_gnuplot(b, dir, out);
	as_buf_printf(b, "Verdicts and comparisons first, then one key chart per scenario; "
	                 "each scenario's own report has every chart. ");
	as_buf_printf(b, "Scenarios:");
	for (int i = 0; i < n; i++) {
		char href[PLOT_PATH_MAX];
		if (plot_href(href, sizeof(href), subs[i]) != 0)
			snprintf(href, sizeof(href), "."); /* plot_scenario says it */
		as_buf_printf(b, " [%s](%s/report.md)%s", subs[i], href, i + 1 < n ? "," : "\n\n");
	}
}

void plot_report_scenario(as_buf_t *b, const as_table_t *scen, const char *sub)
{
	static const char *keys[] = {"title", "x", "y", "expected_shape"};
	static const char *names[] = {"What", "x", "y", "Expected shape"};
	as_buf_printf(b, "## Scenario %s\n\n", sub);
	for (int row = 0; row < NROWS(scen); row++) {
		if (strcmp(plot_cell(scen, row, as_table_col(scen, "folder")), sub))
			continue;
		for (int k = 0; k < 4; k++) {
			const char *v = plot_cell(scen, row, as_table_col(scen, keys[k]));
			if (*v)
				as_buf_printf(b, "%s: %s\n\n", names[k], v);
		}
	}
}
