/* test_slow_passes.c - summary.csv's reps_slow_passes: undisturbed repetitions
 * whose median pass took AS_SLOW_PASSES x their group's median pass or
 * more. Real input: larson of the lead's idle run of 5 December 11:54 UTC
 * (main e93540d, load 1.6-2.1; `run -a glibc,jemalloc,tcmalloc,mimalloc -w
 * larson,xmalloc -t 1,2`, /tmp/idle9/spd2), where tcmalloc's repetition 8
 * ran every pass 3.7 x (1 thread) and 2.7 x (2 threads) slower with no wait
 * for a CPU and a normal sampler; mimalloc's trials between them were
 * normal. Then made-up trials: a stall in one pass, a slow repetition the
 * machine disturbed, too few passes or repetitions to judge. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "results.h"
#include "status.h"
#include "tables.h"

/* trial (2 tcmalloc t1, 3 mimalloc t1, 6 tcmalloc t2, 7 mimalloc t2), rep,
 * threads, ns_per_op, elapsed_ns, wait_ns, sampling_ns, pass_ns_median,
 * pass_ns_max (259 samples each) */
static const double idle[][9] = {
    {2, 0, 1, 3.65275, 201171370, 0, 2155187, 1420046, 1617931},
    {3, 0, 1, 4.32873, 200117300, 108154, 1852552, 1707425, 1826174},
    {6, 0, 2, 2.65335, 200529819, 1416137, 8021662, 2055136, 3158294},
    {7, 0, 2, 3.96123, 200644327, 671077, 8611044, 3107673, 3297127},
    {2, 1, 1, 3.65282, 201175491, 64122, 1897116, 1445865, 1576633},
    {3, 1, 1, 4.55836, 201570588, 74582, 1879493, 1799474, 1924880},
    {6, 1, 2, 2.67271, 201992833, 964754, 7942013, 2081247, 2509486},
    {7, 1, 2, 4.24505, 201368415, 6343950, 9776791, 3178817, 7916794},
    {2, 2, 1, 3.52057, 200968465, 15770, 1918291, 1392514, 1503154},
    {3, 2, 1, 4.3384, 200564163, 290301, 2042554, 1712068, 1815353},
    {6, 2, 2, 2.7513, 201296084, 1698645, 8205624, 2116062, 3251820},
    {7, 2, 2, 4.16932, 201128115, 523829, 9057306, 3270516, 3514888},
    {2, 3, 1, 3.56682, 200740785, 30097, 1911146, 1407162, 1565521},
    {3, 3, 1, 4.31179, 201067226, 12223, 1856039, 1700456, 1893170},
    {6, 3, 2, 2.76557, 200116398, 5678390, 8295768, 2071808, 7337850},
    {7, 3, 2, 4.09389, 200780675, 2839850, 8816895, 3172481, 5066653},
    {2, 4, 1, 3.61023, 200281278, 112753, 2044607, 1422370, 1715264},
    {3, 4, 1, 4.2441, 201323259, 89589, 1832055, 1672763, 1800366},
    {6, 4, 2, 2.70621, 200173135, 1578264, 8376932, 2100273, 3357070},
    {7, 4, 2, 4.01997, 200387222, 606847, 8855626, 3154266, 3399049},
    {2, 5, 1, 3.73617, 201260097, 31950, 1980257, 1473939, 1599766},
    {3, 5, 1, 4.43327, 201385892, 95269, 1956496, 1750736, 1995134},
    {6, 5, 2, 2.58272, 201421135, 472476, 8497381, 2018663, 2513454},
    {7, 5, 2, 4.01465, 200122344, 673668, 8444204, 3150299, 3513355},
    {2, 6, 1, 3.54711, 201057140, 0, 1888016, 1402452, 1501259},
    {3, 6, 1, 4.21892, 200128857, 77196, 1878836, 1662705, 1898892},
    {6, 6, 2, 2.70014, 201895162, 499583, 8374417, 2111363, 2480181},
    {7, 6, 2, 3.99157, 202180899, 784040, 8587935, 3129289, 3387768},
    {2, 7, 1, 3.55763, 200223446, 0, 1873947, 1408645, 1469048},
    {3, 7, 1, 4.43319, 201382254, 69572, 1856037, 1757930, 1943035},
    {6, 7, 2, 2.59961, 200648007, 508763, 8160008, 2028867, 2437921},
    {7, 7, 2, 3.99011, 202107277, 572021, 8429819, 3129870, 3642641},
    {2, 8, 1, 12.9065, 202347812, 0, 1974298, 5197711, 5452152},
    {3, 8, 1, 4.23263, 200778959, 110971, 1869966, 1665860, 1921745},
    {6, 8, 2, 7.25013, 204018595, 5565675, 8351929, 5717444, 9656885},
    {7, 8, 2, 4.07806, 200004379, 1762604, 8538004, 3181347, 4284153},
};
#define NIDLE (int)(sizeof(idle) / sizeof(idle[0]))

static as_spec_t mods[2] = {{.name = "tcmalloc", .params = "", .label = "tcmalloc"},
                            {.name = "mimalloc", .params = "", .label = "mimalloc"}};
static as_spec_t larson = {.name = "larson", .params = "", .label = "larson"};
static as_trial_spec_t specs[64];
static as_trial_rec_t res[64];

static void trial(int i, uint32_t trial, uint32_t rep, uint32_t threads)
{
	memset(&specs[i], 0, sizeof(specs[i]));
	memset(&res[i], 0, sizeof(res[i]));
	specs[i].module = &mods[trial % 2 ? 1 : 0];
	specs[i].workload = &larson;
	specs[i].threads = threads;
	specs[i].trial = trial;
	specs[i].rep = rep;
	res[i].status = AS_OK;
	for (int c = 0; c < AS_TRIAL_NCOLS; c++)
		res[i].v[c] = NAN;
}

