/* cmd_plot.c - `allocscope plot DIR`: charts and report from a results
 * folder (run or suite) that already exists. Never runs a trial. Also how
 * the commands that run and then plot (run, replay, suite, tune) say what
 * the plotting did (as_run_plot_print). */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "commands.h"
#include "plot.h"
#include "run_common.h"
#include "util.h"

enum {
	OPT_FORMAT = 256,
	OPT_ALL_CHARTS,
	OPT_MODULES,
	OPT_WIDTH,
	OPT_HEIGHT,
	OPT_FONT,
	OPT_TITLE,
	OPT_TABLES
};

static const as_opt_t plot_opts[] = {
    {OPT_FORMAT, "format", "LIST", "png",
     "output formats, comma-separated: png, png2x (NAME@2x.png, twice the pixels), svg, pdf, "
     "all"},
    {OPT_ALL_CHARTS, "all-charts", NULL, NULL,
     "every chart kind: a suite scenario's beyond those of its claim (scenarios.csv charts), "
     "and the charts that repeat others' data (RSS over time, cumulative syscalls)"},
    {OPT_MODULES, "modules", "LIST", "every module",
     "only these modules, in this order (legend, colours stay): NAME:params as in trials.csv, "
     "or NAME for every spec of it"},
    {OPT_WIDTH, "width", "PX", "each chart's own",
     "chart width in pixels at 1x (PDF: 130 px an inch), 200..4000"},
    {OPT_HEIGHT, "height", "PX", "each chart's own", "chart height in pixels at 1x, 200..4000"},
    {OPT_FONT, "font", "NAME[,PT]", "DejaVu Sans, 11 pt PNG, 12 SVG, 8 PDF",
     "chart font and size in points (4..72); ',PT' keeps the font"},
    {OPT_TITLE, "title", "TEXT", "each chart's own",
     "title of every chart, in UTF-8; '' draws none (a paper's caption says it)"},
    {OPT_TABLES, "tables", "LIST", "none",
     "also write each chart's table and the verdicts and comparisons as files in tables/: md "
     "(Markdown), tex (LaTeX, booktabs), all"},
    {'o', "out", "DIR", "DIR/plots, report in DIR",
     "folder for the charts, their data files and report.md; not one that holds results"},
    {'q', "quiet", NULL, NULL, "do not print the report's path"},
};

static int on_plot_opt(int key, const char *arg, void *vctx)
{
	as_plot_opts_t *o = vctx;
	char err[256];
	switch (key) {
	case OPT_FORMAT:
		if (as_plot_parse_formats(arg, &o->formats, err, sizeof(err)) != 0) {
			fprintf(stderr, "allocscope plot: %s\n", err);
			return -1;
		}
		return 0;
	case OPT_ALL_CHARTS: o->all_charts = 1; return 0;
	case OPT_MODULES: o->modules = arg; return 0;
	case OPT_WIDTH:
	case OPT_HEIGHT: {
		uint64_t v;
		if (as_parse_u64(key == OPT_WIDTH ? "--width" : "--height", arg, 200, 4000, &v, err,
		                 sizeof(err)) != 0) {
			fprintf(stderr, "allocscope plot: %s\n", err);
			return -1;
		}
		*(key == OPT_WIDTH ? &o->width : &o->height) = (int)v;
		return 0;
	}
	case OPT_FONT:
		if (as_plot_check_font(arg, err, sizeof(err)) != 0) {
			fprintf(stderr, "allocscope plot: %s\n", err);
			return -1;
		}
		o->font = arg;
		return 0;
	case OPT_TITLE: {
		/* a chart's text is UTF-8 (an SVG is XML): plot_gstr would show
		 * the byte as U+FFFD, which the user did not mean */
		size_t i = 0;
		while (arg[i] && as_utf8_char(arg + i))
			i += as_utf8_char(arg + i);
		if (arg[i]) {
			fprintf(
			    stderr,
			    "allocscope plot: option --title: byte 0x%02x (byte %zu) is not UTF-8: "
			    "give the title in UTF-8\n",
			    (unsigned char)arg[i], i + 1);
			return -1;
		}
		o->title = arg;
		return 0;
	}
	case OPT_TABLES:
		if (as_plot_parse_tables(arg, &o->tables, err, sizeof(err)) != 0) {
			fprintf(stderr, "allocscope plot: %s\n", err);
			return -1;
		}
		return 0;
	case 'o': o->out_dir = arg; return 0;
	case 'q': o->quiet = 1; return 0;
	default: return -1;
	}
}

