/* test_suite_data.c - a library caller gets a scenario's verdicts and its
 * summary as data, with nothing printed: as_scenario_verdicts and
 * as_scenario_summary write nothing on stdout or stderr (until the
 * printing moved to the console reporter, both printed the suite's table
 * on stdout), their rows hold the figures, and the console reporter's
 * as_console_verdicts and as_console_scenario_summary print from them
 * the lines `allocscope suite` printed before, byte for byte (the text
 * below is what the library printed for these files before the move). */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "files.h"
#include "reporter.h"
#include "suite.h"
#include "verdict.h"

#define P  "\"dist=fixed,size=64,order=never,ops=100000,touch=all\""
#define P2 "\"dist=fixed,size=64,order=never,ops=1000000,touch=all\""

static const char trials_csv[] =
    "module,workload,workload_params,threads,status,reason,rss_before_kib,rss_peak_kib,"
    "rss_end_kib,live_bytes_peak\n"
    "glibc,synth," P ",1,ok,,1000,1080,1080,65536\n"
    "bump,synth," P ",1,ok,,1000,1064,1064,65536\n"
    "arena,synth," P ",1,skipped,arena is not wanted here,,,,\n"
    "pool,synth," P ",1,skipped,pool is not wanted here,,,,\n"
    "null,synth," P ",1,ok,null has no individual free,1000,1000,1000,65536\n"
    "glibc,synth," P2 ",1,ok,,1000,1081,1081,65536\n";

static const char headline_csv[] =
    "scenario,row,workload,workload_params,threads,module,metric,value,n,status\n"
    "metadata,ops=100000,synth," P ",1,glibc,RSS bytes per 64-byte block,80,1,ok\n"
    "metadata,ops=100000,synth," P ",1,bump,RSS bytes per 64-byte block,64,1,ok\n"
    "metadata,ops=100000,synth," P ",1,arena,RSS bytes per 64-byte block,,0,skipped\n"
    "metadata,ops=100000,synth," P ",1,pool,RSS bytes per 64-byte block,,0,skipped\n"
    "metadata,ops=100000,synth," P ",1,null,RSS bytes per 64-byte block,,0,ok\n"
    "metadata,ops=1000000,synth," P2 ",1,glibc,RSS bytes per 64-byte block,81,1,ok\n";

/* what the suite printed under the scenario for these files */
static const char console[] =
    "   verdict      module             claim                                        expected  "
    "   measured (interval)    n\n"
    "   CONFIRMED    glibc              64 B blocks cost an 80 B chunk               80 +- 4   "
    "   81 (81-81)             1\n"
    "   CONFIRMED    glibc              64 B blocks cost an 80 B chunk               80 +- 4   "
    "   80 (80-80)             1\n"
    "   CONFIRMED    bump               bump: zero metadata, 64 B per block          64 +- 2   "
    "   64 (64-64)             1\n"
    "   expected: glibc about 80 (a chunk is max(32, round16(64 + 8)) bytes), bump and pool "
    "about 64 (no header), jemalloc/tcmalloc/mimalloc 64-67 at 1,000,000 blocks; 10,000 "
    "blocks is only 640 KB, so page granularity and start-up slack add noise there.\n"
    "   RSS bytes per 64-byte block (median; headline.csv):\n"
    "   workload        glibc      bump     arena      pool      null\n"
    "   ops=100000         80        64   skipped   skipped       n/a\n"
    "   ops=1000000        81         -         -         -         -\n"
    "   skipped: arena, pool are not wanted here\n"
    "   null has no individual free\n";

/* DIR/NAME holding TEXT: 0, or -1. */
static int put(const char *dir, const char *name, const char *text)
{
	as_buf_t b = {0};
	char err[512];
	int r;
	as_buf_add(&b, text, strlen(text));
	r = as_write_file_atomic(dir, name, &b, err, sizeof(err));
	as_buf_free(&b);
	return r;
}

