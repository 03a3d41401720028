/* test_disturb_rule.c - which trials disturb.c calls disturbed, and
 * summary.csv's count and spreads. Real input: larson at 1 thread from the
 * lead's idle run (2026-12-04 23:30 UTC, load 0.4, main 397ca72; `run -a
 * glibc,jemalloc,tcmalloc,mimalloc -w larson,xmalloc:batches=50 -t 1,2
 * -r 10 --min-time 0.05`), where repetition 7 was slow for all four
 * modules and 9 for three: the sampler's time per sample (the same /proc
 * reads in every repetition) rose with ns/op. Then each figure alone, on
 * made-up trials: the canary, the wait share, and threads beyond the CPUs
 * (every trial waits: none disturbed by that); and a group with one value
 * has no spread. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "disturb.h"
#include "results.h"
#include "status.h"
#include "tables.h"

/* trial, rep, ns_per_op, sampling_ns, elapsed_ns (samples: 258 each) */
static const double idle[][5] = {
    {0, 0, 10.2757, 4297694, 53700667}, {1, 0, 7.69826, 4646918, 52609938},
    {2, 0, 4.11424, 4105178, 51271720}, {3, 0, 4.91463, 4061769, 51367707},
    {0, 1, 9.04318, 4036960, 50895004}, {1, 1, 8.1212, 4499887, 52235532},
    {2, 1, 4.29124, 4463007, 50027291}, {3, 1, 5.12217, 4489886, 51477769},
    {0, 2, 8.9898, 4195954, 50594574},  {1, 2, 7.84121, 4347213, 50434658},
    {2, 2, 4.13061, 4056101, 51475700}, {3, 2, 4.70162, 4064734, 51031401},
    {0, 3, 8.74756, 3977174, 52747816}, {1, 3, 7.10066, 4200773, 51380361},
    {2, 3, 4.05989, 4140528, 50594364}, {3, 3, 4.71535, 4051216, 51180406},
    {0, 4, 9.81943, 4420552, 51316357}, {1, 4, 7.5526, 4715131, 51614449},
    {2, 4, 4.35503, 4400832, 50770886}, {3, 4, 5.08459, 4306961, 51100083},
    {0, 5, 8.99571, 3976088, 50627856}, {1, 5, 7.44899, 4295795, 50906392},
    {2, 5, 4.09122, 4209881, 50984771}, {3, 5, 4.78544, 4065109, 50017427},
    {0, 6, 9.6198, 4296066, 50273092},  {1, 6, 8.13748, 4505663, 52340245},
    {2, 6, 4.36196, 4354825, 50851688}, {3, 6, 5.1392, 4390536, 51648976},
    {0, 7, 14.0196, 5823231, 50722829}, {1, 7, 12.3259, 6685752, 54505092},
    {2, 7, 7.19464, 5780925, 52060418}, {3, 7, 8.65642, 5358975, 52198190},
    {0, 8, 8.94932, 4002225, 50366774}, {1, 8, 7.21915, 4317048, 52237789},
    {2, 8, 4.08564, 4077624, 50915286}, {3, 8, 4.75043, 4071591, 51561190},
    {0, 9, 8.90135, 4135308, 50096782}, {1, 9, 12.8125, 5888581, 51506297},
    {2, 9, 7.68216, 5460319, 52499899}, {3, 9, 7.65463, 5395033, 52311765},
};
#define NIDLE (int)(sizeof(idle) / sizeof(idle[0]))

static as_spec_t mods[4] = {{.name = "glibc", .params = "", .label = "glibc"},
                            {.name = "jemalloc", .params = "", .label = "jemalloc"},
                            {.name = "tcmalloc", .params = "", .label = "tcmalloc"},
                            {.name = "mimalloc", .params = "", .label = "mimalloc"}};
static as_spec_t larson = {.name = "larson", .params = "", .label = "larson"};
static as_trial_spec_t specs[64];
static as_trial_result_t res[64];

/* an ok trial with every figure n/a */
static void trial(int i, uint32_t trial, uint32_t rep, uint32_t threads)
{
	memset(&specs[i], 0, sizeof(specs[i]));
	memset(&res[i], 0, sizeof(res[i]));
	specs[i].module = &mods[trial % 4];
	specs[i].workload = &larson;
	specs[i].threads = threads;
	specs[i].trial = trial;
	specs[i].rep = rep;
	res[i].status = AS_OK;
	for (int c = 0; c < AS_TRIAL_NCOLS; c++)
		res[i].v[c] = NAN;
}

