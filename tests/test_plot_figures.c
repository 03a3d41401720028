/* test_plot_figures.c - the numbers `allocscope plot` draws and tabulates
 * are the numbers their labels name: on small results folders written
 * here (made-up values chosen so that a wrong reduction shows), each
 * chart's data file, table and report are read back and compared with
 * what the CSV rows say. Not the look of the charts (test_plot). */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#define PLOT_FIXTURE_OPTS "--format svg --tables md,tex"
#include "plot_fixture.h"

/* The distinct plot elements (<g id="gnuplot_plot_N">) of an SVG. */
static int svg_plots(const char *svg)
{
	int n = 0;
	for (const char *p = svg; (p = strstr(p, "<g id=\"gnuplot_plot_")) != NULL; p++) {
		int k = atoi(p + strlen("<g id=\"gnuplot_plot_"));
		if (k > n)
			n = k;
	}
	return n;
}

/* Two modules whose live requested bytes differ 64-fold at one workload:
 * glibc's peak 0.25 MiB, jemalloc's 16 MiB (the reviewer's xmalloc 2t). */
static const char trials_live[] =
    "trial,rep,module,module_params,workload,workload_params,threads,status,reason,ops,"
    "ns_per_op,ops_per_sec,rss_before_kib,rss_peak_kib,passes\n"
    "0,0,glibc,,xmalloc,,2,ok,,1000,10,1e8,1000,1400,1\n"
    "1,0,jemalloc,,xmalloc,,2,ok,,1000,12,0.9e8,1000,21000,1\n";
static const char series_live[] =
    "trial,rep,module,module_params,workload,workload_params,threads,sample,ops_done,"
    "elapsed_ns,rss_kib,heap_rss_kib,mmap_rss_kib,live_bytes\n"
    "0,0,glibc,,xmalloc,,2,0,0,0,1000,0,0,0\n"
    "0,0,glibc,,xmalloc,,2,1,500,5000,1300,300,0,262144\n"
    "0,0,glibc,,xmalloc,,2,2,1000,10000,1300,300,0,0\n"
    "1,0,jemalloc,,xmalloc,,2,0,0,0,1000,0,0,0\n"
    "1,0,jemalloc,,xmalloc,,2,1,500,5000,18000,0,17000,16777216\n"
    "1,0,jemalloc,,xmalloc,,2,2,1000,10000,20000,0,19000,0\n";

/* 1. rss_ops: each module's RSS line has its own live requested bytes
 * line beside it, not the first module's for all (the old chart drew
 * index 0's live column once: jemalloc's 18 MiB against glibc's 0.25). */
static void test_live_per_module(void)
{
	static char svg[1 << 20];
	char dir[512];
	int rc, n;
	if (!drawing_folder("live", "live lines", dir, sizeof(dir)))
		return;
	put(dir, "trials.csv", trials_live);
	put(dir, "series.csv", series_live);
	rc = plot(dir, "");
	CHECKF(rc == 0, "plot: exit %d: %s", rc, err_text);
	file(dir, "plots/rss_ops-xmalloc-2t.svg", svg, sizeof(svg));
	n = svg_plots(svg);
	/* two modules: two RSS lines and two live lines (and at most one
	 * legend entry that explains the live lines) */
	CHECKF(n >= 4, "rss_ops: %d plot elements, want an RSS and a live line per module", n);
}

/* One module, three kept repetitions whose maxima are 202680, 10946.7
 * and 12200 ns (the reviewer's glibc random 1t alloc). */
static const char trials_lat[] =
    "trial,rep,module,module_params,workload,workload_params,threads,status,reason,ops,"
    "ns_per_op,ops_per_sec\n"
    "0,0,glibc,,random,,1,ok,,1000,10,1e8\n"
    "0,1,glibc,,random,,1,ok,,1000,10,1e8\n"
    "0,2,glibc,,random,,1,ok,,1000,10,1e8\n";
static const char latency_lat[] =
    "trial,rep,module,module_params,workload,workload_params,threads,kind,timed_ops,"
    "mean_ns,p50_ns,p90_ns,p99_ns,p99_9_ns,p99_99_ns,max_ns\n"
    "0,0,glibc,,random,,1,alloc,1000,17,13,26,120,240,1485,202680\n"
    "0,1,glibc,,random,,1,alloc,1000,12,11,13,106,213,1401,10946.7\n"
    "0,2,glibc,,random,,1,alloc,1000,13,14,14,114,229,1515,12200\n";

/* The header cells of md's first table (after "| module |"). */
static int md_head(const char *md, char cells[][64], int max)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "\n%s", md);
	return md_row(buf, "module", cells, max);
}

/* 2. latency: the column headed "max (ns)" is the largest maximum of the
 * kept repetitions, not the median of their maxima (12200); the other
 * columns say they are medians; the chart's max point is the same. */
static void test_latency_max(void)
{
	static char md[1 << 16], dat[1 << 16];
	char dir[512], head[8][64], row[8][64];
	int rc, nh, nr;
	const char *p;
	folder("lat", dir, sizeof(dir));
	put(dir, "trials.csv", trials_lat);
	put(dir, "latency.csv", latency_lat);
	rc = plot(dir, "");
	CHECKF(rc == 0 || (!have_gnuplot && rc == 1), "plot: exit %d: %s", rc, err_text);
	file(dir, "tables/latency-random-alloc.md", md, sizeof(md));
	nh = md_head(md, head, 8);
	nr = md_row(md, "glibc", row, 8);
	CHECKF(nh == 7 && nr == 7, "latency table: %d header cells, %d row cells:\n%s", nh, nr, md);
	if (nh == 7 && nr == 7) {
		CHECKF(!strcmp(head[6], "max (ns)") && strtod(row[6], NULL) == 202680,
		       "'%s' is %s, the largest maximum is 202680", head[6], row[6]);
		for (int i = 1; i < 6; i++)
			CHECKF(strstr(head[i], "median") != NULL,
			       "'%s' is a median over the repetitions and must say so", head[i]);
		/* p50: 11, 13, 14 -> median 13 */
		CHECKF(strtod(row[1], NULL) == 13, "median p50 %s, want 13", row[1]);
	}
	file(dir, "plots/data/latency-random-alloc.dat", dat, sizeof(dat));
	p = strstr(dat, "\"max\"");
	CHECKF(p && strtod(p + 5, NULL) == 202680, "chart's max point: %s", p ? p : "(none)");
}

