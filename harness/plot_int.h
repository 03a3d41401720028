/* plot_int.h - private to the plot_*.c files: the loaded run (trials.csv
 * rows with the labels charts group by), the prepared charts, and the
 * helpers the files share. Not for code outside plot*.c; see plot.h. */
#ifndef AS_PLOT_INT_H
#define AS_PLOT_INT_H

#include <stddef.h>

#include "labels.h"
#include "plot.h"
#include "results.h"
#include "trials_read.h"

#define MAXS       64   /* series (modules) per chart */
#define MAXCH      1024 /* charts per run */
#define AS_STR_(x) #x
#define AS_STR(x)  AS_STR_(x)
#define LABEL      512

#define PLOT_PATH_MAX 4096 /* a longer path is refused, never cut */

#ifndef AS_SOURCE_DIR
#define AS_SOURCE_DIR "."
#endif
#ifndef AS_INSTALL_PLOTS_DIR
#define AS_INSTALL_PLOTS_DIR "/usr/local/share/allocscope/plots"
#endif

#define NROWS(t) ((int)(t)->nrows)
#define NCOLS(t) ((int)(t)->ncols)

/* Distinct strings in order of addition (plot_sl_add). From SL_INDEX_MIN
 * entries on, a hash of them too, so that a run's 20,000 groups are found
 * without comparing each with every other (docs/measure.md "plot's name
 * lookups"). Change v only through plot_sl_add, plot_sl_put and
 * plot_sl_remove, which keep or drop the hash. */
typedef struct {
	char **v;
	int n;
	int *slot, nslot; /* open addressing: i + 1 for v[i], 0 empty; nslot 0:
	                     none yet, -1: none (plot_sl_put, plot_sl_remove) */
} strlist_t;

/* One trials.csv row, with the labels charts group by. The identity of a
 * row of series.csv, latency.csv or histogram.csv is always taken from
 * here through its (trial, rep), never from that file's own key text. */
typedef struct {
	long trial, rep;
	/* the labels, cut as char[LABEL] and char[128] would (one copy of
	 * each distinct text in run_t's pool): they were those arrays in
	 * every row, 1.8 KB a row, 1.8 GB of plot's 2.5 GB peak on a million
	 * rows (docs/measure.md "plot on a million rows") */
	const char *mlabel;  /* module[:params], at most LABEL - 1 bytes */
	const char *mbase;   /* module name (at most 127): picks the colour */
	const char *wlabel;  /* workload[:params], at most LABEL - 1 */
	const char *wname;   /* at most 127 */
	const char *wparams; /* at most LABEL - 1 */
	const char *glabel;  /* plot_group_of's text for the row, once: charts
	                        compare it per row per module and group */
	long threads;
	int ok;   /* status ok */
	int kept; /* ok and kept by the statistics: a repetition the machine
	             disturbed is left out of every median here as in
	             summary.csv (disturb.h, as_table_disturbed) */
	int row;
	int g, m; /* its group's index in run_t.groups, its module's in mods */
} trow_t;

/* Distinct strings, each held once (trow_t's labels); a hash of them. */
typedef struct {
	char **s;
	int n, cap;
	int *slot, nslot; /* open addressing: i + 1 for s[i], 0 empty */
} strpool_t;

typedef struct {
	const char *dir;
	as_table_t trials, context, series, latency, hist;
	/* the statistics' verdict (AS_DIST_*) on each of ndist trials.csv
	 * rows, until the rows are built */
	unsigned char *dist;
	size_t ndist;
	trow_t *t;
	int nt;
	strpool_t pool;    /* the texts t's labels point to */
	strlist_t mods;    /* module labels in order of first appearance, or of
	                      the --modules list */
	strlist_t missing; /* --modules entries that matched no row */
	strlist_t groups;  /* "workload label" or "workload label, N threads" */
	/* the rows of each group, bucketed once: group g's are t[grow[k]]
	 * for k from gfirst[g] to gfirst[g + 1] - 1, in trials.csv order, so
	 * that a chart reads its group's rows, not every row per module and
	 * group (docs/measure.md "plot and resume on a million rows") */
	int *grow, *gfirst;
	int multi_threads; /* the run has several thread counts, or one
	                      other than 1: groups name their threads */
	int has_summary;   /* DIR/summary.csv exists: the run reached its end
	                      (an interrupted one too) */
	char *sweep;       /* per group: part of a size= sweep (drawn by threshold) */
	strlist_t sweeps;  /* workload names run at three or more size= values */
	/* plot_labels.c: what charts call each module and group */
	char **mshow; /* per module: shortest distinguishing label */
	int *mstyle;  /* per module: its linetype in plots/style.gp */
	char **gshow; /* per group: shortest distinguishing label */
	char **gslug; /* per group: file-name stem, unique in the run */
} run_t;

