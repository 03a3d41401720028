/* test_tune.c - `allocscope tune`: the frontier and the choice on fixture
 * points where the truth is known; then end to end on a trace captured here
 * from a real program (sqlite3): every tune.csv frontier row is undominated
 * and every other row dominated, checked against medians recomputed from the
 * raw trials.csv rows; the recommendation respects --max-rss; and the
 * printed environment line really applies the setting to a real program
 * (jemalloc's narenas read back through mallctl inside python3); the
 * frontier chart's data file holds exactly the raw frontier, and report.md
 * the tune section; tune.json, read back with jansson, says what tune.csv,
 * verify.csv and the console of the same run say. Grids are
 * tiny to keep CI short. Exits 77 when sqlite3 is not installed. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "compare.h"
#include "jsoncheck.h"
#include "reporter.h"
#include "statictls.h"
#include "stats.h"
#include "status.h"
#include "tables.h"
#include "trials_read.h"
#include "tune.h"
#include "tune_sched.h"
#include "util.h"

static as_tune_point_t pt(double t, double rss)
{
	as_tune_point_t p;
	memset(&p, 0, sizeof(p));
	p.n = 1;
	p.time_med = t;
	p.rss_med = rss;
	return p;
}

static void fixture(void)
{
	/* 0 baseline (10, 100); 1 faster, more memory; 2 dominated by 0;
	 * 3 least memory; 4 a tie with 1 on time but more memory: dominated;
	 * 5 no samples */
	as_tune_point_t p[6] = {pt(10, 10000), pt(5, 20000), pt(12, 15000),
	                        pt(20, 5000),  pt(5, 25000), pt(1, 1)};
	p[5].n = 0;
	CHECK(as_tune_frontier(p, 6) == 3);
	CHECK(p[0].frontier && p[1].frontier && !p[2].frontier && p[3].frontier);
	CHECK(!p[4].frontier && !p[5].frontier);
	CHECK(as_tune_pick(p, 6, AS_TUNE_TIME, -1, 0) == 1 && p[1].recommended);
	CHECK(as_tune_pick(p, 6, AS_TUNE_MEMORY, -1, 0) == 3 && !p[1].recommended);
	/* balanced: 1 scores 0.5 + 2 = 2.5, 3 scores 2 + 0.5, baseline 2: 0 */
	CHECK(as_tune_pick(p, 6, AS_TUNE_BALANCED, -1, 0) == 0);
	/* a budget: the fastest that fits 12000 KiB is the baseline */
	CHECK(as_tune_pick(p, 6, AS_TUNE_TIME, 12000, 0) == 0);
	CHECK(as_tune_pick(p, 6, AS_TUNE_TIME, 10, 0) == -1);
	/* significance: compare's outcome (p < 0.05 and a CI excluding 1) and
	 * at least AS_TUNE_MIN_GAIN on the objective, nothing worse */
	p[1].t_ratio = 0.5, p[1].t_lo = 0.4, p[1].t_hi = 0.6, p[1].t_out = AS_CMP_FASTER;
	p[1].r_ratio = 2, p[1].r_lo = 1.5, p[1].r_hi = 2.5, p[1].r_out = AS_CMP_SLOWER;
	CHECK(as_tune_significant(&p[1], AS_TUNE_TIME) == 1);
	CHECK(as_tune_significant(&p[1], AS_TUNE_MEMORY) == 0);
	CHECK(as_tune_significant(&p[1], AS_TUNE_BALANCED) == 0); /* memory got worse */
	p[1].r_ratio = 1, p[1].r_lo = 0.9, p[1].r_hi = 1.1, p[1].r_out = AS_CMP_SAME;
	CHECK(as_tune_significant(&p[1], AS_TUNE_BALANCED) == 1);
	p[1].t_lo = 0.8, p[1].t_hi = 1.2, p[1].t_out = AS_CMP_SAME;
	CHECK(!as_tune_significant(&p[1], AS_TUNE_TIME) &&
	      !as_tune_significant(&p[1], AS_TUNE_BALANCED));
	/* the audit's case: a CI just below 1 but p = 0.22, a 0 % gain */
	p[1].r_ratio = 0.998, p[1].r_lo = 0.997, p[1].r_hi = 0.999, p[1].r_p = 0.22;
	p[1].r_out = AS_CMP_SAME;
	CHECK(as_tune_significant(&p[1], AS_TUNE_MEMORY) == 0);
	/* significant but below the minimum gain */
	p[1].r_out = AS_CMP_FASTER, p[1].r_p = 0.01;
	CHECK(as_tune_significant(&p[1], AS_TUNE_MEMORY) == 0);
	p[1].r_ratio = 0.9, p[1].r_lo = 0.85, p[1].r_hi = 0.95;
	CHECK(as_tune_significant(&p[1], AS_TUNE_MEMORY) == 1);
	/* too few replays for any p below 0.05: said, not a gain */
	p[1].r_out = AS_CMP_TOO_FEW;
	CHECK(as_tune_significant(&p[1], AS_TUNE_MEMORY) == -1);
}

/* The gate through as_tune_stats on real samples: baseline RSS growth
 * around 1000 KiB, the candidate's as given. */
static int gate(const double *rss, int n, const double *base_rss, int nb)
{
	double t[10] = {5, 5, 5, 5, 5, 5, 5, 5, 5, 5};
	as_tune_point_t p[2];
	memset(p, 0, sizeof(p));
	p[0] = (as_tune_point_t){.time_ns = t, .rss_kib = (double *)base_rss, .sys = t, .n = nb};
	p[1] = (as_tune_point_t){.time_ns = t, .rss_kib = (double *)rss, .sys = t, .n = n};
	if (as_tune_stats(p, 2, 0) != 0)
		return 9;
	return as_tune_significant(&p[1], AS_TUNE_MEMORY);
}

