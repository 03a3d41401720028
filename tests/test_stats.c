/* test_stats.c - summary statistics: median, the distribution-free 95 %
 * confidence interval of the median (binomial order statistics), and the
 * summary table's null-module baseline column. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "results.h"

int main(void)
{
	double v[20], lo, hi;
	as_trial_spec_t specs[4];
	as_trial_result_t *res = calloc(4, sizeof(*res));
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
