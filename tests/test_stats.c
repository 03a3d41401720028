/* test_stats.c - the statistics against known answers: medians, the
 * distribution-free 95 % confidence interval of the median (binomial order
 * statistics), type-7 quantiles, Mann-Whitney p-values against values
 * published by R and scipy (and one computed by hand), the bootstrap's
 * reproducibility and its coverage on simulated data, and the summary
 * table's null-module baseline column. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../workloads/prng.h"
#include "check.h"
#include "results.h"

#define NEAR(a, b, tol) (fabs((a) - (b)) <= (tol))

/* Mann-Whitney U: U and the two-sided p against published values. */
static void mann_whitney(void)
{
	double u, p;
	/* scipy.stats.mannwhitneyu docs (Conover's example): U = 17, exact
	 * p = 0.1111111111111111; method="asymptotic" (continuity-corrected)
	 * gives 0.11134688653314041. */
	double males[] = {19, 22, 16, 29, 24}, females[] = {20, 11, 17, 12};
	p = as_mann_whitney_p(males, 5, females, 4, &u);
	CHECKF(u == 17 && NEAR(p, 0.1111111111111111, 1e-12), "U %g p %.17g", u, p);
	/* R's ?wilcox.test two-sample example: W = 35, one-sided ("greater")
	 * exact p-value 0.1272; two-sided is twice that: 2 * 382 / 3003
	 * arrangements = 0.2544122544122544. */
	double x[] = {0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46};
	double y[] = {1.15, 0.88, 0.90, 0.74, 1.21};
	p = as_mann_whitney_p(x, 10, y, 5, &u);
	CHECKF(u == 35 && NEAR(p, 0.2544122544122544, 1e-12), "U %g p %.17g", u, p);
	/* U is symmetric: swapping the samples gives n1 n2 - U, same p */
	p = as_mann_whitney_p(y, 5, x, 10, &u);
	CHECKF(u == 15 && NEAR(p, 0.2544122544122544, 1e-12), "U %g p %.17g", u, p);
	/* n1 = n2 = 5, complete separation: 2 / C(10, 5) = 2 / 252 (tables of
	 * the exact distribution, e.g. Siegel & Castellan table J) */
	double lo5[] = {1, 2, 3, 4, 5}, hi5[] = {6, 7, 8, 9, 10};
	p = as_mann_whitney_p(lo5, 5, hi5, 5, &u);
	CHECKF(u == 0 && NEAR(p, 2.0 / 252, 1e-15), "U %g p %.17g", u, p);
	/* three vs three: the smallest p there is, 2 / 20 = 0.1, never below 5 % */
	p = as_mann_whitney_p(lo5, 3, hi5, 3, &u);
	CHECKF(NEAR(p, 0.1, 1e-15), "p %.17g", p);
	/* ties: normal approximation, tie-corrected variance, continuity 1/2.
	 * By hand: a's mid-ranks in the pooled 21 values sum to 74.5, so
	 * U = 74.5 - 55 = 19.5, mu = 10 * 11 / 2 = 55; runs of equal values:
	 * 3 x4, 4 x3, 5 x3, 2/6/7/8 x2, so T = sum(t^3 - t) = 60 + 2 * 24 +
	 * 4 * 6 = 132; sigma^2 = 110 / 12 * (22 - 132 / 420) = 198.786;
	 * z = (35.5 - 0.5) / 14.099 = 2.4824; p = erfc(z / sqrt 2) =
	 * 0.013049295236126168 (the same formula as R's correct = TRUE). */
	double a[] = {1, 2, 2, 3, 3, 3, 4, 5, 6, 7};
	double b[] = {3, 4, 4, 5, 5, 6, 7, 8, 8, 9, 10};
	p = as_mann_whitney_p(a, 10, b, 11, &u);
	CHECKF(u == 19.5 && NEAR(p, 0.013049295236126168, 1e-12), "U %g p %.17g", u, p);
	/* all equal: no evidence of a difference */
	double e1[] = {5, 5, 5}, e2[] = {5, 5};
	p = as_mann_whitney_p(e1, 3, e2, 2, &u);
	CHECK(p == 1);
	CHECK(isnan(as_mann_whitney_p(e1, 0, e2, 2, &u)));
}

