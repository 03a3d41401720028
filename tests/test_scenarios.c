/* test_scenarios.c - the suite end to end: `allocscope suite article
 * --quick` runs on glibc (and refmalloc when its module is in the build),
 * and each scenario's expected shape is checked on the trials.csv it wrote
 * (RSS, time and syscall-count columns; a missing column is a failure). Also: the
 * classic benchmarks run cross-thread on the real engine, skipped rows carry
 * their reason, bad suite input exits 2. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../harness/suite.h"
#include "check.h"
#include "tablecheck.h"

static char tmpdir[] = "/tmp/as_test_scen_XXXXXX";

/* Run the CLI with args; stdout+stderr to tmpdir/log. Returns exit code. */
static int cli(const char *args)
{
	char cmd[4096];
	const char *exe = getenv("ALLOCSCOPE");
	int st;
	snprintf(cmd, sizeof(cmd), "'%s' %s >'%s/log' 2>&1", exe ? exe : "allocscope", args,
	         tmpdir);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void show_log(void)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "tail -20 '%s/log' >&2", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "(no log)\n");
}

/* One expected shape: for rows of SCENARIO whose workload_params equal
 * PARAMS and whose module is in MODULES, COLUMN (NULL: the scenario's
 * summary metric) lies in [lo, hi]. */
typedef struct {
	const char *scenario, *params, *column, *modules;
	double lo, hi;
	const char *why;
} shape_t;

static const shape_t shapes[] = {
    {"threshold", "size=64k,total=4m", NULL, "glibc,refmalloc", 0.8, 1.2,
     "below 128 KiB freed heap memory stays resident under the newest block"},
    {"threshold", "size=256k,total=4m", NULL, "glibc,refmalloc", -0.05, 0.3,
     "from 128 KiB blocks are mmapped and munmapped on free"},
    {"threshold", "size=256k,total=4m,prime=1m", NULL, "glibc,refmalloc", 0.8, 1.2,
     "freeing a 1 MiB mmapped block moved the threshold above 256 KiB"},
    {"leak", "total=8m", NULL, "glibc,refmalloc", 0.8, 1.2,
     "RSS does not drop while the top block lives"},
    {"leak", "total=8m,trim=1", NULL, "glibc", -0.05, 0.4,
     "malloc_trim returns the free pages below the top"},
    {"leak", "size=256k,total=8m", NULL, "glibc,refmalloc", -0.05, 0.4,
     "mmapped blocks are returned at once"},
    {"metadata", "dist=fixed,size=64,order=never,ops=100000,touch=all", NULL, "glibc", 76, 88,
     "glibc's chunk for 64 B is 80 B"},
    {"metadata", "dist=fixed,size=64,order=never,ops=100000,touch=all", NULL, "refmalloc", 64, 100,
     "a boundary-tag heap pays a header per block"},
    {"lazy", "dist=fixed,size=256k,order=never,ops=32,touch=none", NULL, "glibc,refmalloc", -0.05,
     0.1, "untouched mmapped memory is not resident"},
    {"lazy", "dist=fixed,size=256k,order=never,ops=32,touch=pages", NULL, "glibc,refmalloc", 0.9,
     1.15, "touched pages are resident"},
    {"bump", "dist=fixed,size=16,order=phase,live=1000,ops=20000,touch=all", "ns_per_op",
     "glibc,refmalloc", 0.1, 1e6, "completes (speed is a benchmark, not a test)"},
    {"phase", "dist=lognormal,size=64,sigma=1,min=16,max=4k,live=2000,ops=20000,order=phase",
     "ns_per_op", "glibc,refmalloc", 0.1, 1e6, "completes"},
    /* syscall counts (skipped, visibly, where this machine cannot count) */
    {"threshold", "size=256k,total=4m", "mmap_calls", "glibc,refmalloc", 16, 20,
     "one mmap per 256 KiB block (16 blocks)"},
    {"threshold", "size=64k,total=4m", "mmap_calls", "glibc,refmalloc", 0, 1,
     "no mmap below the threshold"},
    {"threshold", "size=64k,total=4m", "brk_calls", "glibc,refmalloc", 1, 1e9,
     "the heap grows with brk"},
    {"mmapcost", "dist=fixed,size=256k,order=never,ops=1000,touch=none", "mmap_calls",
     "glibc,refmalloc", 1000, 1000, "an mmap per 256 KiB block"},
    {"mmapcost", "dist=fixed,size=120k,order=never,ops=1000,touch=none", "brk_calls",
     "glibc,refmalloc", 499, 501, "a brk call per two 120 KiB blocks (the 128 KiB top pad)"},
    {"mmapcost", "dist=fixed,size=120k,order=never,ops=1000,touch=none", "mmap_calls",
     "glibc,refmalloc", 0, 0, "no mmap below the threshold"},
};

