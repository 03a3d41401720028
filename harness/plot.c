/* plot.c - see plot.h. The entry points: decides whether DIR is a run or a
 * suite, finds gnuplot and the scripts, and for each run folder loads it
 * (plot_data.c), defines its charts (plot_charts*.c), draws them
 * (plot_gnuplot.c) and writes report.md (plot_report.c). Everything visual
 * lives in the gnuplot scripts in plots/. Collects messages; never prints. */
#define _GNU_SOURCE
#include "plot.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plot_int.h"
#include "results_format.h"
#include "oom.h"

/* One as_plot_dir call: the formats, gnuplot and its scripts, and what
 * happened so far. */
typedef struct {
	unsigned fmts;
	int all_charts;
	const char *gnuplot; /* NULL: not found */
	const char *scripts;
	as_buf_t msgs;
	as_plot_result_t *res;
	const char *modules;   /* --modules, or NULL */
	const char *user_vars; /* gnuplot assignments of --width etc. */
	unsigned tables;       /* --tables */
	strlist_t unmatched;   /* --modules entries no scenario so far ran */
	int scenarios;         /* scenarios plotted so far */
	int report_failed;     /* a report.md could not be written (said) */
	const char *out;       /* -o, or NULL */
} plot_t;

static void msg(plot_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void msg(plot_t *p, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	as_buf_printf(&p->msgs, "%s\n", line);
}

/* msg "PATH: rest", the path a shell word (as_path_err): one line */
static void msg_path(plot_t *p, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void msg_path(plot_t *p, const char *path, const char *fmt, ...)
{
	char rest[2048], line[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rest, sizeof(rest), fmt, ap);
	va_end(ap);
	as_path_err(line, sizeof(line), path, "%s", rest);
	msg(p, "%s", line);
}

/* A name in a comma-separated option value and the bits it stands for. */
typedef struct {
	const char *name;
	unsigned bits;
} plot_name_t;

/* LIST (option OPT) into the OR of its names' bits; -1 with a one-line
 * message naming the bad item and the allowed ones. */
static int parse_list(const char *opt, const char *what, const char *list, const plot_name_t *names,
                      size_t nn, unsigned *out, char *err, size_t errlen)
{
	const char *p = list;
	char allowed[256] = "";
	for (size_t k = 0; k < nn; k++)
		snprintf(allowed + strlen(allowed), sizeof(allowed) - strlen(allowed), "%s%s",
		         k ? ", " : "", names[k].name);
	*out = 0;
	while (*p) {
		size_t n = strcspn(p, ","), k = 0;
		while (k < nn && (strlen(names[k].name) != n || strncmp(p, names[k].name, n)))
			k++;
		if (k == nn) {
			snprintf(err, errlen, "option --%s: '%.*s' is not a %s (allowed: %s)", opt,
			         (int)n, p, what, allowed);
			return -1;
		}
		*out |= names[k].bits;
		p += n;
		if (*p == ',')
			p++;
	}
	if (!*out) {
		snprintf(err, errlen, "option --%s: empty list (allowed: %s)", opt, allowed);
		return -1;
	}
	return 0;
}

int as_plot_parse_formats(const char *list, unsigned *out, char *err, size_t errlen)
{
	static const plot_name_t names[] = {{"png", AS_PLOT_PNG},
	                                    {"png2x", AS_PLOT_PNG2X},
	                                    {"svg", AS_PLOT_SVG},
	                                    {"pdf", AS_PLOT_PDF},
	                                    {"all", AS_PLOT_ALL}};
	return parse_list("format", "format", list, names, sizeof(names) / sizeof(names[0]), out,
	                  err, errlen);
}

int as_plot_parse_tables(const char *list, unsigned *out, char *err, size_t errlen)
{
	static const plot_name_t names[] = {{"md", AS_PLOT_TABLE_MD},
	                                    {"tex", AS_PLOT_TABLE_TEX},
	                                    {"all", AS_PLOT_TABLE_MD | AS_PLOT_TABLE_TEX}};
	return parse_list("tables", "table format", list, names, sizeof(names) / sizeof(names[0]),
	                  out, err, errlen);
}

int as_plot_check_font(const char *font, char *err, size_t errlen)
{
	const char *comma = strrchr(font, ',');
	const char *name_end = comma ? comma : font + strlen(font);
	if (comma) {
		char *end;
		long size = strtol(comma + 1, &end, 10);
		if (end == comma + 1 || *end || size < 4 || size > 72) {
			snprintf(err, errlen,
			         "option --font: size '%s' is not a whole number of "
			         "points in 4..72",
			         comma + 1);
			return -1;
		}
	}
	if (name_end == font && !comma) {
		snprintf(err, errlen, "option --font: empty (give NAME, NAME,SIZE or ,SIZE)");
		return -1;
	}
	/* the name goes into a gnuplot string literal and a font list */
	for (const char *p = font; p < name_end; p++)
		if (*p == '\'' || *p == '"' || *p == '\\' || (unsigned char)*p < 32) {
			snprintf(err, errlen,
			         "option --font: '%s': quotes, backslashes and control "
			         "characters are not allowed in a font name",
			         font);
			return -1;
		}
	return 0;
}

/* DIR as a report names it, the same however DIR was typed ("." or a
 * relative or absolute path): its real path in abs, the last part of it
 * in name. DIR as given where it has no real path. */
static void dir_names(const char *dir, char *abs, size_t alen, char *name, size_t nlen)
{
	char real[PATH_MAX];
	const char *base;
	if (!realpath(dir, real))
		snprintf(real, sizeof(real), "%s", dir);
	base = strrchr(real, '/');
	base = base && base[1] ? base + 1 : real;
	snprintf(abs, alen, "%s", real);
	/* the title's name as a shell word: a newline in it would end the
	 * report's heading */
	{
		char *w = as_shell_word(base);
		snprintf(name, nlen, "%s", w);
		free(w);
	}
}

/* Whether the trials ran side by side (--jobs: context.csv
 * `timing_figures` "not written: ..."): elapsed_ns is then wall time on
 * cores another trial shared, no time of the module's. */
static int untimed(const run_t *r)
{
	const as_table_t *c = &r->context;
	int ck = as_table_col(c, "key"), cv = as_table_col(c, "value");
	for (int i = 0; ck >= 0 && cv >= 0 && i < NROWS(c); i++)
		if (!strcmp(plot_cell(c, i, ck), "timing_figures") &&
		    !strncmp(plot_cell(c, i, cv), "not written", 11))
			return 1;
	return 0;
}

/* Every chart kind for run r, in report order. */
static void define_charts(run_t *r, charts_t *cs)
{
	int nok = 0;
	for (int i = 0; i < r->nt; i++)
		nok += r->t[i].ok;
	/* no completed trial: one reason for every kind, not each kind's
	 * guess (a syscall-free region, untimed --jobs trials) */
	if (nok == 0) {
		plot_skip_no_trial(cs, r);
		return;
	}
	/* a scenario whose claim is not drawn as a size sweep (lazy: three
	 * sizes, its claim RSS per requested byte; scenarios.csv charts
	 * rss_ops) draws its groups' own charts: the sweep would not be drawn,
	 * and the full suite's lazy report had no chart at all */
	if (cs->only.n && !cs->all && !plot_kind_named(cs, "sweep") && r->sweeps.n) {
		memset(r->sweep, 0, (size_t)r->groups.n);
		plot_sl_free(&r->sweeps);
	}
	for (int i = 0; i < r->sweeps.n; i++) {
		char why[LABEL];
		snprintf(why, sizeof(why),
		         "%s: run at several sizes; drawn as the size sweep, not one chart "
		         "per size",
		         r->sweeps.v[i]);
		plot_skip(cs, "latency, rss, heap_mmap, syscalls per size", why);
	}
	plot_chart_bars_metric(r, cs, "time", "ns_per_op", NULL, "Time per op", "ns/op", 1.0);
	plot_chart_bars_metric(r, cs, "throughput", "ops_per_sec", NULL, "Throughput", "ops/s", 0);
	/* where ns/op is no measure (phase: a reset is one op, frees one
	 * each), the time of one pass of the same allocations: drawn when a
	 * scenario names it, or with --all-charts */
	if ((cs->all || plot_kind_named(cs, "pass_time")) && untimed(r))
		plot_skip(cs, "pass_time",
		          "trials ran side by side (--jobs): elapsed_ns is wall time on "
		          "shared cores, not a time of the module (context.csv timing_figures)");
	else if (cs->all || plot_kind_named(cs, "pass_time"))
		plot_chart_bars_metric(r, cs, "pass_time", "elapsed_ns", "passes",
		                       "Time per pass of the op stream", "ms", 1e-6);
	plot_chart_latency(r, cs);
	plot_chart_series(r, cs);
	plot_chart_syscalls(r, cs);
	plot_chart_sweep(r, cs);
	plot_chart_metadata(r, cs);
	plot_chart_scaling(r, cs);
}

/* Write report.md and report.html of markdown B into DIR; 0, or -1 (the
 * message added). Both are UTF-8: a name from the folder that is not (a
 * module or folder named in Latin-1) shows its bad bytes as U+FFFD, as
 * the charts and summary.json do (until session 36 they were copied). */
static int write_reports(plot_t *p, const char *dir, const char *title, const as_buf_t *b)
{
	char err[1024];
	as_buf_t md = {0};
	int rc = 0;
	as_buf_add_utf8(&md, b->data ? b->data : "", b->len);
	if (as_write_file_atomic(dir, "report.md", &md, err, sizeof(err)) != 0 ||
	    plot_html_write(dir, title, &md, dir, err, sizeof(err)) != 0) {
		msg(p, "%s", err);
		p->report_failed = 1;
		p->res->files_unwritten++;
		rc = -1;
	}
	as_buf_free(&md);
	return rc;
}

/* Whether LINE is one of the messages so far. */
static int said(const plot_t *p, const char *line)
{
	size_t n = strlen(line);
	for (const char *m = p->msgs.data; m && *m;) {
		const char *nl = strchr(m, '\n');
		if (!nl)
			break;
		if ((size_t)(nl - m) == n && !strncmp(m, line, n))
			return 1;
		m = nl + 1;
	}
	return 0;
}

/* What the charts of DIR came to, in res and messages: a chart's reason
 * once, not again where it is a message already (the chart folder that
 * could not be made: one line, not one per chart). */
static void count_charts(plot_t *p, const char *dir, const charts_t *cs)
{
	for (int i = 0; i < cs->n; i++) {
		if (!cs->ch[i].drawn && p->gnuplot && !said(p, cs->ch[i].error))
			msg_path(p, dir, "chart %s not drawn: %s", cs->ch[i].name, cs->ch[i].error);
		p->res->charts_drawn += cs->ch[i].drawn;
		p->res->charts_not_drawn += !cs->ch[i].drawn;
		p->res->files_unwritten += cs->ch[i].unwritten;
	}
	p->res->charts_skipped += cs->skipped.n;
}

/* A tune folder (DIR/tune.csv next to DIR/replay/): its frontier chart,
 * drawn where the folder's own charts go, and the tune section into b.
 * Nothing when DIR has no tune.csv. */
static as_plot_status_t plot_tune(plot_t *p, const char *dir, const char *out, as_buf_t *b)
{
	charts_t *cs = calloc(1, sizeof(*cs));
	as_buf_t head = {0};
	char chart_dir[PLOT_PATH_MAX], err[1024] = "";
	as_plot_status_t rc = AS_PLOT_OK;
	int k;
	if (!cs)
		as_oom("plot: the tune charts", 0);
	k = plot_tune_define(dir, cs, &head, err, sizeof(err));
	if (k < 0) {
		msg(p, "%s", err);
		rc = AS_PLOT_INCOMPLETE;
	} else if (k > 0) {
		if (plot_path(chart_dir, sizeof(chart_dir), "%s%s", out ? out : dir,
		              out ? "" : "/plots") != 0)
			snprintf(err, sizeof(err), "%s: path too long", dir);
		else if (as_mkdir_p(chart_dir, err, sizeof(err)) == 0)
			plot_draw_charts(cs, chart_dir, p->fmts, p->gnuplot, p->scripts,
			                 p->user_vars, err, sizeof(err));
		if (*err)
			msg(p, "%s", err);
		for (int i = 0; i < cs->n; i++)
			if (!cs->ch[i].drawn && !*cs->ch[i].error)
				snprintf(cs->ch[i].error, sizeof(cs->ch[i].error), "%s", err);
		plot_tune_section(b, dir, &head, cs, out ? "" : "plots/", p->fmts);
		count_charts(p, dir, cs);
		if (p->res->charts_not_drawn)
			rc = AS_PLOT_INCOMPLETE;
	}
	as_buf_free(&head);
	plot_free_charts(cs);
	free(cs);
	return rc;
}

/* Where a suite scenario's part of the suite report goes. */
typedef struct {
	as_buf_t *body;      /* the scenario sections */
	as_buf_t *context;   /* the context, from the first scenario */
	const char *prefix;  /* links from the suite report into the scenario */
	const char *metric;  /* its summary metric (scenarios.csv) */
	const char *report;  /* its own report, relative to the suite report */
	const char *name;    /* the scenario */
	const char *charts;  /* the chart kinds it draws (scenarios.csv); "": all */
	plot_fails_t *fails; /* the failed and skipped trials of every scenario */
} suite_part_t;

/* With --tables: REPORT_DIR/tables/ gets each chart's table (CS, may be
 * NULL) and the verdicts and comparisons (RES). 0, or -1 (message added). */
static int write_tables(plot_t *p, const char *report_dir, const charts_t *cs,
                        const plot_results_t *res, int suite)
{
	char dir[PLOT_PATH_MAX], err[1024];
	static const struct {
		unsigned which;
		const char *name, *caption;
	} results[] = {{PLOT_VERDICTS, "verdicts", "verdicts (verdicts.csv)"},
	               {PLOT_COMPARISONS, "comparisons", "comparisons (comparisons.csv)"}};
	if (!p->tables)
		return 0;
	if (plot_path(dir, sizeof(dir), "%s/tables", report_dir) != 0) {
		msg_path(p, report_dir, "path too long");
		return -1;
	}
	if (as_mkdir_p(dir, err, sizeof(err)) != 0) {
		msg(p, "%s", err);
		return -1;
	}
	for (size_t k = 0; k < sizeof(results) / sizeof(results[0]); k++) {
		as_buf_t md = {0};
		int rc;
		plot_results_table(&md, res, results[k].which, suite);
		rc = plot_tables_write(dir, results[k].name, results[k].caption, &md, p->tables,
		                       err, sizeof(err));
		as_buf_free(&md);
		if (rc != 0) {
			msg(p, "%s", err);
			return -1;
		}
	}
	for (int i = 0; cs && i < cs->n; i++)
		if (plot_tables_write(dir, cs->ch[i].name, cs->ch[i].title, &cs->ch[i].table,
		                      p->tables, err, sizeof(err)) != 0) {
			msg(p, "%s", err);
			return -1;
		}
	return 0;
}

/* A suite scenario's --modules entries that matched nothing: those that
 * matched in no scenario so far stay in p->unmatched. */
static void track_unmatched(plot_t *p, const strlist_t *missing)
{
	if (p->scenarios++ == 0) {
		for (int i = 0; i < missing->n; i++)
			plot_sl_add(&p->unmatched, missing->v[i]);
		return;
	}
	for (int i = 0; i < p->unmatched.n; i++)
		if (plot_sl_find(missing, p->unmatched.v[i]) < 0)
			plot_sl_remove(&p->unmatched, i--);
}

/* Plot one run folder. chart_dir gets the charts; the run's report goes to
 * report_dir/report.md (and .html) with links prefix + name. In a suite,
 * the scenario's key chart goes to sp->body. */
static as_plot_status_t plot_run(plot_t *p, const char *dir, const char *chart_dir,
                                 const char *report_dir, const char *prefix, const suite_part_t *sp)
{
	run_t r;
	charts_t *cs = calloc(1, sizeof(*cs));
	as_buf_t rep = {0};
	plot_results_t res = {.modules = p->modules};
	char err[1024] = "", full[PLOT_PATH_MAX], title[PLOT_PATH_MAX + 32], name[PLOT_PATH_MAX];
	int bad, incomplete;
	as_plot_status_t rc = AS_PLOT_BAD_INPUT;
	if (!cs)
		as_oom("plot: the charts", 0);
	/* a --modules entry must be in a run folder; a suite's scenarios may
	 * each have some of them */
	bad = plot_load_run(&r, dir, p->modules, err, sizeof(err));
	if (bad < 0 || (bad > 0 && !sp)) {
		msg(p, "%s", err);
		goto out_run;
	}
	if (sp)
		track_unmatched(p, &r.missing);
	plot_label_run(&r);
	cs->all = p->all_charts;
	if (sp && !p->all_charts)
		plot_only_kinds(cs, sp->charts);
	define_charts(&r, cs);
	if (as_mkdir_p(chart_dir, err, sizeof(err)) != 0) {
		/* a folder the user may not write (another user's results):
		 * the way out, as for the report */
		if ((errno == EACCES || errno == EROFS) && *prefix) {
			size_t n = strlen(err);
			snprintf(err + n, sizeof(err) - n, " (-o DIR draws them elsewhere)");
		}
		msg(p, "%s", err);
		bad = cs->n;
		for (int i = 0; i < cs->n; i++)
			snprintf(cs->ch[i].error, sizeof(cs->ch[i].error), "%s", err);
	} else {
		bad = plot_draw_charts(cs, chart_dir, p->fmts, p->gnuplot, p->scripts, p->user_vars,
		                       err, sizeof(err));
		if (*err)
			msg(p, "%s", err);
	}
	rc = bad ? AS_PLOT_INCOMPLETE : AS_PLOT_OK;
	dir_names(dir, full, sizeof(full), name, sizeof(name));
	snprintf(title, sizeof(title), "allocscope report: %s", name);
	as_buf_printf(&rep, "# %s\n\n", title);
	if (!p->gnuplot)
		plot_report_no_gnuplot(&rep, full, p->out ? report_dir : NULL);
	incomplete = plot_report_incomplete(&rep, &r, p->modules != NULL);
	if (plot_report_no_trial(&rep, &r)) {
		msg_path(p, dir,
		         "no trial completed: no chart to draw (the report lists the trials)");
		rc = AS_PLOT_INCOMPLETE;
	}
	if (p->modules) {
		as_buf_printf(&rep, "Modules shown (plot --modules):");
		for (int i = 0; i < r.mods.n; i++)
			as_buf_printf(&rep, "%s %s", i ? "," : "", r.mods.v[i]);
		as_buf_printf(&rep, "%s\n\n", r.mods.n ? "" : " none of them ran here");
	}
	/* results first: verdicts and comparisons where the run has them */
	if (plot_results_add(&res, dir, NULL, 0, PLOT_VERDICTS | PLOT_COMPARISONS, err,
	                     sizeof(err)) != 0) {
		msg(p, "%s", err);
		rc = AS_PLOT_INCOMPLETE;
	}
	plot_results_write(&rep, &res, 0);
	if (write_tables(p, report_dir, cs, &res, 0) != 0)
		rc = AS_PLOT_INCOMPLETE;
	plot_report_body(&rep, &r, cs, prefix, p->fmts, "##");
	plot_report_context(&rep, &r, "##");
	if (write_reports(p, report_dir, title, &rep) != 0)
		rc = AS_PLOT_INCOMPLETE;
	if (sp) {
		if (plot_path(full, sizeof(full), "%s%s", sp->prefix, prefix) != 0) {
			msg_path(p, sp->prefix, "path too long");
			rc = AS_PLOT_INCOMPLETE;
		} else {
			/* the suite report says it too, not the scenario's alone */
			if (incomplete)
				as_buf_printf(
				    sp->body,
				    "**This scenario's run is incomplete** (its [report](%s) "
				    "says what is missing).\n\n",
				    sp->report);
			plot_report_key_chart(sp->body, cs, full, p->fmts, sp->metric, sp->report);
		}
		if (sp->context->len == 0)
			plot_report_context(sp->context, &r, "##");
		plot_fails_add(sp->fails, &r, sp->name);
	}
	count_charts(p, dir, cs);
	as_buf_free(&rep);
out_run:
	plot_results_free(&res);
	plot_free_charts(cs);
	free(cs);
	plot_free_labels(&r);
	plot_free_run(&r);
	return rc;
}

static void set_report(plot_t *p, const char *dir)
{
	free(p->res->report);
	if (asprintf(&p->res->report, "%s/report.md", dir) < 0)
		as_oom("plot: report.md path", 0);
}

/* DIR is a run folder. */
static as_plot_status_t plot_one(plot_t *p, const char *dir, const char *out)
{
	char chart_dir[PLOT_PATH_MAX];
	const char *report_dir = out ? out : dir;
	as_plot_status_t rc;
	if (plot_path(chart_dir, sizeof(chart_dir), "%s%s", out ? out : dir, out ? "" : "/plots") !=
	    0) {
		msg_path(p, dir, "path too long");
		return AS_PLOT_BAD_INPUT;
	}
	rc = plot_run(p, dir, chart_dir, report_dir, out ? "" : "plots/", NULL);
	if (rc != AS_PLOT_BAD_INPUT && !p->report_failed)
		set_report(p, report_dir);
	return rc;
}

/* The subfolders of suite folder DIR that are run folders, sorted by name;
 * *n of them. NULL with *n 0 when there are none. */
static char **suite_scenarios(plot_t *p, const char *dir, int *n)
{
	char **subs;
	*n = as_results_run_folders(dir, &subs);
	if (*n < 0) {
		msg_path(p, dir, "cannot read: %s", strerror(errno));
		*n = 0;
	} else if (*n == 0)
		msg(p,
		    "%s: not a results folder (no trials.csv in it or in its "
		    "subfolders)",
		    dir);
	return subs;
}

/* DIR holds run folders but is no suite or tune folder (no scenarios.csv,
 * suite.args or tune.csv: results/, /tmp, a folder of the user's runs;
 * as_results_runs_only, which compare asks too): its subfolders are not
 * plot's to write into, so without -o it says what to plot instead, in one
 * line. AS_PLOT_BAD_INPUT. */
static as_plot_status_t refuse_unmarked(plot_t *p, const char *dir)
{
	char why[1024], first[PLOT_PATH_MAX], *example, *w;
	if (!as_results_runs_only(dir, why, sizeof(why), first, sizeof(first))) {
		msg_path(p, dir, "its run folders changed while plot read it");
		return AS_PLOT_BAD_INPUT;
	}
	if (asprintf(&example, "%s/%s", dir, first) < 0)
		as_oom("plot: a run folder's path", 0);
	w = as_shell_word(example);
	free(example);
	msg_path(p, dir,
	         "%s: plot one of them (allocscope plot %s), or all of them as one report with -o "
	         "OUT",
	         why, w);
	free(w);
	return AS_PLOT_BAD_INPUT;
}

static void free_names(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Whether -o OUT (with SUB: the folder OUT/SUB a suite's scenario SUB
 * goes to) holds results, a run's trials.csv or run folders: plot's
 * charts, data/ and report would go in among them (`plot DIR -o DIR` drew
 * into the run's own folder, `plot A -o B` wrote A's report over B's,
 * `plot RUNS -o RUNS` into each run folder, until session 36). 1 after
 * one line naming it, else 0. */
static int out_holds_results(plot_t *p, const char *dir, const char *out, const char *sub)
{
	char path[PLOT_PATH_MAX], o[AS_SHOW_MAX], sp[AS_SHOW_MAX];
	struct stat a, b;
	as_results_kind_t kind;
	if (plot_path(path, sizeof(path), "%s%s%s", out, sub ? "/" : "", sub ? sub : "") != 0)
		return 0; /* plot_scenario says it */
	if ((kind = as_results_kind(path)) == AS_RESULTS_NONE)
		return 0;
	if (!sub && stat(dir, &a) == 0 && stat(out, &b) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino)
		msg(p,
		    "-o %s: the folder plotted itself: plot's charts and report would be mixed "
		    "with its results; give -o another folder%s",
		    as_show(out, o),
		    kind == AS_RESULTS_SUITE && !as_results_suite_marked(dir)
		        ? ""
		        : ", or leave it out (the charts go to its plots/ folder)");
	else
		msg(p,
		    "-o %s: %s%sa results folder (%s): plot's charts and report would be mixed "
		    "with its results; give -o a folder that holds none",
		    as_show(out, o), sub ? as_show(path, sp) : "", sub ? " is " : "",
		    kind == AS_RESULTS_RUN ? "it has a trials.csv" : "its subfolders hold runs");
	return 1;
}

/* A suite's scenarios.csv (folder, title, x, y, expected_shape) into scen
 * (empty when absent), and subs reordered to follow it. */
static void suite_order(plot_t *p, const char *dir, char **subs, int n, as_table_t *scen)
{
	char path[PLOT_PATH_MAX], err[1024];
	int cf, k = 0;
	if (plot_path(path, sizeof(path), "%s/scenarios.csv", dir) != 0)
		msg_path(p, dir, "path too long (scenario titles left out)");
	else if (plot_table_load(path, scen, err, sizeof(err)) < 0)
		msg(p, "%s (scenario titles left out)", err);
	cf = as_table_col(scen, "folder");
	for (int row = 0; cf >= 0 && row < NROWS(scen); row++)
		for (int i = k; i < n; i++)
			if (!strcmp(subs[i], plot_cell(scen, row, cf))) {
				char *t = subs[k];
				subs[k++] = subs[i];
				subs[i] = t;
				break;
			}
}

/* Scenario SUB of suite DIR: its own report and charts, and its section in
 * the suite report. */
static as_plot_status_t plot_scenario(plot_t *p, const char *dir, const char *out, const char *sub,
                                      as_buf_t *body, as_buf_t *context, const as_table_t *scen,
                                      plot_fails_t *fails)
{
	char path[PLOT_PATH_MAX], chart_dir[PLOT_PATH_MAX], report_dir[PLOT_PATH_MAX];
	char sp[PLOT_PATH_MAX], rp[PLOT_PATH_MAX], href[PLOT_PATH_MAX], err[1024];
	char metric[2048] = "";
	const char *charts = "";
	suite_part_t part;
	if (plot_path(path, sizeof(path), "%s/%s", dir, sub) != 0 ||
	    plot_path(report_dir, sizeof(report_dir), "%s/%s", out ? out : dir, sub) != 0 ||
	    plot_path(chart_dir, sizeof(chart_dir), "%s%s", report_dir, out ? "" : "/plots") != 0 ||
	    plot_href(href, sizeof(href), sub) != 0 ||
	    plot_path(sp, sizeof(sp), "%s/", href) != 0 ||
	    plot_path(rp, sizeof(rp), "%s/report.md", href) != 0) {
		msg(p, "%s/%s: path too long", out ? out : dir, sub);
		return AS_PLOT_BAD_INPUT;
	}
	if (as_mkdir_p(report_dir, err, sizeof(err)) != 0) {
		msg(p, "%s", err);
		return AS_PLOT_INCOMPLETE;
	}
	/* what the scenario measures: its y and summary metric; the charts
	 * that show its claim (a scenarios.csv without the column: all) */
	for (int row = 0; row < NROWS(scen); row++)
		if (!strcmp(plot_cell(scen, row, as_table_col(scen, "folder")), sub)) {
			snprintf(metric, sizeof(metric), "%s %s",
			         plot_cell(scen, row, as_table_col(scen, "summary_metric")),
			         plot_cell(scen, row, as_table_col(scen, "y")));
			charts = plot_cell(scen, row, as_table_col(scen, "charts"));
		}
	plot_report_scenario(body, scen, sub);
	part = (suite_part_t){body, context, sp, metric, rp, sub, charts, fails};
	return plot_run(p, path, chart_dir, report_dir, out ? "" : "plots/", &part);
}

/* DIR is a suite folder: every subfolder with a trials.csv is a scenario.
 * The suite report: verdicts and comparisons, one key chart per scenario,
 * the context. */
static as_plot_status_t plot_suite(plot_t *p, const char *dir, const char *out)
{
	as_buf_t suite = {0}, body = {0}, context = {0};
	as_table_t scen = {0};
	plot_fails_t fails = {0};
	plot_results_t res = {.modules = p->modules};
	char err[1024], title[PLOT_PATH_MAX + 32], abs[PLOT_PATH_MAX], name[PLOT_PATH_MAX];
	int n;
	char **subs = suite_scenarios(p, dir, &n);
	as_plot_status_t rc = AS_PLOT_OK;
	if (n == 0)
		return AS_PLOT_BAD_INPUT;
	/* before anything is drawn: OUT/SUB gets scenario SUB's files */
	for (int i = 0; out && i < n; i++)
		if (out_holds_results(p, dir, out, subs[i])) {
			free_names(subs, n);
			return AS_PLOT_BAD_INPUT;
		}
	suite_order(p, dir, subs, n, &scen);
	dir_names(dir, abs, sizeof(abs), name, sizeof(name));
	snprintf(title, sizeof(title), "allocscope suite report: %s", name);
	plot_report_suite_head(&suite, name, abs, out, p->gnuplot != NULL, subs, n);
	rc = plot_tune(p, dir, out, &suite); /* a tune folder's conclusion first */
	/* the suite's verdicts.csv, else its scenarios'; their comparisons */
	if (plot_results_add(&res, dir, NULL, 1, PLOT_VERDICTS | PLOT_COMPARISONS, err,
	                     sizeof(err)) != 0) {
		msg(p, "%s", err);
		rc = AS_PLOT_INCOMPLETE;
	}
	for (int i = 0; i < n; i++) {
		char sub[PLOT_PATH_MAX];
		if (plot_path(sub, sizeof(sub), "%s/%s", dir, subs[i]) == 0 &&
		    plot_results_add(&res, sub, subs[i], 1,
		                     (res.nv ? 0 : PLOT_VERDICTS) | PLOT_COMPARISONS, err,
		                     sizeof(err)) != 0) {
			msg(p, "%s", err);
			rc = AS_PLOT_INCOMPLETE;
		}
	}
	plot_results_write(&suite, &res, 1);
	for (int i = 0; i < n; i++) {
		as_plot_status_t r1 =
		    plot_scenario(p, dir, out, subs[i], &body, &context, &scen, &fails);
		if (r1 > rc)
			rc = r1;
	}
	as_buf_add(&suite, body.data ? body.data : "", body.len);
	if (fails.n) {
		/* one short section for the suite, not one table per scenario */
		as_buf_printf(&suite, "## Failed and skipped trials\n\n");
		plot_fails_write(&suite, &fails, "scenarios");
	}
	as_buf_add(&suite, context.data ? context.data : "", context.len);
	if (write_tables(p, out ? out : dir, NULL, &res, 1) != 0 && rc < AS_PLOT_INCOMPLETE)
		rc = AS_PLOT_INCOMPLETE;
	if (p->unmatched.n) {
		msg(p, "option --modules: '%s' ran in no scenario of %s", p->unmatched.v[0], dir);
		rc = AS_PLOT_BAD_INPUT;
	}
	if (write_reports(p, out ? out : dir, title, &suite) != 0)
		rc = rc > AS_PLOT_INCOMPLETE ? rc : AS_PLOT_INCOMPLETE;
	else
		set_report(p, out ? out : dir);
	free_names(subs, n);
	as_buf_free(&suite);
	as_buf_free(&body);
	as_buf_free(&context);
	as_table_free(&scen);
	plot_results_free(&res);
	plot_fails_free(&fails);
	return rc;
}

/* The gnuplot assignments of --width, --height, --font and --title (see
 * plots/style.gp), set after each chart's own variables. */
static void user_vars(as_buf_t *v, const as_plot_opts_t *o)
{
	if (!o)
		return;
	if (o->width > 0)
		as_buf_printf(v, "UW=%d; ", o->width);
	if (o->height > 0)
		as_buf_printf(v, "UH=%d; ", o->height);
	if (o->font && *o->font) {
		const char *comma = strrchr(o->font, ',');
		char name[256];
		snprintf(name, sizeof(name), "%.*s",
		         (int)(comma ? (size_t)(comma - o->font) : strlen(o->font)), o->font);
		if (*name)
			plot_vars_str(v, "FONTNAME", name);
		if (comma)
			as_buf_printf(v, "FONTSIZE=%ld; ", strtol(comma + 1, NULL, 10));
	}
	if (o->title)
		plot_vars_str(v, "TITLE_TEXT", o->title);
	if (v->len)
		as_buf_add(v, "\n", 1);
}

as_plot_status_t as_plot_dir(const char *dir, const as_plot_opts_t *opts, as_plot_result_t *res)
{
	const char *out = opts ? opts->out_dir : NULL;
	const char *gpname = getenv("ALLOCSCOPE_GNUPLOT");
	char gp[PLOT_PATH_MAX], scripts[PLOT_PATH_MAX], err[1024];
	plot_t p = {opts && opts->formats ? opts->formats : AS_PLOT_PNG,
	            opts ? opts->all_charts : 0,
	            NULL,
	            scripts,
	            {0},
	            res,
	            opts ? opts->modules : NULL,
	            NULL,
	            opts ? opts->tables : 0,
	            {0},
	            0,
	            0,
	            out};
	as_buf_t uv = {0};
	struct stat st;
	as_results_kind_t kind;
	as_plot_status_t rc;

	memset(res, 0, sizeof(*res));
	user_vars(&uv, opts);
	p.user_vars = uv.data;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		msg_path(&p, dir, "not a folder");
		rc = AS_PLOT_BAD_INPUT;
	} else if (plot_find_scripts(scripts, sizeof(scripts)) != 0) {
		msg(&p,
		    "gnuplot scripts (style.gp) not found in $ALLOCSCOPE_PLOTS_DIR, " AS_SOURCE_DIR
		    "/plots or " AS_INSTALL_PLOTS_DIR);
		rc = AS_PLOT_INCOMPLETE;
	} else if ((kind = as_results_kind(dir)) == AS_RESULTS_NONE) {
		char why[256];
		msg_path(&p, dir, "%s", as_results_none_why(dir, why, sizeof(why)));
		rc = AS_PLOT_BAD_INPUT;
	} else if (kind == AS_RESULTS_SUITE && !out && !as_results_suite_marked(dir)) {
		rc = refuse_unmarked(&p, dir);
	} else if (out && out_holds_results(&p, dir, out, NULL)) {
		rc = AS_PLOT_BAD_INPUT;
	} else if (out && as_mkdir_p(out, err, sizeof(err)) != 0) {
		/* a bad -o, before anything is drawn: until session 34 exit 1,
		 * and -o FILE was a line per chart and report not written */
		msg(&p, "-o %s", err);
		rc = AS_PLOT_BAD_INPUT;
	} else if (access(out ? out : dir, W_OK | X_OK) != 0) {
		/* a colleague's results, a read-only mount: one line before
		 * anything is drawn (until session 35 a line for the charts'
		 * folder and one for the report, exit 1) */
		if (out)
			msg(&p, "-o %s: cannot write in it: %s", out, strerror(errno));
		else
			msg_path(&p, dir,
			         "cannot write in it: %s (-o DIR draws the charts and report "
			         "elsewhere)",
			         strerror(errno));
		rc = AS_PLOT_BAD_INPUT;
	} else {
		if (plot_find_in_path(gpname && *gpname ? gpname : "gnuplot", gp, sizeof(gp)) == 0)
			p.gnuplot = gp;
		else {
			char *dir_w = as_shell_word(dir), *out_w = out ? as_shell_word(out) : NULL;
			msg(&p,
			    "gnuplot not found (apt-get install gnuplot-nox): charts not drawn, "
			    "results in %s untouched; run `allocscope plot %s%s%s` once it is "
			    "installed",
			    dir_w, dir_w, out_w ? " -o " : "", out_w ? out_w : "");
			free(dir_w);
			free(out_w);
		}
		rc = kind == AS_RESULTS_RUN ? plot_one(&p, dir, out) : plot_suite(&p, dir, out);
	}
	res->messages = p.msgs.data;
	as_buf_free(&uv);
	plot_sl_free(&p.unmatched);
	return rc;
}

void as_plot_result_free(as_plot_result_t *res)
{
	free(res->report);
	free(res->messages);
	memset(res, 0, sizeof(*res));
}