/* Index of the header cell containing WHAT (and not NOT), -1 if none. */
static int md_col(char head[][64], int n, const char *what, const char * not )
{
	for (int i = 0; i < n; i++)
		if (strstr(head[i], what) && (!not || !strstr(head[i], not )))
			return i;
	return -1;
}

/* 3. rss_ops/heap_mmap table: the largest sampled RSS growth says it is
 * sampled, and beside it the VmHWM growth summary.csv gives (glibc's
 * xmalloc 2t: 0.63 sampled against (37156 - 36384) / 1024 = 0.754). */
static void test_rss_peak_label(void)
{
	static char md[1 << 16];
	char dir[512], head[12][64], row[12][64];
	int rc, nh, nr, cs, ch;
	folder("rsspk", dir, sizeof(dir));
	put(dir, "trials.csv",
	    "trial,rep,module,module_params,workload,workload_params,threads,status,reason,"
	    "ops,ns_per_op,ops_per_sec,rss_before_kib,rss_peak_kib\n"
	    "0,0,glibc,,xmalloc,,2,ok,,1000,10,1e8,36384,37156\n");
	put(dir, "series.csv",
	    "trial,rep,module,module_params,workload,workload_params,threads,sample,ops_done,"
	    "elapsed_ns,rss_kib,heap_rss_kib,mmap_rss_kib,live_bytes\n"
	    "0,0,glibc,,xmalloc,,2,0,0,0,36384,0,0,0\n"
	    "0,0,glibc,,xmalloc,,2,1,500,5000,37029,600,100,262144\n"
	    "0,0,glibc,,xmalloc,,2,2,1000,10000,36900,500,100,0\n");
	rc = plot(dir, "");
	CHECKF(rc == 0 || (!have_gnuplot && rc == 1), "plot: exit %d: %s", rc, err_text);
	file(dir, "tables/rss_ops-xmalloc-2t.md", md, sizeof(md));
	nh = md_head(md, head, 12);
	nr = md_row(md, "glibc", row, 12);
	CHECKF(nh == nr && nh > 0, "rss table: %d header cells, %d row cells:\n%s", nh, nr, md);
	cs = md_col(head, nh, "RSS growth", "VmHWM");
	ch = md_col(head, nh, "VmHWM", NULL);
	/* (37029 - 36384) / 1024 = 0.63: the sampled peak, said so */
	CHECKF(cs >= 0 && strstr(head[cs], "sampled") && strtod(row[cs], NULL) == 0.63,
	       "sampled RSS growth: '%s' = %s", cs >= 0 ? head[cs] : "(none)",
	       cs >= 0 ? row[cs] : "");
	CHECKF(ch >= 0 && fabs(strtod(row[ch], NULL) - (37156 - 36384) / 1024.0) < 0.005,
	       "VmHWM growth: '%s' = %s, want 0.754", ch >= 0 ? head[ch] : "(none)",
	       ch >= 0 ? row[ch] : "");
}

/* The data rows of plots/data file REL in DIR (lines not starting with
 * '#' whose first field is a number): up to 3 columns each into v (NaN
 * where a column is missing or reads "NaN"). Returns the row count, or -1
 * after a failed check when the file is missing. */
static int dat_rows(const char *dir, const char *rel, double v[][3], int max)
{
	char path[768], line[256];
	int n = 0;
	FILE *f;
	snprintf(path, sizeof(path), "%s/plots/data/%s", dir, rel);
	f = fopen(path, "r");
	CHECKF(f != NULL, "%s: missing", path);
	if (!f)
		return -1;
	while (n < max && fgets(line, sizeof(line), f)) {
		char *p = line, *end;
		if (line[0] == '#')
			continue;
		for (int k = 0; k < 3; k++) {
			v[n][k] = strtod(p, &end);
			if (end == p)
				v[n][k] = NAN;
			p = end;
		}
		if (!isnan(v[n][0]))
			n++;
	}
	fclose(f);
	return n;
}

/* 4. latency_tail: the curve reaches the slowest call's bucket. Buckets
 * are listed only where there are calls; the last one (1.771 .. 1.779
 * ms, one call) is far beyond the one before (36.6 us): the share slower
 * than x is 1/1000 up to 1.771 ms (the old data file ended the curve at
 * 36.6 us, its last point NaN). */
static void test_tail_reaches_slowest(void)
{
	static char dat[1 << 16];
	char dir[512];
	double lastx = 0, v[64][3];
	int rc, n;
	folder("tail", dir, sizeof(dir));
	put(dir, "trials.csv", trials_lat);
	put(dir, "histogram.csv",
	    "trial,rep,module,module_params,workload,workload_params,threads,kind,"
	    "bucket_low_ns,bucket_high_ns,count,cum_fraction\n"
	    "0,0,glibc,,random,,1,alloc,10,15,500,0.5\n"
	    "0,0,glibc,,random,,1,alloc,15,22.5,400,0.9\n"
	    "0,0,glibc,,random,,1,alloc,100,150,98,0.998\n"
	    "0,0,glibc,,random,,1,alloc,36327.6,36571,1,0.999\n"
	    "0,0,glibc,,random,,1,alloc,1771030,1778830,1,1\n");
	rc = plot(dir, "");
	CHECKF(rc == 0 || (!have_gnuplot && rc == 1), "plot: exit %d: %s", rc, err_text);
	n = dat_rows(dir, "latency_tail-random-alloc.dat", v, 64);
	for (int i = 0; i < n; i++)
		if (v[i][2] > 0 && v[i][0] > lastx)
			lastx = v[i][0];
	file(dir, "plots/data/latency_tail-random-alloc.dat", dat, sizeof(dat));
	CHECKF(lastx >= 1771030,
	       "the curve ends at %g ns, the slowest call is at 1771030..1778830:\n%s", lastx, dat);
}

/* 4b. latency_tail: calls under 1 ns net of the harness are drawn at 1 ns
 * (the log axis's left end), and so is the gap point before the next
 * bucket: x never goes backwards. The data file had 1, then 0.5 (the next
 * bucket's bottom), then 2 (an outside review of the charts). */