static int in_list(const char *list, const char *m)
{
	size_t n = strlen(m);
	for (const char *p = list; (p = strstr(p, m)); p += n)
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

/* Why SCENARIO's syscall columns are n/a (context.csv syscall_counting
 * "n/a: why"), or NULL when they were counted. */
static const char *syscalls_na(const char *scenario, char *why, size_t len)
{
	char path[512];
	as_table_t c = {0};
	const char *na = NULL;
	snprintf(path, sizeof(path), "%s/article/%s/context.csv", tmpdir, scenario);
	if (tc_load(path, &c) != 0)
		return NULL;
	for (size_t r = 0; r < c.nrows; r++)
		if (!strcmp(tc_str(&c, r, "key"), "syscall_counting") &&
		    !strncmp(tc_str(&c, r, "value"), "n/a", 3)) {
			snprintf(why, len, "%s", tc_str(&c, r, "value"));
			na = why;
		}
	as_table_free(&c);
	return na;
}

static void check_shapes(const char *modules)
{
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		const shape_t *s = &shapes[i];
		const as_scenario_t *sc = as_scenario_find(s->scenario);
		char path[512], why[512], mods[64];
		as_table_t t = {0};
		int relevant = 0;
		snprintf(mods, sizeof(mods), "%s", modules);
		for (char *m = strtok(mods, ","); m; m = strtok(NULL, ","))
			relevant |= in_list(s->modules, m);
		if (!relevant) /* a shape of modules not checked here */
			continue;
		snprintf(path, sizeof(path), "%s/article/%s/trials.csv", tmpdir, s->scenario);
		CHECKF(sc != NULL, "no scenario %s", s->scenario);
		if (!sc || tc_load(path, &t) != 0)
			continue;
		/* a column this test checks must exist: a rename fails here */
		if (s->column && as_table_col(&t, s->column) < 0) {
			CHECKF(0, "%s %s: no column %s in trials.csv (%s)", s->scenario, s->params,
			       s->column, s->why);
			as_table_free(&t);
			continue;
		}
		if (s->column && strstr(s->column, "_calls") &&
		    syscalls_na(s->scenario, why, sizeof(why))) {
			as_check_skip_case("%s %s %s: syscall counting %s", s->scenario, s->params,
			                   s->column, why);
			as_table_free(&t);
			continue;
		}
		/* bytes of RSS per block: ASan's shadow memory (1 byte per 8, faulted
		 * in when the engine touches the blocks) adds ~10 B to glibc's 80 */
		if (!strcmp(s->scenario, "metadata") && getenv("ALLOCSCOPE_SANITIZED")) {
			as_check_skip_case(
			    "%s %s: sanitizer build (its shadow memory counts in RSS)", s->scenario,
			    s->params);
			as_table_free(&t);
			continue;
		}
		/* the resident share of touched pages in the sanitizer build:
		 * 1.146-1.154 for glibc and refmalloc (3 reps each) against 1.016-
		 * 1.031 in the plain build: + ~0.13, the sanitizer's shadow of the
		 * touched pages (1 byte per 8, +0.125); untouched, 0.02-0.04 in
		 * both. The bound 1.15 is for the program's own pages: the plain
		 * build checks this shape */
		if (getenv("ALLOCSCOPE_SANITIZED") && !strcmp(s->scenario, "lazy")) {
			as_check_skip_case(
			    "%s %s: sanitizer build (its shadow of the touched pages, "
			    "+1/8, counts in RSS)",
			    s->scenario, s->params);
			as_table_free(&t);
			continue;
		}
		/* every module both checked here and named by the shape has rows */
		snprintf(mods, sizeof(mods), "%s", modules);
		for (char *m = strtok(mods, ","); m; m = strtok(NULL, ",")) {
			int rows = 0;
			if (!in_list(s->modules, m))
				continue;
			for (size_t r = 0; r < t.nrows; r++) {
				double v;
				if (strcmp(tc_str(&t, r, "workload_params"), s->params) ||
				    strcmp(tc_str(&t, r, "module"), m))
					continue;
				rows++;
				v = s->column ? tc_num(&t, r, s->column)
				              : as_scenario_metric(sc, &t, r);
				CHECKF(v >= s->lo && v <= s->hi,
				       "%s %s on %s: %g not in [%g, %g] (%s; %s)", s->scenario,
				       s->params, m, v, s->lo, s->hi, s->why,
				       tc_str(&t, r, "reason"));
			}
			CHECKF(rows > 0, "%s %s: no %s row", s->scenario, s->params, m);
		}
		as_table_free(&t);
	}
}