static void gate_on_samples(void)
{
	static const double base[5] = {1000, 1004, 1002, 1006, 1001};
	static const double tiny[5] = {998, 999, 997, 999.5, 998.5}; /* -0.4 %, separated */
	static const double big[5] = {800, 805, 790, 810, 801};      /* -20 % */
	/* 2 against 2: the CI is below 1 but no test can reach p < 0.05 */
	CHECKF(gate(big, 2, base, 2) == -1, "2 replays each: too few (%d)", gate(big, 2, base, 2));
	CHECKF(gate(big, 3, base, 3) == -1, "3 replays each: too few (%d)", gate(big, 3, base, 3));
	CHECKF(gate(big, 4, base, 4) == 1, "4 replays each, 20 %% less: a gain (%d)",
	       gate(big, 4, base, 4));
	CHECKF(gate(tiny, 5, base, 5) == 0, "0.4 %% less, significant: below the minimum (%d)",
	       gate(tiny, 5, base, 5));
	CHECKF(gate(big, 5, base, 5) == 1, "20 %% less: a gain (%d)", gate(big, 5, base, 5));
}

/* Deterministic noise: a multiplicative factor exp(sd * N(0,1)). */
static double noise(uint64_t *st, double sd)
{
	double u1, u2;
	*st = *st * 6364136223846793005ULL + 1442695040888963407ULL;
	u1 = ((double)(*st >> 11) + 0.5) / 9007199254740992.0;
	*st = *st * 6364136223846793005ULL + 1442695040888963407ULL;
	u2 = ((double)(*st >> 11) + 0.5) / 9007199254740992.0;
	return exp(sd * sqrt(-2 * log(u1)) * cos(2 * M_PI * u2));
}

/* Early elimination where the truth is known: eight configurations with
 * true median (time, RSS), replayed with noise through the scheduler's own
 * drop rule, the matrix compacted as the runner does. Over 300 seeds, no
 * configuration of the true frontier is ever eliminated, the clearly worse
 * one always is after exactly 3 repetitions, and the baseline never is. */
static void elimination(void)
{
	enum { N = 8, R = 10 };
	/* 0 baseline; frontier: 0, 1, 2, 3, 7; 4 clearly dominated (3x the
	 * time, more memory); 5 and 6 dominated by a little (5 % to 10 %) */
	static const double tt[N] = {100, 80, 120, 60, 300, 110, 105, 150};
	static const double tr[N] = {100, 120, 90, 150, 130, 105, 125, 80};
	static const int front[N] = {1, 1, 1, 1, 0, 0, 0, 1};
	int dropped_front = 0, worse_ok = 0, mild = 0;
	as_tune_point_t a[2];
	double at[3] = {1, 2, 3}, ar[3] = {5, 5, 5}, bt[3] = {4, 5, 6}, br[3] = {5, 5, 5};
	/* the rule itself: ranges apart on time, tied on RSS: beaten; fewer
	 * than 3 samples, or the same samples: not */
	memset(a, 0, sizeof(a));
	a[0] = (as_tune_point_t){.time_ns = at, .rss_kib = ar, .n = 3};
	a[1] = (as_tune_point_t){.time_ns = bt, .rss_kib = br, .n = 3};
	CHECK(as_tune_beaten_by(a, 2, 1) == 0 && as_tune_beaten_by(a, 2, 0) == -1);
	a[1].n = 2;
	CHECK(as_tune_beaten_by(a, 2, 1) == -1);
	a[1] = a[0];
	CHECK(as_tune_beaten_by(a, 2, 1) == -1);
	bt[0] = 2; /* overlapping ranges: no clear verdict */
	a[1] = (as_tune_point_t){.time_ns = bt, .rss_kib = br, .n = 3};
	CHECK(as_tune_beaten_by(a, 2, 1) == -1);
	for (uint64_t seed = 1; seed <= 300; seed++) {
		as_run_cfg_t cfg;
		as_run_t run;
		as_tune_sched_t s;
		uint64_t st = seed * 0x9E3779B97F4A7C15ULL;
		int w = 0, reps[N] = {0};
		memset(&cfg, 0, sizeof(cfg));
		memset(&run, 0, sizeof(run));
		cfg.reps = R;
		run.cfg = &cfg;
		run.n = N * R;
		run.specs = calloc(N * R, sizeof(*run.specs));
		run.res = calloc(N * R, sizeof(*run.res));
		if (!run.specs || !run.res || as_tune_sched_init(&s, N, R, 0, as_now_ns()) != 0)
			abort();
		for (int i = 0; i < N * R; i++) {
			run.specs[i].trial = (uint32_t)(i % N);
			run.specs[i].rep = (uint32_t)(i / N);
		}
		for (int i = 0; i < N * R; i++) {
			int k = (int)run.specs[i].trial;
			if (as_tune_sched_drop(&s, &run, w, i))
				continue;
			run.specs[w] = run.specs[i];
			run.res[w].status = AS_OK;
			run.res[w].v[AS_TC_elapsed_ns] = tt[k] * 1e6 * noise(&st, 0.08);
			run.res[w].v[AS_TC_rss_before_kib] = 1000;
			run.res[w].v[AS_TC_rss_peak_kib] = 1000 + tr[k] * 100 * noise(&st, 0.02);
			reps[k]++;
			w++;
		}
		for (int k = 0; k < N; k++)
			if (front[k] && s.beaten_by[k] >= 0)
				dropped_front++;
		worse_ok += s.beaten_by[4] >= 0 && reps[4] == AS_TUNE_ELIM_MIN_REPS;
		mild += (s.beaten_by[5] >= 0) + (s.beaten_by[6] >= 0);
		CHECK(s.beaten_by[0] == -1 && reps[0] == R);
		as_tune_sched_free(&s);
		free(run.specs);
		free(run.res);
	}
	CHECKF(dropped_front == 0, "a frontier configuration was eliminated %d times",
	       dropped_front);
	CHECKF(worse_ok == 300,
	       "the clearly worse configuration eliminated after 3 reps in %d "
	       "of 300 seeds",
	       worse_ok);
	printf("elimination: of the mildly dominated configurations, %d of 600 eliminated "
	       "early\n",
	       mild);
}

