/* stats.c - see stats.h. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../workloads/prng.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

double as_median(double *v, int n)
{
	if (n <= 0)
		return NAN;
	qsort(v, (size_t)n, sizeof(v[0]), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double as_median_of(const double *v, int n)
{
	double *c, m;
	if (n <= 0)
		return NAN;
	c = malloc(sizeof(double) * (size_t)n);
	if (!c)
		return NAN;
	memcpy(c, v, sizeof(double) * (size_t)n);
	m = as_median(c, n);
	free(c);
	return m;
}

void as_median_ci95(const double *sorted, int n, double *lo, double *hi)
{
	/* largest j with P(Binomial(n, 1/2) < j) <= 2.5 %: then
	 * [x_(j), x_(n-j+1)] covers the median with >= 95 % */
	double p = ldexp(1.0, -n), cum = 0, coef = 1;
	int j = 0;
	*lo = *hi = NAN;
	if (n < 1 || n > 1000)
		return;
	for (int k = 0; k < n; k++) {
		cum += coef * p;
		if (cum > 0.025)
			break;
		j = k + 1;
		coef = coef * (double)(n - k) / (double)(k + 1);
	}
	if (j < 1)
		return;
	*lo = sorted[j - 1];
	*hi = sorted[n - j];
}

double as_quantile_sorted(const double *sorted, int n, double q)
{
	double h;
	int i;
	if (n <= 0)
		return NAN;
	h = (n - 1) * q;
	i = (int)floor(h);
	if (i >= n - 1)
		return sorted[n - 1];
	return sorted[i] + (h - i) * (sorted[i + 1] - sorted[i]);
}

/* One sample ready for resampling. A resample's median is an order
 * statistic of the draws, and the k-th smallest of v[i1..in] is the
 * sorted sample's entry at the k-th smallest rank drawn: so each resample
 * counts ranks (one pass, n counters) instead of sorting n doubles, the
 * same draws giving the same median to the bit (it was a qsort per
 * resample, 0.4 s of the 0.4 s per match `compare` spent at 1000
 * repetitions a side: docs/measure.md "compare's statistics"). */
typedef struct {
	const double *v; /* the sample, as given */
	double *sorted;  /* v sorted ascending */
	int *rank;       /* rank[i]: v[i]'s place in sorted */
	int *count;      /* per resample: draws of each rank */
	int n;
} boot_side_t;

typedef struct {
	double v;
	int i;
} ranked_t;

static int cmp_ranked(const void *a, const void *b)
{
	return cmp_double(&((const ranked_t *)a)->v, &((const ranked_t *)b)->v);
}

/* 1 when v[0..n) has a NaN: qsort's order (and so the median it picks)
 * is then up to the comparisons it makes, which ranks cannot copy. */
static int has_nan(const double *v, int n)
{
	for (int i = 0; i < n; i++)
		if (isnan(v[i]))
			return 1;
	return 0;
}

/* Returns 0, or -1 when out of memory (side_free undoes either). */
static int side_init(boot_side_t *s, const double *v, int n)
{
	ranked_t *r;
	memset(s, 0, sizeof(*s));
	s->v = v;
	s->n = n;
	if (n < 1)
		return 0;
	s->sorted = malloc(sizeof(double) * (size_t)n);
	if (!s->sorted)
		return -1;
	if (has_nan(v, n))
		return 0; /* no ranks: resample_median sorts the draws, as it did */
	s->rank = malloc(sizeof(int) * (size_t)n);
	s->count = malloc(sizeof(int) * (size_t)n);
	r = malloc(sizeof(*r) * (size_t)n);
	if (!s->rank || !s->count || !r) {
		free(r);
		return -1;
	}
	for (int i = 0; i < n; i++)
		r[i] = (ranked_t){v[i], i};
	qsort(r, (size_t)n, sizeof(*r), cmp_ranked);
	for (int j = 0; j < n; j++) {
		s->sorted[j] = r[j].v;
		s->rank[r[j].i] = j;
	}
	free(r);
	return 0;
}

