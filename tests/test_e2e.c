/* test_e2e.c - the CLI end to end: a tiny `run` over glibc and null checked
 * for the CSV header, row count, statuses and sane values; modules that
 * crash, hang or return misaligned memory each get a failed row while the
 * other trials complete; bad usage gets one line and exit 2. */
#define _GNU_SOURCE
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "results.h"

static const char *cli;
static char tmp[256];
static char out_text[65536], err_text[65536];

static void slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, len - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose(f);
}

/* Run the CLI with args; returns its exit code, stdout/stderr captured. */
static int run(const char *args)
{
	char cmd[8192];
	int rc;
	snprintf(cmd, sizeof(cmd), "CI=1 %s %s >%s/out.txt 2>%s/err.txt", cli, args, tmp, tmp);
	rc = system(cmd);
	slurp(strcat(strcpy((char[300]){0}, tmp), "/out.txt"), out_text, sizeof(out_text));
	slurp(strcat(strcpy((char[300]){0}, tmp), "/err.txt"), err_text, sizeof(err_text));
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* CSV table loaded with libcsv: rows x fields of strings. */
typedef struct {
	char *f[128][64];
	int nf[128];
	int rows;
	int cur;
} table_t;

static void on_field(void *s, size_t len, void *data)
{
	table_t *t = data;
	if (t->rows < 128 && t->nf[t->rows] < 64)
		t->f[t->rows][t->nf[t->rows]++] = strndup(s ? s : "", len);
}

static void on_row(int c, void *data)
{
	(void)c;
	((table_t *)data)->rows++;
}

static void free_csv(table_t *t)
{
	for (int r = 0; r < 128; r++)
		for (int i = 0; i < t->nf[r]; i++)
			free(t->f[r][i]);
	memset(t, 0, sizeof(*t));
}

static int load_csv(const char *path, table_t *t)
{
	struct csv_parser p;
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "r");
	free_csv(t);
	if (!f)
		return -1;
	csv_init(&p, CSV_APPEND_NULL);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		csv_parse(&p, buf, n, on_field, on_row, t);
	csv_fini(&p, on_field, on_row, t);
	csv_free(&p);
	fclose(f);
	return 0;
}

static int col(const table_t *t, const char *name)
{
	for (int i = 0; i < t->nf[0]; i++)
		if (!strcmp(t->f[0][i], name))
			return i;
	return -1;
}

static const char *cell(const table_t *t, int row, const char *name)
{
	int c = col(t, name);
	return c >= 0 && c < t->nf[row] ? t->f[row][c] : "";
}

/* Row whose module column equals name (first one), or -1. */
static int row_of(const table_t *t, const char *module)
{
	for (int r = 1; r < t->rows; r++)
		if (!strcmp(cell(t, r, "module"), module) || strstr(cell(t, r, "module"), module))
			return r;
	return -1;
}

