/* test_compare.c - a module against a baseline: the outcome (faster,
 * slower, no difference, too few repetitions, no ratio), the sentence, and
 * comparisons.csv from grouped samples, net of null where null is a floor;
 * and `compare`'s changes of one folder's groups against another's. */
#include <math.h>
#include <stdio.h>
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

/* Outcomes at their edges, against answers worked out independently. */
static void edges(void)
{
	double lo_mix[20], hi_mix[20], two[20], s_lo, s_hi;
	as_cmp_t c;
	char s[256];

	/* a significant rank test whose interval still reaches 1 is no
	 * verdict: fourteen 1s and six 3s against twenty 2s: ratio of medians
	 * 1 / 2, Mann-Whitney U = 120 of 400 pairs, continuity-corrected and
	 * tie-corrected p = 0.0182 (python3, R's formula); a resample's median
	 * is 2 or more when 10 or more of its 20 draws are 3s: P(Binomial(20,
	 * 0.3) >= 10) = 0.048, over the 2.5 % above the upper end, so the
	 * interval ends at 1 (ratio 2 / 2) and the outcome is "same" */
	for (int i = 0; i < 20; i++) {
		lo_mix[i] = i < 14 ? 1 : 3;
		hi_mix[i] = i < 14 ? 3 : 1;
		two[i] = 2;
	}
	CHECK(as_cmp_samples(lo_mix, 20, two, 20, NULL, 0, &c) == 0);
	CHECKF(fabs(c.p - 0.018201079141862503) < 1e-12 && c.ratio == 0.5 && c.ci_hi >= 1 &&
	           c.outcome == AS_CMP_SAME,
	       "p %g ratio %g [%g, %g] outcome %d", c.p, c.ratio, c.ci_lo, c.ci_hi, c.outcome);
	/* and the mirror: fourteen 3s and six 1s, ratio 1.5, the lower end 1 */
	CHECK(as_cmp_samples(hi_mix, 20, two, 20, NULL, 0, &c) == 0);
	CHECKF(fabs(c.p - 0.018201079141862503) < 1e-12 && c.ratio == 1.5 && c.ci_lo <= 1 &&
	           c.outcome == AS_CMP_SAME,
	       "p %g ratio %g [%g, %g] outcome %d", c.p, c.ratio, c.ci_lo, c.ci_hi, c.outcome);

	/* "faster" says the speedup's interval low to high: 1 / ci_hi first */
	double fast[] = {50, 51, 49, 52, 50, 50.5}, slow[] = {100, 101, 99, 102, 100, 98};
	CHECK(as_cmp_samples(fast, 6, slow, 6, NULL, 0, &c) == 0);
	as_cmp_sentence(&c, "m", "b", s, sizeof(s));
	CHECKF(sscanf(s, "m %*f× (%lf–%lf)", &s_lo, &s_hi) == 2 && s_lo <= 1 / c.ratio &&
	           1 / c.ratio <= s_hi && s_lo < s_hi,
	       "%s", s);

	/* a baseline median of 0 (a count): 0 against 0 is the same, ratio 1 */
	double zeros[] = {0, 0, 0, 0, 0, 0}, some[] = {0, 0, 0, 1, 1, 1};
	CHECK(as_cmp_samples(zeros, 6, zeros, 6, NULL, 0, &c) == 0);
	CHECKF(c.ratio == 1 && c.outcome == AS_CMP_SAME, "ratio %g outcome %d", c.ratio, c.outcome);
	/* three 0s and three 1s against six 0s: median 0.5 over 0, but
	 * Mann-Whitney's p (U = 27, mu = 18, ties 9 and 3: p = 0.0705, by
	 * hand and python3) is not under 5 %: the same, not slower */
	CHECK(as_cmp_samples(some, 6, zeros, 6, NULL, 0, &c) == 0);
	CHECKF(isinf(c.ratio) && fabs(c.p - 0.07053284913489212) < 1e-12 &&
	           c.outcome == AS_CMP_SAME,
	       "ratio %g p %g outcome %d", c.ratio, c.p, c.outcome);
	/* a 0 baseline under a null floor of 1 is "not above the floor" */
	double ones[] = {1, 1, 1, 1, 1, 1};
	CHECK(as_cmp_samples(fast, 6, zeros, 6, ones, 6, &c) == 0);
	CHECKF(isnan(c.ratio) && c.outcome == AS_CMP_NO_RATIO, "ratio %g outcome %d", c.ratio,
	       c.outcome);
}

