/* verdict.h - a scenario's expected shape as numbers: claims ("glibc's
 * held share is at least 0.9 for 64 KiB blocks") checked against a
 * scenario's trials.csv, each CONFIRMED, REFUTED or INCONCLUSIVE with the
 * measured value beside the expectation. The claims live with their
 * scenarios in suite.c. Judging returns the verdicts as data (and their
 * verdicts.csv rows); it prints nothing: `allocscope suite` prints the
 * table through the console reporter (report_console.c). Not
 * thread-safe. */
#ifndef AS_VERDICT_H
#define AS_VERDICT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "buf.h"
#include "labels.h"
#include "trials_read.h"

struct as_scenario;

/* A quantity a claim judges instead of its scenario's metric: the
 * mechanism behind a memory figure (where the RSS lives, a system call per
 * free), so that a held share of 1 from an allocator that never calls brk
 * is not read as "the brk heap". value: row r's (an ok row) figure. */
typedef struct as_claim_metric {
	const char *unit; /* verdicts.csv's unit */
	double (*value)(const as_table_t *t, size_t r);
	const char *column; /* without value: this trials.csv column as it is */
	/* with value: the trials.csv columns it reads, NULL-terminated; the
	 * verdicts read no others (as_verdict_columns). NULL: every column */
	const char *const *reads;
} as_claim_metric_t;

typedef enum as_claim_op {
	AS_CLAIM_AT_LEAST, /* metric >= bound */
	AS_CLAIM_AT_MOST,  /* metric <= bound */
	AS_CLAIM_WITHIN,   /* |metric - bound| <= tol */
} as_claim_op_t;

typedef struct as_claim {
	const char *module;   /* module name the claim is about: judged on each
	                         of its labels in a run (glibc, glibc:k=v) */
	const char *workload; /* exact workload label (spec as in the scenario) */
	as_claim_op_t op;
	double bound, tol;
	const char *claim; /* in words; NULL ends a scenario's list */
	uint32_t threads;  /* rows with this thread count; 0: every row */
	const char *vs;    /* NULL: the metric itself; a module name: the
	                      ratio of medians module / vs, bootstrap CI, for
	                      each pair of their labels */
	/* A ratio against the same (or the vs) module on other rows: the
	 * denominator's threads (0: threads) and workload (NULL: workload),
	 * e.g. a module's 2-thread median over its 1-thread one. */
	uint32_t vs_threads;
	const char *vs_workload;
	const as_claim_metric_t *metric; /* NULL: the scenario's metric */
} as_claim_t;

typedef enum as_verdict {
	AS_VERDICT_CONFIRMED,
	AS_VERDICT_REFUTED,
	AS_VERDICT_INCONCLUSIVE,
	AS_VERDICT_COUNT
} as_verdict_t;

/* The verdict of a claim on an interval [lo, hi] around the measured
 * median: CONFIRMED when the whole interval satisfies the claim, REFUTED
 * when none of it does, INCONCLUSIVE when it straddles a bound. */
as_verdict_t as_claim_judge(const as_claim_t *c, double lo, double hi);
const char *as_verdict_name(as_verdict_t v);

/* verdicts.csv's header line. */
void as_verdicts_header(as_buf_t *csv);

/* A module's text in a verdict: a label, or LABEL/VS tN/tK for a ratio. */
#define AS_VERDICT_MODULE_MAX (2 * AS_LABEL_MAX + 32)

/* One judged claim: a row of verdicts.csv as data. The strings without a
 * size point into the scenario and its claim table (static). */
typedef struct as_verdict_row {
	const char *scenario;
	const char *workload;               /* the claim's workload label */
	char module[AS_VERDICT_MODULE_MAX]; /* the label judged, "glibc:k=v",
	                                       "mimalloc t2/t1", "a/b" */
	const char *claim;                  /* in words */
	char expected[64];                  /* ">= 0.9", "80 +- 4" */
	double measured;                    /* the median (or ratio); NaN: not measured */
	double ci_lo, ci_hi;                /* its interval; NaN: none */
	const char *unit;                   /* "" when the scenario has none */
	as_verdict_t verdict;
	int n; /* repetitions the figure rests on */
} as_verdict_row_t;

/* Verdicts in the order they were judged; zero it before the first use,
 * release it with as_verdict_list_free. */
typedef struct as_verdict_list {
	as_verdict_row_t *row;
	int n, cap;
} as_verdict_list_t;

void as_verdict_list_free(as_verdict_list_t *l);

/* Judge every claim of sc whose module and workload are in trials_csv,
 * once per module label of the claim's module (a variant, "glibc:k=v", is
 * judged on its own rows, never pooled with plain glibc's, and named in
 * the module column): each appended to rows (unless it is NULL), one row
 * each in csv, one object with verdicts.csv's keys each appended to the
 * JSON array json unless it is NULL, counts[verdict]++. Prints nothing.
 * The measured value is the median
 * of the scenario's metric over the ok repetitions, its interval the order- statistic 95 % CI of
 * the median (n >= 6), or with fewer repetitions the range of the repetitions; for a ratio claim
 * (`vs`, `vs_threads` or `vs_workload` set), the ratio of medians and its bootstrap 95 % CI
 * (compare.c's), INCONCLUSIVE without one. Returns the number of claims
 * judged, or -1 with err when the file cannot be read or memory runs out. */
int as_scenario_verdicts(const struct as_scenario *sc, const char *trials_csv,
                         as_verdict_list_t *rows, as_buf_t *csv, json_t *json,
                         int counts[AS_VERDICT_COUNT], char *err, size_t errlen);

/* The trials.csv columns sc's verdicts read, into keep (NULL-terminated,
 * room for max names with the NULL): the rows' identity, the disturbed
 * rule's (resume.h AS_TABLE_MACHINE_COLS), the scenario metric's
 * (as_scenario_metric_cols) and each claim metric's (its column, or its
 * value function's `reads`). Returns 0; -1 when every column is read: a
 * value function without `reads`, or more than max - 1 names (keep then
 * holds NULL alone). A trials.csv of many repetitions is held in those
 * columns alone, not in its ~60. */
int as_verdict_columns(const struct as_scenario *sc, const char **keep, size_t max);

#endif /* AS_VERDICT_H */