static void test_tail_below_1ns(void)
{
	static char dat[1 << 16];
	char dir[512];
	double prevx = 0, v[64][3];
	int rc, back = 0, rows;
	folder("tail1ns", dir, sizeof(dir));
	put(dir, "trials.csv", trials_lat);
	put(dir, "histogram.csv",
	    "trial,rep,module,module_params,workload,workload_params,threads,kind,"
	    "bucket_low_ns,bucket_high_ns,count,cum_fraction\n"
	    "0,0,glibc,,random,,1,alloc,0.1,0.3,100,0.1\n"
	    "0,0,glibc,,random,,1,alloc,0.5,0.7,100,0.2\n"
	    "0,0,glibc,,random,,1,alloc,2,3,700,0.9\n"
	    "0,0,glibc,,random,,1,alloc,10,15,100,1\n");
	rc = plot(dir, "");
	CHECKF(rc == 0 || (!have_gnuplot && rc == 1), "plot: exit %d: %s", rc, err_text);
	rows = dat_rows(dir, "latency_tail-random-alloc.dat", v, 64);
	for (int i = 0; i < rows; i++) {
		back += v[i][0] < prevx || v[i][0] < 1;
		prevx = v[i][0];
	}
	file(dir, "plots/data/latency_tail-random-alloc.dat", dat, sizeof(dat));
	CHECKF(rows >= 4 && back == 0, "%d rows, %d going back or below 1 ns:\n%s", rows, back,
	       dat);
}

/* 5. Under --min-time only the first pass is sampled, then one end sample
 * after the last pass (here 4 passes: samples to 1000 ops, the end at
 * 4000). The series charts end at the last sampled point of the first
 * pass (no line across the unsampled passes: the old data file had the
 * 4000-ops point) and a note in the chart says what x covers. */
static void test_series_first_pass(void)
{
	static char svg[1 << 20];
	char dir[512];
	double maxops = 0, v[64][3];
	int rc, rows;
	folder("passes", dir, sizeof(dir));
	put(dir, "trials.csv",
	    "trial,rep,module,module_params,workload,workload_params,threads,status,reason,"
	    "ops,ns_per_op,ops_per_sec,rss_before_kib,rss_peak_kib,passes\n"
	    "0,0,glibc,,random,,1,ok,,4000,10,1e8,1000,1600,4\n");
	put(dir, "series.csv",
	    "trial,rep,module,module_params,workload,workload_params,threads,sample,ops_done,"
	    "elapsed_ns,rss_kib,heap_rss_kib,mmap_rss_kib,live_bytes\n"
	    "0,0,glibc,,random,,1,0,0,0,1000,0,0,0\n"
	    "0,0,glibc,,random,,1,1,500,5000,1500,500,0,262144\n"
	    "0,0,glibc,,random,,1,2,1000,10000,1500,500,0,0\n"
	    "0,0,glibc,,random,,1,3,4000,40000,1600,600,0,0\n");
	rc = plot(dir, "");
	CHECKF(rc == 0 || (!have_gnuplot && rc == 1), "plot: exit %d: %s", rc, err_text);
	rows = dat_rows(dir, "rss_ops-random.dat", v, 64);
	for (int i = 0; i < rows; i++)
		if (v[i][0] > maxops)
			maxops = v[i][0];
	CHECKF(rows == 3 && maxops == 1000,
	       "rss_ops draws %d points up to %g ops; the first pass is sampled to 1000", rows,
	       maxops);
	if (have_gnuplot) {
		file(dir, "plots/rss_ops-random.svg", svg, sizeof(svg));
		CHECKF(strstr(svg, "first pass") != NULL, "rss_ops: no note on the x range");
		file(dir, "plots/heap_mmap-random.svg", svg, sizeof(svg));
		CHECKF(strstr(svg, "first pass") != NULL, "heap_mmap: no note on the x range");
	}
}

/* 7. report.md headings join a chart's two title lines with " — ", not
 * with ':' and no space ("... per module:random, 1 thread"). */
static void test_heading_join(void)
{
	static char md[1 << 18];
	char dir[512];
	int rc;
	folder("heads", dir, sizeof(dir));
	put(dir, "trials.csv", trials_lat);
	put(dir, "latency.csv", latency_lat);
	rc = plot(dir, "");
	CHECKF(rc == 0 || (!have_gnuplot && rc == 1), "plot: exit %d: %s", rc, err_text);
	file(dir, "report.md", md, sizeof(md));
	CHECKF(strstr(md, "### Latency percentiles of alloc per module \xe2\x80\x94 random\n") !=
	           NULL,
	       "heading not joined by ' \xe2\x80\x94 ':\n%.2000s", md);
	CHECKF(strstr(md, "per module:random") == NULL, "heading joined by ':'");
	file(dir, "tables/latency-random-alloc.tex", md, sizeof(md));
	CHECKF(strstr(md, "per module \xe2\x80\x94 random") != NULL, "tex caption: %.200s", md);
}

/* 12. syscalls: the table's counts are medians over the repetitions (of
 * 2: madvise 0 and 1 gives 0.50) and the header says so. */
static void test_syscall_medians(void)
{
	static char md[1 << 16];
	char dir[512], head[8][64], row[8][64];
	int rc, nh, nr, k;
	folder("sys", dir, sizeof(dir));
	put(dir, "trials.csv",
	    "trial,rep,module,module_params,workload,workload_params,threads,status,reason,"
	    "ops,ns_per_op,ops_per_sec,brk_calls,madvise_calls\n"
	    "0,0,glibc,,random,,1,ok,,1000,10,1e8,3,0\n"
	    "0,1,glibc,,random,,1,ok,,1000,10,1e8,3,1\n");
	rc = plot(dir, "");
	CHECKF(rc == 0 || (!have_gnuplot && rc == 1), "plot: exit %d: %s", rc, err_text);
	file(dir, "tables/syscalls-random.md", md, sizeof(md));
	nh = md_head(md, head, 8);
	nr = md_row(md, "glibc", row, 8);
	k = md_col(head, nh, "madvise", NULL);
	CHECKF(nh == 2 && nr == 2 && k >= 0, "syscalls table:\n%s", md);
	if (k >= 0 && k < nr)
		CHECKF(strtod(row[k], NULL) == 0.5 && strstr(head[k], "median"),
		       "'%s' = %s: a median of 0 and 1, and the header must say median", head[k],
		       row[k]);
}

