/* stats.c - see stats.h. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>

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
