/* test_headline.c - each scenario's headline table: headline.csv holds, per
 * row and module, the median of the scenario's metric recomputed here from
 * trials.csv (or the status when no repetition has a value), and the table
 * the suite prints under the scenario shows exactly the file's cells.
 * Two scenarios: a memory one (threshold: values, n/a where null's RSS
 * did not grow) and a timing
 * one at 1 and 2 threads (xmalloc: a module skipped at 2 threads). */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../harness/suite.h"
#include "check.h"
#include "stats.h"
#include "tablecheck.h"

static char tmp[256];

static int cli(const char *args)
{
	char cmd[4096];
	int st;
	snprintf(cmd, sizeof(cmd), "CI=1 '%s' %s >'%s/out' 2>'%s/err'", getenv("ALLOCSCOPE"), args,
	         tmp, tmp);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The median of the scenario's metric over trials.csv rows of (row's
 * workload, threads, module), and the number of values. */
static double median_of(const as_scenario_t *sc, const as_table_t *t, const as_table_t *h,
                        size_t hr, int *n)
{
	double v[64];
	*n = 0;
	for (size_t r = 0; r < t->nrows && *n < 64; r++) {
		double x;
		if (strcmp(tc_str(t, r, "workload_params"), tc_str(h, hr, "workload_params")) ||
		    tc_num(t, r, "threads") != tc_num(h, hr, "threads") ||
		    strcmp(tc_str(t, r, "module"), tc_str(h, hr, "module")))
			continue;
		x = as_scenario_metric(sc, t, r);
		if (!isnan(x))
			v[(*n)++] = x;
	}
	return as_median(v, *n);
}

static void check_scenario(const char *name, const char *mods, int expect_skip)
{
	const as_scenario_t *sc = as_scenario_find(name);
	char args[1024], path[512], line[1024];
	as_table_t h = {0}, t = {0};
	FILE *f;
	int skipped = 0, na = 0, values = 0;

	snprintf(args, sizeof(args), "suite %s --quick --no-plot -a %s -o '%s/%s'", name, mods, tmp,
	         name);
	CHECKF(cli(args) == 0, "suite %s failed", name);
	snprintf(path, sizeof(path), "%s/%s/%s/headline.csv", tmp, name, name);
	if (tc_load(path, &h) != 0)
		return;
	snprintf(path, sizeof(path), "%s/%s/%s/trials.csv", tmp, name, name);
	if (tc_load(path, &t) != 0)
		return;
	/* the file against trials.csv */
	for (size_t r = 0; r < h.nrows; r++) {
		int n;
		double med = median_of(sc, &t, &h, r, &n);
		double val = tc_num(&h, r, "value");
		CHECK(!strcmp(tc_str(&h, r, "scenario"), name));
		CHECK(!strcmp(tc_str(&h, r, "metric"), sc->metric_name));
		CHECKF(tc_num(&h, r, "n") == n, "%s row %zu: n %g, trials.csv %d", name, r,
		       tc_num(&h, r, "n"), n);
		if (n == 0) {
			CHECK(isnan(val));
			skipped += !strcmp(tc_str(&h, r, "status"), "skipped");
			na += !strcmp(tc_str(&h, r, "status"), "ok");
		} else {
			CHECKF(fabs(val - med) <= 5e-6 * fabs(med), "%s row %zu: %g, trials.csv %g",
			       name, r, val, med);
			values++;
		}
	}
	CHECK(values > 0);
	CHECKF(!expect_skip || skipped > 0, "%s: no skipped cell", name);
	(void)na; /* null's n/a (no RSS growth) depends on the page counts */

	/* the terminal against the file: under the heading, one line per row,
	 * 3 + 44 characters of label, then 10 per module in file order */
	snprintf(path, sizeof(path), "%s/out", tmp);
	f = fopen(path, "r");
	CHECK(f != NULL);
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, sc->metric_name) && strstr(line, "(median; headline.csv):"))
			break;
	CHECKF(f && !feof(f), "%s: no headline table on stdout", name);
	if (f && fgets(line, sizeof(line), f)) {
		const char *mod[16];
		int nmod = 0;
		char prev[160] = "";
		for (size_t r = 0; r < h.nrows && nmod < 16; r++) {
			int seen = 0;
			for (int m = 0; m < nmod; m++)
				seen |= !strcmp(mod[m], tc_str(&h, r, "module"));
			if (!seen)
				mod[nmod++] = tc_str(&h, r, "module");
		}
		for (size_t r = 0; r < h.nrows; r++) {
			char want[16], label[64];
			int m;
			const char *row = tc_str(&h, r, "row");
			if (strcmp(prev, row) != 0) {
				CHECK(fgets(line, sizeof(line), f) != NULL);
				snprintf(prev, sizeof(prev), "%s", row);
				snprintf(label, sizeof(label), "   %-44.44s", row);
				CHECKF(!strncmp(line, label, strlen(label)),
				       "%s: line '%s', row %s", name, line, row);
			}
			for (m = 0; m < nmod && strcmp(mod[m], tc_str(&h, r, "module")); m++)
				;
			if (isnan(tc_num(&h, r, "value")))
				snprintf(want, sizeof(want), " %9.9s",
				         strcmp(tc_str(&h, r, "status"), "ok")
				             ? tc_str(&h, r, "status")
				             : "n/a");
			else
				snprintf(want, sizeof(want), " %9.3g", tc_num(&h, r, "value"));
			CHECKF(strlen(line) >= 47 + 10 * (size_t)(m + 1) &&
			           !strncmp(line + 47 + 10 * m, want, 10),
			       "%s row %s module %s: terminal '%s', file '%s'", name, row, mod[m],
			       line, want);
		}
	}
	if (f)
		fclose(f);
	as_table_free(&h);
	as_table_free(&t);
}

int main(void)
{
	char cmd[512];
	if (!getenv("ALLOCSCOPE")) {
		fprintf(stderr, "ALLOCSCOPE not set (run through ctest)\n");
		return 2;
	}
	/* a new folder of its own: /tmp/as_headline_PID failed by chance where an
	 * earlier run left one behind under the same pid (EEXIST) */
	snprintf(tmp, sizeof(tmp), "/tmp/as_headline_XXXXXX");
	CHECK(mkdtemp(tmp) != NULL);
	check_scenario("threshold", "glibc,bump,null", 0);
	check_scenario("xmalloc", "glibc,bump", 1);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (as_checks_failed == 0 && system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmp);
	return as_check_done();
}