static int sh(const char *cmd)
{
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Capture sqlite3 building a table of `rows` rows into TMP/NAME; sh's
 * exit status. */
static int capture_sqlite(const char *tmp, const char *name, int rows)
{
	char cmd[4096];
	snprintf(cmd, sizeof(cmd),
	         "%s capture -o %s/%s -- sqlite3 :memory: \"create table t(a,b); with recursive "
	         "c(x) as (select 1 union all select x+1 from c where x<%d) insert into t select "
	         "x, printf('%%.*c', x%%300, 'y') from c; select count(*) from t group by a%%7;\" "
	         ">/dev/null 2>&1",
	         getenv("ALLOCSCOPE"), tmp, name, rows);
	return sh(cmd);
}

/* Medians per (module, module_params) recomputed from the raw rows; the
 * RSS growth's with the allocator's start-up (*start: its least
 * module_start_rss_kib less glibc's defaults', 0 for glibc's
 * configurations). */
static int raw_medians(const char *trials, const char *mod, const char *params, double *t,
                       double *rss, double *start)
{
	as_table_t tb;
	char err[512];
	double tv[1000], rv[1000], own = INFINITY, base = INFINITY;
	int n = 0;
	if (as_table_read(trials, &tb, err, sizeof(err)) != 0)
		return -1;
	for (size_t r = 0; r < tb.nrows; r++) {
		int ok = !strcmp(as_table_str(&tb, r, "status"), "ok");
		double up = as_table_num(&tb, r, "module_start_rss_kib");
		if (ok && !strcmp(as_table_str(&tb, r, "module"), "glibc") &&
		    !*as_table_str(&tb, r, "module_params"))
			base = fmin(base, up);
		if (ok && n < 1000 && !strcmp(as_table_str(&tb, r, "module"), mod) &&
		    !strcmp(as_table_str(&tb, r, "module_params"), params)) {
			own = fmin(own, up);
			tv[n] = as_table_num(&tb, r, "elapsed_ns");
			rv[n++] = as_table_num(&tb, r, "rss_peak_kib") -
			          as_table_num(&tb, r, "rss_before_kib");
		}
	}
	as_table_free(&tb);
	*start = strcmp(mod, "glibc") ? own - base : 0;
	*t = as_median(tv, n);
	*rss = as_median(rv, n) + *start;
	return n;
}

/* FILE's text (NULL-terminated; "" when it cannot be read). */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s = calloc(1, 1 << 20);
	if (s && f && fread(s, 1, (1 << 20) - 1, f) == 0)
		s[0] = '\0';
	if (f)
		fclose(f);
	return s;
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* DIR/tune.json against DIR/tune.csv and OUT, the console output of the
 * same run: every configuration is its tune.csv row (every column), the
 * frontier its frontier rows, the recommendation the recommended row with
 * the label, gain and apply line the console printed (or null when none fit
 * --max-rss), the budget's stop the console's, verify null (not asked). */
static void check_tune_json(const char *dir, const char *out)
{
	static const char *const keys[] = {"module", "module_params", NULL};
	char path[4096], want[4096], *con = slurp(out);
	json_t *j = load_json(dir, "tune.json"), *rec, *front;
	as_table_t t = {0};
	int r = -1, nf = 0, round = 0;
	const char *stop;
	snprintf(path, sizeof(path), "%s/tune.csv", dir);
	if (!j || !con || tc_load(path, &t) != 0) {
		CHECKF(0, "%s: tune.json and tune.csv", dir);
		goto out;
	}
	CHECK(!strcmp(jstr(j, "format"), "allocscope-tune"));
	check_rows(dir, "tune.csv", json_object_get(j, "configurations"), keys);
	front = json_object_get(j, "pareto_frontier");
	for (size_t k = 0; k < t.nrows; k++) {
		snprintf(want, sizeof(want), "%s%s%s", tc_str(&t, k, "module"),
		         *tc_str(&t, k, "module_params") ? ":" : "",
		         tc_str(&t, k, "module_params"));
		CHECKF(
		    !strcmp(jstr(json_array_get(json_object_get(j, "configurations"), k), "label"),
		            want),
		    "configuration %zu is not %s", k, want);
		if (tc_num(&t, k, "frontier") == 1)
			CHECKF(!strcmp(json_string_value(json_array_get(front, (size_t)nf++)) ?: "",
			               want),
			       "frontier: %s", want);
		if (tc_num(&t, k, "recommended") == 1)
			r = (int)k;
	}
	CHECKF(json_array_size(front) == (size_t)nf, "frontier %zu, tune.csv %d",
	       json_array_size(front), nf);
	rec = json_object_get(j, "recommendation");
	if (r < 0) {
		CHECK(json_is_null(rec) && strstr(con, "no configuration fits --max-rss"));
	} else {
		snprintf(want, sizeof(want), "): %s\n", jstr(rec, "label"));
		CHECKF(strstr(con, "recommendation (objective ") && strstr(con, want),
		       "console recommendation%s", want);
		snprintf(want, sizeof(want), "recommendation (objective %s", jstr(j, "objective"));
		CHECK(strstr(con, want) != NULL);
		CHECK(!strcmp(jstr(rec, "module"), tc_str(&t, (size_t)r, "module")) &&
		      !strcmp(jstr(rec, "module_params"), tc_str(&t, (size_t)r, "module_params")));
		CHECK(json_is_true(json_object_get(rec, "kept_baseline")) == (r == 0));
		if (r == 0) {
			CHECK(json_is_null(json_object_get(rec, "apply")) &&
			      strstr(con, "apply:           nothing") != NULL);
			CHECK(json_is_null(json_object_get(rec, "time_ratio")));
			snprintf(want, sizeof(want), "the best by medians, %s,",
			         jstr(rec, "best_by_medians"));
			CHECK(json_is_null(json_object_get(rec, "best_by_medians"))
			          ? !strstr(con, "the best by medians")
			          : strstr(con, want) != NULL);
			/* why the baseline stays, as the console says it */
			CHECKF(json_is_null(json_object_get(rec, "best_by_medians"))
			           ? json_is_null(json_object_get(rec, "kept_because"))
			       : strstr(con, "cannot be told from them")
			           ? !strcmp(jstr(rec, "kept_because"), "too_few_replays")
			           : !strcmp(jstr(rec, "kept_because"), "not_significant"),
			       "kept_because %s", jstr(rec, "kept_because"));
		} else {
			snprintf(want, sizeof(want), "  apply:           %s\n", jstr(rec, "apply"));
			CHECKF(strstr(con, want) != NULL, "console: %s", want);
			for (const char *const *k =
			         (const char *const[]){"time_ratio", "time_ratio_ci95_low",
			                               "time_ratio_ci95_high", "time_p",
			                               "rss_ratio", "rss_ratio_ci95_low",
			                               "rss_ratio_ci95_high", "rss_p", NULL};
			     *k; k++)
				CHECKF(
				    same_value(json_object_get(rec, *k), tc_str(&t, (size_t)r, *k)),
				    "recommendation %s", *k);
		}
	}
	stop = strstr(con, "reached: round ");
	CHECKF(stop ? sscanf(stop, "reached: round %d", &round) == 1 &&
	                  json_integer_value(json_object_get(j, "budget_stop_round")) == round
	            : json_is_null(json_object_get(j, "budget_stop_round")),
	       "budget_stop_round (console round %d)", round);
	CHECK(json_is_null(json_object_get(j, "verify")));
	CHECK(json_object_get(json_object_get(j, "context"), "results_format") != NULL);
out:
	as_table_free(&t);
	json_decref(j);
	free(con);
}

/* The frontier chart's data file (plots/data/frontier.dat of the tune
 * folder): index 0 has every configuration, index 1 exactly the frontier
 * recomputed here from the raw rows (t, rss: medians of trials.csv), and
 * report.md has the tune section with the chart. */
static void chart(const char *tmp, const double *t, const double *rss, int n)
{
	char path[4096], line[1024];
	int block = 0, rows[2] = {0, 0}, blank = 0, nfront = 0;
	FILE *f;
	snprintf(path, sizeof(path), "%s/tune/plots/data/frontier.dat", tmp);
	f = fopen(path, "r");
	CHECKF(f != NULL, "%s: no chart data", path);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		double tm, mib;
		int fr, found = 0;
		if (line[0] == '\n') {
			block += ++blank == 2;
			continue;
		}
		blank = 0;
		if (line[0] == '#' || block > 1 || sscanf(line, "%lf %lf %d", &tm, &mib, &fr) != 3)
			continue;
		rows[block]++;
		if (block == 0)
			continue;
		/* a frontier row of the chart is a raw frontier point */
		for (int i = 0; i < n; i++) {
			int dominated = 0;
			if (fabs(tm - t[i] / 1e6) > 1e-4 * tm ||
			    fabs(mib - rss[i] / 1024) > 1e-4 * mib)
				continue;
			for (int j = 0; j < n; j++)
				if (j != i && t[j] <= t[i] && rss[j] <= rss[i] &&
				    (t[j] < t[i] || rss[j] < rss[i]))
					dominated = 1;
			found |= !dominated;
		}
		CHECKF(fr == 1 && found,
		       "chart frontier row %.3f ms %.3f MiB is no raw frontier point", tm, mib);
	}
	fclose(f);
	for (int i = 0; i < n; i++) {
		int dominated = 0;
		for (int j = 0; j < n; j++)
			if (j != i && t[j] <= t[i] && rss[j] <= rss[i] &&
			    (t[j] < t[i] || rss[j] < rss[i]))
				dominated = 1;
		nfront += !dominated;
	}
	CHECKF(rows[0] == n && rows[1] == nfront,
	       "chart rows %d and %d, configurations %d, raw "
	       "frontier %d",
	       rows[0], rows[1], n, nfront);
	snprintf(line, sizeof(line),
	         "grep -q '^## Tune: the allocator and settings' %s/tune/report.md && "
	         "grep -q '](plots/frontier.png)' %s/tune/report.md && "
	         "grep -q 'Tune: the allocator' %s/tune/report.html",
	         tmp, tmp, tmp);
	CHECKF(system(line) == 0, "report.md/html: the tune section with its chart");
}