/* null is a floor where every module's median on its workload and threads
 * is above null's: not where one equals it, and a module at other threads
 * does not count */
static void floors(void)
{
	as_groups_t gs = {0};
	as_buf_t csv = {0};
	for (int i = 0; i < 6; i++) {
		as_groups_add(&gs, "glibc", "random", 1, 100 + i);
		as_groups_add(&gs, "mimalloc", "random", 1, 50 + i);
		as_groups_add(&gs, "null", "random", 1, 10 + i);
		as_groups_add(&gs, "glibc", "random", 4, 5 + i); /* below null's 12.5 */
		as_groups_add(&gs, "glibc", "larson", 1, 100 + i);
		as_groups_add(&gs, "mimalloc", "larson", 1, 10 + i); /* null's median */
		as_groups_add(&gs, "null", "larson", 1, 10 + i);
	}
	CHECK(as_comparisons(&gs, "glibc", &csv, NULL) == 2);
	CHECKF(strstr(csv.data, "\nrandom,1,ns_per_op_minus_null,mimalloc,glibc,"), "%s", csv.data);
	CHECKF(strstr(csv.data, "\nlarson,1,ns_per_op,mimalloc,glibc,"), "%s", csv.data);
	as_buf_free(&csv);
	as_groups_free(&gs);
}

typedef struct {
	const char *best[4], *runner_up[4];
	int n;
} winners_t;

static int winner(void *arg, const as_winner_t *w)
{
	winners_t *o = arg;
	if (o->n < 4) {
		o->best[o->n] = w->best->module;
		o->runner_up[o->n] = w->runner_up ? w->runner_up->module : "";
	}
	o->n++;
	return 0;
}

/* the runner-up is the second lowest median, whatever order the groups
 * came in: fastest first, then a slow one, then the real runner-up */
static void winners(void)
{
	as_groups_t gs = {0};
	winners_t o = {{0}, {0}, 0};
	for (int i = 0; i < 6; i++) {
		as_groups_add(&gs, "mimalloc", "random", 1, 50 + i);
		as_groups_add(&gs, "glibc", "random", 1, 100 + i);
		as_groups_add(&gs, "tcmalloc", "random", 1, 70 + i);
		as_groups_add(&gs, "null", "random", 1, 1 + i);
	}
	CHECK(as_winners_each(&gs, winner, &o) == 0);
	CHECKF(o.n == 1 && !strcmp(o.best[0], "mimalloc") && !strcmp(o.runner_up[0], "tcmalloc"),
	       "%d winners, best %s, runner-up %s", o.n, o.best[0], o.runner_up[0]);
	as_groups_free(&gs);
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

static int cmp_by_module_desc(const void *x, const void *y)
{
	return strcmp(((const as_group_t *)y)->module, ((const as_group_t *)x)->module);
}

/* as_groups_find's index: every group found by its three keys (the same
 * module and workload at other threads apart, names that share a prefix
 * apart) through the index's growth, and again after as_groups_sort
 * reorders them (cmd_compare's table order) */
static void lookup(void)
{
	as_groups_t gs = {0};
	char m[32], w[32];
	int found = 0, after = 0, values = 0, n = 0;
	for (int i = 0; i < 300; i++)
		for (uint32_t t = 1; t <= 2; t++) {
			snprintf(m, sizeof(m), "mod%d", i % 30);
			snprintf(w, sizeof(w), "random:ops=%d", i / 30);
			as_groups_add(&gs, m, w, t, i * 10.0 + t);
			as_groups_add(&gs, m, w, t, i * 10.0 + t);
			n++;
		}
	CHECKF(gs.n == n, "%d groups, want %d", gs.n, n);
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < 300; i++)
			for (uint32_t t = 1; t <= 2; t++) {
				const as_group_t *g;
				snprintf(m, sizeof(m), "mod%d", i % 30);
				snprintf(w, sizeof(w), "random:ops=%d", i / 30);
				g = as_groups_find(&gs, m, w, t);
				if (g && g->threads == t && !strcmp(g->module, m) &&
				    !strcmp(g->workload, w) && g->n == 2 &&
				    g->v[0] == i * 10.0 + t) {
					*(pass ? &after : &found) += 1;
					values += g->v[1] == g->v[0];
				}
			}
		as_groups_sort(&gs, cmp_by_module_desc);
	}
	CHECKF(found == n && after == n && values == 2 * n, "found %d, after sorting %d, of %d",
	       found, after, n);
	CHECK(!as_groups_find(&gs, "mod1", "random:ops=0", 3));
	CHECK(!as_groups_find(&gs, "mod", "random:ops=1", 1));
	CHECK(!strcmp(gs.g[0].module, "mod9"));
	as_groups_free(&gs);
	CHECK(!as_groups_find(&gs, "mod1", "random:ops=0", 1));
}