/* A lognormal draw with median exp(mu) (Box-Muller). */
static double lognormal(as_rng_t *r, double mu, double sigma)
{
	double u1 = as_rng_unit(r), u2 = as_rng_unit(r);
	return exp(mu + sigma * sqrt(-2 * log(1 - u1)) * cos(6.283185307179586 * u2));
}

/* P(Binomial(n, p) >= k). */
static double binom_tail(int n, double p, int k)
{
	double s = 0, c = 1; /* c = C(n, i) */
	for (int i = 0; i <= n; i++) {
		if (i >= k)
			s += c * pow(p, i) * pow(1 - p, n - i);
		c = c * (n - i) / (i + 1);
	}
	return s;
}

/* The percentile bootstrap against its exact distribution. Of 17 values,
 * five 1s, seven 2s and five 3s, a resample's median is 3 when 9 or more
 * of its 17 draws are 3s: P(Binomial(17, 5/17) >= 9) = 0.0356237 (python3:
 * sum(comb(17, i) * (5/17)**i * (12/17)**(17 - i) for i in range(9, 18))),
 * and 1 as often. Of 20000 resamples 712 +- 26 are 3s (and as many 1s), so
 * the 97.5 % point (the 500th from the top) is 3, the 2.5 % point 1; the
 * 95 % point (the 1000th) would be 2. A resampler that never drew the
 * last value (a 3) would make P(median 3) = P(Binomial(17, 4/16) >= 9) =
 * 0.0124: 248 of 20000, and 2 at the 97.5 % point. */
static void known_bootstrap(void)
{
	double tri[17], one[] = {1, 1, 1}, lo, hi, r;
	for (int i = 0; i < 17; i++)
		tri[i] = i < 5 ? 1 : i < 12 ? 2 : 3;
	CHECKF(NEAR(binom_tail(17, 5.0 / 17, 9), 0.0356237, 1e-6), "%g",
	       binom_tail(17, 5.0 / 17, 9));
	CHECK(as_boot_median_ci95(tri, 17, 20000, 7, &lo, &hi) == 0);
	CHECKF(lo == 1 && hi == 3, "median of 1x5 2x7 3x5: [%g, %g], want [1, 3]", lo, hi);
	/* the ratio's interval is the same distribution over a constant 1 */
	CHECK(as_boot_ratio_ci95(tri, 17, one, 3, NULL, 0, 20000, 7, &r, &lo, &hi) == 0);
	CHECKF(r == 2 && lo == 1 && hi == 3, "ratio %g [%g, %g], want 2 [1, 3]", r, lo, hi);

	/* a floor that the baseline's resampled median often meets: y is six
	 * 2s and eleven 5s over a floor of 2, so my - mz <= 0 when 9 or more
	 * of 17 draws are 2s: P(Binomial(17, 6/17) >= 9) = 0.10407, about
	 * 2080 of 20000 resamples, over the 2.5 % (500) allowed: a ratio,
	 * (10 - 2) / (5 - 2), and no interval */
	double x[] = {10, 10, 10}, y[17], z[] = {2, 2, 2};
	for (int i = 0; i < 17; i++)
		y[i] = i < 6 ? 2 : 5;
	CHECKF(NEAR(binom_tail(17, 6.0 / 17, 9), 0.10407, 1e-5), "%g", binom_tail(17, 6.0 / 17, 9));
	CHECK(as_boot_ratio_ci95(x, 3, y, 17, z, 3, 20000, 7, &r, &lo, &hi) == 0);
	CHECKF(NEAR(r, 8.0 / 3, 1e-12) && isnan(lo) && isnan(hi), "ratio %g [%g, %g]", r, lo, hi);
	/* five 2s: P = 0.0356 (above), still over 2.5 %; four 2s: P(Binomial(
	 * 17, 4/17) >= 9) = 0.0082, about 164 of 20000: an interval */
	for (int i = 0; i < 17; i++)
		y[i] = i < 4 ? 2 : 5;
	CHECK(as_boot_ratio_ci95(x, 3, y, 17, z, 3, 20000, 7, &r, &lo, &hi) == 0);
	CHECKF(!isnan(lo) && !isnan(hi) && lo <= r && r <= hi, "ratio %g [%g, %g]", r, lo, hi);
}