static void idle_run(void)
{
	as_summary_row_t *rows;
	int n;
	for (int i = 0; i < NIDLE; i++) {
		trial(i, (uint32_t)idle[i][0], (uint32_t)idle[i][1], 1);
		res[i].v[AS_TC_ns_per_op] = idle[i][2];
		res[i].v[AS_TC_sampling_ns] = idle[i][3];
		res[i].v[AS_TC_samples] = 258;
		res[i].v[AS_TC_elapsed_ns] = idle[i][4];
	}
	for (int i = 0; i < NIDLE; i++) {
		as_disturb_ref_t ref;
		int d;
		CHECK(as_disturb_ref(specs, res, NIDLE, &specs[i], &ref) == 0);
		d = as_disturbed(&specs[i], &res[i], &ref);
		/* the slow ones: rep 7 of all, rep 9 of jemalloc, tcmalloc, mimalloc */
		CHECKF(d == (specs[i].rep == 7 || (specs[i].rep == 9 && specs[i].trial != 0)),
		       "%s rep %u: disturbed %d", specs[i].module->name, specs[i].rep, d);
	}
	n = as_summary_rows(specs, res, NIDLE, &rows);
	CHECK(n == 4);
	for (int k = 0; k < n; k++) {
		const as_summary_row_t *r = &rows[k];
		CHECKF(r->reps_ok == 10 && r->reps_disturbed == (k == 0 ? 1 : 2), "%s: %d of %d",
		       r->spec->module->name, r->reps_disturbed, r->reps_ok);
		/* the target: over 1.5 with them, within without */
		CHECKF(r->ns_per_op_spread > 1.5 && r->ns_per_op_spread_undisturbed <= 1.5,
		       "%s: spread %g, undisturbed %g", r->spec->module->name, r->ns_per_op_spread,
		       r->ns_per_op_spread_undisturbed);
	}
	free(rows);
}

/* six trials of one group on `threads` threads: canary 100 us, wait share
 * `share`, ns/op 10 */
static void plain(uint32_t threads, double share)
{
	for (int i = 0; i < 6; i++) {
		trial(i, 0, (uint32_t)i, threads);
		res[i].v[AS_TC_ns_per_op] = 10;
		res[i].v[AS_TC_elapsed_ns] = 5e7;
		res[i].v[AS_TC_canary_ns] = 1e5 + 1e3 * i;
		res[i].v[AS_TC_wait_ns] = share * 5e7 * threads;
	}
}

static int disturbed(int i)
{
	as_disturb_ref_t ref;
	CHECK(as_disturb_ref(specs, res, 6, &specs[i], &ref) == 0);
	return as_disturbed(&specs[i], &res[i], &ref);
}

static void each_figure(void)
{
	plain(1, 0.001);
	for (int i = 0; i < 6; i++)
		CHECKF(!disturbed(i), "undisturbed %d", i);
	res[3].v[AS_TC_canary_ns] = 1.3e5; /* 1.3 x the smallest */
	CHECK(disturbed(3) && !disturbed(2));
	res[3].v[AS_TC_canary_ns] = 1.2e5; /* 1.2 x: within */
	CHECK(!disturbed(3));
	res[4].v[AS_TC_wait_ns] = 0.15 * 5e7; /* a seventh of its time waiting */
	CHECK(disturbed(4));
	res[4].v[AS_TC_wait_ns] = 0.08 * 5e7;
	CHECK(!disturbed(4));
	/* 4 threads on 2 CPUs: every trial waits half its time; one waits more */
	plain(4, 0.5);
	for (int i = 0; i < 6; i++)
		CHECKF(!disturbed(i), "oversubscribed %d", i);
	res[5].v[AS_TC_wait_ns] = 0.65 * 5e7 * 4;
	CHECK(disturbed(5));
	/* a trial that did not complete is never disturbed */
	res[5].status = AS_ERR_TIMEOUT;
	CHECK(!disturbed(5));
}

/* one value has no spread (1.00 would read as within any limit) */
static void one_value(void)
{
	as_summary_row_t *rows;
	plain(1, 0.001);
	res[1].v[AS_TC_canary_ns] = 2e5; /* disturbed: one undisturbed left */
	CHECK(as_summary_rows(specs, res, 2, &rows) == 1);
	CHECKF(rows[0].reps_disturbed == 1 && rows[0].ns_per_op_spread == 1 &&
	           isnan(rows[0].ns_per_op_spread_undisturbed),
	       "%d disturbed, spread %g, undisturbed %g", rows[0].reps_disturbed,
	       rows[0].ns_per_op_spread, rows[0].ns_per_op_spread_undisturbed);
	free(rows);
	CHECK(as_summary_rows(specs, res, 1, &rows) == 1);
	CHECK(isnan(rows[0].ns_per_op_spread));
	free(rows);
}

int main(void)
{
	idle_run();
	each_figure();
	one_value();
	return as_check_done();
}
