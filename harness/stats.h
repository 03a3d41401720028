/* stats.h - the statistics reporters call on repetitions of one trial:
 * median and a distribution-free confidence interval of the median. Pure
 * functions; thread-safe. */
#ifndef AS_STATS_H
#define AS_STATS_H

/* Median of v[0..n) (sorts v in place); NaN when n == 0. */
double as_median(double *v, int n);
/* Distribution-free 95 % confidence interval of the median of sorted
 * v[0..n) (binomial order statistics); NaN bounds when n < 6. */
void as_median_ci95(const double *sorted, int n, double *lo, double *hi);

#endif /* AS_STATS_H */