typedef struct {
	char name[160];  /* file stem */
	char script[32]; /* plots/SCRIPT.gp */
	char title[LABEL];
	as_buf_t data, table, vars;
	char error[LABEL]; /* why it was not drawn, when drawn == 0 */
	int drawn;
	int unwritten; /* its data file or a chart file could not be written whole */
} chart_t;

typedef struct {
	chart_t ch[MAXCH];
	int n;
	strlist_t skipped;  /* "chart kind: reason" lines */
	int all;            /* also the charts that repeat others' data */
	strlist_t only;     /* the kinds to draw (a suite scenario's charts);
	                       empty: every kind */
	strlist_t left_out; /* kinds not drawn because `only` lacks them */
} charts_t;

/* ---- plot_data.c: reading a run folder, reducing rows ---- */

/* Read PATH into t: 0; 1 when the file does not exist (t left empty); -1
 * with "PATH: reason" in err. */
int plot_table_load(const char *path, as_table_t *t, char *err, size_t errlen);
/* Index of trials.csv column NAME in r->trials, -1 when the file has none.
 * plot keeps only the columns plot_data.c's trials_keep names: a NAME not
 * there aborts (a chart would say the folder lacks it). */
int plot_tcol(const run_t *r, const char *name);
/* Cell text by column index ("" for a missing column, col < 0). */
const char *plot_cell(const as_table_t *t, int row, int col);
/* Cell as a number: NaN when the column is missing, the cell is empty (n/a)
 * or not a number. */
double plot_cellnum(const as_table_t *t, int row, int col);

/* Index of s in l, or -1. */
int plot_sl_find(const strlist_t *l, const char *s);
/* Index of s, added at the end when new. */
int plot_sl_add(strlist_t *l, const char *s);
/* v[i] replaced by a copy of s (which may then be in l twice). */
void plot_sl_put(strlist_t *l, int i, const char *s);
/* v[i] freed, the last entry moved into its place. */
void plot_sl_remove(strlist_t *l, int i);
void plot_sl_free(strlist_t *l);

int plot_cmp_double(const void *a, const void *b);
/* Median, min and max of the non-NaN values; all NaN when there are none.
 * Sorts v. Returns the count used. */
int plot_reduce(double *v, int n, double *med, double *lo, double *hi);

/* The params string without key K. */
void plot_param_drop(const char *params, const char *key, char *out, size_t outlen);
/* A size param ("128k") in bytes; NaN when absent or malformed. */
double plot_param_size(const char *params, const char *key);

/* Load DIR's CSV files and build the rows, groups and sweeps; with MODULES
 * (a --modules list, else NULL) only those modules' rows, in that order,
 * and the entries that matched nothing in r->missing. Returns 0; 1 when
 * some entries matched nothing (r is usable; err says which and what the
 * folder has); or -1 with one line in err (not a results folder,
 * unreadable, too new, a malformed list). The caller frees r with
 * plot_free_run either way. */
int plot_load_run(run_t *r, const char *dir, const char *modules, char *err, size_t errlen);
void plot_free_run(run_t *r);
/* The group label of row t ("workload label[, N threads]") in out. */
const char *plot_group_of(const run_t *r, const trow_t *t, char *out, size_t len);
/* The pool's copy of s (a row's mlabel, mbase, wlabel, wname, wparams or
 * glabel equals s exactly when it is this pointer), or NULL when no row
 * has that text. */
const char *plot_pool_find(const run_t *r, const char *s);

