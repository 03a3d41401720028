/* test_tune.c - `allocscope tune`: the frontier and the choice on fixture
 * points where the truth is known; then end to end on a trace captured here
 * from a real program (sqlite3): every tune.csv frontier row is undominated
 * and every other row dominated, checked against medians recomputed from the
 * raw trials.csv rows; the recommendation respects --max-rss; and the
 * printed environment line really applies the setting to a real program
 * (jemalloc's narenas read back through mallctl inside python3). Grids are
 * tiny to keep CI short. Exits 77 when sqlite3 is not installed. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "statictls.h"
#include "stats.h"
#include "trials_read.h"
#include "tune.h"

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
	/* significance: a CI below 1 on the objective, none above 1 */
	p[1].t_lo = 0.4, p[1].t_hi = 0.6, p[1].r_lo = 1.5, p[1].r_hi = 2.5;
	CHECK(as_tune_significant(&p[1], AS_TUNE_TIME));
	CHECK(!as_tune_significant(&p[1], AS_TUNE_MEMORY));
	CHECK(!as_tune_significant(&p[1], AS_TUNE_BALANCED)); /* memory got worse */
	p[1].r_lo = 0.9, p[1].r_hi = 1.1;
	CHECK(as_tune_significant(&p[1], AS_TUNE_BALANCED));
	p[1].t_lo = 0.8, p[1].t_hi = 1.2;
	CHECK(!as_tune_significant(&p[1], AS_TUNE_TIME) &&
	      !as_tune_significant(&p[1], AS_TUNE_BALANCED));
}

static int sh(const char *cmd)
{
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Medians per (module, module_params) recomputed from the raw rows. */
static int raw_medians(const char *trials, const char *mod, const char *params, double *t,
                       double *rss)
{
	as_table_t tb;
	char err[512];
	double tv[1000], rv[1000];
	int n = 0;
	if (as_table_read(trials, &tb, err, sizeof(err)) != 0)
		return -1;
	for (size_t r = 0; r < tb.nrows && n < 1000; r++)
		if (!strcmp(as_table_str(&tb, r, "module"), mod) &&
		    !strcmp(as_table_str(&tb, r, "module_params"), params) &&
		    !strcmp(as_table_str(&tb, r, "status"), "ok")) {
			tv[n] = as_table_num(&tb, r, "elapsed_ns");
			rv[n++] = as_table_num(&tb, r, "rss_peak_kib") -
			          as_table_num(&tb, r, "rss_before_kib");
		}
	as_table_free(&tb);
	*t = as_median(tv, n);
	*rss = as_median(rv, n);
	return n;
}

static void end_to_end(const char *tmp)
{
	const char *as = getenv("ALLOCSCOPE");
	char cmd[8192], path[4096], err[512];
	double t[64] = {0}, rss[64] = {0};
	int fr[64] = {0}, rec[64] = {0}, n;
	as_table_t tb;
	snprintf(
	    cmd, sizeof(cmd),
	    "%s capture -o %s/t.ast -- sqlite3 :memory: \"create table t(a,b); with recursive "
	    "c(x) as (select 1 union all select x+1 from c where x<20000) insert into t select "
	    "x, printf('%%.*c', x%%300, 'y') from c; select count(*) from t group by a%%7;\" "
	    ">/dev/null 2>&1",
	    as, tmp);
	CHECK(sh(cmd) == 0);
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
		int k = raw_medians(path, as_table_str(&tb, (size_t)i, "module"),
		                    as_table_str(&tb, (size_t)i, "module_params"), &t[i], &rss[i]);
		CHECKF(k == 3, "row %d: %d ok repetitions in trials.csv", i, k);
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
		CHECKF(!rec[i] || fr[i] ||
		           (i == 0 && sh("grep -q 'not significantly' $TUNE_OUT") == 0),
		       "row %d: recommended off the frontier", i);
	}
	/* --max-rss at the median RSS growth of the first run: a new run
	 * measures again, so either its recommendation is within the budget
	 * or none of its rows is and it says so (exit 1) */
	{
		double sorted[64], budget;
		int r;
		memcpy(sorted, rss, sizeof(sorted));
		budget = as_median(sorted, n);
		snprintf(cmd, sizeof(cmd),
		         "%s tune %s/t.ast -o %s/tune2 -r 3 -a glibc:mmap_threshold=64k,"
		         "glibc:top_pad=8M,refmalloc --objective time --max-rss %.0fk >%s/out2.txt "
		         "2>&1",
		         as, tmp, tmp, budget, tmp);
		r = sh(cmd);
		CHECKF(r == 0 || r == 1, "%s: exit %d", cmd, r);
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
		snprintf(cmd, sizeof(cmd),
		         "%s tune %s/t.ast -o %s/tune3 -r 2 -a glibc:top_pad=8M --max-rss 0k "
		         ">%s/out3.txt 2>&1; test $? = 1 && grep -q 'no configuration fits' "
		         "%s/out3.txt",
		         as, tmp, tmp, tmp, tmp);
		CHECK(sh(cmd) == 0);
	}
	as_table_free(&tb);
}

/* --verify's machinery on sqlite3: two configurations, two runs each,
 * verify.csv with both metrics and a verdict on each. */
static void verify(const char *tmp)
{
	char *prog[] = {"sqlite3", ":memory:", "select 1;", NULL};
	as_spec_t base, rec;
	as_tune_point_t rp;
	as_table_t tb;
	char err[512], path[4096];
	memset(&rp, 0, sizeof(rp));
	rp.t_ratio = rp.r_ratio = 1;
	rp.t_lo = rp.r_lo = 0.99;
	rp.t_hi = rp.r_hi = 1.01;
	CHECK(as_spec_parse("glibc", AS_SPEC_MODULE, &base, err, sizeof(err)) == 0);
	CHECK(as_spec_parse("glibc:top_pad=8M", AS_SPEC_MODULE, &rec, err, sizeof(err)) == 0);
	CHECK(as_tune_verify(&base, &rec, &rp, prog, 2, tmp) == 0);
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
	if (sh("command -v sqlite3 >/dev/null") != 0) {
		printf("skipped: sqlite3 is not installed (fixture checks passed: %d)\n",
		       as_checks_passed);
		return 77;
	}
	if (!mkdtemp(tmp))
		return 1;
	end_to_end(tmp);
	verify(tmp);
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
