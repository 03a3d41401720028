/* results_doc.c - see results_doc.h. */
#include "results_doc.h"

#include <string.h>

#include "json.h"
#include "status.h"
#include "tables.h"
#include "tune.h"

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
	file_head(o, "comparisons.csv",
	          "one row per module x workload x threads against the baseline (--baseline; "
	          "not null): ratio of medians with a bootstrap 95% CI and a Mann-Whitney p "
	          "(header only under --jobs)");
	col(o, "workload", "", "workload label as given");
	col(o, "threads", "", "threads");
	col(o, "metric", "", "ns_per_op, or ns_per_op_minus_null when both sides are net of null");
	col(o, "module", "", "module label as given");
	col(o, "baseline", "", "the baseline's label");
	col(o, "ratio", "", "median(module) / median(baseline) of metric: below 1 = faster");
	col(o, "ci_lo, ci_hi", "", "bootstrap 95% CI of ratio");
	col(o, "p_value", "", "two-sided Mann-Whitney U p of the ns_per_op repetitions");
	col(o, "n", "", "the module's ok repetitions the statistics keep");
	col(o, "n_baseline", "", "the same for the baseline");
	col(o, "summary", "", "the sentence the console prints");
	file_head(o, "verdicts.csv",
	          "a suite folder: one row per claim of a scenario the suite judged");
	col(o, "scenario", "", "scenario name (its folder)");
	col(o, "workload", "", "workload label the claim is about");
	col(o, "module", "", "module label, or M/B for a ratio claim, M tN/tK across threads");
	col(o, "claim", "", "the claim in words");
	col(o, "expected", "", ">= X, <= X or X +- T");
	col(o, "measured", "", "median of the claim's metric (or a ratio of medians)");
	col(o, "ci_lo, ci_hi", "", "the interval the verdict uses");
	col(o, "unit", "", "the metric's unit");
	col(o, "verdict", "", "CONFIRMED, REFUTED or INCONCLUSIVE");
	col(o, "n", "", "the module's ok repetitions the verdict used");
	file_head(o, "scenarios.csv",
	          "a suite folder: its plan, one row per scenario in the order they run");
	col(o, "scenario, folder", "", "scenario name, and its folder in the suite folder");
	col(o, "title", "", "the scenario's title");
	col(o, "threads", "", "the thread counts it runs");
	col(o, "x, y", "", "what varies between its workloads; its metric over trials.csv columns");
	col(o, "summary_metric", "", "its headline metric in words");
	col(o, "expected_shape", "", "what the article expects, in words");
	col(o, "workloads", "", "its workload specs, space-separated");
	col(o, "charts", "", "the chart kinds its report shows");
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
	file_head(o, "run.args, suite.args",
	          "the run's (or suite's) own arguments, NUL-separated: `allocscope run --resume "
	          "DIR` (`suite --resume DIR`) rebuilds the matrix from them and runs only the "
	          "trials without a row");
	file_head(o, "tune.csv, frontier.csv",
	          "a tune folder (`allocscope tune`, beside its replay/ run folder): one row per "
	          "configuration (frontier.csv: the Pareto frontier's rows)");
	AS_TUNE_COLS(COL)
	file_head(o, "verify.csv", "a tune folder with --verify: the real program's figures");
	AS_VERIFY_COLS(COL)
	file_head(o, "tune.json",
	          "a tune folder: tune.csv's rows, the frontier, the recommendation and its "
	          "apply line, the verify figures, the replay's context");
	file_head(o, "plots/, report.md and report.html",
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