/* Bytes in FILE F (rewound). */
static long size_of(FILE *f)
{
	long n;
	fflush(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	return n;
}

int main(void)
{
	char dir[] = "/tmp/as_test_suite_data.XXXXXX", path[512], err[512];
	const as_scenario_t *sc = as_scenario_find("metadata");
	int counts[AS_VERDICT_COUNT] = {0}, saved_out, saved_err, n, rs;
	as_verdict_list_t rows = {0};
	as_scenario_summary_t sum;
	as_buf_t csv = {0};
	FILE *quiet = tmpfile(), *con = tmpfile();
	char *text;
	long len;

	if (!mkdtemp(dir) || !quiet || !con || !sc || put(dir, "trials.csv", trials_csv) ||
	    put(dir, "headline.csv", headline_csv)) {
		printf("skipped: no temporary folder or files here\n");
		return 77;
	}
	snprintf(path, sizeof(path), "%s/trials.csv", dir);

	/* the library with stdout and stderr on a file: nothing may reach it */
	fflush(stdout);
	fflush(stderr);
	saved_out = dup(1);
	saved_err = dup(2);
	dup2(fileno(quiet), 1);
	dup2(fileno(quiet), 2);
	n = as_scenario_verdicts(sc, path, &rows, &csv, NULL, counts, err, sizeof(err));
	rs = as_scenario_summary(dir, &sum, err, sizeof(err));
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	len = size_of(quiet);
	CHECKF(len == 0, "the library printed %ld bytes", len);
	CHECKF(n == 3 && rows.n == 3, "%d judged, %d rows: %s", n, rows.n, err);
	CHECKF(rs == 0, "summary: %s", err);
	if (n != 3 || rows.n != 3 || rs != 0)
		return as_check_done();

	/* the verdicts as data */
	CHECK(counts[AS_VERDICT_CONFIRMED] == 3);
	CHECK(!strcmp(rows.row[0].module, "glibc") && rows.row[0].measured == 81 &&
	      rows.row[0].ci_lo == 81 && rows.row[0].ci_hi == 81 && rows.row[0].n == 1);
	CHECK(!strcmp(rows.row[1].workload,
	              "synth:dist=fixed,size=64,order=never,ops=100000,touch=all"));
	CHECK(!strcmp(rows.row[2].module, "bump") && rows.row[2].measured == 64 &&
	      rows.row[2].verdict == AS_VERDICT_CONFIRMED);
	CHECK(!strcmp(rows.row[2].expected, "64 +- 2") &&
	      !strcmp(rows.row[2].unit, "RSS bytes per block") &&
	      !strcmp(rows.row[2].scenario, "metadata"));
	CHECKF(csv.data && strstr(csv.data, "metadata,\"synth:dist=fixed,size=64,order=never,"
	                                    "ops=100000,touch=all\",bump,\"bump: zero"),
	       "verdicts.csv rows: %s", csv.data ? csv.data : "(none)");

	/* the summary as data */
	CHECK(sum.nmods == 5 && sum.nrows == 2);
	CHECK(!strcmp(sum.mods[0], "glibc") && !strcmp(sum.mods[4], "null"));
	CHECK(!strcmp(sum.rows[0], "ops=100000") && !strcmp(sum.rows[1], "ops=1000000"));
	CHECK(sum.value[0] == 80 && sum.value[1] == 64 && isnan(sum.value[2]));
	CHECK(!strcmp(sum.status[2], "skipped") && !strcmp(sum.status[4], "ok"));
	CHECK(sum.value[5] == 81 && sum.status[6] == NULL); /* bump: no such row */
	CHECK(sum.nreasons == 2);
	if (sum.nreasons == 2) {
		CHECK(!strcmp(sum.reason[0].status, "skipped") &&
		      !strcmp(sum.reason[0].text, "arena, pool are not wanted here"));
		CHECK(!strcmp(sum.reason[1].status, "ok") &&
		      !strcmp(sum.reason[1].text, "null has no individual free"));
	}

	/* the console reporter prints what the suite printed */
	as_console_verdicts(con, sc, rows.row, rows.n);
	as_console_scenario_summary(con, sc, &sum);
	len = size_of(con);
	text = calloc(1, (size_t)len + 1);
	CHECK(text && fread(text, 1, (size_t)len, con) == (size_t)len);
	CHECKF(text && !strcmp(text, console), "the console printed:\n%s", text ? text : "");
	free(text);

	/* none judged: no verdict table at all */
	len = size_of(con);
	fseek(con, 0, SEEK_END);
	as_console_verdicts(con, sc, rows.row, 0);
	CHECK(size_of(con) == len);

	as_scenario_summary_free(&sum);
	as_verdict_list_free(&rows);
	as_buf_free(&csv);
	fclose(quiet);
	fclose(con);
	unlink(path);
	snprintf(path, sizeof(path), "%s/headline.csv", dir);
	unlink(path);
	rmdir(dir);
	return as_check_done();
}
