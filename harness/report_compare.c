/* report_compare.c - the comparisons reporter: at the end of a run, each
 * module against the baseline (--baseline, default the first module that
 * is not `null`) on every workload and thread count, through compare.c:
 * comparisons.csv in the results folder and, unless quiet, the sentences on
 * stdout after the console table. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "disturb.h"
#include "files.h"
#include "reporter.h"
#include "results.h"
#include "status.h"
#include "tables.h"

/* Whether module spec m has an ok trial in the run. */
static int has_ok(const as_run_t *run, const as_spec_t *m)
{
	for (int i = 0; i < run->n; i++)
		if (run->done[i] && run->res[i].status == AS_OK &&
		    !strcmp(run->specs[i].module->label, m->label))
			return 1;
	return 0;
}

const char *as_run_baseline(const as_run_t *run)
{
	const as_run_cfg_t *cfg = run->cfg;
	if (cfg->baseline)
		return cfg->baseline;
	/* the first module that ran (a first module that crashed or was
	 * skipped everywhere would leave every comparison "no ratio") */
	for (int m = 0; m < cfg->nmodules; m++)
		if (strcmp(cfg->modules[m].name, "null") != 0 && has_ok(run, &cfg->modules[m]))
			return cfg->modules[m].label;
	for (int m = 0; m < cfg->nmodules; m++)
		if (strcmp(cfg->modules[m].name, "null") != 0)
			return cfg->modules[m].label;
	return cfg->nmodules ? cfg->modules[0].label : "";
}

void as_run_groups(const as_run_t *run, as_groups_t *gs)
{
	unsigned char *dist = malloc((size_t)(run->n ? run->n : 1));
	uint32_t *thr = as_group_threads_all(run->specs, run->res, run->n);
	if (dist && as_disturbed_set(run->specs, run->res, run->n, dist) != 0) {
		free(dist);
		dist = NULL; /* out of memory: every ok repetition */
	}
	for (int i = 0; i < run->n; i++) {
		const as_trial_spec_t *s = &run->specs[i];
		const as_trial_rec_t *r = &run->res[i];
		int keep = run->done[i] && r->status == AS_OK && !(dist && dist[i] == AS_DIST_OUT);
		as_groups_add(gs, s->module->label, s->workload->label,
		              thr ? thr[s->trial]
		                  : as_group_threads(run->specs, run->res, run->n, i),
		              keep ? r->v[AS_TC_ns_per_op] : NAN);
	}
	free(thr);
	free(dist);
}

static int cmp_end(void *self, const as_run_t *run, char *err, size_t errlen)
{
	as_groups_t gs = {0};
	as_buf_t csv = {0}, lines = {0};
	const char *base = as_run_baseline(run);
	int rows, rc = 0;
	(void)self;
	if (run->cfg->jobs > 1) {
		/* trials side by side have no ns/op (context.csv timing_figures):
		 * the header alone, not a row of "no ok repetition" per module */
		as_buf_t hdr = {0};
		as_comparisons(&gs, base, &hdr, NULL);
		rc = as_write_file_atomic(run->dir, "comparisons.csv", &hdr, err, errlen);
		if (rc == 0 && !run->cfg->quiet && run->cfg->nmodules > 1)
			printf(
			    "\n(no comparisons: trials ran %d at a time (--jobs), so there is no "
			    "ns/op to compare; the memory columns above are exact)\n",
			    run->cfg->jobs);
		as_buf_free(&hdr);
		return rc;
	}
	as_run_groups(run, &gs);
	rows = as_comparisons(&gs, base, &csv, &lines);
	if (rows < 0) {
		snprintf(err, errlen, "comparisons.csv: out of memory");
		rc = -1;
	} else if (as_write_file_atomic(run->dir, "comparisons.csv", &csv, err, errlen) != 0) {
		rc = -1;
	} else if (rows > 0 && !run->cfg->quiet) {
		printf(
		    "\nAgainst %s (median ratio, bootstrap 95 %% CI, Mann-Whitney p < %.2g):\n%s",
		    base, AS_CMP_ALPHA, lines.data);
	}
	as_buf_free(&csv);
	as_buf_free(&lines);
	as_groups_free(&gs);
	return rc;
}

int as_reporter_compare(as_reporter_t *r)
{
	memset(r, 0, sizeof(*r));
	r->name = "comparisons";
	r->end = cmp_end;
	return 0;
}