static void end_to_end(const char *tmp)
{
	const char *as = getenv("ALLOCSCOPE");
	char cmd[8192], path[4096], err[512];
	double t[64] = {0}, rss[64] = {0};
	int fr[64] = {0}, rec[64] = {0}, n;
	as_table_t tb;
	CHECK(capture_sqlite(tmp, "t.ast", 20000) == 0);
	snprintf(cmd, sizeof(cmd),
	         "%s tune %s/t.ast -o %s/tune -r 3 -a glibc:mmap_threshold=64k,glibc:top_pad=8M,"
	         "refmalloc%s >%s/out.txt 2>&1",
	         as, tmp, tmp,
#ifdef AS_HAVE_JEMALLOC
	         ",jemalloc",
#else
	         "",
#endif
	         tmp);
	CHECKF(sh(cmd) == 0, "%s", cmd);
	snprintf(path, sizeof(path), "%s/out.txt", tmp);
	setenv("TUNE_OUT", path, 1);
	snprintf(path, sizeof(path), "%s/tune/tune.csv", tmp);
	if (as_table_read(path, &tb, err, sizeof(err)) != 0) {
		CHECKF(0, "%s", err);
		return;
	}
	n = (int)tb.nrows;
	CHECK(n >= 4 && n < 64);
	snprintf(path, sizeof(path), "%s/tune/replay/trials.csv", tmp);
	for (int i = 0; i < n && i < 64; i++) {
		const char *mod = as_table_str(&tb, (size_t)i, "module");
		double start = 0;
		int k = raw_medians(path, mod, as_table_str(&tb, (size_t)i, "module_params"), &t[i],
		                    &rss[i], &start);
		CHECKF(k == 3, "row %d: %d ok repetitions in trials.csv", i, k);
		/* the allocator's start-up, in its RSS: libjemalloc holds about
		 * 2 MiB once started (a program pays it, replay's growth left it
		 * out until session 35); a glibc configuration none. An absent
		 * module_start_rss_kib column reads NaN: no start-up fits */
		CHECKF(fabs(start - as_table_num(&tb, (size_t)i, "start_rss_kib")) <= 1 &&
		           fabs(rss[i] - as_table_num(&tb, (size_t)i, "rss_growth_kib_median")) <=
		               1,
		       "row %d (%s): start %.0f and RSS %.0f in trials.csv, %s and %s in tune.csv",
		       i, mod, start, rss[i], as_table_str(&tb, (size_t)i, "start_rss_kib"),
		       as_table_str(&tb, (size_t)i, "rss_growth_kib_median"));
		if (!strcmp(mod, "glibc"))
			CHECKF(start == 0, "row %d: a glibc configuration starts %.0f KiB", i,
			       start);
		if (!strcmp(mod, "jemalloc"))
			CHECKF(start >= 1024,
			       "row %d: jemalloc's start-up %.0f KiB, want 1 MiB or more", i,
			       start);
		/* tune.csv's medians are those of the raw rows */
		CHECKF(fabs(t[i] - as_table_num(&tb, (size_t)i, "elapsed_ns_median")) <= 1,
		       "row %d: median %.0f in trials.csv, %s in tune.csv", i, t[i],
		       as_table_str(&tb, (size_t)i, "elapsed_ns_median"));
		fr[i] = (int)as_table_num(&tb, (size_t)i, "frontier");
		rec[i] = (int)as_table_num(&tb, (size_t)i, "recommended");
	}
	for (int i = 0; i < n && i < 64; i++) {
		int dominated = 0;
		for (int j = 0; j < n && j < 64; j++)
			if (j != i && t[j] <= t[i] && rss[j] <= rss[i] &&
			    (t[j] < t[i] || rss[j] < rss[i]))
				dominated = 1;
		CHECKF(fr[i] == !dominated, "row %d: frontier %d but dominated %d", i, fr[i],
		       dominated);
		/* off the frontier only the baseline, kept when the best by
		 * medians was not significantly better (and the output says so) */
		CHECKF(
		    !rec[i] || fr[i] ||
		        (i == 0 &&
		         sh("grep -q 'keep glibc.s defaults: the best by medians' $TUNE_OUT") == 0),
		    "row %d: recommended off the frontier", i);
	}
	chart(tmp, t, rss, n);
	snprintf(path, sizeof(path), "%s/tune", tmp);
	check_tune_json(path, getenv("TUNE_OUT"));
	/* --max-rss at the median RSS growth of the first run: a new run
	 * measures again, so either its recommendation is within the budget
	 * or none of its rows is and it says so (exit 1) */
	{
		double sorted[64], budget;
		int r;
		memcpy(sorted, rss, sizeof(sorted));
		budget = as_median(sorted, n);
		snprintf(cmd, sizeof(cmd),
		         "%s tune %s/t.ast -o %s/tune2 -r 3 --no-plot -a glibc:mmap_threshold=64k,"
		         "glibc:top_pad=8M,refmalloc --objective time --max-rss %.0fk >%s/out2.txt "
		         "2>&1",
		         as, tmp, tmp, budget, tmp);
		r = sh(cmd);
		CHECKF(r == 0 || r == 1, "%s: exit %d", cmd, r);
		snprintf(path, sizeof(path), "%s/tune2", tmp);
		snprintf(cmd, sizeof(cmd), "%s/out2.txt", tmp);
		check_tune_json(path, cmd);
		as_table_free(&tb);
		snprintf(path, sizeof(path), "%s/tune2/tune.csv", tmp);
		if (as_table_read(path, &tb, err, sizeof(err)) != 0) {
			CHECKF(0, "%s", err);
			return;
		}
		for (size_t k = 0; k < tb.nrows; k++) {
			double g = as_table_num(&tb, k, "rss_growth_kib_median");
			if (as_table_num(&tb, k, "recommended") == 1)
				CHECKF(r == 0 && g <= ceil(budget),
				       "recommended %.0f KiB, budget %.0f", g, budget);
			if (r == 1)
				CHECKF(g > ceil(budget),
				       "row %zu fits the budget, yet none was chosen", k);
		}
		/* nothing fits 0 KiB of growth: said, exit 1 */
		snprintf(
		    cmd, sizeof(cmd),
		    "%s tune %s/t.ast -o %s/tune3 -r 2 --no-plot -a glibc:top_pad=8M --max-rss 0k "
		    ">%s/out3.txt 2>&1; test $? = 1 && grep -q 'no configuration fits' "
		    "%s/out3.txt",
		    as, tmp, tmp, tmp, tmp);
		CHECK(sh(cmd) == 0);
		snprintf(path, sizeof(path), "%s/tune3", tmp);
		snprintf(cmd, sizeof(cmd), "%s/out3.txt", tmp);
		check_tune_json(path, cmd);
	}
	as_table_free(&tb);
}

