/* test_series.c - end-to-end through the CLI: series.csv has the start and
 * end samples, one every K ops and one at the live-byte peak, cumulative columns never decrease,
 * the last point matches trials.csv; latency.csv times every Nth op without aliasing with the
 * workload's free/alloc rhythm; summary.csv reports the null module's cost next to every module;
 * with cross-thread frees live_bytes_peak is the largest sum over threads at a sample. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "tablecheck.h"

int main(void)
{
	static char dir[] = "/tmp/as_test_series_XXXXXX";
	static as_table_t tr, se, la, su;
	char cmd[8192], p[4300];
	int mono = 1;
	const size_t N = 45; /* series points per trial, below */

	if (!getenv("ALLOCSCOPE") || !mkdtemp(dir)) {
		fprintf(stderr, "ALLOCSCOPE must be set (run through ctest)\n");
		return 2;
	}
	/* 1000 live + 2 x 20000 replacement ops + 1000 frees = 42000 ops */
	snprintf(cmd, sizeof(cmd),
	         "'%s' run -r 1 --min-time 0 --no-plot -o '%s/out' -a glibc,null -w "
	         "random:live=1000,ops=20000 "
	         "--sample-every 1000 --latency 4 >'%s/console.txt'",
	         getenv("ALLOCSCOPE"), dir, dir);
	CHECK(system(cmd) == 0);
	snprintf(p, sizeof(p), "%s/out/trials.csv", dir);
	tc_load(p, &tr);
	snprintf(p, sizeof(p), "%s/out/series.csv", dir);
	tc_load(p, &se);
	snprintf(p, sizeof(p), "%s/out/latency.csv", dir);
	tc_load(p, &la);
	snprintf(p, sizeof(p), "%s/out/summary.csv", dir);
	tc_load(p, &su);

	CHECK(tr.nrows == 2);
	CHECK(tc_num(&tr, 0, "ops") == 42000);
	/* 42 points at 1000, 2000, ... 42000, plus start and end, plus one where
	 * the live bytes first peak (between two of the points above) */
	CHECKF(tc_num(&tr, 0, "samples") == N, "samples %s", tc_str(&tr, 0, "samples"));
	CHECKF(se.nrows == 2 * N, "series rows %zu", se.nrows);
	for (size_t r = 1; r < N && r < se.nrows; r++) {
		if (tc_num(&se, r, "ops_done") < tc_num(&se, r - 1, "ops_done") ||
		    tc_num(&se, r, "elapsed_ns") < tc_num(&se, r - 1, "elapsed_ns") ||
		    tc_num(&se, r, "minflt") < tc_num(&se, r - 1, "minflt"))
			mono = 0;
	}
	CHECK(mono);
	CHECK(tc_num(&se, 0, "ops_done") == 0);
	CHECK(tc_num(&se, 1, "ops_done") == 1000);
	CHECK(tc_num(&se, N - 1, "ops_done") == 42000);
	CHECK(tc_num(&se, N - 1, "live_bytes") == 0); /* everything freed at the end */
	CHECK(tc_num(&se, N - 1, "elapsed_ns") == tc_num(&tr, 0, "elapsed_ns"));
	/* the series has a point at the live-byte peak (opstream.h peak_at) */
	{
		double most = 0;
		int off_grid = 0;
		for (size_t r = 0; r < N && r < se.nrows; r++) {
			if (tc_num(&se, r, "live_bytes") > most)
				most = tc_num(&se, r, "live_bytes");
			off_grid |= fmod(tc_num(&se, r, "ops_done"), 1000) != 0;
		}
		CHECKF(most == tc_num(&tr, 0, "live_bytes_peak") && off_grid,
		       "largest live_bytes of the series %.0f, live_bytes_peak %s", most,
		       tc_str(&tr, 0, "live_bytes_peak"));
	}
	/* filling 1000 objects of 16..512 bytes grows glibc's brk heap by ~260 KiB:
	 * the split must be re-read when faults happen, not reused */
	CHECKF(tc_num(&se, 1, "heap_rss_kib") > tc_num(&se, 0, "heap_rss_kib") + 100,
	       "heap_rss_kib %s -> %s", tc_str(&se, 0, "heap_rss_kib"),
	       tc_str(&se, 1, "heap_rss_kib"));
	CHECK(tc_num(&se, 1, "heap_size_kib") >= tc_num(&se, 1, "heap_rss_kib"));
	CHECK(tc_num(&tr, 0, "heap_rss_peak_kib") >= tc_num(&se, 1, "heap_rss_kib"));
	CHECK(tc_num(&tr, 0, "live_bytes_peak") > 0);
	/* null's buffer is an anonymous mapping of 16 MiB made before the baseline */
	CHECKF(tc_num(&se, N, "mmap_size_kib") >= 16384, "null mmap_size_kib %s",
	       tc_str(&se, N, "mmap_size_kib"));

	/* peak RSS is the larger of VmHWM and every sample (VmHWM can trail) */
	for (size_t r = 0; r < N && r < se.nrows; r++)
		CHECKF(tc_num(&tr, 0, "rss_peak_kib") >= tc_num(&se, r, "rss_kib"),
		       "rss_peak_kib %s below sample %zu's rss_kib %s",
		       tc_str(&tr, 0, "rss_peak_kib"), r, tc_str(&se, r, "rss_kib"));
	/* the console shows the growth over the baseline (not the absolute peak,
	 * which holds the harness's own buffers) and the overhead ratio */
	{
		char want[128], line[512];
		int seen = 0, hdr = 0;
		FILE *f;
		snprintf(p, sizeof(p), "%s/console.txt", dir);
		f = fopen(p, "r");
		snprintf(want, sizeof(want), " %.2fM %6.2f ",
		         (tc_num(&tr, 0, "rss_peak_kib") - tc_num(&tr, 0, "rss_before_kib")) /
		             1024.0,
		         tc_num(&tr, 0, "overhead_ratio"));
		while (f && fgets(line, sizeof(line), f)) {
			hdr |= strstr(line, "RSSgrowth") && strstr(line, "ovh");
			seen |= !strncmp(line, "glibc ", 6) && strstr(line, want);
		}
		if (f)
			fclose(f);
		CHECK(hdr);
		CHECKF(seen, "console line for glibc shows '%s'", want);
	}

	/* latency: alloc and free both sampled, about 1 in 4 of 21000 each */
	CHECK(la.nrows == 4);
	for (size_t r = 0; r < la.nrows; r++) {
		double n = tc_num(&la, r, "timed_ops");
		CHECKF(n > 21000 / 4 * 0.8 && n < 21000 / 4 * 1.2, "%s %s timed %g",
		       tc_str(&la, r, "module"), tc_str(&la, r, "kind"), n);
		CHECK(tc_num(&la, r, "p50_ns") <= tc_num(&la, r, "p99_ns"));
		CHECK(tc_num(&la, r, "p99_ns") <= tc_num(&la, r, "max_ns"));
	}

	/* summary: null's cost next to glibc */
	CHECK(su.nrows == 2);
	CHECK(!strcmp(tc_str(&su, 0, "module"), "glibc"));
	CHECK(tc_num(&su, 0, "null_ns_per_op_median") == tc_num(&su, 1, "ns_per_op_median"));
	CHECK(fabs(tc_num(&su, 0, "ns_per_op_minus_null") -
	           (tc_num(&su, 0, "ns_per_op_median") - tc_num(&su, 1, "ns_per_op_median"))) <
	      0.01);

	as_table_free(&tr);
	as_table_free(&se);
	as_table_free(&la);
	as_table_free(&su);

	/* Two threads with cross-thread frees (xmalloc: thread 0 allocates,
	 * thread 1 frees): a thread's own count is no live set (the producer's
	 * is all it ever allocated, 40 x 1024 x 64 B here), so the peak is the
	 * largest sum at a sample point, and RSS grows at least by the live
	 * bytes (64 B blocks), overhead_ratio >= 1. Until session 19 the row
	 * said 2,621,440 B and glibc's ratio read 0.26-0.96. */
	snprintf(cmd, sizeof(cmd),
	         "'%s' run -r 1 --min-time 0 --no-plot -o '%s/xm' -a glibc -t 2 -w "
	         "xmalloc:batch=1024,batches=40,depth=8 --sample-every 512 >/dev/null",
	         getenv("ALLOCSCOPE"), dir);
	CHECK(system(cmd) == 0);
	snprintf(p, sizeof(p), "%s/xm/trials.csv", dir);
	tc_load(p, &tr);
	snprintf(p, sizeof(p), "%s/xm/series.csv", dir);
	tc_load(p, &se);
	{
		double most = 0, peak = tc_num(&tr, 0, "live_bytes_peak");
		for (size_t r = 0; r < se.nrows; r++)
			if (tc_num(&se, r, "live_bytes") > most)
				most = tc_num(&se, r, "live_bytes");
		CHECKF(tr.nrows == 1 && peak == most && peak >= 64 * 1024 && peak <= 9 * 1024 * 64,
		       "xmalloc -t 2: live_bytes_peak %.0f, series' largest %.0f (depth 8: "
		       "at most 9 batches of 64 KiB live)",
		       peak, most);
		CHECKF(tc_num(&tr, 0, "overhead_ratio") >= 1.0, "xmalloc -t 2: overhead_ratio %s",
		       tc_str(&tr, 0, "overhead_ratio"));
	}
	as_table_free(&tr);
	as_table_free(&se);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return as_check_done();
}
