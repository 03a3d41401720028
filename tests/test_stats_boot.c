/* test_stats_boot.c - the bootstrap counts ranks instead of sorting each
 * resample (stats.c): the same draws must give the same intervals to the
 * bit. Here against the qsort-per-resample code it replaced, copied as it
 * was, on samples with and without ties, odd and even sizes, with and
 * without a floor, and a NaN (which keeps the old path). Speed is in
 * docs/measure.md, not here. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../harness/stats.h"
#include "../workloads/prng.h"
#include "check.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* the replaced code, from here to old_ratio */
static double old_resample_median(const double *v, int n, as_rng_t *rng, double *buf)
{
	for (int i = 0; i < n; i++)
		buf[i] = v[as_rng_below(rng, (uint64_t)n)];
	return as_median(buf, n);
}

static void old_median_ci(const double *v, int n, int resamples, uint64_t seed, double *lo,
                          double *hi)
{
	double *rep = malloc(sizeof(double) * (size_t)resamples);
	double *buf = malloc(sizeof(double) * (size_t)n);
	as_rng_t rng;
	as_rng_seed(&rng, seed);
	for (int b = 0; b < resamples; b++)
		rep[b] = old_resample_median(v, n, &rng, buf);
	qsort(rep, (size_t)resamples, sizeof(double), cmp_double);
	*lo = as_quantile_sorted(rep, resamples, 0.025);
	*hi = as_quantile_sorted(rep, resamples, 0.975);
	free(rep);
	free(buf);
}

static void old_ratio(const double *x, int nx, const double *y, int ny, const double *z, int nz,
                      int resamples, uint64_t seed, double *ratio, double *lo, double *hi)
{
	int nbuf = nx > ny ? nx : ny, k = 0;
	double *rep, *buf, den, zm;
	as_rng_t rng;
	*ratio = *lo = *hi = NAN;
	if (nz > nbuf)
		nbuf = nz;
	rep = malloc(sizeof(double) * (size_t)resamples);
	buf = malloc(sizeof(double) * (size_t)nbuf);
	zm = nz > 0 ? as_median_of(z, nz) : 0;
	den = as_median_of(y, ny) - zm;
	if (den > 0)
		*ratio = (as_median_of(x, nx) - zm) / den;
	if (!isnan(*ratio) && nx >= 2 && ny >= 2) {
		as_rng_seed(&rng, seed);
		for (int b = 0; b < resamples; b++) {
			double mx = old_resample_median(x, nx, &rng, buf);
			double my = old_resample_median(y, ny, &rng, buf);
			double mz = nz > 0 ? old_resample_median(z, nz, &rng, buf) : 0;
			if (my - mz > 0)
				rep[k++] = (mx - mz) / (my - mz);
		}
		if (k > 0 && (double)(resamples - k) <= 0.025 * resamples) {
			qsort(rep, (size_t)k, sizeof(double), cmp_double);
			*lo = as_quantile_sorted(rep, k, 0.025);
			*hi = as_quantile_sorted(rep, k, 0.975);
		}
	}
	free(rep);
	free(buf);
}

/* equal to the bit, or both NaN */
static int same(double a, double b)
{
	return (isnan(a) && isnan(b)) || !memcmp(&a, &b, sizeof(a));
}

/* n values: `levels` > 0 draws from that many distinct values (ties),
 * else continuous */
static void sample(as_rng_t *r, double *v, int n, double centre, int levels)
{
	for (int i = 0; i < n; i++)
		v[i] = levels > 0 ? centre + (double)as_rng_below(r, (uint64_t)levels)
		                  : centre * (0.8 + 0.4 * as_rng_unit(r));
}

int main(void)
{
	static const int sizes[] = {2, 3, 4, 7, 16, 17, 100, 101, 1000};
	double x[1000], y[1000], z[1000];
	as_rng_t rng;
	int diff = 0, cases = 0;

	as_rng_seed(&rng, 2026);
	for (size_t a = 0; a < sizeof(sizes) / sizeof(sizes[0]); a++)
		for (int levels = 0; levels <= 5; levels += 5)
			for (int with_floor = 0; with_floor <= 1; with_floor++) {
				int nx = sizes[a], ny = sizes[(a + 3) % 9],
				    nz = with_floor ? sizes[a / 2] : 0;
				double r1, l1, h1, r2, l2, h2;
				sample(&rng, x, nx, 200, levels);
				sample(&rng, y, ny, 100, levels);
				sample(&rng, z, nz, 20, levels);
				as_boot_ratio_ci95(x, nx, y, ny, z, nz, 500, AS_BOOT_SEED + a, &r1,
				                   &l1, &h1);
				old_ratio(x, nx, y, ny, z, nz, 500, AS_BOOT_SEED + a, &r2, &l2,
				          &h2);
				cases++;
				if (!same(r1, r2) || !same(l1, l2) || !same(h1, h2)) {
					diff++;
					fprintf(stderr,
					        "ratio n = %d, %d, %d: %.17g [%.17g, %.17g], was "
					        "%.17g [%.17g, %.17g]\n",
					        nx, ny, nz, r1, l1, h1, r2, l2, h2);
				}
				as_boot_median_ci95(x, nx, 500, a, &l1, &h1);
				old_median_ci(x, nx, 500, a, &l2, &h2);
				cases++;
				if (!same(l1, l2) || !same(h1, h2)) {
					diff++;
					fprintf(
					    stderr,
					    "median n = %d: [%.17g, %.17g], was [%.17g, %.17g]\n",
					    nx, l1, h1, l2, h2);
				}
			}
	CHECKF(diff == 0, "%d of %d intervals differ from the qsort-per-resample bootstrap", diff,
	       cases);

	/* a NaN among the values: the old path, the same result */
	{
		double v[] = {3, 1, NAN, 2, 5, 4, 2}, w[] = {1, 1, 2, 1}, r1, l1, h1, r2, l2, h2;
		as_boot_ratio_ci95(v, 7, w, 4, NULL, 0, 300, 9, &r1, &l1, &h1);
		old_ratio(v, 7, w, 4, NULL, 0, 300, 9, &r2, &l2, &h2);
		CHECKF(same(r1, r2) && same(l1, l2) && same(h1, h2),
		       "NaN: %g [%g, %g], was %g [%g, %g]", r1, l1, h1, r2, l2, h2);
	}
	return as_check_done();
}
