/* results_doc.c - see results_doc.h. */
#include "results_doc.h"

#include <string.h>

#include "json.h"
#include "status.h"
#include "tables.h"

typedef struct {
	FILE *f;
	int man;
} out_t;

/* man(7) text: hyphens and backslashes escaped, no request at a line start */
static void put(const out_t *o, const char *s)
{
	if (!o->man) {
		fputs(s, o->f);
		return;
	}
	if (*s == '.' || *s == '\'')
		fputs("\\&", o->f);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", o->f);
		else if (*s == '-')
			fputs("\\-", o->f);
		else
			fputc(*s, o->f);
	}
}

static void file_head(const out_t *o, const char *name, const char *what)
{
	if (o->man) {
		fputs(".SS ", o->f);
		put(o, name);
		fputs("\n", o->f);
		put(o, what);
		fputs("\n", o->f);
	} else {
		fprintf(o->f, "\n%s\n  %s\n", name, what);
	}
}

static void col(const out_t *o, const char *name, const char *suffix, const char *doc)
{
	if (o->man) {
		fputs(".TP\n.B ", o->f);
		put(o, name);
		put(o, suffix);
		fputs("\n", o->f);
		put(o, doc);
		fputs("\n", o->f);
	} else {
		char n[96];
		snprintf(n, sizeof(n), "%s%s", name, suffix);
		fprintf(o->f, "    %-26s %s\n", n, doc);
	}
}

#define COL(name, fmt, doc)    col(o, #name, "", doc);
#define METRIC(name, fmt, doc) col(o, #name, "_median, _min, _max, _ci95_low, _ci95_high", doc);

static void files(const out_t *o)
{
	file_head(o, "trials.csv",
	          "one row per trial x repetition: the key columns, then every measurement "
	          "(empty = n/a)");
	AS_TRIAL_KEY_COLS(COL)
	AS_TRIAL_COLS(COL)
	file_head(o, "summary.csv",
	          "one row per module x workload x threads over the ok repetitions: medians, "
	          "ranges and bootstrap 95% confidence intervals");
	AS_SUMMARY_KEY_COLS(COL)
	AS_SUMMARY_METRICS(METRIC)
	AS_SUMMARY_TAIL_COLS(COL)
	file_head(o, "series.csv",
	          "one row per trial x sample point (memory and syscalls over the run), after "
	          "the key columns trial, rep, module, module_params, workload, workload_params, "
	          "threads");
	AS_SERIES_COLS(COL)
	file_head(o, "latency.csv",
	          "with --latency: one row per trial x op kind, after the same key columns");
	AS_LATENCY_COLS(COL)
	file_head(o, "histogram.csv",
	          "with --latency: one row per trial x op kind x non-empty bucket, after the "
	          "same key columns");
	AS_HIST_COLS(COL)
	file_head(o, "context.csv",
	          "key,value rows: machine, build (version, git_revision, build_type), run "
	          "settings and warning_* rows saying what could not be measured and why");
	file_head(o, "headline.csv",
	          "a suite's scenario folder: the table the suite prints under the scenario, one "
	          "row per table row x module");
	AS_HEADLINE_COLS(COL)
	file_head(o, "summary.json",
	          "the folder for programs (jansson): context, summary.csv's rows as groups, "
	          "comparisons.csv's rows, the winner per workload and threads; a suite "
	          "folder's has the verdicts. Keys are the CSV columns, plus:");
#define JKEY(name, doc) col(o, #name, "", doc);
	AS_JSON_KEYS(JKEY)
#undef JKEY
	file_head(o, "run.args",
	          "the run's own arguments, NUL-separated: `allocscope run --resume DIR` "
	          "rebuilds the matrix from them and runs only the trials without a row");
	file_head(o, "plots/ and report.md",
	          "charts (PNG, SVG, PDF) and a report drawn from the CSV files by `allocscope "
	          "plot`");
}

#undef COL
#undef METRIC

static void statuses(const out_t *o)
{
	for (int st = 0; st < AS_STATUS_COUNT; st++)
		col(o, as_status_name((as_status_t)st), "", as_status_msg((as_status_t)st));
}

void as_results_doc(FILE *f, int man)
{
	out_t o = {f, man};
	if (man) {
		fputs(
		    ".SH DESCRIPTION\nA results folder (one per run; a suite folder holds one per "
		    "scenario) holds these files.\n",
		    f);
		files(&o);
		fputs(".SH STATUS VALUES\nThe status column of trials.csv:\n", f);
		statuses(&o);
		return;
	}
	fputs("A results folder (one per run; a suite folder holds one per scenario):\n", f);
	files(&o);
	fputs("\nstatus values (trials.csv):\n", f);
	statuses(&o);
	fputs("\nMore, with units and caveats: results/README.md (installed in "
	      "share/doc/allocscope/results/README.md), `man allocscope-results`.\n",
	      f);
}
