/* suite.h - named scenarios (a set of workload specs, thread counts, what a
 * chart of them plots and the shape it is expected to show) and suites
 * (lists of scenarios). `allocscope suite` runs them; `allocscope list` shows
 * them; the charts and the report read scenarios.csv. Definitions only plus
 * the two files a suite run writes about itself (suite.c, suite_headline.c)
 * and its summary read back as data; running is cmd_suite.c, printing the
 * console reporter's (report_console.c). */
#ifndef AS_SUITE_H
#define AS_SUITE_H

#include <stddef.h>

#include "buf.h"
#include "run_cfg.h"
#include "trial_types.h"
#include "trials_read.h"
#include "verdict.h"

/* The number printed per (workload, module) in the console summary. */
typedef enum as_metric {
	AS_MET_RETAINED,        /* (rss_end - rss_before) / (rss_peak - rss_before) */
	AS_MET_RSS_PER_LIVE,    /* (rss_end - rss_before) * 1024 / live_bytes_peak * scale */
	AS_MET_BYTES_PER_BLOCK, /* the same, scale the block size, of blocks written
	                         * whole: NaN under 1 (their memory was resident
	                         * before the timed region: nothing to divide) */
	AS_MET_NS_PER_OP,       /* ns_per_op */
	AS_MET_ELAPSED_MS,      /* elapsed_ns / passes / 1e6: one pass of rows that do the
	                         * same work (--min-time repeats the stream a number of
	                         * times that differs by row, so the total does not
	                         * compare) */
} as_metric_t;

typedef struct as_scenario {
	const char *name;             /* folder name too: results/<run>/<name>/ */
	const char *title;            /* chart title */
	const char *threads;          /* thread counts, "1" or "1,2" */
	const char *x;                /* what varies across rows */
	const char *y;                /* what to plot, in trials.csv columns */
	as_metric_t metric;           /* console summary number */
	double scale;                 /* AS_MET_RSS_PER_LIVE, AS_MET_BYTES_PER_BLOCK multiplier */
	const char *metric_name;      /* its heading */
	const char *shape;            /* the expected shape, in words */
	const as_claim_t *claims;     /* the shape as checked numbers, or NULL */
	const char *unit;             /* the metric's unit in verdicts.csv */
	const char *const *workloads; /* NULL-terminated specs (default run) */
	const char *const *quick;     /* NULL-terminated specs (--quick) */
	const char *charts;           /* chart kinds that show the claim, comma-separated:
	                                 plot draws only these (scenarios.csv charts)
	                                 unless --all-charts */
	unsigned compares;            /* AS_CAP_* bits a module needs for the scenario to
	                                 compare it (0: every module); without -a the
	                                 others' rows are skipped, their reason
	                                 compares_why (as_scenario_skip) */
	const char *compares_why;     /* what those bits make a module, in words */
} as_scenario_t;

typedef struct as_suite {
	const char *name;
	const char *description;
	const char *const *scenarios; /* NULL-terminated scenario names */
} as_suite_t;

/* NULL-terminated tables. */
extern const as_scenario_t *const as_scenarios[];
extern const as_suite_t *const as_suites[];

const as_scenario_t *as_scenario_find(const char *name);
const as_suite_t *as_suite_find(const char *name);

/* Why the scenario does not compare a module with capabilities CAPS
 * (AS_CAP_* bits), for its rows' reason, or NULL when it does. */
const char *as_scenario_skip(const as_scenario_t *sc, unsigned caps);

/* 1 when one of sc's claims reads the trial group of module name MODULE
 * (any of its labels: a claim is judged on each variant, glibc and
 * glibc:mmap_threshold=1m alike), workload label WORKLOAD ("name:params"
 * as the scenario gives it) and THREADS: the claim's own rows or those it
 * is a ratio against. */
int as_scenario_reads(const as_scenario_t *sc, const char *module, const char *workload,
                      unsigned threads);

/* The scenario's metric of one ok trial from its measurements v (indexed
 * by AS_TC_*); NaN when it has none (e.g. no RSS growth to share). */
double as_scenario_value(const as_scenario_t *sc, const double *v);

/* The metric of one trials.csv row; NaN when the row has no numbers
 * (skipped or failed). It reads the row's status and the columns of
 * as_scenario_metric_cols (NULL-terminated) alone. */
extern const char *const as_scenario_metric_cols[];
double as_scenario_metric(const as_scenario_t *sc, const as_table_t *t, size_t row);

/* headline.csv (columns AS_HEADLINE_COLS) of a scenario's run: one row
 * per table row (workload spec x threads, matrix order) x module, the
 * median of the metric over the ok repetitions of the done trials that
 * the statistics keep (disturb.h as_disturbed_set, as summary.csv), or the
 * status of those without a value. Returns 0, or -1 when out of memory. */
int as_scenario_headline(const as_scenario_t *sc, const as_trial_spec_t *specs,
                         const as_trial_rec_t *res, const int *done, int n, as_buf_t *csv);

/* A reason of trials.csv, said once for every module that gave it. */
typedef struct as_summary_reason {
	char *status; /* the rows' status ("ok": a note on completed rows) */
	char *text;   /* the reason with its modules named together: "arena,
	                 bump have no individual free", "null: ..." */
} as_summary_reason_t;

/* A scenario's summary as data, read from its folder: headline.csv as a
 * table (one row per workload spec x threads, one column per module, both
 * in first-seen order) and the reasons in trials.csv. The strings point
 * into h and t, which it holds; as_scenario_summary_free releases it. */
typedef struct as_scenario_summary {
	int nmods, nrows;
	const char *mods[AS_RUN_MAX_ITEMS]; /* headline.csv's module column */
	const char **rows;                  /* its row column */
	double *value;                      /* [row * nmods + module]: the median; NaN: none */
	const char **status;                /* the same cell's status; NULL: no such row */
	as_summary_reason_t *reason;
	int nreasons;
	as_table_t h, t; /* headline.csv, trials.csv */
} as_scenario_summary_t;

/* Read a scenario's summary from its folder DIR (headline.csv and
 * trials.csv) into *s. Prints nothing: the suite's console lines are the
 * console reporter's (as_console_scenario_summary). Returns 0, or -1 with
 * err when a file cannot be read (*s then holds nothing to free). */
int as_scenario_summary(const char *dir, as_scenario_summary_t *s, char *err, size_t errlen);
void as_scenario_summary_free(as_scenario_summary_t *s);

#endif /* AS_SUITE_H */