static void side_free(boot_side_t *s)
{
	free(s->sorted);
	free(s->rank);
	free(s->count);
}

/* Median of n values drawn with replacement from s->v: n draws of rng,
 * as many as ever, in the same order. */
static double resample_median(boot_side_t *s, as_rng_t *rng)
{
	int n = s->n, k_lo = (n - 1) / 2, k_hi = n / 2, cum = 0, j = 0;
	double lo;
	if (!s->rank) {
		double *buf = s->sorted; /* scratch in the NaN case */
		for (int i = 0; i < n; i++)
			buf[i] = s->v[as_rng_below(rng, (uint64_t)n)];
		return as_median(buf, n);
	}
	memset(s->count, 0, sizeof(int) * (size_t)n);
	for (int i = 0; i < n; i++)
		s->count[s->rank[as_rng_below(rng, (uint64_t)n)]]++;
	/* the k_lo-th and k_hi-th smallest draws (0-based): equal for odd n */
	while ((cum += s->count[j]) <= k_lo)
		j++;
	lo = s->sorted[j];
	if (k_hi == k_lo)
		return lo;
	while (cum <= k_hi)
		cum += s->count[++j];
	return (lo + s->sorted[j]) / 2;
}

int as_boot_median_ci95(const double *v, int n, int resamples, uint64_t seed, double *lo,
                        double *hi)
{
	double *rep;
	boot_side_t s;
	as_rng_t rng;
	int rc = -1;
	*lo = *hi = NAN;
	if (n < 2 || resamples < 1)
		return -1;
	rep = malloc(sizeof(double) * (size_t)resamples);
	if (side_init(&s, v, n) != 0 || !rep)
		goto out;
	as_rng_seed(&rng, seed);
	for (int b = 0; b < resamples; b++)
		rep[b] = resample_median(&s, &rng);
	qsort(rep, (size_t)resamples, sizeof(double), cmp_double);
	*lo = as_quantile_sorted(rep, resamples, 0.025);
	*hi = as_quantile_sorted(rep, resamples, 0.975);
	rc = 0;
out:
	side_free(&s);
	free(rep);
	return rc;
}

int as_boot_ratio_ci95(const double *x, int nx, const double *y, int ny, const double *z, int nz,
                       int resamples, uint64_t seed, double *ratio, double *lo, double *hi)
{
	double *rep = NULL, den;
	boot_side_t sx = {0}, sy = {0}, sz = {0};
	int k = 0, rc = -1;
	as_rng_t rng;
	*ratio = *lo = *hi = NAN;
	if (nx < 1 || ny < 1)
		return 0;
	rep = malloc(sizeof(double) * (size_t)(resamples > 0 ? resamples : 1));
	if (!rep)
		goto out;
	{
		double zm = nz > 0 ? as_median_of(z, nz) : 0;
		den = as_median_of(y, ny) - zm;
		if (den > 0)
			*ratio = (as_median_of(x, nx) - zm) / den;
	}
	if (!isnan(*ratio) && nx >= 2 && ny >= 2) {
		if (side_init(&sx, x, nx) || side_init(&sy, y, ny) || side_init(&sz, z, nz))
			goto out;
		as_rng_seed(&rng, seed);
		for (int b = 0; b < resamples; b++) {
			double mx = resample_median(&sx, &rng);
			double my = resample_median(&sy, &rng);
			double mz = nz > 0 ? resample_median(&sz, &rng) : 0;
			if (my - mz > 0)
				rep[k++] = (mx - mz) / (my - mz);
		}
		/* a denominator that is often not positive: no interval */
		if (k > 0 && (double)(resamples - k) <= 0.025 * resamples) {
			qsort(rep, (size_t)k, sizeof(double), cmp_double);
			*lo = as_quantile_sorted(rep, k, 0.025);
			*hi = as_quantile_sorted(rep, k, 0.975);
		}
	}
	rc = 0;
out:
	if (rc != 0)
		*ratio = *lo = *hi = NAN;
	side_free(&sx);
	side_free(&sy);
	side_free(&sz);
	free(rep);
	return rc;
}

