/* test_reps_agree.c - the memory scenarios' rule on repetitions
 * (reps_agree.h): which repetitions agree, when the run stops a group at
 * N of them (only ok ones count), and when a folder's group is complete. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "reporter.h"
#include "reps_agree.h"
#include "trial.h"

#define NREP 3

static as_run_cfg_t cfg;
static as_trial_spec_t specs[NREP];
static as_trial_rec_t res[NREP];
static as_run_t run;

/* a record without figures, of status st */
static void rec_none(as_trial_rec_t *r, as_status_t st)
{
	memset(r, 0, sizeof(*r));
	for (int c = 0; c < AS_TRIAL_NCOLS; c++)
		r->v[c] = NAN;
	r->status = st;
}

/* one group of NREP repetitions, every one ok with the same figures */
static void group(void)
{
	memset(&cfg, 0, sizeof(cfg));
	memset(&run, 0, sizeof(run));
	cfg.reps_agree = 2;
	for (int i = 0; i < NREP; i++) {
		memset(&specs[i], 0, sizeof(specs[i]));
		specs[i].trial = 0;
		specs[i].rep = (uint32_t)i;
		rec_none(&res[i], AS_OK);
		res[i].v[AS_TC_rss_before_kib] = 1000 + 10 * i; /* ASLR: another start */
		res[i].v[AS_TC_rss_peak_kib] = 5000 + 10 * i;   /* the same growth */
		res[i].v[AS_TC_mmap_calls] = 7;
	}
	run.cfg = &cfg;
	run.specs = specs;
	run.res = res;
	run.n = NREP;
}

int main(void)
{
	/* two ok that agree: the third is dropped */
	group();
	CHECK(as_reps_agree(res[0].v, res[1].v));
	CHECK(as_reps_agree_drop(NULL, &run, 2, 2) == 1);
	/* not before two are done, nor the first two themselves */
	CHECK(as_reps_agree_drop(NULL, &run, 1, 1) == 0);
	CHECK(as_reps_agree_drop(NULL, &run, 0, 0) == 0);
	/* growth differs by a KiB: they disagree, the third runs */
	res[1].v[AS_TC_rss_peak_kib] += 1;
	CHECK(!as_reps_agree(res[0].v, res[1].v));
	CHECK(as_reps_agree_drop(NULL, &run, 2, 2) == 0);
	/* a failed repetition is no agreement, though its (n/a) figures are
	 * what another failed one would have: the third runs */
	group();
	rec_none(&res[1], AS_ERR_TIMEOUT);
	rec_none(&res[0], AS_OK);
	CHECK(as_reps_agree_drop(NULL, &run, 2, 2) == 0);
	/* nor are two failed ones */
	rec_none(&res[0], AS_ERR_TIMEOUT);
	CHECK(as_reps_agree_drop(NULL, &run, 2, 2) == 0);
	return as_check_done();
}