int main(void)
{
	char args[1024], path[512], mods[64] = "glibc";
	const char *build = getenv("ALLOCSCOPE_BUILD");
	as_table_t t = {0};
	int rc;

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/allocators/refmalloc.so", build ? build : ".");
	/* refmalloc's brk heap shares the process with the sanitizer runtime in
	 * an ASan build, which changes its segments: shapes there are glibc's */
	if (access(path, F_OK) != 0)
		as_check_skip_case("refmalloc's shapes (%s not built)", path);
	else if (getenv("ALLOCSCOPE_SANITIZED"))
		as_check_skip_case("refmalloc's shapes (sanitizer build: its runtime shares the "
		                   "brk heap)");
	else
		snprintf(mods, sizeof(mods), "glibc,refmalloc");
	printf("modules checked: %s\n", mods);

	/* the article's scenarios */
	snprintf(args, sizeof(args),
	         "suite article --quick --no-plot --timeout 10 -a %s -o '%s/article'", mods,
	         tmpdir);
	rc = cli(args);
	CHECKF(rc == 0, "suite article exited %d", rc);
	if (rc != 0)
		show_log();
	check_shapes(mods);
	/* a whole count in the verdict table reads as one: 1000, not 1e+03 */
	snprintf(path, sizeof(path), "%s/log", tmpdir);
	{
		FILE *f = fopen(path, "r");
		char line[512];
		int seen = 0;
		while (f && fgets(line, sizeof(line), f))
			if (strstr(line, "an mmap call for every block (1000)")) {
				seen = 1;
				CHECKF(strstr(line, " 1000 (1000-1000) "), "%s", line);
			}
		CHECK(seen);
		if (f)
			fclose(f);
	}

	/* scenarios.csv lists the seven with their expected shapes */
	snprintf(path, sizeof(path), "%s/article/scenarios.csv", tmpdir);
	if (tc_load(path, &t) == 0) {
		CHECK(t.nrows == 7);
		for (size_t r = 0; r < t.nrows; r++)
			CHECK(strlen(tc_str(&t, r, "expected_shape")) > 20 &&
			      *tc_str(&t, r, "folder"));
	}

	/* without latency timing too, the op loop's first run (in the sanitizer
	 * build: its runtime's 9 mmaps and 8 munmaps) is before the baseline:
	 * a 64 KiB threshold trial makes no mmap */
	snprintf(args, sizeof(args),
	         "run -r 1 -q --no-plot --min-time 0 --latency 0 -a glibc -w "
	         "threshold:size=64k,total=4m -o '%s/nolat'",
	         tmpdir);
	rc = cli(args);
	CHECKF(rc == 0, "run --latency 0 exited %d", rc);
	snprintf(path, sizeof(path), "%s/nolat/trials.csv", tmpdir);
	if (rc == 0 && tc_load(path, &t) == 0) {
		const char *mc = tc_str(&t, 0, "mmap_calls");
		if (*mc)
			CHECKF(atof(mc) == 0,
			       "--latency 0: glibc's 64 KiB threshold trial made %s mmaps", mc);
		else
			as_check_skip_case("--latency 0 mmap count: syscalls not counted here");
		as_table_free(&t);
	}

	/* the classic benchmarks at 2 threads through the real engine (cross-thread
	 * waits must not deadlock): glibc completes; null, not thread-safe, gets a
	 * skipped row with the reason, never a missing one */
	snprintf(args, sizeof(args),
	         "run -r 1 -q --no-plot --min-time 0 --timeout 10 -a glibc,null -t 2 -w "
	         "larson:blocks=200,ops=5000,xmalloc:batch=100,batches=100,"
	         "cache-scratch:iterations=1000,benchmt:ops=10000 -o '%s/classic'",
	         tmpdir);
	rc = cli(args);
	CHECKF(rc == 0, "run classic exited %d", rc);
	snprintf(path, sizeof(path), "%s/classic/trials.csv", tmpdir);
	if (tc_load(path, &t) == 0) {
		CHECK(t.nrows == 8);
		for (size_t r = 0; r < t.nrows; r++) {
			const char *m = tc_str(&t, r, "module");
			const char *st = tc_str(&t, r, "status");
			const char *wl = tc_str(&t, r, "workload");
			if (!strcmp(m, "null"))
				CHECKF(!strcmp(st, "skipped") &&
				           strstr(tc_str(&t, r, "reason"), "not thread-safe"),
				       "%s null: %s", wl, st);
			else
				CHECKF(!strcmp(st, "ok"), "%s %s: %s %s", wl, m, st,
				       tc_str(&t, r, "reason"));
		}
	}
	as_table_free(&t);

	/* bad input: exit 2, one line naming the thing */
	CHECK(cli("suite nosuch") == 2);
	snprintf(path, sizeof(path), "%s/log", tmpdir);
	{
		FILE *f = fopen(path, "r");
		char line[512] = "";
		CHECK(f && fgets(line, sizeof(line), f));
		CHECKF(strstr(line, "'nosuch' is neither a suite nor a scenario"), "%s", line);
		if (f)
			fclose(f);
	}
	CHECK(cli("suite threshold --quick -a nosuchmodule -o /tmp/as_never_written") == 2);
	CHECK(access("/tmp/as_never_written", F_OK) != 0);
	CHECK(cli("suite --quick --reps 0") == 2);

	snprintf(args, sizeof(args), "rm -rf '%s'", tmpdir);
	if (as_checks_failed == 0 && system(args) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return as_check_done();
}