/* 13. Paper tables give numbers in the unit of their chart and whole
 * numbers exactly: the scaling table in million ops/s like the chart
 * (it gave 6.962e+07 ops/s), an ops count of 3276800 (it read
 * 3.277e+06), a sweep size of 1 MiB as 1048576 (1.049e+06) in the table
 * and in the data file (1048580, six digits). */
static void test_number_formats(void)
{
	static char md[1 << 16], dat[1 << 16];
	char dir[512], head[12][64], row[12][64];
	int rc, nh, nr, k;
	folder("numfmt", dir, sizeof(dir));
	put(dir, "trials.csv",
	    "trial,rep,module,module_params,workload,workload_params,threads,status,reason,"
	    "ops,ns_per_op,ops_per_sec,rss_before_kib,rss_peak_kib,passes\n"
	    "0,0,glibc,,larson,,1,ok,,3276800,14.36,69623456.7,1000,1400,1\n"
	    "1,0,glibc,,larson,,2,ok,,3276800,33.8,29590000,1000,1400,1\n"
	    "2,0,glibc,,threshold,size=16k,1,ok,,1000,3000,333333,1000,1400,1\n"
	    "3,0,glibc,,threshold,size=256k,1,ok,,1000,50000,20000,1000,1400,1\n"
	    "4,0,glibc,,threshold,size=1m,1,ok,,1000,200000,5000,1000,1400,1\n");
	put(dir, "series.csv",
	    "trial,rep,module,module_params,workload,workload_params,threads,sample,ops_done,"
	    "elapsed_ns,rss_kib,heap_rss_kib,mmap_rss_kib,live_bytes\n"
	    "0,0,glibc,,larson,,1,0,0,0,1000,0,0,0\n"
	    "0,0,glibc,,larson,,1,1,3276800,5000,1300,300,0,262144\n");
	rc = plot(dir, "");
	CHECKF(rc == 0 || (!have_gnuplot && rc == 1), "plot: exit %d: %s", rc, err_text);

	file(dir, "tables/scaling-larson.md", md, sizeof(md));
	nh = md_head(md, head, 12);
	nr = md_row(md, "glibc | 1", row, 12);
	k = md_col(head, nh, "median", NULL);
	CHECKF(k >= 0 && strstr(head[k], "million ops/s") && k - 1 < nr &&
	           fabs(strtod(row[k - 1], NULL) - 69.62) < 0.005,
	       "scaling table: '%s' = %s, want 69.62 million ops/s:\n%s", k >= 0 ? head[k] : "",
	       k >= 1 && k - 1 < nr ? row[k - 1] : "", md);

	file(dir, "tables/rss_ops-larson-1t.md", md, sizeof(md));
	nh = md_head(md, head, 12);
	nr = md_row(md, "glibc", row, 12);
	k = md_col(head, nh, "ops", "syscalls");
	CHECKF(k >= 0 && k < nr && !strcmp(row[k], "3276800"), "rss_ops table: '%s' = %s:\n%s",
	       k >= 0 ? head[k] : "", k >= 0 && k < nr ? row[k] : "", md);

	file(dir, "tables/sweep-threshold.md", md, sizeof(md));
	CHECKF(strstr(md, "| glibc | 1048576 |") != NULL, "sweep table, size 1 MiB:\n%s", md);
	file(dir, "plots/data/sweep-threshold.dat", dat, sizeof(dat));
	CHECKF(strstr(dat, "\n1048576\t") != NULL, "sweep data, x of 1 MiB:\n%s", dat);
}

/* 14. Time per pass (a suite's phase scenario names it; --all-charts draws
 * it too): elapsed_ns / passes in ms, where ns/op is no measure across
 * orders (a reset is one op). Until session 20 the phase scenario drew ns/op
 * only: glibc 53.41 for phase against 29.14 for fifo, beside a verdict of
 * 0.917 per pass. */
static void test_pass_time(void)
{
	static char md[1 << 16];
	char dir[512], head[8][64], row[8][64];
	int rc, nh, nr, k;
	folder("pass", dir, sizeof(dir));
	put(dir, "trials.csv",
	    "trial,rep,module,module_params,workload,workload_params,threads,status,reason,"
	    "ops,elapsed_ns,passes,ns_per_op,ops_per_sec\n"
	    "0,0,glibc,,synth,order=phase,1,ok,,40000,2920000,2,73,1.4e7\n"
	    "1,0,glibc,,synth,order=fifo,1,ok,,80000,2580000,2,32.25,3.1e7\n");
	rc = plot(dir, "--all-charts");
	CHECKF(rc == 0 || (!have_gnuplot && rc == 1), "plot: exit %d: %s", rc, err_text);
	file(dir, "tables/pass_time.md", md + 1, sizeof(md) - 1);
	md[0] = '\n'; /* the header row is the first line */
	nh = md_row(md, "workload", head, 8);
	nr = md_row(md, "synth:order=phase", row, 8);
	k = md_col(head, nh, "median ms", NULL);
	CHECKF(nh >= 4 && nr >= 4 && k >= 0 && k < nr && strtod(row[k], NULL) == 1.46,
	       "pass_time table (want 1.46 ms for phase: 2920000 ns over 2 passes):\n%s", md);
	nr = md_row(md, "synth:order=fifo", row, 8);
	CHECKF(k >= 0 && k < nr && strtod(row[k], NULL) == 1.29, "fifo: want 1.29 ms:\n%s", md);
	/* not drawn unless asked: a plain run's report has no such chart */
	rc = plot(dir, "");
	CHECK(!strstr(file(dir, "report.md", md, sizeof(md)), "Time per pass"));
}

/* 15. A percentile of 0 ns (cheaper than the clock's step) has no place on
 * the log axis and is drawn at 1 ns: the chart says so (until session 20
 * it read as 1 ns, the table alone holding the 0). */
