/* test_compare.c - a module against a baseline: the outcome (faster,
 * slower, no difference, too few repetitions, no ratio), the sentence, and
 * comparisons.csv from grouped samples, net of null where null is a floor. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "compare.h"

static void outcomes(void)
{
	double fast[] = {50, 51, 49, 52, 50, 50.5}, slow[] = {100, 101, 99, 102, 100, 98};
	double noisy[] = {99, 103, 97, 101, 100, 102};
	as_cmp_t c;
	char s[256];

	CHECK(as_cmp_samples(fast, 6, slow, 6, NULL, 0, &c) == 0);
	CHECKF(c.outcome == AS_CMP_FASTER && fabs(c.ratio - 0.5025) < 0.01 && c.p < 0.01,
	       "outcome %d ratio %g p %g", c.outcome, c.ratio, c.p);
	CHECK(c.ci_lo <= c.ratio && c.ratio <= c.ci_hi && c.n == 6 && c.n_base == 6);
	as_cmp_sentence(&c, "mimalloc", "glibc", s, sizeof(s));
	CHECKF(!strncmp(s, "mimalloc 1.99× (", strlen("mimalloc 1.99× (")) &&
	           strstr(s, ") faster than glibc"),
	       "%s", s);

	CHECK(as_cmp_samples(slow, 6, fast, 6, NULL, 0, &c) == 0);
	as_cmp_sentence(&c, "glibc", "mimalloc", s, sizeof(s));
	CHECKF(c.outcome == AS_CMP_SLOWER && strstr(s, "glibc 1.99× (") && strstr(s, "slower"),
	       "%s", s);

	CHECK(as_cmp_samples(noisy, 6, slow, 6, NULL, 0, &c) == 0);
	as_cmp_sentence(&c, "a", "b", s, sizeof(s));
	CHECKF(c.outcome == AS_CMP_SAME && c.p > 0.05 &&
	           !strncmp(s, "a vs b: no significant difference, p = ", 39),
	       "%d %s", c.outcome, s);

	/* 3 against 3: p cannot go below 0.1, whatever the numbers */
	CHECK(as_cmp_samples(fast, 3, slow, 3, NULL, 0, &c) == 0);
	as_cmp_sentence(&c, "a", "b", s, sizeof(s));
	CHECKF(c.outcome == AS_CMP_TOO_FEW && strstr(s, "too few repetitions"), "%s", s);

	/* no ok repetition on one side */
	CHECK(as_cmp_samples(fast, 0, slow, 3, NULL, 0, &c) == 0);
	CHECK(c.outcome == AS_CMP_NO_RATIO && isnan(c.ratio));

	/* net of a floor of 40: (50 - 40) / (100 - 40) = 1/6 */
	double floor[] = {40, 40, 40, 40, 40, 40};
	CHECK(as_cmp_samples(fast, 6, slow, 6, floor, 6, &c) == 0);
	CHECKF(fabs(c.ratio - 10.25 / 60) < 0.01, "net ratio %g", c.ratio);
}

static void table(void)
{
	as_groups_t gs = {0};
	as_buf_t csv = {0}, lines = {0};
	double g[] = {100, 101, 99, 102, 100, 98}, m[] = {50, 51, 49, 52, 50, 50.5};
	for (int i = 0; i < 6; i++) {
		as_groups_add(&gs, "glibc", "random", 1, g[i]);
		as_groups_add(&gs, "mimalloc", "random", 1, m[i]);
		as_groups_add(&gs, "null", "random", 1, 10);
		as_groups_add(&gs, "glibc", "random", 2, g[i]);
		as_groups_add(&gs, "mimalloc", "random", 2, g[i] + 0.5);
		as_groups_add(&gs, "null", "random", 2, 200); /* not a floor at 2 threads */
	}
	as_groups_add(&gs, "broken", "random", 1, NAN);
	CHECK(as_groups_find(&gs, "broken", "random", 1)->n == 0);
	CHECK(as_comparisons(&gs, "glibc", &csv, &lines) == 3);
	static const char hdr[] = "workload,threads,metric,module,baseline,ratio,ci_lo,ci_hi,"
	                          "p_value,n,n_baseline,summary\n";
	CHECKF(!strncmp(csv.data, hdr, strlen(hdr)), "%s", csv.data);
	/* (50.25 - 10) / (100 - 10) */
	CHECKF(strstr(csv.data, "\nrandom,1,ns_per_op_minus_null,mimalloc,glibc,0.447222,"), "%s",
	       csv.data);
	CHECKF(strstr(csv.data, "\nrandom,2,ns_per_op,mimalloc,glibc,"), "%s", csv.data);
	CHECKF(strstr(csv.data, "\nrandom,1,ns_per_op_minus_null,broken,glibc,,,,,0,6,"), "%s",
	       csv.data);
	CHECKF(strstr(lines.data, "random, 1 thread (ns/op net of null):\n  mimalloc 2.24× ("),
	       "%s", lines.data);
	as_buf_free(&csv);
	as_buf_free(&lines);
	as_groups_free(&gs);
}

int main(void)
{
	outcomes();
	table();
	return as_check_done();
}