/* Exact two-sided p of U1 = u for sizes m, n without ties: counts of
 * arrangements c(i, j, u) = c(i-1, j, u-j) + c(i, j-1, u) (Mann & Whitney
 * 1947), one plane per i. p = 2 min(P(U <= u), P(U >= u)), at most 1. */
static double exact_p(int m, int n, double u)
{
	int umax = m * n, w = umax + 1;
	double *prev = calloc((size_t)(n + 1) * (size_t)w, sizeof(double));
	double *cur = calloc((size_t)(n + 1) * (size_t)w, sizeof(double));
	double total = 0, le = 0, ge = 0, p = NAN;
	if (!prev || !cur)
		goto out;
	for (int j = 0; j <= n; j++)
		prev[(size_t)j * (size_t)w] = 1; /* c(0, j, 0) = 1 */
	for (int i = 1; i <= m; i++) {
		memset(cur, 0, sizeof(double) * (size_t)(n + 1) * (size_t)w);
		cur[0] = 1; /* c(i, 0, 0) = 1 */
		for (int j = 1; j <= n; j++)
			for (int v = 0; v <= i * j; v++) {
				double a =
				    v >= j ? prev[(size_t)j * (size_t)w + (size_t)(v - j)] : 0;
				double b = cur[(size_t)(j - 1) * (size_t)w + (size_t)v];
				cur[(size_t)j * (size_t)w + (size_t)v] = a + b;
			}
		double *t = prev;
		prev = cur;
		cur = t;
	}
	for (int v = 0; v <= umax; v++) {
		double c = prev[(size_t)n * (size_t)w + (size_t)v];
		total += c;
		if (v <= u + 1e-9)
			le += c;
		if (v >= u - 1e-9)
			ge += c;
	}
	p = 2 * fmin(le, ge) / total;
	if (p > 1)
		p = 1;
out:
	free(prev);
	free(cur);
	return p;
}

typedef struct {
	double v;
	int from_x;
} tagged_t;

static int cmp_tagged(const void *a, const void *b)
{
	return cmp_double(&((const tagged_t *)a)->v, &((const tagged_t *)b)->v);
}

double as_mann_whitney_p(const double *x, int nx, const double *y, int ny, double *u)
{
	int n = nx + ny, ties = 0;
	double r1 = 0, tsum = 0, mu, var, z;
	tagged_t *all;
	*u = NAN;
	if (nx < 1 || ny < 1)
		return NAN;
	all = malloc(sizeof(*all) * (size_t)n);
	if (!all)
		return NAN;
	for (int i = 0; i < nx; i++)
		all[i] = (tagged_t){x[i], 1};
	for (int i = 0; i < ny; i++)
		all[nx + i] = (tagged_t){y[i], 0};
	qsort(all, (size_t)n, sizeof(*all), cmp_tagged);
	/* mid-ranks over runs of equal values; sum over runs of t^3 - t */
	for (int i = 0; i < n;) {
		int j = i;
		while (j < n && all[j].v == all[i].v)
			j++;
		double t = j - i, rank = (i + 1 + j) / 2.0;
		for (int k = i; k < j; k++)
			if (all[k].from_x)
				r1 += rank;
		if (t > 1) {
			ties = 1;
			tsum += t * t * t - t;
		}
		i = j;
	}
	free(all);
	*u = r1 - nx * (nx + 1) / 2.0;
	if (!ties && nx <= 50 && ny <= 50)
		return exact_p(nx, ny, *u);
	mu = nx * (double)ny / 2;
	var = nx * (double)ny / 12 * ((n + 1) - tsum / ((double)n * (n - 1)));
	if (var <= 0)
		return 1; /* every value equal */
	z = (fabs(*u - mu) - 0.5) / sqrt(var);
	if (z < 0)
		return 1;
	return fmin(1, erfc(z / sqrt(2)));
}
