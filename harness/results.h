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
#include "trial_types.h"

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

/* summary.csv over the first n results: one row per (module, workload,
 * threads) with median/min/max/95 % CI of AS_SUMMARY_METRICS over the ok
 * repetitions and the null module's cost on the same workload. */
void as_summary_table(as_buf_t *b, const as_trial_spec_t *specs, const as_trial_result_t *res,
                      int n);

#endif /* AS_RESULTS_H */