static void test_zero_said(void)
{
	static char svg[1 << 20];
	char dir[512];
	int rc;
	if (!drawing_folder("zero", "zero note", dir, sizeof(dir)))
		return;
	put(dir, "trials.csv", trials_lat);
	put(dir, "latency.csv",
	    "trial,rep,module,module_params,workload,workload_params,threads,kind,timed_ops,"
	    "mean_ns,p50_ns,p90_ns,p99_ns,p99_9_ns,p99_99_ns,max_ns\n"
	    "0,0,glibc,,random,,1,alloc,1000,17,0,26,120,240,1485,2026\n"
	    "0,1,glibc,,random,,1,alloc,1000,12,0,13,106,213,1401,1946\n"
	    "0,2,glibc,,random,,1,alloc,1000,13,0,14,114,229,1515,1220\n");
	rc = plot(dir, "");
	CHECKF(rc == 0, "plot: exit %d: %s", rc, err_text);
	file(dir, "plots/latency-random-alloc.svg", svg, sizeof(svg));
	CHECKF(strstr(svg, "is drawn at 1 ns") != NULL, "latency chart: no word of the 0 at 1 ns");
	/* ... and none where nothing is 0 */
	folder("nozero", dir, sizeof(dir));
	put(dir, "trials.csv", trials_lat);
	put(dir, "latency.csv", latency_lat);
	rc = plot(dir, "");
	file(dir, "plots/latency-random-alloc.svg", svg, sizeof(svg));
	CHECKF(rc == 0 && svg[0] && !strstr(svg, "is drawn at 1 ns"), "note without a 0");
}

/* 16. A size of a sweep without a timed free (threshold at 120 KiB and
 * 128 KiB: 34 and 32 frees, none of them every 64th op) has no point in
 * the top row, and no line may be drawn across it: the table says n/a
 * there, and a line from 64 KiB to 256 KiB drew a rise through 128 KiB
 * that was never measured (style.gp's `set datafile missing 'NaN'` made
 * gnuplot join the points on either side). */
static void test_sweep_gap(void)
{
	static char svg[1 << 20];
	char dir[512];
	const char *p, *d;
	int rc, moves = 0;
	if (!drawing_folder("sweepgap", "sweep gap", dir, sizeof(dir)))
		return;
	put(dir, "trials.csv",
	    "trial,rep,module,module_params,workload,workload_params,threads,status,reason,"
	    "ops,ns_per_op,ops_per_sec,rss_before_kib,rss_peak_kib,rss_end_kib,mmap_calls,"
	    "passes\n"
	    "0,0,glibc,,threshold,size=4k,1,ok,,100,400,2.5e6,1000,5000,5000,0,1\n"
	    "1,0,glibc,,threshold,size=64k,1,ok,,100,500,2e6,1000,5000,5000,0,1\n"
	    "2,0,glibc,,threshold,size=128k,1,ok,,100,3000,3.3e5,1000,5000,1128,32,1\n"
	    "3,0,glibc,,threshold,size=1m,1,ok,,100,9000,1.1e5,1000,17000,2024,16,1\n");
	put(dir, "latency.csv",
	    "trial,rep,module,module_params,workload,workload_params,threads,kind,timed_ops,"
	    "mean_ns,p50_ns,p90_ns,p99_ns,p99_9_ns,p99_99_ns,max_ns\n"
	    "0,0,glibc,,threshold,size=4k,1,free,10,30,30,30,30,30,30,30\n"
	    "1,0,glibc,,threshold,size=64k,1,free,10,200,200,200,200,200,200,200\n"
	    "3,0,glibc,,threshold,size=1m,1,free,10,8e4,8e4,8e4,8e4,8e4,8e4,8e4\n");
	rc = plot(dir, "");
	CHECKF(rc == 0, "plot: exit %d: %s", rc, err_text);
	file(dir, "plots/sweep-threshold.svg", svg, sizeof(svg));
	/* the top panel's line: its first plot element's path */
	p = strstr(svg, "<g id=\"gnuplot_plot_1");
	d = p ? strstr(p, " d='M") : NULL;
	for (; d && *d && *d != '\n'; d++) {
		if (*d == '\'' && moves > 0)
			break;
		if (*d == 'M')
			moves++;
	}
	CHECKF(moves >= 2,
	       "sweep: free's line must break at 128 KiB (no timed free there), "
	       "%d moves in the path",
	       moves);
}

/* The line segments of plot element N of an SVG (its path's "M x,y L x,y")
 * at least MINDX pixels wide: a line between two data points, not an
 * error bar's cap nor the key's sample (which starts right of KEYX). */
static int svg_long_segments(const char *svg, int n, double mindx, double keyx)
{
	char id[64];
	const char *p, *end;
	int segs = 0;
	snprintf(id, sizeof(id), "<g id=\"gnuplot_plot_%d\"", n);
	if (!(p = strstr(svg, id)))
		return -1;
	/* the element's first path: its line, error bars and key sample */
	if (!(p = strstr(p, " d='")) || !(end = strchr(p + 4, '\'')))
		return -1;
	for (; (p = strchr(p, 'M')) != NULL && p < end; p++) {
		double x0, y0, x1, y1;
		int k = 0;
		if (sscanf(p, "M%lf,%lf%n", &x0, &y0, &k) != 2)
			continue;
		/* M x,y L x,y L x,y ...: each L a segment from the point before */
		for (const char *q = p + k; sscanf(q, " L%lf,%lf%n", &x1, &y1, &k) == 2; q += k) {
			if (x0 < keyx && fabs(x1 - x0) >= mindx)
				segs++;
			x0 = x1;
		}
	}
	return segs;
}

/* 17. The same in the scaling chart: glibc failed at 2 threads and has
 * points at 1 and 4 only; a line from 1 to 4 drew a throughput at 2
 * threads that no trial measured. mimalloc, with all three, keeps its
 * line (two segments). */