/* Row of tune.csv whose module_params is params (module glibc), or -1. */
static int row_of(const as_table_t *tb, const char *module, const char *params)
{
	for (size_t r = 0; r < tb->nrows; r++)
		if (!strcmp(as_table_str(tb, r, "module"), module) &&
		    !strcmp(as_table_str(tb, r, "module_params"), params))
			return (int)r;
	return -1;
}

/* Early elimination and --budget end to end, on a small sqlite3 trace: a
 * deliberately slow configuration (glibc:mmap_threshold=0: every malloc an
 * mmap, 30x the time and more memory) is eliminated after 3 of 6 replays
 * and the output says by whom; with --budget 4 and -r 1000 the run stops
 * within the budget (margin: half the budget plus 2 s, plus what two
 * rounds cost here with start and conclusion: the last round's overrun and
 * the fixed costs, slow under sanitizers and load), after at least 2
 * rounds. */
static void budget(const char *tmp)
{
	const char *as = getenv("ALLOCSCOPE");
	char cmd[4096], path[4096], err[512];
	as_table_t tb;
	uint64_t t0;
	double wall, two;
	int r;
	CHECK(capture_sqlite(tmp, "s.ast", 1000) == 0);
	snprintf(cmd, sizeof(cmd),
	         "%s tune %s/s.ast -o %s/el -r 6 --no-plot -a glibc:mmap_threshold=0,refmalloc "
	         ">%s/el.txt 2>&1 && grep -q '^  glibc:mmap_threshold=0 after 3 replays, by ' "
	         "%s/el.txt",
	         as, tmp, tmp, tmp, tmp);
	CHECKF(sh(cmd) == 0, "%s", cmd);
	snprintf(path, sizeof(path), "%s/el/tune.csv", tmp);
	if (as_table_read(path, &tb, err, sizeof(err)) == 0) {
		int slow = row_of(&tb, "glibc", "mmap_threshold=0"),
		    base = row_of(&tb, "glibc", "");
		CHECK(slow > 0 && base == 0);
		if (slow > 0 && base == 0) {
			CHECK(as_table_num(&tb, (size_t)slow, "reps_ok") == AS_TUNE_ELIM_MIN_REPS);
			CHECK(*as_table_str(&tb, (size_t)slow, "eliminated_by"));
			CHECK(as_table_num(&tb, 0, "reps_ok") == 6);
			CHECK(!*as_table_str(&tb, 0, "eliminated_by"));
		}
		as_table_free(&tb);
	} else {
		CHECKF(0, "%s", err);
	}
	/* what two rounds cost here, start and conclusion included (a
	 * sanitizer build on a loaded machine is many times slower) */
	t0 = as_now_ns();
	snprintf(
	    cmd, sizeof(cmd),
	    "%s tune %s/s.ast -o %s/two -r 2 --budget 0 --no-plot -a refmalloc >/dev/null 2>&1", as,
	    tmp, tmp);
	CHECK(sh(cmd) == 0);
	two = (double)(as_now_ns() - t0) / 1e9;
	t0 = as_now_ns();
	snprintf(cmd, sizeof(cmd),
	         "%s tune %s/s.ast -o %s/bu -r 1000 --budget 4 --no-plot -a refmalloc >%s/bu.txt "
	         "2>&1",
	         as, tmp, tmp, tmp);
	r = sh(cmd);
	wall = (double)(as_now_ns() - t0) / 1e9;
	/* the budget, then at most a round's overrun and the fixed costs */
	CHECKF(r == 0 && wall <= 4 * 1.5 + 2 + two,
	       "exit %d, %.1f s for a 4 s budget (2 rounds: %.1f s)", r, wall, two);
	snprintf(cmd, sizeof(cmd), "grep -q '^budget 4 s reached: round' %s/bu.txt", tmp);
	CHECK(sh(cmd) == 0);
	snprintf(path, sizeof(path), "%s/bu", tmp);
	snprintf(cmd, sizeof(cmd), "%s/bu.txt", tmp);
	check_tune_json(path, cmd);
	snprintf(path, sizeof(path), "%s/el", tmp);
	snprintf(cmd, sizeof(cmd), "%s/el.txt", tmp);
	check_tune_json(path, cmd);
	snprintf(path, sizeof(path), "%s/bu/tune.csv", tmp);
	if (as_table_read(path, &tb, err, sizeof(err)) == 0) {
		double n0 = as_table_num(&tb, 0, "reps_ok");
		CHECKF(n0 >= AS_TUNE_MIN_ROUNDS && n0 < 1000, "baseline replays %.0f", n0);
		as_table_free(&tb);
	} else {
		CHECKF(0, "%s", err);
	}
	printf("budget: 4 s, tune took %.1f s (2 rounds without a budget: %.1f s)\n", wall, two);
}

