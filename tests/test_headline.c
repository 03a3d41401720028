/* test_headline.c - each scenario's headline table: headline.csv holds, per
 * row and module, the median of the scenario's metric recomputed here from
 * trials.csv (or the status when no repetition has a value), and the table
 * the suite prints under the scenario shows exactly the file's cells.
 * Scenarios: a memory one (threshold: values, n/a where null's RSS did
 * not grow), a timing one at 1 and 2 threads (xmalloc: a module skipped at
 * 2 threads), and two with module variants whose labels and rows must
 * show whole (leak: a row with no param of its own; metadata: one row
 * longer than 44 characters). */
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
 * workload, threads, module label), and the number of values. */
static double median_of(const as_scenario_t *sc, const as_table_t *t, const as_table_t *h,
                        size_t hr, int *n)
{
	double v[64];
	*n = 0;
	for (size_t r = 0; r < t->nrows && *n < 64; r++) {
		char label[512]; /* headline.csv's module is the label, name:params */
		const char *params = tc_str(t, r, "module_params");
		double x;
		snprintf(label, sizeof(label), "%s%s%s", tc_str(t, r, "module"), *params ? ":" : "",
		         params);
		if (strcmp(tc_str(t, r, "workload_params"), tc_str(h, hr, "workload_params")) ||
		    tc_num(t, r, "threads") != tc_num(h, hr, "threads") ||
		    strcmp(label, tc_str(h, hr, "module")))
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

	/* the row labels: what the row ran, never the whole key ("leak:total=8m
	 * t1" beside "trim=1"): each token is one of its workload's params or
	 * its thread count */
	for (size_t r = 0; r < h.nrows; r++) {
		char have[512];
		const char *row = tc_str(&h, r, "row");
		snprintf(have, sizeof(have), ",%s,t%g,", tc_str(&h, r, "workload_params"),
		         tc_num(&h, r, "threads"));
		for (const char *p = row; *p;) {
			char tok[160];
			size_t l = strcspn(p, ",");
			snprintf(tok, sizeof(tok), ",%.*s,", (int)l, p);
			CHECKF(strstr(have, tok) ||
			           (l == strlen(row) && !strcmp(row, tc_str(&h, r, "workload"))),
			       "%s row '%s': '%s' is not one of %s", name, row, tok, have);
			p += l + (p[l] == ',');
		}
	}

	/* the terminal against the file: under the heading, one line per row,
	 * the label as wide as the longest row label, then per module in file
	 * order a column as wide as its label (9 at least) or its widest status:
	 * every label whole (at 44 and 9 characters, "...ops=100000,touch=all"
	 * and glibc:mmap_threshold=1m were cut) */
	snprintf(path, sizeof(path), "%s/out", tmp);
	f = fopen(path, "r");
	CHECK(f != NULL);
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, sc->metric_name) && strstr(line, "(median; headline.csv):"))
			break;
	CHECKF(f && !feof(f), "%s: no headline table on stdout", name);
	if (f && fgets(line, sizeof(line), f)) {
		const char *mod[16];
		int nmod = 0, lw = (int)strlen("workload"), cw[16], at[16];
		char prev[160] = "", want[256];
		size_t w;
		for (size_t r = 0; r < h.nrows && nmod < 16; r++) {
			int seen = 0;
			for (int m = 0; m < nmod; m++)
				seen |= !strcmp(mod[m], tc_str(&h, r, "module"));
			if (!seen)
				mod[nmod++] = tc_str(&h, r, "module");
			if ((int)strlen(tc_str(&h, r, "row")) > lw)
				lw = (int)strlen(tc_str(&h, r, "row"));
		}
		w = (size_t)snprintf(want, sizeof(want), "   %-*s", lw, "workload");
		for (int m = 0; m < nmod; m++) {
			cw[m] = (int)strlen(mod[m]) > 9 ? (int)strlen(mod[m]) : 9;
			for (size_t r = 0; r < h.nrows; r++)
				if (!strcmp(tc_str(&h, r, "module"), mod[m]) &&
				    (int)strlen(tc_str(&h, r, "status")) > cw[m])
					cw[m] = (int)strlen(tc_str(&h, r, "status"));
			at[m] = (int)w;
			w += (size_t)snprintf(want + w, sizeof(want) - w, " %*s", cw[m], mod[m]);
		}
		CHECKF(!strncmp(line, want, w) && line[w] == '\n', "%s: header '%s', want '%s'",
		       name, line, want);
		for (size_t r = 0; r < h.nrows; r++) {
			char cell[64], label[256];
			int m;
			const char *row = tc_str(&h, r, "row");
			if (strcmp(prev, row) != 0) {
				CHECK(fgets(line, sizeof(line), f) != NULL);
				snprintf(prev, sizeof(prev), "%s", row);
				snprintf(label, sizeof(label), "   %-*s", lw, row);
				CHECKF(!strncmp(line, label, strlen(label)),
				       "%s: line '%s', row %s", name, line, row);
			}
			for (m = 0; m < nmod && strcmp(mod[m], tc_str(&h, r, "module")); m++)
				;
			if (isnan(tc_num(&h, r, "value")))
				snprintf(cell, sizeof(cell), " %*s", cw[m],
				         strcmp(tc_str(&h, r, "status"), "ok")
				             ? tc_str(&h, r, "status")
				             : "n/a");
			else
				snprintf(cell, sizeof(cell), " %*.3g", cw[m],
				         tc_num(&h, r, "value"));
			CHECKF(strlen(line) >= (size_t)at[m] + strlen(cell) &&
			           !strncmp(line + at[m], cell, strlen(cell)),
			       "%s row %s module %s: terminal '%s', file '%s'", name, row, mod[m],
			       line, cell);
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
	{
		/* metadata: bytes per block of a module whose RSS did not grow
		 * in the timed region (null: its buffer is faulted in before)
		 * is n/a, as the chart's table says, not 0 bytes a block (the
		 * quick suite's headline.csv and terminal had "null 0": review
		 * E); 80 bytes a block stays 80 */
		const as_scenario_t *md = as_scenario_find("metadata");
		double v[AS_TRIAL_NCOLS];
		for (int c = 0; c < AS_TRIAL_NCOLS; c++)
			v[c] = NAN;
		v[AS_TC_live_bytes_peak] = 6400000;
		v[AS_TC_rss_before_kib] = v[AS_TC_rss_end_kib] = v[AS_TC_rss_peak_kib] = 18000;
		CHECKF(md && isnan(as_scenario_value(md, v)), "no growth: %g, want n/a (NaN)",
		       md ? as_scenario_value(md, v) : 0);
		v[AS_TC_rss_end_kib] = 18004; /* 0.04 bytes a block: no block's memory */
		CHECKF(md && isnan(as_scenario_value(md, v)), "4 KiB growth: %g, want n/a (NaN)",
		       md ? as_scenario_value(md, v) : 0);
		v[AS_TC_rss_end_kib] = 18000 + 7812.5; /* 8,000,000 bytes / 100,000 blocks */
		CHECKF(md && fabs(as_scenario_value(md, v) - 80) < 1e-9, "80 B a block: %g",
		       md ? as_scenario_value(md, v) : 0);
	}
	check_scenario("threshold", "glibc,bump,null", 0);
	check_scenario("xmalloc", "glibc,bump", 1);
	/* variants' labels (glibc:tri, glibc:mma at 9 characters), a row with
	 * no token of its own (leak's total=8m), a row longer than 44 */
	check_scenario("leak", "glibc,glibc:trim_threshold=1m,glibc:mmap_threshold=1m", 0);
	check_scenario("metadata", "glibc,glibc:mmap_threshold=1m", 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (as_checks_failed == 0 && system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmp);
	return as_check_done();
}