/* as_compare_changes: B's groups against A's, every kind of change with
 * its count, in B's order then A's groups B has not. */
static void changes(void)
{
	as_groups_t ga = {0}, gb = {0};
	as_changes_t ch;
	double g[] = {100, 101, 99, 102, 100, 98}, slow[] = {130, 131, 129, 132, 130, 128};
	for (int i = 0; i < 6; i++) {
		as_groups_add(&ga, "glibc", "w", 1, g[i]);
		as_groups_add(&gb, "glibc", "w", 1, g[i] + 0.01); /* no change */
		as_groups_add(&ga, "slower", "w", 1, g[i]);
		as_groups_add(&gb, "slower", "w", 1, slow[i]); /* regression */
		as_groups_add(&ga, "faster", "w", 1, slow[i]);
		as_groups_add(&gb, "faster", "w", 1, g[i]); /* improvement */
		as_groups_add(&ga, "broke", "w", 1, g[i]);
		as_groups_add_failed(&gb, "broke", "w", 1, "crashed"); /* failed */
		as_groups_add(&ga, "some", "w", 1, g[i]);
		if (i < 3)
			as_groups_add(&gb, "some", "w", 1, g[i]);
		else
			as_groups_add_failed(&gb, "some", "w", 1, "crashed"); /* 3 of 6 failed */
		as_groups_add_unmeasured(&ga, "jobs", "w", 1);
		as_groups_add_unmeasured(&gb, "jobs", "w", 1); /* neither measured: no row */
		as_groups_add(&gb, "new", "w", 1, g[i]);       /* only in B */
		as_groups_add(&ga, "gone", "w", 1, g[i]);      /* not run in B */
	}
	as_groups_add(&ga, "untested", "w", 1, 100);
	as_groups_add(&gb, "untested", "w", 1, 130); /* 1 against 1: no test */
	as_groups_add_failed(&ga, "never", "w", 1, "crashed");
	as_groups_add_failed(&gb, "never", "w", 1, "crashed");  /* ok in neither: no row */
	as_groups_add_failed(&ga, "only_a", "w", 1, "crashed"); /* only in A, never ran */
	CHECK(as_compare_changes(&ga, &gb, 0.05, &ch) == 0);
	CHECKF(ch.n == 9 && ch.matched == 6, "%d rows, %d matched", ch.n, ch.matched);
	CHECKF(ch.regressions == 1 && ch.improvements == 1 && ch.failed == 1 && ch.partly == 1 &&
	           ch.untested == 1 && ch.not_run_in_b == 1 && ch.not_measured == 1 &&
	           ch.ok_in_neither == 1,
	       "%d %d %d %d %d %d %d %d", ch.regressions, ch.improvements, ch.failed, ch.partly,
	       ch.untested, ch.not_run_in_b, ch.not_measured, ch.ok_in_neither);
	static const as_change_kind_t want[] = {
	    AS_CH_NONE,   AS_CH_REGRESSION, AS_CH_IMPROVEMENT,  AS_CH_FAILED, AS_CH_NONE,
	    AS_CH_ONLY_B, AS_CH_UNTESTED,   AS_CH_NOT_RUN_IN_B, AS_CH_ONLY_A};
	for (int i = 0; i < ch.n && i < 9; i++)
		CHECKF(ch.v[i].kind == want[i], "row %d (%s): %s, want %s", i,
		       (ch.v[i].b ? ch.v[i].b : ch.v[i].a)->module, as_change_name(ch.v[i].kind),
		       as_change_name(want[i]));
	CHECK(ch.n > 4 && ch.v[4].partly && !ch.v[3].partly);
	CHECK(!strcmp(as_change_name(AS_CH_UNTESTED), "untested_slower"));
	as_changes_free(&ch);
	as_groups_free(&ga);
	as_groups_free(&gb);
}

int main(void)
{
	outcomes();
	edges();
	floors();
	winners();
	table();
	lookup();
	changes();
	return as_check_done();
}