static void test_scaling_gap(void)
{
	static char svg[1 << 20];
	char dir[512];
	int rc, g, m;
	if (!drawing_folder("scalegap", "scaling gap", dir, sizeof(dir)))
		return;
	put(dir, "trials.csv",
	    "trial,rep,module,module_params,workload,workload_params,threads,status,reason,"
	    "ops,ns_per_op,ops_per_sec\n"
	    "0,0,glibc,,larson,,1,ok,,100,10,1e8\n"
	    "1,0,glibc,,larson,,2,failed,worker died on signal 11,,,\n"
	    "2,0,glibc,,larson,,4,ok,,100,5,4e8\n"
	    "3,0,mimalloc,,larson,,1,ok,,100,10,1e8\n"
	    "4,0,mimalloc,,larson,,2,ok,,100,5,2e8\n"
	    "5,0,mimalloc,,larson,,4,ok,,100,5,3e8\n");
	rc = plot(dir, "");
	CHECKF(rc == 0, "plot: exit %d: %s", rc, err_text);
	file(dir, "plots/scaling-larson.svg", svg, sizeof(svg));
	g = svg_long_segments(svg, 1, 50, 700);
	m = svg_long_segments(svg, 2, 50, 700);
	CHECKF(g == 0, "scaling: glibc has no point at 2 threads, %d line segments", g);
	CHECKF(m == 2, "scaling: mimalloc at 1, 2 and 4 threads, %d line segments", m);
}

/* 18. Trials run side by side (--jobs, a suite's memory scenarios) have no
 * timing figure: context.csv `timing_figures` says so, time and
 * throughput are not drawn, and neither is the time per pass, whose
 * elapsed_ns is then wall time on cores another trial shared (until
 * session 20 lazy's --all-charts drew bump at 0.001284 ms a pass). */
static void test_pass_time_untimed(void)
{
	static char md[1 << 16];
	char dir[512], p[600];
	int rc;
	folder("passjobs", dir, sizeof(dir));
	put(dir, "trials.csv",
	    "trial,rep,module,module_params,workload,workload_params,threads,status,reason,"
	    "ops,elapsed_ns,passes,ns_per_op,ops_per_sec\n"
	    "0,0,glibc,,synth,size=120k,1,ok,,68,120779,1,,\n");
	put(dir, "context.csv",
	    "key,value\n"
	    "jobs,2\n"
	    "timing_figures,\"not written: trials ran 2 at a time (--jobs), sharing the cores; "
	    "elapsed_ns is wall time, not a speed\"\n");
	rc = plot(dir, "--all-charts");
	CHECKF(rc == 0 || (!have_gnuplot && rc == 1), "plot: exit %d: %s", rc, err_text);
	file(dir, "report.md", md, sizeof(md));
	CHECKF(!strstr(md, "Time per pass") && strstr(md, "- pass_time: trials ran side by side"),
	       "untimed trials: no pass_time chart, the report says why:\n%s", md);
	snprintf(p, sizeof(p), "%s/plots/data/pass_time.dat", dir);
	CHECKF(access(p, F_OK) != 0, "untimed trials: no pass_time data file");
}

/* 19. A suite report's key chart of a scenario is the chart of its summary
 * metric, with --all-charts too: phase's y is elapsed_ns / passes, so its
 * key chart is the time per pass, not bytes per block (its 64-byte
 * blocks have a metadata chart under --all-charts) nor ns/op, which does
 * not compare its orders (glibc 46.9 ns/op phase against 24.5 fifo, 0.94
 * against 0.98 ms a pass). Until session 20 --all-charts put bump's and
 * phase's bytes per block or ns/op there. */
static void test_key_chart_all(void)
{
	static char md[1 << 16];
	char dir[512], sub[600];
	const char *sec;
	int rc;
	folder("keysuite", dir, sizeof(dir));
	snprintf(sub, sizeof(sub), "%s/phase", dir);
	mkdir(sub, 0755);
	put(dir, "scenarios.csv",
	    "scenario,folder,title,threads,x,y,summary_metric,expected_shape,workloads,"
	    "charts\n"
	    "phase,phase,request/phase workload,1,workload_params order,"
	    "\"elapsed_ns / passes (ns_per_op is not comparable across orders); "
	    "rss_peak_kib\",ms for one pass,phase no slower,synth,pass_time\n");
	put(sub, "trials.csv",
	    "trial,rep,module,module_params,workload,workload_params,threads,status,reason,"
	    "ops,elapsed_ns,passes,ns_per_op,ops_per_sec,rss_before_kib,rss_peak_kib,"
	    "live_bytes_peak\n"
	    "0,0,glibc,,synth,\"size=64,order=phase\",1,ok,,20010,938534,1,46.9,2.1e7,1000,"
	    "1200,128000\n"
	    "1,0,glibc,,synth,\"size=64,order=fifo\",1,ok,,40000,980491,1,24.5,4.1e7,1000,"
	    "1200,128000\n");
	rc = plot(dir, "--all-charts");
	CHECKF(rc == 0 || (!have_gnuplot && rc == 1), "plot: exit %d: %s", rc, err_text);
	file(dir, "report.md", md, sizeof(md));
	sec = strstr(md, "## Scenario phase");
	sec = sec ? strstr(sec, "\n### ") : NULL;
	CHECKF(sec && !strncmp(sec, "\n### Time per pass", 18),
	       "phase's key chart under --all-charts: %.60s", sec ? sec : "(none)");
}

/* 20. Bytes per block of a module without RSS growth in the timed region
 * (null: its buffer is faulted in before it): the chart has no bar and
 * its note says there is nothing to divide, so the table says n/a, not
 * 0 bytes a block (the quick suite's metadata table had "null | 0"). */
static void test_metadata_no_growth(void)
{
	static char md[1 << 16];
	char dir[512], row[8][64];
	int rc, n;
	folder("metanull", dir, sizeof(dir));
	put(dir, "trials.csv",
	    "trial,rep,module,module_params,workload,workload_params,threads,status,reason,"
	    "ops,ns_per_op,ops_per_sec,rss_before_kib,rss_peak_kib,live_bytes_peak\n"
	    "0,0,glibc,,synth,\"dist=fixed,size=64\",1,ok,,100000,20,5e7,1000,8812,6400000\n"
	    "1,0,null,,synth,\"dist=fixed,size=64\",1,ok,,100000,5,2e8,18000,18000,6400000\n");
	rc = plot(dir, "");
	CHECKF(rc == 0 || (!have_gnuplot && rc == 1), "plot: exit %d: %s", rc, err_text);
	file(dir, "tables/metadata.md", md + 1, sizeof(md) - 1);
	md[0] = '\n';
	n = md_row(md, "synth", row, 8);
	CHECKF(n >= 7 && !strcmp(row[0], "glibc") && fabs(strtod(row[4], NULL) - 80) < 0.1,
	       "glibc: 80 bytes a block:\n%s", md);
	n = md_row(strstr(md + 1, "\n| synth | null") ? strstr(md + 1, "\n| synth | null") : md,
	           "synth", row, 8);
	CHECKF(n >= 7 && !strcmp(row[0], "null") && !strcmp(row[4], "n/a"),
	       "null, no RSS growth: n/a, not 0:\n%s", md);
}