/* res's messages on stderr, its report's path on stdout unless quiet */
static void print_result(const as_plot_result_t *res, int quiet)
{
	const char *m = res->messages;
	while (m && *m) {
		size_t n = strcspn(m, "\n");
		fprintf(stderr, "allocscope plot: %.*s\n", (int)n, m);
		m += n + (m[n] == '\n');
	}
	if (res->report && !quiet) {
		char *w = as_shell_word(res->report); /* one line, and it opens as given */
		printf("report: %s\n", w);
		free(w);
	}
}

int as_plot_and_print(const char *dir, const as_plot_opts_t *opts, int *unwritten)
{
	as_plot_result_t res;
	as_plot_status_t st = as_plot_dir(dir, opts, &res);
	print_result(&res, opts && opts->quiet);
	if (unwritten)
		*unwritten = res.files_unwritten;
	as_plot_result_free(&res);
	switch (st) {
	case AS_PLOT_OK: return 0;
	case AS_PLOT_INCOMPLETE: return 1;
	case AS_PLOT_BAD_INPUT:
	default: return 2;
	}
}

void as_run_plot_print(const char *who, const char *dir, const as_run_plotted_t *p)
{
	if (!p->drawn)
		return;
	print_result(&p->res, 0);
	if (p->interrupted) {
		char *dir_w = as_shell_word(dir);
		fprintf(stderr,
		        "%s: interrupted while drawing the charts: the results in %s are "
		        "complete; allocscope plot %s draws them\n",
		        who, dir_w, dir_w);
		free(dir_w);
	}
}

int as_cli_run_and_plot(as_run_cfg_t *cfg)
{
	char dir[PATH_MAX];
	as_run_plotted_t pl;
	int r = as_run_and_plot(cfg, dir, sizeof(dir), &pl);
	as_run_plot_print("allocscope", dir, &pl);
	as_run_plotted_free(&pl);
	return r;
}

static int plot_main(int argc, char **argv)
{
	as_plot_opts_t o;
	const char *dir;
	int r, r2;
	memset(&o, 0, sizeof(o));
	r = as_cli_parse(&as_cmd_plot, argc, argv, on_plot_opt, &o);
	if (r == -2)
		return 0;
	if (r < 0)
		return 2;
	if (r >= argc) {
		fprintf(stderr, "allocscope plot: expected a results folder (see --help)\n");
		return 2;
	}
	dir = argv[r];
	/* options may follow the folder too: parse what comes after it */
	r2 = as_cli_parse(&as_cmd_plot, argc - r, argv + r, on_plot_opt, &o);
	if (r2 == -2)
		return 0;
	if (r2 < 0)
		return 2;
	if (r2 < argc - r) {
		fprintf(stderr, "allocscope plot: unexpected argument '%s' (one results folder)\n",
		        argv[r + r2]);
		return 2;
	}
	return as_plot_and_print(dir, &o, NULL);
}

const as_cmd_t as_cmd_plot = {
    .name = "plot",
    .synopsis = "plot DIR [--format png,png2x,svg,pdf] [--all-charts] [--modules LIST] "
                "[--width PX] [--height PX] [--font NAME,PT] [--title TEXT] [--tables md,tex] "
                "[-o OUTDIR]",
    .summary = "draw charts (gnuplot) and report.md from a results folder",
    .opts = plot_opts,
    .nopts = sizeof(plot_opts) / sizeof(plot_opts[0]),
    .examples = "  allocscope plot results/20260101-120000\n"
                "  allocscope plot results/suite --format png,svg --all-charts\n"
                "  allocscope plot results/mine --format pdf,svg -o paper/figures\n"
                "  allocscope plot results/mine --modules glibc,refmalloc --format pdf \\\n"
                "      --width 700 --height 400 --font 'Times,10' --title '' --tables tex\n"
                "Exit status: 0 every chart drawn, 1 some not (e.g. gnuplot missing: the\n"
                "report says which), 2 DIR is not a results folder or -o OUTDIR cannot be\n"
                "a folder.\n",
    .main = plot_main,
    .operands = "dirs",
};
