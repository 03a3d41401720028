/* results.h - the run folder: CSV tables written through libcsv, each file
 * replaced atomically (temp file, fsync, rename) after every trial, so an
 * interrupted run leaves only complete rows. Every write is checked: a full
 * disk is an error (AS_ERR_IO), not a short file. Not thread-safe. */
#ifndef AS_RESULTS_H
#define AS_RESULTS_H

#include <stddef.h>
#include <stdio.h>

#include "status.h"
#include "trial.h"

/* A growable text buffer holding one CSV file's contents. */
typedef struct as_buf {
	char *data;
	size_t len, cap;
} as_buf_t;

void as_buf_add(as_buf_t *b, const char *s, size_t n);
void as_buf_printf(as_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append one CSV string field (quoted by libcsv when needed) and, unless
 * last, a comma. */
void as_buf_csv_str(as_buf_t *b, const char *s, int last);
/* Append a number: integers without decimals, NaN as empty (n/a). */
void as_buf_csv_num(as_buf_t *b, double v, char fmt, int last);
void as_buf_free(as_buf_t *b);

/* Atomically replace DIR/NAME with the buffer. Returns 0, or -1 with
 * "PATH: reason" in err. */
int as_write_file_atomic(const char *dir, const char *name, const as_buf_t *b, char *err,
                         size_t errlen);

/* Create DIR (and parents). Returns 0 or -1 with err. */
int as_mkdir_p(const char *dir, char *err, size_t errlen);

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

/* Median of v[0..n) (sorts v); NaN when n == 0. */
double as_median(double *v, int n);
/* Distribution-free 95 % confidence interval of the median of sorted
 * v[0..n) (binomial order statistics); NaN bounds when n < 6. */
void as_median_ci95(const double *sorted, int n, double *lo, double *hi);

#endif /* AS_RESULTS_H */