/* 21. The sweep's free p50 says what it rests on: a size where one call
 * in 64 is timed and the workload frees 15 blocks times 1 or 2 frees a
 * trial (the threshold scenario at 256 KiB and 1 MiB: an outside review),
 * so the table gives the fewest timed frees of a point's trials and the
 * chart's note says how few there were. */
static void test_sweep_timed_frees(void)
{
	static char md[1 << 16], svg[1 << 20];
	char dir[512], head[12][64], row[12][64];
	int rc, nh, nr, k;
	folder("sweepfree", dir, sizeof(dir));
	put(dir, "trials.csv",
	    "trial,rep,module,module_params,workload,workload_params,threads,status,reason,"
	    "ops,ns_per_op,ops_per_sec,rss_before_kib,rss_end_kib,rss_peak_kib,passes\n"
	    "0,0,glibc,,threshold,size=16k,1,ok,,1000,3000,333333,1000,1400,1400,1\n"
	    "0,1,glibc,,threshold,size=16k,1,ok,,1000,3000,333333,1000,1400,1400,1\n"
	    "1,0,glibc,,threshold,size=256k,1,ok,,32,50000,20000,1000,1000,1400,1\n"
	    "1,1,glibc,,threshold,size=256k,1,ok,,32,50000,20000,1000,1000,1400,1\n"
	    "2,0,glibc,,threshold,size=1m,1,ok,,8,200000,5000,1000,1000,1400,1\n"
	    "2,1,glibc,,threshold,size=1m,1,ok,,8,200000,5000,1000,1000,1400,1\n");
	put(dir, "latency.csv",
	    "trial,rep,module,module_params,workload,workload_params,threads,kind,timed_ops,"
	    "mean_ns,p50_ns,p90_ns,p99_ns,p99_9_ns,p99_99_ns,max_ns\n"
	    "0,0,glibc,,threshold,size=16k,1,free,16,30,30,30,30,30,30,30\n"
	    "0,1,glibc,,threshold,size=16k,1,free,17,30,30,30,30,30,30,30\n"
	    "1,0,glibc,,threshold,size=256k,1,free,2,20000,20000,20000,20000,20000,20000,20000\n"
	    "1,1,glibc,,threshold,size=256k,1,free,3,20000,20000,20000,20000,20000,20000,20000\n"
	    "2,0,glibc,,threshold,size=1m,1,free,1,60000,60000,60000,60000,60000,60000,60000\n"
	    "2,1,glibc,,threshold,size=1m,1,free,2,60000,60000,60000,60000,60000,60000,60000\n");
	rc = plot(dir, "");
	CHECKF(rc == 0 || (!have_gnuplot && rc == 1), "plot: exit %d: %s", rc, err_text);
	file(dir, "tables/sweep-threshold.md", md, sizeof(md));
	/* cells after "series" and after "glibc | SIZE": one apart */
	nh = md_row(md, "series", head, 12);
	k = md_col(head, nh, "timed frees", NULL);
	nr = md_row(md, "glibc | 1048576", row, 12);
	CHECKF(k >= 1 && k - 1 < nr && !strcmp(row[k - 1], "1"),
	       "sweep table at 1 MiB: fewest timed frees 1:\n%s", md);
	nr = md_row(md, "glibc | 16384", row, 12);
	CHECKF(k >= 1 && k - 1 < nr && !strcmp(row[k - 1], "16"),
	       "sweep table at 16 KiB: fewest timed frees 16:\n%s", md);
	if (have_gnuplot) {
		file(dir, "plots/sweep-threshold.svg", svg, sizeof(svg));
		CHECKF(strstr(svg, "as few as 1 timed free a trial") != NULL,
		       "the sweep's note says how few frees were timed");
	}
}

/* 22. A log axis says so in its label, as time, throughput and latency
 * do: the syscalls chart (brk 1 against 1000 calls) and the sweep's top
 * row (free's p50 from 30 ns to 80 us) read 'calls in the timed region'
 * and 'free: median latency (ns)' over decades, as if linear. */
static void test_log_said(void)
{
	static char svg[1 << 20];
	char dir[512];
	int rc;
	if (!drawing_folder("logsaid", "log axes said", dir, sizeof(dir)))
		return;
	put(dir, "trials.csv",
	    "trial,rep,module,module_params,workload,workload_params,threads,status,reason,"
	    "ops,ns_per_op,ops_per_sec,rss_before_kib,rss_peak_kib,rss_end_kib,brk_calls,"
	    "mmap_calls,passes\n"
	    "0,0,glibc,,threshold,size=4k,1,ok,,100,400,2.5e6,1000,5000,5000,1,0,1\n"
	    "1,0,glibc,,threshold,size=64k,1,ok,,100,500,2e6,1000,5000,5000,1,0,1\n"
	    "2,0,glibc,,threshold,size=1m,1,ok,,100,9000,1.1e5,1000,17000,2024,1,16,1\n"
	    "3,0,glibc,,random,,1,ok,,1000,10,1e8,1000,2000,2000,1,0,1\n"
	    "4,0,null,,random,,1,ok,,1000,10,1e8,1000,2000,2000,1000,0,1\n");
	put(dir, "latency.csv",
	    "trial,rep,module,module_params,workload,workload_params,threads,kind,timed_ops,"
	    "mean_ns,p50_ns,p90_ns,p99_ns,p99_9_ns,p99_99_ns,max_ns\n"
	    "0,0,glibc,,threshold,size=4k,1,free,10,30,30,30,30,30,30,30\n"
	    "1,0,glibc,,threshold,size=64k,1,free,10,200,200,200,200,200,200,200\n"
	    "2,0,glibc,,threshold,size=1m,1,free,10,8e4,8e4,8e4,8e4,8e4,8e4,8e4\n");
	rc = plot(dir, "");
	CHECKF(rc == 0, "plot: exit %d: %s", rc, err_text);
	file(dir, "plots/syscalls-random.svg", svg, sizeof(svg));
	CHECKF(strstr(svg, "calls in the timed region (log scale)") != NULL,
	       "syscalls: the log y axis is not said");
	file(dir, "plots/sweep-threshold.svg", svg, sizeof(svg));
	CHECKF(strstr(svg, "free: median latency (ns, log scale)") != NULL,
	       "sweep: the top row's log y axis is not said");
}

