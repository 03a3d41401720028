/* test_json.c - summary.json read back with jansson and checked against
 * the CSV files of the same run: every summary.csv row is a group with the
 * same values (a CSV number is the JSON one to its 6 printed digits, or
 * rounded to a whole number in an integer column; an empty cell is null), every comparisons.csv row
 * a comparison, each winner has the lowest median of its workload and threads with the ratio of the
 * runner-up's median to it, the context is context.csv's, every real has
 * the CSV's 6 significant digits (not 17); and a suite's summary.json
 * holds verdicts.csv's rows and their counts. */
#define _GNU_SOURCE
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "jsoncheck.h"
#include "tablecheck.h"

static char tmp[256];

static int cli(const char *args)
{
	char cmd[4096];
	int st;
	snprintf(cmd, sizeof(cmd), "CI=1 '%s' %s >'%s/log' 2>&1", getenv("ALLOCSCOPE"), args, tmp);
	st = system(cmd);
	if (st != 0) {
		snprintf(cmd, sizeof(cmd), "tail -20 '%s/log' >&2", tmp);
		if (system(cmd) != 0)
			fprintf(stderr, "(no log)\n");
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The machine object: the ok 1-thread trials of trials.csv counted; with
 * fewer than 20 (AS_NOISY_MIN_TRIALS) no share and no verdict; the median
 * handoff_end_ns is the median of trials.csv's non-empty cells, null when
 * every cell is empty. */
static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void check_machine(const char *dir, json_t *m)
{
	char path[600];
	as_table_t t;
	double h[256], med;
	int n1 = 0, nh = 0;
	snprintf(path, sizeof(path), "%s/trials.csv", dir);
	CHECKF(json_is_object(m), "summary.json: no machine object");
	if (!json_is_object(m) || tc_load(path, &t) != 0)
		return;
	for (size_t r = 0; r < t.nrows; r++) {
		double x = as_table_num(&t, r, "handoff_end_ns");
		int ok = !strcmp(tc_str(&t, r, "status"), "ok");
		n1 += ok && tc_num(&t, r, "threads") == 1;
		if (ok && x > 0 && nh < 256)
			h[nh++] = x;
	}
	as_table_free(&t);
	qsort(h, (size_t)nh, sizeof(h[0]), cmp_d);
	med = nh == 0 ? NAN : nh % 2 ? h[nh / 2] : (h[nh / 2 - 1] + h[nh / 2]) / 2;
	CHECKF(json_integer_value(json_object_get(m, "one_thread_trials")) == n1,
	       "one_thread_trials %lld, trials.csv %d",
	       (long long)json_integer_value(json_object_get(m, "one_thread_trials")), n1);
	CHECKF(n1 >= 20 || (json_is_null(json_object_get(m, "one_thread_disturbed_share")) &&
	                    json_is_null(json_object_get(m, "noisy"))),
	       "%d 1-thread trials: a share or a verdict", n1);
	/* Under load every probe can reach its deadline (as_handoff_ping
	 * gives 0, the cell is empty): then there is no median to give. */
	if (nh == 0)
		CHECKF(json_is_null(json_object_get(m, "handoff_end_ns_median")),
		       "handoff_end_ns_median %g with no handoff_end_ns in trials.csv",
		       json_number_value(json_object_get(m, "handoff_end_ns_median")));
	else
		CHECKF(fabs(json_number_value(json_object_get(m, "handoff_end_ns_median")) - med) <
		           1e-9,
		       "handoff_end_ns_median %g, trials.csv %g over %d",
		       json_number_value(json_object_get(m, "handoff_end_ns_median")), med, nh);
}

/* Each winner: lowest ns_per_op_median of its workload and threads among
 * the modules other than null, the runner-up second, the ratio theirs. */
static void check_winners(const char *dir, json_t *wins)
{
	char path[512];
	as_table_t t = {0};
	size_t i;
	json_t *w;
	snprintf(path, sizeof(path), "%s/summary.csv", dir);
	if (tc_load(path, &t) != 0)
		return;
	CHECK(json_array_size(wins) == 2); /* one workload at 1 and 2 threads */
	json_array_foreach(wins, i, w)
	{
		const char *best = json_string_value(json_object_get(w, "module"));
		const json_t *ru = json_object_get(w, "runner_up");
		double lo = INFINITY, second = INFINITY;
		const char *lo_m = "", *second_m = "";
		for (size_t r = 0; r < t.nrows; r++) {
			double m = tc_num(&t, r, "ns_per_op_median");
			char wl[256];
			snprintf(wl, sizeof(wl), "%s:%s", tc_str(&t, r, "workload"),
			         tc_str(&t, r, "workload_params"));
			if (strcmp(wl, json_string_value(json_object_get(w, "workload"))) ||
			    tc_num(&t, r, "threads") !=
			        json_integer_value(json_object_get(w, "threads")) ||
			    !strcmp(tc_str(&t, r, "module"), "null") || isnan(m))
				continue;
			if (m < lo) {
				second = lo, second_m = lo_m;
				lo = m, lo_m = tc_str(&t, r, "module");
			} else if (m < second) {
				second = m, second_m = tc_str(&t, r, "module");
			}
		}
		CHECKF(best && !strcmp(best, lo_m), "winner %s, lowest median %s", best, lo_m);
		if (isinf(second)) {
			CHECK(json_is_null(ru));
			continue;
		}
		CHECKF(json_is_string(ru) && !strcmp(json_string_value(ru), second_m),
		       "runner-up %s", second_m);
		if (!strcmp(json_string_value(json_object_get(w, "metric")), "ns_per_op"))
			CHECKF(fabs(json_real_value(json_object_get(w, "ratio")) - second / lo) <
			           1e-5 * second / lo,
			       "winner ratio %g, medians %g / %g",
			       json_real_value(json_object_get(w, "ratio")), second, lo);
		CHECK(json_real_value(json_object_get(w, "ratio")) >= 1);
		CHECK(json_is_boolean(json_object_get(w, "significant")));
	}
	as_table_free(&t);
}

static void check_context(const char *dir, json_t *ctx)
{
	char path[512];
	as_table_t t = {0};
	snprintf(path, sizeof(path), "%s/context.csv", dir);
	CHECK(json_is_object(ctx));
	if (!json_is_object(ctx) || tc_load(path, &t) != 0)
		return;
	for (size_t r = 0; r < t.nrows; r++) {
		json_t *v = json_object_get(ctx, tc_str(&t, r, "key"));
		int found =
		    json_is_string(v) && !strcmp(json_string_value(v), tc_str(&t, r, "value"));
		size_t i;
		json_t *e;
		if (json_is_array(v))
			json_array_foreach(v, i, e) found |=
			    !strcmp(json_string_value(e), tc_str(&t, r, "value"));
		CHECKF(found, "context %s", tc_str(&t, r, "key"));
	}
	/* one module or workload is a list all the same (an outside review
	 * found "module" a string for a one-module run, an array otherwise) */
	CHECKF(json_is_array(json_object_get(ctx, "module")) &&
	           json_is_array(json_object_get(ctx, "workload")),
	       "context module / workload not arrays in %s", dir);
	as_table_free(&t);
}

int main(void)
{
	static const char *const group_keys[] = {"module",          "module_params", "workload",
	                                         "workload_params", "threads",       NULL};
	static const char *const cmp_keys[] = {"module", "workload", "threads", NULL};
	static const char *const verdict_keys[] = {"scenario", "workload", "module", "claim", NULL};
	char args[1024], dir[512], path[600];
	const char *build = getenv("ALLOCSCOPE_BUILD");
	json_t *j;

	if (!getenv("ALLOCSCOPE") || !build) {
		fprintf(stderr, "ALLOCSCOPE / ALLOCSCOPE_BUILD not set (run through ctest)\n");
		return 2;
	}
	/* a new folder of its own: /tmp/as_json_PID failed by chance where an
	 * earlier run left one behind under the same pid (EEXIST) */
	snprintf(tmp, sizeof(tmp), "/tmp/as_json_XXXXXX");
	CHECK(mkdtemp(tmp) != NULL);

	/* a run with a baseline, a second module, null and a skipped trial
	 * (refmalloc is not thread-safe at 2 threads) */
	snprintf(dir, sizeof(dir), "%s/run", tmp);
	snprintf(args, sizeof(args),
	         "run -q --no-plot -a glibc,refmalloc,null -w random:ops=20000,live=500 -t 1,2 "
	         "-r 6 -o '%s'",
	         dir);
	CHECK(cli(args) == 0);
	j = load_json(dir, "summary.json");
	if (j) {
		CHECK(
		    !strcmp(json_string_value(json_object_get(j, "format")), "allocscope-summary"));
		CHECK(json_integer_value(json_object_get(j, "format_version")) == 1);
		CHECK(!strcmp(json_string_value(json_object_get(j, "baseline")), "glibc"));
		check_context(dir, json_object_get(j, "context"));
		check_rows(dir, "summary.csv", json_object_get(j, "groups"), group_keys);
		check_rows(dir, "comparisons.csv", json_object_get(j, "comparisons"), cmp_keys);
		check_winners(dir, json_object_get(j, "winners"));
		check_machine(dir, json_object_get(j, "machine"));
		json_decref(j);
	}
	check_digits(dir, "summary.json", 1);

	/* a suite: its folder's summary.json holds verdicts.csv; each scenario
	 * folder has its own */
	snprintf(dir, sizeof(dir), "%s/suite", tmp);
	snprintf(args, sizeof(args), "suite threshold --quick --no-plot -a glibc -o '%s'", dir);
	CHECK(cli(args) == 0);
	j = load_json(dir, "summary.json");
	if (j) {
		json_t *counts = json_object_get(j, "verdict_counts");
		long long sum = 0;
		const char *k;
		json_t *v;
		CHECK(!strcmp(json_string_value(json_object_get(j, "format")), "allocscope-suite"));
		CHECK(!strcmp(json_string_value(json_object_get(j, "suite")), "threshold"));
		CHECK(json_is_true(json_object_get(j, "quick")));
		CHECK(json_array_size(json_object_get(j, "scenarios")) == 1);
		check_rows(dir, "verdicts.csv", json_object_get(j, "verdicts"), verdict_keys);
		CHECK(json_array_size(json_object_get(j, "verdicts")) > 0);
		json_object_foreach(counts, k, v) sum += json_integer_value(v);
		CHECK(sum == (long long)json_array_size(json_object_get(j, "verdicts")));
		json_decref(j);
	}
	snprintf(path, sizeof(path), "%s/threshold/summary.json", dir);
	CHECK(access(path, R_OK) == 0);
	snprintf(path, sizeof(path), "%s/threshold", dir);
	check_digits(path, "summary.json", 0);

	snprintf(args, sizeof(args), "rm -rf '%s'", tmp);
	if (as_checks_failed == 0 && system(args) != 0)
		fprintf(stderr, "could not remove %s\n", tmp);
	return as_check_done();
}
