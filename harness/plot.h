/* plot.h - charts and report for a results folder: reads only the CSV files
 * in it (trials, context, and where present series, latency, histogram),
 * prepares one small data file per chart, runs gnuplot with the scripts in
 * plots/ for PNG (1x, 2x), SVG or PDF, and writes report.md with every
 * chart, the table behind it, the context and the failed/skipped trials.
 * Never runs a trial, never modifies a results CSV, never prints: what went
 * wrong comes back in an as_plot_result_t for the CLI. Not thread-safe. */
#ifndef AS_PLOT_H
#define AS_PLOT_H

#include <stddef.h>

/* Output formats, as bits: plots/NAME.png, NAME@2x.png (twice the pixels,
 * for high-density screens), NAME.svg, NAME.pdf. */
enum { AS_PLOT_PNG = 1, AS_PLOT_SVG = 2, AS_PLOT_PDF = 4, AS_PLOT_PNG2X = 8, AS_PLOT_ALL = 15 };

/* What as_plot_dir returns; a larger value is worse. The CLI maps them to
 * exit codes (0, 1, 2). */
typedef enum as_plot_status {
	AS_PLOT_OK = 0,     /* every chart with data drawn, report written */
	AS_PLOT_INCOMPLETE, /* report written, but some charts could not be drawn
	                       (gnuplot missing or failed; the report says which),
	                       or no trial completed (nothing to chart), or a
	                       report could not be written */
	AS_PLOT_BAD_INPUT,  /* DIR is not a results folder or a CSV is unreadable */
} as_plot_status_t;

typedef struct as_plot_opts {
	unsigned formats;    /* AS_PLOT_* bits; 0 means AS_PLOT_PNG */
	int all_charts;      /* also the charts that repeat others' data (RSS over
	                        time, cumulative syscalls) */
	const char *out_dir; /* charts and report go here; NULL: charts in DIR/plots,
	                        report in DIR/report.md */
	int quiet;           /* for the CLI: no "report: PATH" line on stdout */
	/* For one figure of a paper or a blog post: */
	const char *modules; /* comma-separated module specs (NAME[:params] as in
	                        trials.csv, or NAME for every spec of it): only
	                        these, in this order; NULL: every module */
	int width, height;   /* chart size in pixels at 1x (PDF: 130 px an inch);
	                        0: each chart's own */
	const char *font;    /* "NAME[,SIZE]" or ",SIZE"; NULL: DejaVu Sans at the
	                        format's size */
	const char *title;   /* every chart's title ("" none); NULL: its own */
	unsigned tables;     /* AS_PLOT_TABLE_* bits: each chart's table and the
	                        verdicts/comparisons as files in tables/ */
} as_plot_opts_t;

/* Table file formats, as bits: tables/NAME.md (Markdown), NAME.tex (LaTeX
 * tabular with booktabs rules). */
enum { AS_PLOT_TABLE_MD = 1, AS_PLOT_TABLE_TEX = 2 };

/* What one as_plot_dir call did. Release with as_plot_result_free. */
typedef struct as_plot_result {
	int charts_drawn;     /* drawn in every requested format */
	int charts_not_drawn; /* had data, but gnuplot was missing or failed */
	int charts_skipped;   /* chart kinds without data ("Charts without data") */
	char *report;         /* path of the top report.md to announce, or NULL */
	char *messages;       /* one line per problem, each ending in '\n', in the
	                         order they happened; NULL when there were none */
	int files_unwritten;  /* a report or a chart's file that could not be
	                         written whole (a full disk): said in messages */
} as_plot_result_t;

/* Parse a --format list ("png,svg,pdf") into AS_PLOT_* bits. Returns 0, or
 * -1 with a one-line message in err naming the bad item. */
int as_plot_parse_formats(const char *list, unsigned *out, char *err, size_t errlen);
/* The same for a --tables list ("md,tex") into AS_PLOT_TABLE_* bits. */
int as_plot_parse_tables(const char *list, unsigned *out, char *err, size_t errlen);
/* A --font value: "NAME[,SIZE]" or ",SIZE" (SIZE 4..72 points). Returns 0,
 * or -1 with a one-line message in err. */
int as_plot_check_font(const char *font, char *err, size_t errlen);

/* Draw every chart the CSV files in DIR have data for and write the report.
 * DIR is a run folder (has trials.csv) or a suite folder (subfolders that
 * are run folders: each is plotted, and DIR/report.md covers them all).
 * Fills *res (always; free it with as_plot_result_free) and returns an
 * as_plot_status_t. A missing gnuplot is one line in res->messages; the
 * results stay as they are. */
as_plot_status_t as_plot_dir(const char *dir, const as_plot_opts_t *opts, as_plot_result_t *res);

void as_plot_result_free(as_plot_result_t *res);

#endif /* AS_PLOT_H */