/* 23. Every value 0 (no positive value to start a log axis at): the bar
 * charts are drawn, 0-high bars, not refused by gnuplot over the
 * "YLO=inf" they were given ("undefined variable: inf", exit 1). */
static void test_all_zero(void)
{
	static char svg[1 << 20];
	char dir[512];
	int rc;
	if (!drawing_folder("allzero", "all zero", dir, sizeof(dir)))
		return;
	put(dir, "trials.csv",
	    "trial,rep,module,module_params,workload,workload_params,threads,status,reason,"
	    "ops,ns_per_op,ops_per_sec\n"
	    "0,0,glibc,,random,,1,ok,,1000,0,0\n"
	    "1,0,null,,random,,1,ok,,1000,0,0\n");
	rc = plot(dir, "");
	CHECKF(rc == 0, "plot: exit %d: %s", rc, err_text);
	file(dir, "plots/time.svg", svg, sizeof(svg));
	CHECKF(strstr(svg, "<text>null</text>") != NULL, "time: not drawn");
	file(dir, "plots/throughput.svg", svg, sizeof(svg));
	CHECKF(strstr(svg, "<text>null</text>") != NULL, "throughput: not drawn");
}

/* 24. A replay's charts name the trace file: its group read "trace"
 * (the file, the one param, was dropped as constant), so a chart alone
 * did not say what was replayed. Two traces of one file name keep their
 * paths. A tune folder's frontier chart names it in its title. */
static void test_trace_named(void)
{
	static const char head[] =
	    "trial,rep,module,module_params,workload,workload_params,threads,status,reason,"
	    "ops,ns_per_op,ops_per_sec,elapsed_ns\n";
	static char md[1 << 16], svg[1 << 20];
	char dir[512], sub[600], trials[2048];
	int rc;
	folder("trace", dir, sizeof(dir));
	snprintf(trials, sizeof(trials),
	         "%s0,0,glibc,,trace,file=/x/y/prog.ast,1,ok,,1000,20,5e7,20000\n"
	         "1,0,refmalloc,,trace,file=/x/y/prog.ast,1,ok,,1000,30,3e7,30000\n",
	         head);
	put(dir, "trials.csv", trials);
	rc = plot(dir, "");
	CHECKF(rc == 0 || (!have_gnuplot && rc == 1), "plot: exit %d: %s", rc, err_text);
	file(dir, "report.md", md, sizeof(md));
	CHECKF(strstr(md, "\n| trace:file=prog.ast | glibc | 1 | 20 |") != NULL,
	       "time table: the trace is not named:\n%s", md);
	if (have_gnuplot) {
		file(dir, "plots/time.svg", svg, sizeof(svg));
		CHECKF(strstr(svg, "prog.ast") != NULL, "time chart: the trace is not named");
	}

	folder("trace2", dir, sizeof(dir));
	snprintf(trials, sizeof(trials),
	         "%s0,0,glibc,,trace,file=/a/prog.ast,1,ok,,1000,20,5e7,20000\n"
	         "1,0,glibc,,trace,file=/b/prog.ast,1,ok,,1000,30,3e7,30000\n",
	         head);
	put(dir, "trials.csv", trials);
	rc = plot(dir, "");
	CHECKF(rc == 0 || (!have_gnuplot && rc == 1), "two traces: plot: exit %d: %s", rc,
	       err_text);
	file(dir, "report.md", md, sizeof(md));
	CHECKF(strstr(md, "\n| trace:file=/a/prog.ast | glibc |") != NULL &&
	           strstr(md, "\n| trace:file=/b/prog.ast | glibc |") != NULL,
	       "two traces of one file name: not told apart:\n%s", md);

	/* a tune folder: tune.csv beside its replay run */
	folder("tune", dir, sizeof(dir));
	snprintf(sub, sizeof(sub), "%s/replay", dir);
	mkdir(sub, 0755);
	put(dir, "tune.csv",
	    "module,module_params,reps_ok,elapsed_ns_median,rss_growth_kib_median,frontier,"
	    "recommended\n"
	    "glibc,,3,2000000,1024,0,1\n"
	    "refmalloc,,3,1000000,512,1,0\n"
	    "bump,,3,3000000,4096,0,0\n");
	put(sub, "context.csv", "key,value\nworkload,trace:file=/x/y/prog.ast\n");
	snprintf(trials, sizeof(trials),
	         "%s0,0,glibc,,trace,file=/x/y/prog.ast,1,ok,,1000,2000,5e5,2000000\n", head);
	put(sub, "trials.csv", trials);
	rc = plot(dir, "");
	CHECKF(rc == 0 || (!have_gnuplot && rc == 1), "tune: plot: exit %d: %s", rc, err_text);
	file(dir, "report.md", md, sizeof(md));
	CHECKF(strstr(md, "### Tune: replay time against peak RSS growth \xe2\x80\x94 prog.ast: 3 "
	                  "configurations, 1 on the frontier\n") != NULL,
	       "frontier: the title does not name the trace:\n%s", md);
	if (have_gnuplot) {
		file(dir, "plots/frontier.svg", svg, sizeof(svg));
		CHECKF(strstr(svg, "prog.ast: 3 configurations, 1 on the frontier") != NULL,
		       "frontier chart: the title does not name the trace");
	}
}

int main(void)
{
	if (plot_fixture_start("test_plot_figures") != 0)
		return 1;

	test_live_per_module();
	test_latency_max();
	test_rss_peak_label();
	test_tail_reaches_slowest();
	test_tail_below_1ns();
	test_series_first_pass();
	test_heading_join();
	test_syscall_medians();
	test_number_formats();
	test_pass_time();
	test_zero_said();
	test_sweep_gap();
	test_scaling_gap();
	test_pass_time_untimed();
	test_key_chart_all();
	test_metadata_no_growth();
	test_sweep_timed_frees();
	test_log_said();
	test_all_zero();
	test_trace_named();

	return plot_fixture_end();
}
