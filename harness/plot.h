/* plot.h - charts and report for a results folder: reads only the CSV files
 * in it (trials, context, and where present series, latency, histogram),
 * prepares one small data file per chart, runs gnuplot with the scripts in
 * plots/ for PNG (1x and 2x), SVG and PDF, and writes report.md with every
 * chart, the table behind it, the context and the failed/skipped trials.
 * Never runs a trial and never modifies a results CSV. Not thread-safe. */
#ifndef AS_PLOT_H
#define AS_PLOT_H

#include <stddef.h>

/* Output formats, as bits. PNG means both plots/NAME.png and NAME@2x.png. */
enum { AS_PLOT_PNG = 1, AS_PLOT_SVG = 2, AS_PLOT_PDF = 4, AS_PLOT_ALL = 7 };

/* What as_plot_dir returns; the values are the CLI's exit codes. */
enum {
	AS_PLOT_OK = 0,        /* every chart with data drawn, report written */
	AS_PLOT_NOT_DRAWN = 1, /* report written, but some charts could not be drawn
	                          (gnuplot missing or failed; the report says which) */
	AS_PLOT_BAD_INPUT = 2, /* DIR is not a results folder or a CSV is unreadable */
};

typedef struct as_plot_opts {
	unsigned formats;    /* AS_PLOT_* bits; 0 means all */
	const char *out_dir; /* charts and report go here; NULL: charts in DIR/plots,
	                        report in DIR/report.md */
	int quiet;           /* no "report: PATH" line on stdout */
} as_plot_opts_t;

/* Parse a --format list ("png,svg,pdf") into AS_PLOT_* bits. Returns 0, or
 * -1 with a one-line message in err naming the bad item. */
int as_plot_parse_formats(const char *list, unsigned *out, char *err, size_t errlen);

/* Draw every chart the CSV files in DIR have data for and write the report.
 * DIR is a run folder (has trials.csv) or a suite folder (subfolders that
 * are run folders: each is plotted, and DIR/report.md covers them all).
 * Call it at the end of `run`/`suite` unless --no-plot: a missing gnuplot is
 * reported on stderr in one line and the run's own results stay as they are.
 * Messages go to stderr, prefixed "allocscope plot:". Returns AS_PLOT_*. */
int as_plot_dir(const char *dir, const as_plot_opts_t *opts);

#endif /* AS_PLOT_H */
