/* stats.h - the statistics of repetitions: medians, confidence intervals
 * of a median (distribution-free order statistics, or a seeded bootstrap),
 * a bootstrap confidence interval of a ratio of medians, and the
 * Mann-Whitney U test. What reporters, `compare` and the verdicts conclude
 * comes from here; docs/measure.md says how. Pure functions (the bootstrap
 * draws from its own seeded generator, so a result is reproducible);
 * thread-safe. */
#ifndef AS_STATS_H
#define AS_STATS_H

#include <stdint.h>

/* Bootstrap resamples per interval: the Monte Carlo error of a 2.5 %
 * percentile from 2000 draws is about 0.35 percentage points of coverage
 * (Efron & Tibshirani, An Introduction to the Bootstrap, ch. 19). */
#define AS_BOOT_RESAMPLES 2000
/* The seed every reporter uses, so the same numbers give the same CI. */
#define AS_BOOT_SEED 0x5eedULL

/* Median of v[0..n) (sorts v in place); NaN when n == 0. */
double as_median(double *v, int n);

/* Median of v[0..n) without changing v; NaN when n == 0 or out of memory. */
double as_median_of(const double *v, int n);

/* Distribution-free 95 % confidence interval of the median of sorted
 * v[0..n) (binomial order statistics); NaN bounds when n < 6. */
void as_median_ci95(const double *sorted, int n, double *lo, double *hi);

/* Quantile q in [0, 1] of sorted v[0..n), interpolated between order
 * statistics (Hyndman & Fan type 7, R's default); NaN when n == 0. */
double as_quantile_sorted(const double *sorted, int n, double q);

/* Percentile-bootstrap 95 % confidence interval of the median of v[0..n):
 * `resamples` resamples drawn with a generator seeded by `seed`. It
 * undercovers at small n (0.87 at n = 15 in test_stats): prefer
 * as_median_ci95 where n >= 6. Returns 0, or -1 when n < 2 or out of
 * memory (bounds NaN). */
int as_boot_median_ci95(const double *v, int n, int resamples, uint64_t seed, double *lo,
                        double *hi);

/* Ratio of medians (median(x) - median(z)) / (median(y) - median(z)) and
 * its percentile-bootstrap 95 % confidence interval, x, y and z resampled
 * independently. z is a floor subtracted from both (the null module's
 * cost); nz == 0 means none. *ratio is NaN when a sample is empty or the
 * denominator is not positive; the bounds are NaN when nx or ny < 2 or
 * more than 2.5 % of the resamples have no positive denominator. Returns
 * 0, or -1 when out of memory. */
int as_boot_ratio_ci95(const double *x, int nx, const double *y, int ny, const double *z, int nz,
                       int resamples, uint64_t seed, double *ratio, double *lo, double *hi);

/* Two-sided Mann-Whitney U test of x against y. *u is U of x (the number
 * of pairs with x > y, ties counting one half). The p-value is exact (the
 * null distribution counted) when there are no ties and both samples have
 * at most 50 values; otherwise the normal approximation with the tie
 * correction of the variance and a continuity correction of 1/2 (as R's
 * wilcox.test and scipy's mannwhitneyu). NaN when a sample is empty or out
 * of memory. */
double as_mann_whitney_p(const double *x, int nx, const double *y, int ny, double *u);

#endif /* AS_STATS_H */