int main(void)
{
	char args[4096], path[512];
	const char *build = getenv("ALLOCSCOPE_BUILD");
	static table_t t;
	as_buf_t hdr = {0};
	int rc, r;

	cli = getenv("ALLOCSCOPE");
	if (!cli || !build) {
		fprintf(stderr, "ALLOCSCOPE / ALLOCSCOPE_BUILD not set (run through ctest)\n");
		return 2;
	}
	snprintf(tmp, sizeof(tmp), "/tmp/as_e2e_%d", (int)getpid());
	CHECK(mkdir(tmp, 0755) == 0);

	/* 1. a tiny run: header, rows, statuses, values */
	snprintf(args, sizeof(args), "run -a glibc,null -w random:ops=20000,live=500 -r 2 -o %s/r1",
	         tmp);
	rc = run(args);
	CHECKF(rc == 0, "exit %d, stderr: %s", rc, err_text);
	CHECK(strstr(out_text, "glibc") && strstr(out_text, "null"));
	CHECK(strstr(out_text, "results:") != NULL);
	/* charts and report at the end of a run (no --no-plot here) */
	snprintf(path, sizeof(path), "%s/r1/report.md", tmp);
	CHECK(access(path, R_OK) == 0);
	snprintf(path, sizeof(path), "%s/r1/plots/time.svg", tmp);
	CHECKF(access(path, R_OK) == 0, "%s: no such chart", path);
	snprintf(path, sizeof(path), "%s/r1/trials.csv", tmp);
	CHECK(load_csv(path, &t) == 0);
	as_trials_header(&hdr);
	{
		/* the header is exactly the documented one */
		char first[4096];
		FILE *f = fopen(path, "r");
		CHECK(f && fgets(first, sizeof(first), f));
		if (f)
			fclose(f);
		CHECK(!strcmp(first, hdr.data));
	}
	CHECK(t.rows == 5);
	for (r = 1; r < t.rows; r++) {
		CHECKF(!strcmp(cell(&t, r, "status"), "ok"), "row %d status %s", r,
		       cell(&t, r, "status"));
		CHECK(atof(cell(&t, r, "ops")) == 41000);
		CHECK(atof(cell(&t, r, "ns_per_op")) > 0 && atof(cell(&t, r, "ns_per_op")) < 1e5);
		CHECK(atof(cell(&t, r, "rss_peak_kib")) > 100);
		CHECK(atof(cell(&t, r, "live_bytes_peak")) > 500 * 16 &&
		      atof(cell(&t, r, "live_bytes_peak")) <= 501 * 512);
		CHECK(!strcmp(cell(&t, r, "seed"), "42"));
	}
	r = row_of(&t, "glibc");
	CHECK(r > 0 && strlen(cell(&t, r, "module_version")) > 0);
	snprintf(path, sizeof(path), "%s/r1/context.csv", tmp);
	CHECK(load_csv(path, &t) == 0);
	{
		int have = 0;
		for (r = 1; r < t.rows; r++)
			if (!strcmp(t.f[r][0], "cpu_model") || !strcmp(t.f[r][0], "pus") ||
			    !strcmp(t.f[r][0], "git_revision") || !strcmp(t.f[r][0], "glibc") ||
			    !strcmp(t.f[r][0], "seed") || !strcmp(t.f[r][0], "compiler"))
				have++;
		CHECK(have == 6);
	}

	/* 2. crash and hang: failed rows, the other trials complete, exit 1 */
	snprintf(args, sizeof(args),
	         "run --no-plot -a "
	         "glibc,%s/tests/mods/broken_crash.so,%s/tests/mods/broken_hang.so,null "
	         "-w random:ops=5000,live=100 --timeout 3 -o %s/r2",
	         build, build, tmp);
	rc = run(args);
	CHECKF(rc == 1, "exit %d", rc);
	snprintf(path, sizeof(path), "%s/r2/trials.csv", tmp);
	CHECK(load_csv(path, &t) == 0);
	CHECK(t.rows == 5);
	CHECK((r = row_of(&t, "glibc")) > 0 && !strcmp(cell(&t, r, "status"), "ok"));
	CHECK((r = row_of(&t, "null")) > 0 && !strcmp(cell(&t, r, "status"), "ok"));
	CHECK((r = row_of(&t, "broken_crash")) > 0 && !strcmp(cell(&t, r, "status"), "crashed"));
	CHECK(strstr(cell(&t, r, "reason"), "signal 11") != NULL);
	CHECK((r = row_of(&t, "broken_hang")) > 0 && !strcmp(cell(&t, r, "status"), "timeout"));

	/* 3. --validate catches misaligned blocks */
	snprintf(args, sizeof(args),
	         "run --no-plot -a %s/tests/mods/broken_misaligned.so -w random:ops=100,live=10 "
	         "--validate "
	         "-o %s/r3",
	         build, tmp);
	rc = run(args);
	CHECK(rc == 1);
	snprintf(path, sizeof(path), "%s/r3/trials.csv", tmp);
	CHECK(load_csv(path, &t) == 0 && t.rows == 2);
	CHECK(!strcmp(cell(&t, 1, "status"), "invalid_memory"));
	CHECK(strstr(cell(&t, 1, "reason"), "misaligned") != NULL);
	/* ... and overlapping blocks, while well-behaved modules pass */
	snprintf(args, sizeof(args),
	         "run --no-plot -a glibc,%s/tests/mods/broken_overlap.so,refmalloc -w "
	         "random:ops=20000,live=300 "
	         "--validate -o %s/r3b",
	         build, tmp);
	rc = run(args);
	CHECK(rc == 1);
	snprintf(path, sizeof(path), "%s/r3b/trials.csv", tmp);
	CHECK(load_csv(path, &t) == 0 && t.rows == 4);
	CHECK((r = row_of(&t, "broken_overlap")) > 0 &&
	      !strcmp(cell(&t, r, "status"), "invalid_memory"));
	CHECKF(strstr(cell(&t, r, "reason"), "overlaps live object") != NULL, "%s",
	       cell(&t, r, "reason"));
	CHECK((r = row_of(&t, "glibc")) > 0 && !strcmp(cell(&t, r, "status"), "ok"));
	CHECK((r = row_of(&t, "refmalloc")) > 0 && !strcmp(cell(&t, r, "status"), "ok"));

	/* 4. bad usage: one line, exit 2, nothing run */
	snprintf(args, sizeof(args), "run -a %s/tests/mods/broken_abi.so", build);
	CHECK(run(args) == 2);
	CHECK(strstr(err_text, "broken_abi.so") && strstr(err_text, "ABI version"));
	CHECK(strchr(err_text, '\n') == err_text + strlen(err_text) - 1);
	CHECK(run("run -a glibc:nosuchkey=1") == 2);
	CHECK(strstr(err_text, "nosuchkey") != NULL);
	CHECK(run("run -a nosuchmodule") == 2 && strstr(err_text, "nosuchmodule"));
	CHECK(run("run -a glibc -w random:live=0") == 2 && strstr(err_text, "'live'"));
	CHECK(run("run -a glibc -t 0") == 2 && strstr(err_text, "-t"));
	CHECK(run("run -a glibc -r abc") == 2 && strstr(err_text, "-r"));
	CHECK(run("run -a glibc --bogus") == 2 && strstr(err_text, "--bogus"));
	CHECK(run("run") == 2 && strstr(err_text, "-a"));
	CHECK(run("frobnicate") == 2 && strstr(err_text, "frobnicate"));
	CHECK(run("run --help") == 0 && strstr(out_text, "Examples:") &&
	      strstr(out_text, "(default: 42)"));
	CHECK(run("list") == 0 && strstr(out_text, "glibc") && strstr(out_text, "random"));

	/* 5. SIGINT mid-run: exit 130, only complete rows, no worker left */
	{
		char cmd[4096];
		int st;
		snprintf(cmd, sizeof(cmd),
		         "CI=1 %s run -q --no-plot -a glibc,null -w random:ops=200000 -r 50 --seed "
		         "%d -o %s/r5 "
		         ">/dev/null 2>%s/err.txt & pid=$!; sleep 2; kill -INT $pid; wait $pid",
		         cli, (int)getpid(), tmp, tmp);
		st = system(cmd);
		CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 130, "exit %d", WEXITSTATUS(st));
		slurp(strcat(strcpy((char[300]){0}, tmp), "/err.txt"), err_text, sizeof(err_text));
		CHECK(strstr(err_text, "--resume") != NULL);
		snprintf(path, sizeof(path), "%s/r5/trials.csv", tmp);
		CHECK(load_csv(path, &t) == 0);
		CHECK(t.rows >= 1 && t.rows < 101);
		for (r = 1; r < t.rows; r++)
			CHECK(!strcmp(cell(&t, r, "status"), "ok") && t.nf[r] == t.nf[0]);
		/* no worker of this run is left (its seed is our pid; [0-9] keeps
		 * the pattern from matching the shell that runs pgrep) */
		snprintf(cmd, sizeof(cmd),
		         "pgrep -f '__worker .*random:ops=200000 [0-9]+ %d ' >/dev/null",
		         (int)getpid());
		CHECK(system(cmd) != 0);
	}

	/* 5b. --resume runs exactly the missing trials of that matrix */
	{
		int before = t.rows - 1, seen[100] = {0}, dup = 0;
		snprintf(args, sizeof(args), "run --resume %s/r5", tmp);
		rc = run(args);
		CHECKF(rc == 0, "exit %d: %s", rc, err_text);
		snprintf(path, sizeof(path), "%s/r5/trials.csv", tmp);
		CHECK(load_csv(path, &t) == 0);
		CHECKF(t.rows == 101 && before < 100, "%d rows after resume, %d before", t.rows - 1,
		       before);
		for (r = 1; r < t.rows; r++) {
			int idx = atoi(cell(&t, r, "trial")) * 50 + atoi(cell(&t, r, "rep"));
			if (idx >= 0 && idx < 100 && seen[idx]++)
				dup = 1;
		}
		CHECK(!dup);
		rc = run(args); /* everything done: nothing to run, still ok */
		CHECK(rc == 0);
		snprintf(args, sizeof(args), "run --resume %s/nonexistent", tmp);
		CHECK(run(args) == 2 && strstr(err_text, "run.args"));
		snprintf(args, sizeof(args), "run --resume %s/r5 -r 2", tmp);
		CHECK(run(args) == 2 && strstr(err_text, "--resume"));
	}

	/* 6. a write error (file-size limit) is reported, exit 2, rows kept */
	{
		char cmd[4096];
		int st;
		snprintf(
		    cmd, sizeof(cmd),
		    "ulimit -f 8; CI=1 %s run -q -a glibc,null -w random:ops=1000,live=10 -r 40 "
		    "-o %s/r6 >/dev/null 2>%s/err.txt",
		    cli, tmp, tmp);
		st = system(cmd);
		CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 2, "exit %d", WEXITSTATUS(st));
		slurp(strcat(strcpy((char[300]){0}, tmp), "/err.txt"), err_text, sizeof(err_text));
		CHECKF(strstr(err_text, "cannot write") != NULL, "%s", err_text);
		snprintf(path, sizeof(path), "%s/r6/trials.csv", tmp);
		CHECK(load_csv(path, &t) == 0 && t.rows >= 2);
		for (r = 1; r < t.rows; r++)
			CHECK(t.nf[r] == t.nf[0]);
	}

	snprintf(args, sizeof(args), "rm -rf %s", tmp);
	if (!as_checks_failed)
		CHECK(system(args) == 0);
	as_buf_free(&hdr);
	free_csv(&t);
	return as_check_done();
}