/* Bootstrap: reproducible for a seed, and its 95 % intervals cover the
 * true ratio of medians in about 95 % of simulated samples (400 data sets:
 * a binomial standard error of 1.1 points, so the band is 0.90..0.99).
 * The percentile interval of a single median undercovers at small n (the
 * bootstrap distribution of a median is discrete; Efron & Tibshirani
 * ch. 13): 0.87 here at n = 15, which is why summary.csv and the -r auto
 * stop rule use the order-statistic interval instead, checked here to
 * cover at least 95 % on the same data. */
static void bootstrap(void)
{
	double v[] = {10, 11, 9, 12, 10.5, 30, 10.2}, lo, hi, lo2, hi2, r, r2;
	as_rng_t rng;
	int cover = 0, cover_r = 0, cover_os = 0, sets = 400;

	CHECK(as_boot_median_ci95(v, 7, 2000, 1, &lo, &hi) == 0);
	CHECK(as_boot_median_ci95(v, 7, 2000, 1, &lo2, &hi2) == 0);
	CHECKF(lo == lo2 && hi == hi2, "same seed, different interval");
	CHECKF(lo >= 9 && lo <= 10.5 && hi >= 10.5 && hi <= 12, "[%g, %g]", lo, hi);
	CHECK(as_boot_median_ci95(v, 1, 2000, 1, &lo, &hi) == -1 && isnan(lo));

	/* ratio: exact on constant samples, the floor subtracted first */
	double x[] = {30, 30, 30}, y[] = {20, 20, 20}, z[] = {10, 10};
	CHECK(as_boot_ratio_ci95(x, 3, y, 3, NULL, 0, 500, 1, &r, &lo, &hi) == 0);
	CHECKF(NEAR(r, 1.5, 1e-12) && NEAR(lo, 1.5, 1e-12) && NEAR(hi, 1.5, 1e-12), "%g [%g, %g]",
	       r, lo, hi);
	CHECK(as_boot_ratio_ci95(x, 3, y, 3, z, 2, 500, 1, &r, &lo, &hi) == 0);
	CHECKF(NEAR(r, 2, 1e-12), "net ratio %g", r);
	/* a floor at or above the baseline: no ratio */
	double zz[] = {25, 25};
	CHECK(as_boot_ratio_ci95(x, 3, y, 3, zz, 2, 500, 1, &r, &lo, &hi) == 0 && isnan(r));
	/* one repetition: a ratio, no interval */
	CHECK(as_boot_ratio_ci95(x, 1, y, 1, NULL, 0, 500, 1, &r, &lo, &hi) == 0);
	CHECK(NEAR(r, 1.5, 1e-12) && isnan(lo) && isnan(hi));

	known_bootstrap();

	as_rng_seed(&rng, 12345);
	for (int s = 0; s < sets; s++) {
		double a[15], b[12];
		for (int i = 0; i < 15; i++)
			a[i] = lognormal(&rng, log(100), 0.3); /* median 100 */
		for (int i = 0; i < 12; i++)
			b[i] = lognormal(&rng, log(50), 0.3); /* median 50 */
		as_boot_median_ci95(a, 15, 1000, (uint64_t)s, &lo, &hi);
		cover += lo <= 100 && 100 <= hi;
		as_median(a, 15);
		as_median_ci95(a, 15, &lo, &hi);
		cover_os += lo <= 100 && 100 <= hi;
		as_boot_ratio_ci95(a, 15, b, 12, NULL, 0, 1000, (uint64_t)s, &r2, &lo, &hi);
		cover_r += lo <= 2 && 2 <= hi;
	}
	CHECKF(cover >= 0.83 * sets && cover <= 0.95 * sets, "median coverage %d/%d", cover, sets);
	CHECKF(cover_os >= 0.93 * sets, "order-statistic coverage %d/%d", cover_os, sets);
	CHECKF(cover_r >= 0.90 * sets && cover_r <= 0.99 * sets, "ratio coverage %d/%d", cover_r,
	       sets);
	printf("coverage: bootstrap median %.3f, order statistics %.3f, bootstrap ratio %.3f (%d "
	       "data sets)\n",
	       (double)cover / sets, (double)cover_os / sets, (double)cover_r / sets, sets);
}