/* --verify's machinery on sqlite3: two configurations, two runs each,
 * verify.csv with both metrics and a verdict on each. */
static void verify(const char *tmp)
{
	char *prog[] = {"sqlite3", ":memory:", "select 1;", NULL};
	as_spec_t base, rec;
	as_tune_point_t rp;
	as_tune_verified_t vf;
	as_table_t tb;
	char err[512], path[4096];
	memset(&rp, 0, sizeof(rp));
	rp.t_ratio = rp.r_ratio = 1;
	rp.t_lo = rp.r_lo = 0.99;
	rp.t_hi = rp.r_hi = 1.01;
	CHECK(as_spec_parse("glibc", AS_SPEC_MODULE, &base, err, sizeof(err)) == 0);
	CHECK(as_spec_parse("glibc:top_pad=8M", AS_SPEC_MODULE, &rec, err, sizeof(err)) == 0);
	CHECK(as_tune_verify(&base, &rec, &rp, prog, NULL, 2, tmp, &vf) == 0);
	/* tune.json's verify: verify.csv's rows, all_hold when both hold */
	{
		static const char *const keys[] = {"metric", NULL};
		as_tune_outcome_t o;
		as_tune_point_t q = pt(1, 1);
		json_t *j, *v;
		memset(&o, 0, sizeof(o));
		q.n = 0; /* no samples: the row is n/a but for its name */
		q.module = "glibc";
		q.params = "";
		o.trace = "t.ast";
		o.objective = "time";
		o.max_rss_kib = -1;
		o.verify = 1;
		o.verified = &vf;
		CHECK(as_tune_write_json(tmp, &o, &q, 1, err, sizeof(err)) == 0);
		j = load_json(tmp, "tune.json");
		v = json_object_get(j, "verify");
		CHECK(json_integer_value(json_object_get(v, "runs")) == 2);
		check_rows(tmp, "verify.csv", json_object_get(v, "metrics"), keys);
		CHECK(json_is_boolean(json_object_get(v, "all_hold")) &&
		      json_is_true(json_object_get(v, "all_hold")) ==
		          (vf.v[0][AS_VERIFY_NUMS - 1] == 1 && vf.v[1][AS_VERIFY_NUMS - 1] == 1));
		CHECK(json_is_null(json_object_get(v, "note")));
		json_decref(j);
	}
	snprintf(path, sizeof(path), "%s/verify.csv", tmp);
	if (as_table_read(path, &tb, err, sizeof(err)) == 0) {
		CHECK(tb.nrows == 2 && !strcmp(as_table_str(&tb, 0, "metric"), "wall_time_ns") &&
		      !strcmp(as_table_str(&tb, 1, "metric"), "peak_rss_kib"));
		for (size_t r = 0; r < tb.nrows; r++) {
			double h = as_table_num(&tb, r, "holds");
			CHECK(h == 0 || h == 1);
			CHECK(as_table_num(&tb, r, "baseline_median") > 0);
		}
		as_table_free(&tb);
	} else {
		CHECKF(0, "%s", err);
	}
	as_spec_free(&base);
	as_spec_free(&rec);
}

