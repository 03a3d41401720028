/* results.h - the rows of the run folder's CSV tables (trials, series,
 * latency, histogram, summary), formatted from trial specs and results in
 * the column order of tables.h. Writing the files is the CSV reporter's job
 * (report_csv.c, through files.h). Not thread-safe. */
#ifndef AS_RESULTS_H
#define AS_RESULTS_H

#include <stddef.h>
#include <stdio.h>

#include "buf.h"
#include "files.h"
#include "stats.h"
#include "status.h"
#include "tables.h"
#include "trial_types.h"
#include "trials_read.h"

/* Header line of trials.csv and one row for a trial result. */
void as_trials_header(as_buf_t *b);
void as_trials_row(as_buf_t *b, const as_trial_spec_t *spec, const as_trial_result_t *res);

/* series.csv, latency.csv, histogram.csv: header, and the rows of one
 * trial (appended, so a long run never reformats earlier rows). */
void as_series_header(as_buf_t *b);
void as_series_rows(as_buf_t *b, const as_trial_spec_t *spec, const as_trial_result_t *res);
void as_latency_header(as_buf_t *b);
void as_latency_rows(as_buf_t *b, const as_trial_spec_t *spec, const as_trial_result_t *res);
void as_hist_header(as_buf_t *b);
void as_hist_rows(as_buf_t *b, const as_trial_spec_t *spec, const as_trial_result_t *res);

/* The statistics of a summary metric over a group's ok repetitions. */
enum { AS_ST_MEDIAN, AS_ST_MIN, AS_ST_MAX, AS_ST_CI95_LOW, AS_ST_CI95_HIGH, AS_ST_N };
/* "median", "min", "max", "ci95_low", "ci95_high": summary.csv's column
 * suffixes and summary.json's keys. */
extern const char *const as_summary_stat_names[AS_ST_N];

enum {
#define AS_SM_ENUM(name, fmt, doc) AS_SM_##name,
	AS_SUMMARY_METRICS(AS_SM_ENUM)
#undef AS_SM_ENUM
	    AS_SUMMARY_NMETRICS
};

/* Name of summary metric m (AS_SUMMARY_METRICS order) and its format
 * ('I' integer, 'F' decimal) in *fmt. */
const char *as_summary_metric_name(int m, char *fmt);

/* One row of summary.csv, one group of summary.json: a module x workload x
 * threads over its ok repetitions. */
typedef struct as_summary_row {
	const as_trial_spec_t *spec; /* the group's first repetition (names, params) */
	uint32_t threads;
	int reps_ok;
	double null_ns_per_op_median; /* NaN without a null module */
	double ns_per_op_minus_null;
	double stat[AS_SUMMARY_NMETRICS][AS_ST_N]; /* NaN where there is no value */
	int reps_disturbed;                        /* of reps_ok (disturb.h) */
	double ns_per_op_spread;                   /* max / min; NaN without 2 values */
	double ns_per_op_spread_undisturbed;       /* the same without the disturbed */
	double reps_slow_passes; /* undisturbed repetitions slow in every pass (AS_SLOW_PASSES);
	                            NaN: fewer than 3 undisturbed with a median pass */
	char reps_left_out[256]; /* "3 7 9": the reps left out as disturbed ("..." at the
	                            end when they do not fit) */
	char reps_left_out_rules[512]; /* "3:wait 7:round 9:sample": the rule that took
	                                  each (disturb.h as_disturb_rule_name) */
} as_summary_row_t;

/* An undisturbed repetition whose median pass took this many times the
 * median of its group's undisturbed pass_ns_median is slow in every pass
 * (summary.csv reps_slow_passes). In the lead's two idle default runs after
 * session 9 (257 trials) a trial's pass median was 0.83-1.52 x its group's
 * (95 % within 1.10), but for tcmalloc's two slow larson repetitions, 2.75
 * and 3.66 (docs/measure.md "A whole trial slow"). */
#define AS_SLOW_PASSES 2.0

/* The summary's rows over the first n results, in matrix order; *rows is
 * the caller's to free(). Returns the number of rows, or -1 when out of
 * memory. */
/* The threads trial group specs[i].trial ran on: the first of its
 * repetitions that knows its workload's own count (a trace's), else -t.
 * summary.csv, the console's table and the comparisons key a group by it,
 * as trials.csv's rows are (a 4-thread trace replayed under -t 1 is a
 * 4-thread group everywhere). */
uint32_t as_group_threads(const as_trial_spec_t *specs, const as_trial_rec_t *res, int n, int i);

/* as_group_threads of every trial group at once: [trial] for each
 * specs[].trial (malloc'd; free it), or NULL when out of memory. What
 * wants it for every entry takes this: as_group_threads per entry is
 * entries^2 (73 % of a resume of 10^5 done trials, 2.5 min). */
uint32_t *as_group_threads_all(const as_trial_spec_t *specs, const as_trial_rec_t *res, int n);

int as_summary_rows(const as_trial_spec_t *specs, const as_trial_rec_t *res, int n,
                    as_summary_row_t **rows);

/* summary.csv over the first n results: the header and one row per
 * as_summary_rows row (median/min/max/95 % CI of AS_SUMMARY_METRICS and the
 * null module's cost on the same workload). Returns 0, or -1 when out of
 * memory. */
int as_summary_table(as_buf_t *b, const as_trial_spec_t *specs, const as_trial_rec_t *res, int n);

/* Check a results table read back from PATH against tables.h, by PATH's
 * file name (trials.csv, series.csv, latency.csv, histogram.csv; any other
 * name passes): a header row first, every row with the header's field
 * count, and every cell of a number column empty (n/a) or a number; other
 * columns (a newer or older allocscope's) are not judged. Returns 0, or -1
 * with "PATH: line L, column C (NAME): 'TEXT' is not a number" or the like
 * in err. */
int as_results_check_table(const char *path, const as_table_t *t, char *err, size_t errlen);

/* as_results_check_table one row at a time (as_table_each, as_table_read_each):
 * ROW a table of one, or of none (the header alone), LINE its place among
 * the rows (0: the file's second line), the same checks and err text.
 * *NUM holds what the header said between the calls of one file: NULL
 * before the first, free() it after. Returns 0, or -1 with err. */
int as_results_check_row(const char *path, const as_table_t *row, size_t line, char **num,
                         char *err, size_t errlen);

/* Table t (PATH, a trials.csv) refused when a (trial, rep) has two rows,
 * which would count that repetition twice (compare's n and test, plot's
 * medians and report): a row appended again by hand or by a copy. With
 * SAME_ROW, only two rows equal in every column t holds (plot: a folder
 * edited by hand may number its trials loosely, and plot goes by module,
 * workload and threads, not by trial; a row whose trial or rep is no count
 * is left to plot's check of its cells). A table without the trial and rep
 * columns passes. Returns 0, or -1 with "PATH: lines A and B: trial T
 * repetition R twice: ..." (or "line L: trial or rep is not a count") in
 * err. */
int as_results_check_twice(const char *path, const as_table_t *t, int same_row, char *err,
                           size_t errlen);

#endif /* AS_RESULTS_H */