int main(void)
{
	double v[20], lo, hi;
	as_trial_spec_t specs[4];
	as_trial_rec_t *res = calloc(4, sizeof(*res));
	as_buf_t b = {0};
	as_spec_t mods[2], wl;
	char err[256];

	double a[] = {5, 1, 3};
	CHECK(as_median(a, 3) == 3);
	double c[] = {4, 1, 3, 2};
	CHECK(as_median(c, 4) == 2.5);
	CHECK(isnan(as_median(c, 0)));

	/* n < 6: no 95 % interval exists from order statistics */
	for (int i = 0; i < 20; i++)
		v[i] = i + 1;
	as_median_ci95(v, 5, &lo, &hi);
	CHECK(isnan(lo) && isnan(hi));
	/* n = 6: P(all on one side) = 2/64 < 5 %: [x1, x6] */
	as_median_ci95(v, 6, &lo, &hi);
	CHECK(lo == 1 && hi == 6);
	/* n = 20: the textbook ranks are 6 and 15 */
	as_median_ci95(v, 20, &lo, &hi);
	CHECKF(lo == 6 && hi == 15, "got [%g, %g]", lo, hi);

	/* type-7 quantiles (R's quantile(1:20, c(.025, .5, .975))) */
	CHECK(NEAR(as_quantile_sorted(v, 20, 0.025), 1.475, 1e-12));
	CHECK(NEAR(as_quantile_sorted(v, 20, 0.5), 10.5, 1e-12));
	CHECK(NEAR(as_quantile_sorted(v, 20, 0.975), 19.525, 1e-12));
	CHECK(as_quantile_sorted(v, 1, 0.3) == 1 && isnan(as_quantile_sorted(v, 0, 0.5)));
	double keep[] = {3, 1, 2};
	CHECK(as_median_of(keep, 3) == 2 && keep[0] == 3);

	mann_whitney();
	bootstrap();

	/* summary: two modules, two reps; null's cost appears next to glibc */
	memset(specs, 0, sizeof(specs));
	CHECK(as_spec_parse("glibc", AS_SPEC_MODULE, &mods[0], err, sizeof(err)) == 0);
	CHECK(as_spec_parse("null", AS_SPEC_MODULE, &mods[1], err, sizeof(err)) == 0);
	CHECK(as_spec_parse("random", AS_SPEC_WORKLOAD, &wl, err, sizeof(err)) == 0);
	for (int i = 0; i < 4; i++) {
		specs[i].module = &mods[i % 2];
		specs[i].workload = &wl;
		specs[i].threads = 1;
		specs[i].trial = (uint32_t)(i % 2);
		specs[i].rep = (uint32_t)(i / 2);
		res[i].status = AS_OK;
		for (int k = 0; k < AS_TRIAL_NCOLS; k++)
			res[i].v[k] = NAN;
		res[i].v[AS_TC_ns_per_op] = i % 2 ? 10 + i : 50 + i;
	}
	as_summary_table(&b, specs, res, 4);
	CHECK(b.data && strstr(b.data, "null_ns_per_op_median"));
	/* glibc: median(50, 52) = 51, null: median(11, 13) = 12, difference 39 */
	CHECKF(b.data && strstr(b.data, "\nglibc,,random,,1,2,12,39,"), "%s", b.data);
	as_buf_free(&b);
	as_spec_free(&mods[0]);
	as_spec_free(&mods[1]);
	as_spec_free(&wl);
	free(res);
	return as_check_done();
}