/* --verify's verdict is tune's rule on both sides, and the prediction is
 * the program's: git's peak RSS, predicted 0.99995 by replay (4 KiB less
 * of 80 MiB, p = 0.004, a CI just below 1) and measured 1.00, p = 0.17,
 * "DID NOT HOLD" until session 35, when the side of 1 of each CI decided.
 * On sqlite3 (two glibc configurations that differ in no page it touches)
 * the same prediction holds, and program_ratio is replay's change taken
 * from the program's own median. */
static void verify_rule(const char *tmp)
{
	char *prog[] = {"sqlite3", ":memory:", "select 1;", NULL};
	as_spec_t base, rec;
	as_tune_point_t rp;
	as_tune_verified_t vf;
	char err[512];
	/* the rule: p, the side of 1, and 5 % */
	CHECK(as_tune_change(0.99995, 0.9999, 0.99998, 0.004) == 0);
	CHECK(as_tune_change(0.90, 0.85, 0.94, 0.01) == -1);
	CHECK(as_tune_change(0.90, 0.85, 0.94, 0.2) == 0);
	CHECK(as_tune_change(0.90, 0.85, 1.01, 0.01) == 0);
	CHECK(as_tune_change(0.96, 0.95, 0.97, 0.001) == 0);
	CHECK(as_tune_change(1.20, 1.10, 1.30, 0.01) == 1);
	CHECK(as_tune_change(NAN, NAN, NAN, NAN) == 0);
	memset(&rp, 0, sizeof(rp));
	rp.r_ratio = 0.99995;
	rp.r_lo = 0.9999;
	rp.r_hi = 0.99998;
	rp.r_p = 0.004;
	rp.rss_med = 80408;
	rp.t_ratio = 0.5;
	rp.t_lo = 0.4;
	rp.t_hi = 0.6;
	rp.t_p = 0.008;
	rp.time_med = 1e6; /* 1 ms of the allocator's, 2 ms on glibc's defaults */
	CHECK(as_spec_parse("glibc", AS_SPEC_MODULE, &base, err, sizeof(err)) == 0);
	CHECK(as_spec_parse("glibc:top_pad=8M", AS_SPEC_MODULE, &rec, err, sizeof(err)) == 0);
	CHECK(as_tune_verify(&base, &rec, &rp, prog, NULL, 4, tmp, &vf) == 0);
	/* v[m]: medians (0, 3), ratio (6-8), p (9), replay's (10-13), the
	 * program's (14-16), holds (17) */
	{
		const double *t = vf.v[0], *r = vf.v[1];
		double want_t = 1 - 2e6 * 0.5 / t[0], want_r = 1 - (80408 / 0.99995) * 5e-5 / r[0];
		CHECKF(fabs(t[14] - want_t) < 1e-9 && fabs(t[15] - (1 - 2e6 * 0.6 / t[0])) < 1e-9,
		       "time: program_ratio %g, want %g", t[14], want_t);
		CHECKF(fabs(r[14] - want_r) < 1e-9, "peak RSS: program_ratio %.6f, want %.6f",
		       r[14], want_r);
		CHECKF(r[17] == (as_tune_change(r[6], r[7], r[8], r[9]) == 0),
		       "peak RSS measured %.4f (%.4f-%.4f, p %.2g), predicted 0.99995: holds %.0f",
		       r[6], r[7], r[8], r[9], r[17]);
		CHECKF(as_tune_change(r[6], r[7], r[8], r[9]) == 0,
		       "two glibc configurations: peak RSS %.4f (%.4f-%.4f, p %.2g), a change",
		       r[6], r[7], r[8], r[9]);
	}
	as_spec_free(&base);
	as_spec_free(&rec);
}