static const as_summary_row_t *row_of(const as_summary_row_t *rows, int n, uint32_t trial)
{
	for (int i = 0; i < n; i++)
		if (rows[i].spec->trial == trial)
			return &rows[i];
	return NULL;
}

/* the lead's idle trials: tcmalloc's repetition 8 at 1 and 2 threads is
 * slow in every pass and kept (its spread stays over 1.5: it is the
 * module's or the layout's, not the machine's by any figure recorded) */
static void idle_run(void)
{
	as_summary_row_t *rows;
	int nrows;
	/* matrix order: a round's trials in trial order, rep 0 first */
	for (int i = 0; i < NIDLE; i++) {
		const double *d = idle[i];
		trial(i, (uint32_t)d[0], (uint32_t)d[1], (uint32_t)d[2]);
		res[i].v[AS_TC_ns_per_op] = d[3];
		res[i].v[AS_TC_elapsed_ns] = d[4];
		res[i].v[AS_TC_wait_ns] = d[5];
		res[i].v[AS_TC_sampling_ns] = d[6];
		res[i].v[AS_TC_samples] = 259;
		res[i].v[AS_TC_pass_ns_median] = d[7];
		res[i].v[AS_TC_pass_ns_max] = d[8];
	}
	nrows = as_summary_rows(specs, res, NIDLE, &rows);
	CHECK(nrows == 4);
	for (uint32_t t = 2; t <= 7; t++) {
		const as_summary_row_t *r = row_of(rows, nrows, t);
		if (t == 4 || t == 5)
			continue;
		CHECKF(r && r->reps_ok == 9, "trial %u: %d ok", t, r ? r->reps_ok : -1);
		if (!r)
			continue;
		/* tcmalloc t1's repetition 0: a sample time 1.15 x the smallest */
		CHECKF(r->reps_disturbed == (t == 2), "trial %u: %d disturbed", t,
		       r->reps_disturbed);
		if (t == 2 || t == 6)
			CHECKF(r->reps_slow_passes == 1 && r->ns_per_op_spread_undisturbed > 2.5,
			       "tcmalloc trial %u: %g slow in every pass, spread %g", t,
			       r->reps_slow_passes, r->ns_per_op_spread_undisturbed);
		else
			CHECKF(r->reps_slow_passes == 0, "mimalloc trial %u: %g slow in every pass",
			       t, r->reps_slow_passes);
	}
	free(rows);
}

/* made-up trials of one group, 6 repetitions of 1 ms passes */
static void plain(void)
{
	for (int i = 0; i < 6; i++) {
		trial(i, 0, (uint32_t)i, 1);
		res[i].v[AS_TC_ns_per_op] = 10;
		res[i].v[AS_TC_elapsed_ns] = 2e8;
		res[i].v[AS_TC_wait_ns] = 0.001 * 2e8;
		res[i].v[AS_TC_sampling_ns] = 1e4 * 100;
		res[i].v[AS_TC_samples] = 100;
		res[i].v[AS_TC_pass_ns_median] = 1e6 + 1e4 * i;
		res[i].v[AS_TC_pass_ns_max] = 1.2e6;
	}
}

static double slow_of(int n)
{
	as_summary_row_t *rows;
	double v;
	CHECK(as_summary_rows(specs, res, n, &rows) == 1);
	v = rows[0].reps_slow_passes;
	free(rows);
	return v;
}

static void made_up(void)
{
	double v;
	plain();
	CHECK(slow_of(6) == 0);
	/* two repetitions slow in every pass: 2.0 x the median of the six
	 * (1.04 ms, halfway between 1.03 and 1.05: exactly the bound) and 3.4 x */
	res[1].v[AS_TC_pass_ns_median] = 2.08e6;
	res[1].v[AS_TC_ns_per_op] = 20;
	res[4].v[AS_TC_pass_ns_median] = 3.5e6;
	res[4].v[AS_TC_ns_per_op] = 35;
	CHECKF((v = slow_of(6)) == 2, "%g", v);
	/* a stall of one pass is pass_ns_max's, not this */
	plain();
	res[2].v[AS_TC_pass_ns_max] = 60e6;
	res[2].v[AS_TC_ns_per_op] = 13;
	CHECKF((v = slow_of(6)) == 0, "stall: %g", v);
	/* a slow repetition whose threads waited half the time for a CPU is
	 * the machine's (disturbed, left out), not counted here */
	plain();
	res[3].v[AS_TC_pass_ns_median] = 3e6;
	res[3].v[AS_TC_ns_per_op] = 30;
	res[3].v[AS_TC_wait_ns] = 0.5 * 2e8;
	CHECKF((v = slow_of(6)) == 0, "disturbed: %g", v);
	/* fewer than 3 repetitions of 2 passes or more: not judged */
	plain();
	for (int i = 2; i < 6; i++)
		res[i].v[AS_TC_pass_ns_median] = NAN; /* 1 pass: no pass figures */
	res[1].v[AS_TC_pass_ns_median] = 4e6;
	CHECKF(isnan(v = slow_of(6)), "2 with passes: %g", v);
	plain();
	CHECKF((v = slow_of(3)) == 0, "3 repetitions: %g", v);
	CHECKF(isnan(v = slow_of(2)), "2 repetitions: %g", v);
}

int main(void)
{
	idle_run();
	made_up();
	return as_check_done();
}