/* Index of group label GROUP in r->groups, or -1. */
int plot_group_index(const run_t *r, const char *group);
/* Index in r->groups of the group that the rows of workload label WLABEL
 * at THREADS threads belong to (every such row is in it), or -1 when no
 * group has that label. Its rows may be of other workloads only where
 * labels were cut: check wlabel and threads on them. */
int plot_group_at(const run_t *r, const char *wlabel, long threads);
/* The rows of group g (indexes into r->t, in trials.csv order), *n of
 * them; none for g < 0. */
const int *plot_group_rows(const run_t *r, int g, int *n);

/* The trials.csv row of (trial, rep), or NULL. */
const trow_t *plot_find_trial(const run_t *r, long trial, long rep);
/* The completed trial a per-op-kind row (latency.csv, histogram.csv)
 * belongs to when it is of module `mod`, group `group` and op kind `kind`;
 * NULL otherwise. cols: the trial, rep and kind columns of tb. */
const trow_t *plot_kind_row_trial(const run_t *r, const as_table_t *tb, int i, const int cols[3],
                                  const char *mod, const char *group, const char *kind);

/* ---- plot_text.c: numbers and labels in data files, tables, variables ---- */

/* "FMT" into out: 0, or -1 when it does not fit (a path is never cut). */
int plot_path(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A number for a data file: gnuplot reads "NaN" as a missing point. */
void plot_dnum(as_buf_t *b, double v, const char *sep);
/* A number for a Markdown table. */
void plot_tnum(as_buf_t *b, double v);
/* Markdown cell text: pipes escaped. */
void plot_tstr(as_buf_t *b, const char *s);
/* A chart's title (two lines: what, and the group) on one line, the
 * lines joined by " — " (a heading, a table's caption). */
void plot_title_line(const char *title, char *out, size_t len);
/* A gnuplot single-quoted string literal of text shown in a chart: a
 * byte that is not UTF-8 becomes U+FFFD (an SVG must be UTF-8). */
void plot_gstr(as_buf_t *b, const char *s);
/* A category label inside a data file (xtic), broken into short lines. */
void plot_dstr(as_buf_t *b, const char *s);
/* The same label on one line (the last column of a bar chart's data: its
 * rotated form). */
void plot_dstr_line(as_buf_t *b, const char *s);
/* NAME='s'; (s as plot_gstr writes it) */
void plot_vars_str(as_buf_t *v, const char *name, const char *s);
/* NAME='path'; with the path's bytes as they are (a file gnuplot opens) */
void plot_vars_path(as_buf_t *v, const char *name, const char *path);
/* PATH as a link target in report.md: a byte that is not UTF-8, a space,
 * '%', a parenthesis etc. as %XX. 0, or -1 when it does not fit in len. */
int plot_href(char *out, size_t len, const char *path);
/* The path of link target HREF (n bytes, as plot_href wrote it): %XX as
 * its byte. 0, or -1 when it does not fit in len. */
int plot_href_path(char *out, size_t len, const char *href, size_t n);
/* Bar chart layout: NCAT, NLINES, LINECH (longest line of a label). */
void plot_vars_cats(as_buf_t *v, const as_buf_t *data);
/* Whether values in [lo, hi] span more than a factor of 100: log axis. */
int plot_spans_decades(double lo, double hi);
/* Series drawn exactly under an earlier one: where data has one block per
 * series (NS of them, in TITLE order) and block j's points equal block
 * i's (i < j), TITLE[j] gets " (same as TITLE[i])"; never where block
 * j has no point at all (NaN only: nothing is drawn, under nothing). After
 * plot_vars_series. */
void plot_vars_same(as_buf_t *v, const as_buf_t *data, int ns);

/* ---- plot_labels.c: names and styles ---- */

/* File-name stem of a label (letters, digits, '.', '_'; '-' for the rest). */
void plot_slug(const char *s, char *out, size_t len);
/* Fill r->mshow, mstyle, gshow, gslug; free them with plot_free_labels. */
void plot_label_run(run_t *r);
void plot_free_labels(run_t *r);
/* The display label of module label / group label (itself when unknown). */
const char *plot_mod_show(const run_t *r, const char *mlabel);
const char *plot_group_show(const run_t *r, const char *glabel);
/* Series variables NS, TITLE[], LT[]. mod: each series' index in r->mods,
 * or NULL when the labels are module labels (shown by plot_mod_show). */
void plot_vars_series(as_buf_t *v, const run_t *r, const strlist_t *labels, const int *mod);
/* Tick labels of a bar chart's categories (show[0..n-1], display labels):
 * one workload's name and the keys every category sets go to the x axis
 * label (variable XLABEL, written to vars); ticks[i] malloc'd. */
void plot_cat_ticks(const char *const *show, int n, char **ticks, as_buf_t *vars);

/* ---- plot_charts.c, plot_charts_sweep.c, plot_charts_series.c: chart
 * definitions ---- */

/* The next chart slot, named KIND[-STEM]; NULL (and a skip line) when the
 * folder has MAXCH charts already. */
chart_t *plot_new_chart(charts_t *cs, const char *kind, const char *stem, const char *script);
/* Draw only the kinds in comma-separated LIST (empty: every kind). */
void plot_only_kinds(charts_t *cs, const char *list);
/* Record "KIND: WHY" under "Charts without data" (KIND may list several
 * kinds, comma-separated: not recorded when `only` has none of them). */
void plot_skip(charts_t *cs, const char *kind, const char *why);
/* A run without a completed trial: every chart kind drawn here (those of
 * `only`, with `all` the extra ones) on one "Charts without data" line
 * that says so, in place of each kind's own reason. */
void plot_skip_no_trial(charts_t *cs, const run_t *r);
/* Give back the last chart slot (it had no data). */
void plot_drop_last(charts_t *cs);
void plot_free_charts(charts_t *cs);

/* Bars of column COL times SCALE, over column PER unless it is NULL (a
 * suite's pass_time: elapsed_ns per pass); SCALE 0: a per-second rate
 * shown in millions, thousands or ones of UNIT, whichever fits. */
void plot_chart_bars_metric(run_t *r, charts_t *cs, const char *kind, const char *col,
                            const char *per, const char *what, const char *unit, double scale);
/* Whether KIND is one of the kinds a suite scenario names for its folder
 * (scenarios.csv charts): a kind drawn only on request. */
int plot_kind_named(const charts_t *cs, const char *kind);
void plot_chart_syscalls(run_t *r, charts_t *cs);
void plot_chart_sweep(run_t *r, charts_t *cs);
void plot_chart_metadata(run_t *r, charts_t *cs);
void plot_chart_scaling(run_t *r, charts_t *cs);
void plot_chart_series(run_t *r, charts_t *cs);
void plot_chart_latency(run_t *r, charts_t *cs);

/* ---- plot_charts_notes.c: a chart's note (repetitions, modules not shown) ---- */

/* What a chart's medians stand on: how many repetitions each bar or point
 * is the median of (the fewest, kmin, and the most, kmax, over its module
 * x group points) and how many completed ones the statistics left out as
 * disturbed (nout), which the whiskers do not span either. The rows of the
 * groups in `groups` (NULL: every group) and, with wlabel, of that
 * workload only. */
void plot_reps_count(const run_t *r, const strlist_t *groups, const char *wlabel, int *kmin,
                     int *kmax, int *nout);
/* The note's line on what a bar or point and its whisker are, and how
 * many repetitions they rest on (plot_reps_count), into out. */
void plot_reps_said(const run_t *r, const strlist_t *groups, const char *wlabel, char *out,
                    size_t len);
/* plot_reps_said for a chart that leaves values below 0 out
 * (below_zero_out): its bars or points rest on the values drawn, drawn[0]
 * to drawn[1] of them each (plot_drawn_add), not on every kept row
 * ("median of 2 to 3" where one of 3 was left out). */
void plot_reps_drawn(const run_t *r, const int drawn[2], const char *wlabel, char *out, size_t len);
/* Count a bar or point of k values into drawn (min, max; start {0, 0}). */
void plot_drawn_add(int drawn[2], int k);
/* NOTE: what bars, points and whiskers are and how many repetitions they
 * rest on (reps, NULL: no such line), and the "module (why)" lines of
 * series not shown. */
void plot_vars_note(as_buf_t *v, const char *reps, const strlist_t *why);
/* The same note as text appended to out (no variable). */
void plot_note_text(as_buf_t *out, const char *reps, const strlist_t *why);
/* Why module `mod` has no completed row in group `group`: its status in
 * status and the reason's first clause in clause, without the module's own
 * name, so that modules skipped for the same reason share one line of the
 * note; "n/a" where its rows completed without a value. Returns 0 when it
 * has no row there at all. */
int plot_missing_why(const run_t *r, const char *mod, const char *group, char *status, size_t slen,
                     char *clause, size_t clen);
/* Why module `mod` has no completed row in group `group`, as a line
 * "WHY\tMODULE" in `why` (once per module and reason); nothing when it
 * has no row there at all. */
void plot_note_missing(const run_t *r, const char *mod, const char *group, strlist_t *why);
/* The "not shown" lines ("WHY\tMODULE", for plot_note_text) of the run's
 * modules that have no series in a chart of group `group` (not in
 * `shown`): why their trials failed or were skipped, or "no rows in
 * FILE" where they completed. */
void plot_note_unshown(const run_t *r, const char *group, const strlist_t *shown, const char *file,
                       strlist_t *why);

/* ---- plot_gnuplot.c: finding and driving gnuplot ---- */

/* PROG as an executable path: found on $PATH unless it has a '/'. Returns
 * 0, or -1 (not found, or the path does not fit in out). */
int plot_find_in_path(const char *prog, char *out, size_t len);
/* The folder of the gnuplot scripts (has style.gp), absolute. 0 or -1. */
int plot_find_scripts(char *out, size_t len);
/* Write each chart's data file and draw it in every format; USER_VARS
 * (gnuplot assignments: --width, --font, --title) follow each chart's own
 * variables. Returns the number of charts not drawn (each with its
 * c->error); when the chart folder itself cannot be prepared, every chart
 * and err say why. */
int plot_draw_charts(charts_t *cs, const char *chart_dir, unsigned fmts, const char *gnuplot,
                     const char *scripts, const char *user_vars, char *err, size_t errlen);

/* ---- plot_report.c: report.md ---- */

/* The charts, the trials (failed and skipped ones listed) and the charts
 * without data; links are PREFIX + chart file name; H is the heading
 * level ("##"). */
void plot_report_body(as_buf_t *b, const run_t *r, const charts_t *cs, const char *prefix,
                      unsigned fmts, const char *h);
/* One chart: its heading (H), the picture and links, and its table. */
void plot_report_chart(as_buf_t *b, const chart_t *c, const char *prefix, unsigned fmts,
                       const char *h);
/* Failed and skipped trial rows, grouped by module, status and reason:
 * a suite's scenarios all in one, a run's on its own. */
struct fail_group;
typedef struct {
	struct fail_group *g;
	int n;
} plot_fails_t;
/* Add run r's failed and skipped rows; SCENARIO names r in a suite (the
 * groups then list scenarios, else workloads). */
void plot_fails_add(plot_fails_t *f, const run_t *r, const char *scenario);
/* The table, one row per group (nothing when there are none); WHERE is
 * the last column's heading. */
void plot_fails_write(as_buf_t *b, const plot_fails_t *f, const char *where);
void plot_fails_free(plot_fails_t *f);
/* The context, folded: it matters after the results. */
void plot_report_context(as_buf_t *b, const run_t *r, const char *h);
/* A suite scenario's one chart for its summary METRIC (scenarios.csv
 * summary_metric), with its table, and the link to DETAILS (its report). */
void plot_report_key_chart(as_buf_t *b, const charts_t *cs, const char *prefix, unsigned fmts,
                           const char *metric, const char *details);
/* The "gnuplot was not found" paragraph: the command that draws DIR's
 * charts once it is installed (with -o OUT when OUT is not NULL). */
void plot_report_no_gnuplot(as_buf_t *b, const char *dir, const char *out);
/* When no trial of r completed: a paragraph saying so, before anything
 * else of the report; returns 1 then, else 0 (nothing written). */
int plot_report_no_trial(as_buf_t *b, const run_t *r);
/* When r's run did not finish (no summary.csv: killed), or some of its
 * module x workload x threads groups have fewer repetitions than
 * context.csv's `repetitions` asked (none at all, where that is auto) and
 * did not stop early by the run's rule (`repetitions_agree`,
 * as_reps_group_complete, which compare's warning uses too): a paragraph saying so and the short
 * groups, before the results. FILTERED: plot --modules chose r's modules (the others are not looked
 * at). Returns 1 then, else 0 (nothing written). */
int plot_report_incomplete(as_buf_t *b, const run_t *r, int filtered);
/* A suite report's head: title (NAME, the folder's name), the note when
 * gnuplot is missing (naming DIR, and OUT of -o or NULL) and the links to
 * every scenario's own report. */
void plot_report_suite_head(as_buf_t *b, const char *name, const char *dir, const char *out,
                            int have_gnuplot, char *const *subs, int n);
/* A suite scenario's heading and its scenarios.csv lines (title, x, y,
 * expected shape). */
void plot_report_scenario(as_buf_t *b, const as_table_t *scen, const char *sub);

/* ---- plot_results.c: verdicts.csv, comparisons.csv ---- */

typedef struct {
	as_buf_t verdicts, comps; /* Markdown table rows */
	int nv, nc;               /* rows */
	int counts[3];            /* confirmed, refuted, inconclusive */
	/* plot --modules: only the rows whose modules (a comparison's module
	 * and baseline; each of a verdict's "a/b") it names; NULL: all */
	const char *modules;
} plot_results_t;

enum { PLOT_VERDICTS = 1, PLOT_COMPARISONS = 2 };
/* Add DIR's verdicts.csv and/or comparisons.csv rows (WHAT: PLOT_* bits;
 * absent files: none); SCENARIO names DIR in a suite (rows link to its
 * section when SUITE). Returns 0, or -1 with one line in err (a malformed
 * file, left out). */
int plot_results_add(plot_results_t *res, const char *dir, const char *scenario, int suite,
                     unsigned what, char *err, size_t errlen);
/* The verdicts or (WHICH) the comparisons as one Markdown table, header
 * included; nothing when there are no rows. */
void plot_results_table(as_buf_t *b, const plot_results_t *res, unsigned which, int suite);
/* The Verdicts and Comparisons sections (nothing when there are no rows). */
void plot_results_write(as_buf_t *b, const plot_results_t *res, int suite);
void plot_results_free(plot_results_t *res);

/* ---- plot_tune.c: a tune folder (tune.csv, verify.csv) ---- */

/* When DIR has a tune.csv: define its frontier chart in cs and put what the
 * section says before the chart (the recommendation) into head. Returns 1
 * (defined), 0 (no tune.csv: not a tune folder), or -1 with one line in
 * err (unreadable, or not tune's columns). */
int plot_tune_define(const char *dir, charts_t *cs, as_buf_t *head, char *err, size_t errlen);
/* The tune section: head, the drawn chart with its table, and the real
 * program's figures from DIR/verify.csv when there is one. */
void plot_tune_section(as_buf_t *b, const char *dir, const as_buf_t *head, const charts_t *cs,
                       const char *prefix, unsigned fmts);

/* ---- plot_tables.c: tables as files (plot --tables) ---- */

/* The Markdown table(s) in md (LEN bytes) as a LaTeX tabular with booktabs
 * rules (\toprule, \midrule after the header, \bottomrule): cells escaped,
 * **bold** as \textbf, links as their text; a column whose body cells are
 * numbers is set right. CAPTION goes into a comment line. */
void plot_table_tex(as_buf_t *out, const char *md, size_t len, const char *caption);
/* DIR/NAME.md (md with CAPTION in a comment) and/or DIR/NAME.tex (WHAT:
 * AS_PLOT_TABLE_* bits); nothing when md is empty. Returns 0, or -1 with
 * the reason in err. */
int plot_tables_write(const char *dir, const char *name, const char *caption, const as_buf_t *md,
                      unsigned what, char *err, size_t errlen);

/* ---- plot_html.c: report.html ---- */

/* report.html in DIR from the Markdown in md: the same text, with each
 * chart image read from CHART_ROOT + its link and put inline (SVG as
 * markup, PNG as a data: URI); no file outside the page is referenced.
 * Returns 0, or -1 with the reason in err. */
int plot_html_write(const char *dir, const char *title, const as_buf_t *md, const char *chart_root,
                    char *err, size_t errlen);

#endif /* AS_PLOT_INT_H */