/* The apply line for a program whose arguments hold a space, a quote, a
 * newline and a tab: one line, which bash runs with those arguments. Until
 * it used as_buf_shell_word the newline stayed inside single quotes and
 * tune printed the line on two. */
static void apply_line_words(void)
{
	char path[] = "/tmp/tune-apply-XXXXXX", cmd[256], got[256] = "", err[512];
	char *prog[] = {"/usr/bin/printf", "%s|", "a b\nc'd", "t\tx", "", NULL};
	as_spec_t s;
	as_buf_t b = {0};
	FILE *f;
	int fd = mkstemp(path);
	size_t n = 0;
	CHECK(fd >= 0);
	CHECK(as_spec_parse("glibc", AS_SPEC_MODULE, &s, err, sizeof(err)) == 0);
	CHECK(as_tune_apply_line(&s, prog, &b, err, sizeof(err)) == 0);
	CHECKF(b.data && !strchr(b.data, '\n'), "apply line on two lines: %s", b.data);
	f = fdopen(fd, "w");
	CHECK(f && fprintf(f, "%s", b.data ? b.data : "false") > 0 && fclose(f) == 0);
	snprintf(cmd, sizeof(cmd), "bash %s", path);
	f = popen(cmd, "r");
	if (f) {
		n = fread(got, 1, sizeof(got) - 1, f);
		pclose(f);
	}
	got[n] = '\0';
	CHECKF(!strcmp(got, "a b\nc'd|t\tx||"), "bash ran '%s' with: %s", b.data, got);
	unlink(path);
	as_buf_free(&b);
	as_spec_free(&s);
}

#ifdef AS_HAVE_JEMALLOC
/* The line tune prints for jemalloc:narenas=3, run as printed: python3
 * asks the preloaded jemalloc for opt.narenas through mallctl. */
static void env_line(const char *tmp)
{
	char cmd[4096];
	as_spec_t s;
	as_buf_t b = {0};
	char *prog[] = {"/usr/bin/python3", "-c",
	                "import ctypes; l = ctypes.CDLL(None); v = ctypes.c_uint(0); "
	                "n = ctypes.c_size_t(4); "
	                "l.mallctl(b'opt.narenas', ctypes.byref(v), ctypes.byref(n), None, 0); "
	                "print(v.value)",
	                NULL};
	char err[512];
	const char *build = getenv("ALLOCSCOPE_BUILD");
	if (access(prog[0], X_OK) != 0) {
		printf("env line: skipped (no /usr/bin/python3)\n");
		return;
	}
	snprintf(cmd, sizeof(cmd), "%s/allocators/jemalloc.so:narenas=3", build ? build : ".");
	CHECK(as_spec_parse(cmd, AS_SPEC_MODULE, &s, err, sizeof(err)) == 0);
	CHECK(as_tune_apply_line(&s, prog, &b, err, sizeof(err)) == 0);
	CHECKF(b.data && strstr(b.data, "LD_PRELOAD=") && strstr(b.data, "MALLOC_CONF=narenas:3"),
	       "line: %s", b.data ? b.data : "");
	snprintf(cmd, sizeof(cmd), "%s > %s/narenas.txt", b.data ? b.data : "false", tmp);
	CHECK(sh(cmd) == 0);
	snprintf(cmd, sizeof(cmd), "grep -qx 3 %s/narenas.txt", tmp);
	CHECKF(sh(cmd) == 0, "python3 under the printed line reads opt.narenas = 3");
	as_buf_free(&b);
	as_spec_free(&s);
}
#endif

int main(int argc, char **argv)
{
	char tmp[] = "/tmp/tune-test-XXXXXX", cmd[256];
	(void)argc;
	as_static_tls_reexec(argv); /* as the CLI does: jemalloc's library needs it */
	fixture();
	gate_on_samples();
	elimination();
	apply_line_words();
	if (sh("command -v sqlite3 >/dev/null") != 0) {
		printf("skipped: sqlite3 is not installed (fixture checks passed: %d)\n",
		       as_checks_passed);
		return 77;
	}
	if (!mkdtemp(tmp))
		return 1;
	end_to_end(tmp);
	budget(tmp);
	verify(tmp);
	verify_rule(tmp);
#ifdef AS_HAVE_JEMALLOC
	env_line(tmp);
#endif
	if (!as_checks_failed) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
		sh(cmd);
	} else {
		fprintf(stderr, "kept %s\n", tmp);
	}
	return as_check_done();
}
