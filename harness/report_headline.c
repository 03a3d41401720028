/* report_headline.c - the headline reporter: in a suite's scenario run
 * (cfg->scenario set), headline.csv at the end, the scenario's one number
 * per row and module (suite.c's as_scenario_headline). The suite prints
 * its table from this file after the verdicts, so file and terminal are
 * the same numbers. A plain `run` has no scenario and writes nothing. */
#include <stdio.h>
#include <string.h>

#include "files.h"
#include "reporter.h"
#include "suite.h"

static int headline_end(void *self, const as_run_t *run, char *err, size_t errlen)
{
	as_buf_t csv = {0};
	int rc;
	(void)self;
	if (!run->cfg->scenario)
		return 0;
	if (as_scenario_headline(run->cfg->scenario, run->specs, run->res, run->done, run->n,
	                         &csv) != 0) {
		snprintf(err, errlen, "headline.csv: out of memory");
		as_buf_free(&csv);
		return -1;
	}
	rc = as_write_file_atomic(run->dir, "headline.csv", &csv, err, errlen);
	as_buf_free(&csv);
	return rc;
}

int as_reporter_headline(as_reporter_t *r)
{
	memset(r, 0, sizeof(*r));
	r->name = "headline";
	r->end = headline_end;
	return 0;
}
