/* test_plot_notes.c - what `allocscope plot` says about what is missing:
 * the notes under a chart (modules without a point, and why), the charts
 * the report lists as not drawn, a run that did not finish; and that it
 * says it the same way every time (a re-plot gives the same files). On
 * small results folders written here, the charts and report.md are read
 * back.
 * Not the figures (test_plot_figures) nor the look (test_plot). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "plot_fixture.h"

/* How often NEEDLE occurs in HAY. */
static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

static const char trials_head[] =
    "trial,rep,module,module_params,workload,workload_params,threads,status,reason,ops,"
    "ns_per_op,ops_per_sec\n";

/* 1. scaling: a module skipped at both thread counts gets one note naming
 * both (the reviewer's larson: two lines, "... at 1 thread" and "... at
 * 2 threads"), and no line of the note is wider than the 900-px chart
 * (each was ~135 characters, cut off at "general-p"). A character of
 * DejaVu Sans is at least 0.55 em wide on average (0.59 in that note). */
static void test_scaling_note(void)
{
	static char svg[1 << 20];
	static const char why[] =
	    "\"not compared: the classic benchmarks compare general-purpose allocators "
	    "(thread-safe, with individual free), as mimalloc-bench does; -a names a module "
	    "to run it anyway\"";
	static const char *skipped[] = {"arena", "bump", "freelist", "null", "pool"};
	char dir[512], trials[8192];
	int rc, widest = 0, len, id = 2;
	if (!have_gnuplot) {
		as_check_skip_case("scaling note: no gnuplot");
		return;
	}
	folder("scaling", dir, sizeof(dir));
	len = snprintf(trials, sizeof(trials),
	               "%s0,0,glibc,,larson,,1,ok,,1000,10,1e8\n"
	               "1,0,glibc,,larson,,2,ok,,1000,10,1.5e8\n",
	               trials_head);
	for (int t = 1; t <= 2; t++)
		for (int m = 0; m < 5; m++)
			len += snprintf(trials + len, sizeof(trials) - (size_t)len,
			                "%d,0,%s,,larson,,%d,skipped,%s,,,\n", id++, skipped[m], t,
			                why);
	put(dir, "trials.csv", trials);
	rc = plot(dir, "");
	CHECKF(rc == 0, "plot: exit %d: %s", rc, err_text);
	file(dir, "plots/scaling-larson.svg", svg, sizeof(svg));
	CHECKF(count(svg, "not shown") == 1, "%d 'not shown' notes for one module",
	       count(svg, "not shown"));
	CHECKF(strstr(svg, "1 and 2 threads") != NULL, "the note does not name both thread counts");
	for (const char *p = svg; (p = strstr(p, "<text")) != NULL; p++) {
		const char *a = strchr(p, '>'), *b = a ? strstr(a, "</text>") : NULL;
		int n = 0;
		if (!b)
			break;
		for (const char *q = a + 1; q < b; q++)
			n += (*q & 0xc0) != 0x80; /* characters, not UTF-8 bytes */
		if (n > widest)
			widest = n;
	}
	/* 13-px font (SVG), from x = 8 px */
	CHECKF(widest * 0.55 * 13 <= 900 - 8,
	       "a text line of %d characters is wider than the chart", widest);
	/* the skipped modules have no point: no legend entry either (the
	 * suite's benchmt listed all five, "bump (same as arena)" ...: five
	 * NaN-only series, "identical", that drew nothing) */
	CHECKF(strstr(svg, "<text>arena</text>") == NULL && strstr(svg, "(same as") == NULL,
	       "the legend names modules without a point");
	CHECKF(strstr(svg, "<text>glibc</text>") != NULL, "the legend lost glibc");
}

/* 1b. A module whose trials completed but whose figure is empty (n/a) in
 * every row is not shown, and the note says so (it was left out of the
 * bars and the scaling lines without a word, and kept a legend entry in
 * the scaling chart). */
static void test_no_value_note(void)
{
	static char svg[1 << 20];
	char dir[512], trials[2048];
	int rc;
	if (!drawing_folder("novalue", "no-value note", dir, sizeof(dir)))
		return;
	snprintf(trials, sizeof(trials),
	         "%s0,0,glibc,,larson,,1,ok,,1000,10,1e8\n"
	         "1,0,glibc,,larson,,2,ok,,1000,10,1.5e8\n"
	         "2,0,nanmod,,larson,,1,ok,,1000,,\n"
	         "3,0,nanmod,,larson,,2,ok,,1000,,\n",
	         trials_head);
	put(dir, "trials.csv", trials);
	rc = plot(dir, "");
	CHECKF(rc == 0, "plot: exit %d: %s", rc, err_text);
	file(dir, "plots/time.svg", svg, sizeof(svg));
	CHECKF(strstr(svg, "not shown: nanmod (n/a: no value in trials.csv)") != NULL,
	       "time: no note for the module without a value");
	file(dir, "plots/scaling-larson.svg", svg, sizeof(svg));
	CHECKF(strstr(svg, "not shown: nanmod (n/a: no value in trials.csv at 1 and 2 threads)") !=
	           NULL,
	       "scaling: no note for the module without a value");
	CHECKF(strstr(svg, "<text>nanmod</text>") == NULL,
	       "scaling: a legend entry for the module without a point");
}

/* 1d. A time per op below 0 (trials.csv's ns_per_op is the whole loop's
 * time, never net of null: a hand-edited or damaged row) is no bar: on a
 * log axis gnuplot refused the whole chart ("No valid points in
 * histogram", exit 1), on the linear one from 0 the bar was hidden while
 * the legend named the module, and nothing said why. Now the note names
 * the module, the table gives the values as trials.csv has them, and a
 * module with some repetitions above 0 has its bar from those. */
static void test_below_zero(void)
{
	static char svg[1 << 20], md[1 << 16], dat[4096];
	char dir[512], trials[2048], row[6][64];
	int rc, n;
	folder("belowzero", dir, sizeof(dir));
	/* 1200 against 2.75: a log axis */
	snprintf(trials, sizeof(trials),
	         "%s0,0,glibc,,random,,1,ok,,1000,1200,8.3e5\n"
	         "0,1,glibc,,random,,1,ok,,1000,1300,7.7e5\n"
	         "1,0,null,,random,,1,ok,,1000,-0.4,1e9\n"
	         "1,1,null,,random,,1,ok,,1000,-0.2,1e9\n"
	         "2,0,bump,,random,,1,ok,,1000,3,3.3e8\n"
	         "2,1,bump,,random,,1,ok,,1000,2.5,4e8\n",
	         trials_head);
	put(dir, "trials.csv", trials);
	rc = plot(dir, "");
	CHECKF(rc == 0 || (!have_gnuplot && rc == 1), "log axis: plot: exit %d: %s", rc, err_text);
	file(dir, "report.md", md, sizeof(md));
	n = md_row(md, "random | null", row, 6);
	CHECKF(n == 4 && !strcmp(row[0], "not drawn: 2 below 0") && !strcmp(row[1], "-0.30") &&
	           !strcmp(row[2], "-0.40") && !strcmp(row[3], "-0.20"),
	       "log axis: the table's null row: %d cells, '%s'", n, n ? row[0] : "");
	file(dir, "plots/data/time.dat", dat, sizeof(dat));
	CHECKF(count(dat, "NaN") == 3, "log axis: null's bar is in the data: %s", dat);
	if (have_gnuplot) {
		file(dir, "plots/time.svg", svg, sizeof(svg));
		CHECKF(strstr(svg, "not shown: null (ns_per_op below 0 in trials.csv") != NULL,
		       "log axis: the note does not say why null has no bar");
		CHECKF(strstr(svg, "<text>null</text>") == NULL,
		       "log axis: a legend entry for null, which has no bar");
	} else {
		as_check_skip_case("below 0, the chart: no gnuplot");
	}

	/* a linear axis; one of null's three repetitions below 0 */
	folder("belowzero-lin", dir, sizeof(dir));
	snprintf(trials, sizeof(trials),
	         "%s0,0,glibc,,random,,1,ok,,1000,12,8.3e7\n"
	         "1,0,null,,random,,1,ok,,1000,-0.4,1e9\n"
	         "1,1,null,,random,,1,ok,,1000,1.5,1e9\n"
	         "1,2,null,,random,,1,ok,,1000,1.7,1e9\n",
	         trials_head);
	put(dir, "trials.csv", trials);
	rc = plot(dir, "");
	CHECKF(rc == 0 || (!have_gnuplot && rc == 1), "linear: plot: exit %d: %s", rc, err_text);
	file(dir, "report.md", md, sizeof(md));
	CHECKF(strstr(md, "| random | null | 2 | 1.60 | 1.50 | 1.70 |\n"
	                  "| random | null | not drawn: 1 below 0 | -0.40 | -0.40 | -0.40 |\n"),
	       "linear: the table's null rows:\n%s", md);
	if (have_gnuplot) {
		file(dir, "plots/time.svg", svg, sizeof(svg));
		CHECKF(strstr(svg, "not shown: null, 1 of 3 repetitions (ns_per_op below 0") !=
		           NULL,
		       "linear: the note does not say a repetition of null is not drawn");
	}

	/* the scaling chart (linear from 0): a throughput below 0 at 2 threads */
	folder("belowzero-scaling", dir, sizeof(dir));
	snprintf(trials, sizeof(trials),
	         "%s0,0,glibc,,random,,1,ok,,1000,12,8.3e7\n"
	         "1,0,glibc,,random,,2,ok,,1000,13,1.5e8\n"
	         "2,0,null,,random,,1,ok,,1000,1,1e9\n"
	         "3,0,null,,random,,2,ok,,1000,1,-1e9\n",
	         trials_head);
	put(dir, "trials.csv", trials);
	rc = plot(dir, "");
	CHECKF(rc == 0 || (!have_gnuplot && rc == 1), "scaling: plot: exit %d: %s", rc, err_text);
	file(dir, "report.md", md, sizeof(md));
	CHECKF(strstr(md, "| null | 2 | not drawn: 1 below 0 | -1000 | -1000 | -1000 |\n"),
	       "scaling: the table's null row at 2 threads:\n%s", md);
	file(dir, "plots/data/scaling-random.dat", dat, sizeof(dat));
	CHECKF(strstr(dat, "\n2\tNaN\tNaN\tNaN\n") != NULL,
	       "scaling: null's point at 2 threads: %s", dat);
	if (have_gnuplot) {
		file(dir, "plots/scaling-random.svg", svg, sizeof(svg));
		CHECKF(strstr(svg, "not shown: null at 2 threads (ops_per_sec below 0") != NULL,
		       "scaling: the note does not say why null has no point at 2 threads");
	}

	/* the note counts the values drawn: at 2 threads null's bar (time)
	 * and point (scaling) rest on 3 of its 4 kept repetitions, every
	 * other on 2; the note said "median of 2 to 4 repetitions" */
	if (!have_gnuplot) {
		as_check_skip_case("below 0, the note's count: no gnuplot");
		return;
	}
	folder("belowzero-count", dir, sizeof(dir));
	snprintf(trials, sizeof(trials),
	         "%s0,0,glibc,,random,,1,ok,,1000,12,8.3e7\n"
	         "0,1,glibc,,random,,1,ok,,1000,13,8.1e7\n"
	         "1,0,glibc,,random,,2,ok,,1000,12,1.6e8\n"
	         "1,1,glibc,,random,,2,ok,,1000,13,1.5e8\n"
	         "2,0,null,,random,,1,ok,,1000,1.5,1e9\n"
	         "2,1,null,,random,,1,ok,,1000,1.7,1e9\n"
	         "3,0,null,,random,,2,ok,,1000,-0.4,1e9\n"
	         "3,1,null,,random,,2,ok,,1000,1.5,-1e9\n"
	         "3,2,null,,random,,2,ok,,1000,1.7,2e9\n"
	         "3,3,null,,random,,2,ok,,1000,1.6,2e9\n",
	         trials_head);
	put(dir, "trials.csv", trials);
	rc = plot(dir, "");
	CHECKF(rc == 0, "count: plot: exit %d: %s", rc, err_text);
	file(dir, "plots/time.svg", svg, sizeof(svg));
	CHECKF(strstr(svg, "bar or point: median of 2 to 3 repetitions") != NULL,
	       "count: time's note does not say 2 to 3 repetitions");
	file(dir, "plots/scaling-random.svg", svg, sizeof(svg));
	CHECKF(strstr(svg, "bar or point: median of 2 to 3 repetitions") != NULL,
	       "count: scaling's note does not say 2 to 3 repetitions");
}

/* The "Charts without data" line of report.md that names KIND (a whole
 * item of its comma-separated kinds) into out; 0 when none does. */
static int skip_line(const char *md, const char *kind, char *out, size_t len)
{
	const char *p = strstr(md, "## Charts without data\n");
	while (p && (p = strstr(p, "\n- ")) != NULL) {
		size_t n = strcspn(p + 3, "\n"), k = strlen(kind);
		size_t kinds = strcspn(p + 3, ":");
		for (const char *q = p + 3; q < p + 3 + kinds; q += strcspn(q, ",") + 2)
			if (!strncmp(q, kind, k) && (q[k] == ',' || q[k] == ':')) {
				snprintf(out, len, "%.*s", (int)n, p + 3);
				return 1;
			}
		p += 3;
	}
	return 0;
}

/* 1c. A run at one thread count other than 1 (-t 4): its charts say the
 * threads as a run at several counts does ("random, 4 threads"); they
 * said "random", as at 1 thread, and nothing in a chart told 4. */
static void test_threads_said(void)
{
	static char svg[1 << 20];
	char dir[512], trials[1024];
	int rc;
	if (!drawing_folder("fourthreads", "4 threads said", dir, sizeof(dir)))
		return;
	snprintf(trials, sizeof(trials),
	         "%s0,0,glibc,,random,,4,ok,,1000,40,1e8\n"
	         "1,0,mimalloc,,random,,4,ok,,1000,30,1.2e8\n",
	         trials_head);
	put(dir, "trials.csv", trials);
	rc = plot(dir, "");
	CHECKF(rc == 0, "plot: exit %d: %s", rc, err_text);
	file(dir, "plots/time.svg", svg, sizeof(svg));
	CHECKF(strstr(svg, "<text>4 threads</text>") != NULL,
	       "time: a run at 4 threads alone does not say 4 threads");
}

/* 1d. latency_tail: a module whose timed calls all fall in one bucket
 * (null's allocs, every one under the clock's step) has no share slower
 * than any x, so no curve, and gnuplot left it out of the legend too:
 * the chart showed glibc alone without a word. The note names it. */
static void test_flat_tail_said(void)
{
	static char svg[1 << 20];
	char dir[512], trials[1024];
	int rc;
	if (!drawing_folder("flattail", "flat tail said", dir, sizeof(dir)))
		return;
	snprintf(trials, sizeof(trials),
	         "%s0,0,glibc,,random,,1,ok,,1000,40,1e8\n"
	         "1,0,null,,random,,1,ok,,1000,3,3e8\n",
	         trials_head);
	put(dir, "trials.csv", trials);
	put(dir, "histogram.csv",
	    "trial,rep,module,module_params,workload,workload_params,threads,kind,"
	    "bucket_low_ns,bucket_high_ns,count,cum_fraction\n"
	    "0,0,glibc,,random,,1,alloc,10,15,90,0.9\n"
	    "0,0,glibc,,random,,1,alloc,100,150,10,1\n"
	    "1,0,null,,random,,1,alloc,0,0,100,1\n");
	rc = plot(dir, "");
	CHECKF(rc == 0, "plot: exit %d: %s", rc, err_text);
	file(dir, "plots/latency_tail-random-alloc.svg", svg, sizeof(svg));
	CHECKF(strstr(svg, "not shown: null (every timed call in one latency bucket") != NULL,
	       "latency_tail: null is left out without a note");
}

/* 1e. The charts of series.csv, latency.csv and histogram.csv name the
 * run's modules they have no series of, and why, as the bar charts do:
 * at 2 threads the reviewer's rss_ops, heap_mmap, latency and tail
 * charts showed glibc and mimalloc and nothing of bump and pool (skipped:
 * not thread-safe), while time.png said so. */
static void test_unshown_said(void)
{
	static const char *charts[] = {"rss_ops-random-2t", "latency-random-2t-alloc",
	                               "latency_tail-random-2t-alloc"};
	static char svg[1 << 20];
	char dir[512], trials[1024];
	int rc;
	if (!drawing_folder("unshown", "modules not shown said", dir, sizeof(dir)))
		return;
	snprintf(trials, sizeof(trials),
	         "%s0,0,glibc,,random,,2,ok,,1000,40,1e8\n"
	         "1,0,bump,,random,,2,skipped,module bump is not thread-safe,,,\n",
	         trials_head);
	put(dir, "trials.csv", trials);
	put(dir, "series.csv",
	    "trial,rep,sample,ops_done,rss_kib,live_bytes\n"
	    "0,0,0,0,4000,0\n0,0,1,500,4500,262144\n0,0,2,1000,4600,0\n");
	put(dir, "latency.csv",
	    "trial,rep,module,module_params,workload,workload_params,threads,kind,timed_ops,"
	    "mean_ns,p50_ns,p90_ns,p99_ns,p99_9_ns,p99_99_ns,max_ns\n"
	    "0,0,glibc,,random,,2,alloc,100,20,10,20,30,40,50,60\n");
	put(dir, "histogram.csv",
	    "trial,rep,module,module_params,workload,workload_params,threads,kind,"
	    "bucket_low_ns,bucket_high_ns,count,cum_fraction\n"
	    "0,0,glibc,,random,,2,alloc,10,15,90,0.9\n"
	    "0,0,glibc,,random,,2,alloc,100,150,10,1\n");
	rc = plot(dir, "");
	CHECKF(rc == 0, "plot: exit %d: %s", rc, err_text);
	for (size_t i = 0; i < sizeof(charts) / sizeof(charts[0]); i++) {
		char rel[128];
		snprintf(rel, sizeof(rel), "plots/%s.svg", charts[i]);
		svg[0] = '\0';
		file(dir, rel, svg, sizeof(svg));
		CHECKF(strstr(svg, "not shown: bump (skipped: not thread-safe)") != NULL,
		       "%s: bump is left out without a note", charts[i]);
	}
}

/* 1f. The same in a size sweep: bump out of memory at every size had no
 * line, no legend entry and no note. */
static void test_sweep_unshown_said(void)
{
	static char svg[1 << 20];
	char dir[512];
	int rc;
	if (!drawing_folder("sweepunshown", "sweep: modules not shown said", dir, sizeof(dir)))
		return;
	put(dir, "trials.csv",
	    "trial,rep,module,module_params,workload,workload_params,threads,status,reason,"
	    "ops,ns_per_op,ops_per_sec,rss_before_kib,rss_peak_kib,rss_end_kib,mmap_calls\n"
	    "0,0,glibc,,threshold,size=4k,1,ok,,100,400,2.5e6,1000,5000,5000,0\n"
	    "1,0,glibc,,threshold,size=64k,1,ok,,100,500,2e6,1000,5000,5000,0\n"
	    "2,0,glibc,,threshold,size=1m,1,ok,,100,9000,1.1e5,1000,17000,2024,16\n"
	    "3,0,bump,,threshold,size=4k,1,out_of_memory,region exhausted,,,,,,,\n"
	    "4,0,bump,,threshold,size=64k,1,out_of_memory,region exhausted,,,,,,,\n"
	    "5,0,bump,,threshold,size=1m,1,out_of_memory,region exhausted,,,,,,,\n");
	rc = plot(dir, "");
	CHECKF(rc == 0, "plot: exit %d: %s", rc, err_text);
	file(dir, "plots/sweep-threshold.svg", svg, sizeof(svg));
	CHECKF(strstr(svg, "<text>not shown: bump (out_of_memory: region exhausted)</text>") !=
	           NULL,
	       "sweep: bump is left out without a note");
}

/* 2. Only failed trials (the reviewer's onlyfailed: bump:region=4096 out
 * of memory in every trial, one thread, no --jobs): the report says up
 * front that no trial completed, the Charts section is not an empty
 * heading, and every chart kind is listed as not drawn for that reason
 * (the old report blamed "no memory system call in the timed region" and
 * untimed --jobs trials, left out latency, latency_tail, rss_ops and
 * heap_mmap, and plot exited 0). */
static void test_only_failed(void)
{
	static char md[1 << 18];
	static const char *kinds[] = {"time",     "throughput", "latency",  "latency_tail",
	                              "rss_ops",  "heap_mmap",  "syscalls", "sweep",
	                              "metadata", "scaling"};
	char dir[512], line[1024];
	const char *charts, *none;
	int rc;
	folder("onlyfailed", dir, sizeof(dir));
	put(dir, "trials.csv",
	    "trial,rep,module,module_params,workload,workload_params,threads,status,reason,ops,"
	    "ns_per_op,ops_per_sec,rss_before_kib,rss_peak_kib,live_bytes_peak,brk_calls,"
	    "mmap_calls\n"
	    "0,0,bump,region=4096,random,,1,out_of_memory,alloc returned NULL,,,,,,,,\n"
	    "1,0,bump,region=4096,larson,,1,out_of_memory,alloc returned NULL,,,,,,,,\n"
	    "0,1,bump,region=4096,random,,1,out_of_memory,alloc returned NULL,,,,,,,,\n"
	    "1,1,bump,region=4096,larson,,1,out_of_memory,alloc returned NULL,,,,,,,,\n");
	put(dir, "latency.csv",
	    "trial,rep,module,module_params,workload,workload_params,threads,kind,timed_ops,"
	    "mean_ns,p50_ns,p90_ns,p99_ns,p99_9_ns,p99_99_ns,max_ns\n");
	put(dir, "histogram.csv",
	    "trial,rep,module,module_params,workload,workload_params,threads,kind,"
	    "bucket_low_ns,bucket_high_ns,count,cum_fraction\n");
	put(dir, "series.csv",
	    "trial,rep,module,module_params,workload,workload_params,threads,sample,ops_done,"
	    "elapsed_ns,rss_kib,heap_rss_kib,mmap_rss_kib,live_bytes,brk_calls\n"
	    "0,0,bump,region=4096,random,,1,0,0,0,36640,8,168,0,0\n");
	rc = plot(dir, "");
	CHECKF(rc == 1, "plot of a folder without a completed trial: exit %d, want 1", rc);
	CHECKF(strstr(err_text, "no trial completed") != NULL, "stderr: %s", err_text);
	file(dir, "report.md", md, sizeof(md));
	charts = strstr(md, "\n## Charts\n");
	none = strstr(md, "No trial completed");
	CHECKF(none && charts && none < charts,
	       "report.md does not say up front that no trial "
	       "completed:\n%.600s",
	       md);
	CHECKF(charts && strncmp(charts, "\n## Charts\n\n## ", 15) != 0,
	       "an empty Charts section:\n%.600s", md);
	CHECKF(strstr(md, "--jobs") == NULL && strstr(md, "no memory system call") == NULL,
	       "a reason that is not the one:\n%s", strstr(md, "## Charts without") ?: md);
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		int has = skip_line(md, kinds[k], line, sizeof(line));
		CHECKF(has && strstr(line, "no trial completed"), "chart kind %s: %s", kinds[k],
		       has ? line : "not listed as not drawn");
	}
}

/* DIR/run.args: the N arguments ARGS, NUL-separated, as a run saves them. */
static void put_args(const char *dir, const char *const *args, int n)
{
	char path[600];
	FILE *f;
	snprintf(path, sizeof(path), "%s/run.args", dir);
	f = fopen(path, "w");
	for (int i = 0; f && i < n; i++)
		fwrite(args[i], 1, strlen(args[i]) + 1, f);
	CHECK(f && fclose(f) == 0);
}

/* A context.csv of a `run -a MODS -w random -t THREADS -r REPS` (REPS a
 * number, or "auto: ..."), and its run.args. */
static void put_context(const char *dir, const char *mods, const char *reps, const char *threads)
{
	const char *args[] = {"-a", mods, "-w", "random", "-t", threads, "-r", reps, "-o", "x"};
	char text[1024];
	int n = snprintf(text, sizeof(text), "key,value\nresults_format,2\nrepetitions,%s\n", reps);
	for (const char *m = mods; *m; m += strcspn(m, ",") + (m[strcspn(m, ",")] == ','))
		n += snprintf(text + n, sizeof(text) - (size_t)n, "module,%.*s\n",
		              (int)strcspn(m, ","), m);
	snprintf(text + n, sizeof(text) - (size_t)n,
	         "workload,random\ncommand,\"run -a %s -w random -t %s -r %s -o x\"\n", mods,
	         threads, reps);
	put(dir, "context.csv", text);
	put_args(dir, args, 10);
}

/* The paragraph of report.md that starts with START, into out ("" when
 * there is none). */
static void paragraph(const char *md, const char *start, char *out, size_t len)
{
	const char *p = strstr(md, start), *e = p ? strstr(p, "\n\n") : NULL;
	snprintf(out, len, "%.*s", p ? (int)(e ? e - p : (long)strlen(p)) : 0, p ? p : "");
}

/* Five repetitions of glibc on random at 1 thread; the fourth's sampling
 * took 1.7 times the others' (the reviewer's kill9: a repetition the
 * machine disturbed, left out of the medians). */
static const char trials_disturbed[] =
    "trial,rep,module,module_params,workload,workload_params,threads,status,reason,ops,"
    "ns_per_op,ops_per_sec,sampling_ns,samples\n"
    "0,0,glibc,,random,,1,ok,,14140000,15.26,6.5e7,861774,259\n"
    "0,1,glibc,,random,,1,ok,,14140000,15.54,6.4e7,818642,259\n"
    "0,2,glibc,,random,,1,ok,,14140000,15.23,6.5e7,830741,259\n"
    "0,3,glibc,,random,,1,ok,,12120000,17.51,5.7e7,1452347,259\n"
    "0,4,glibc,,random,,1,ok,,14140000,15.36,6.5e7,824898,259\n";

/* 3. After kill -9 between trials the folder has no summary.csv: the
 * report's line on the disturbed repetition must not send the reader
 * to it (the old line: "left out of every median here, as in
 * summary.csv (reps_disturbed)"). */
static void test_disturbed_no_summary(void)
{
	static char md[1 << 18];
	char dir[512], par[2048];
	int rc;
	folder("killed", dir, sizeof(dir));
	put(dir, "trials.csv", trials_disturbed);
	rc = plot(dir, "");
	CHECKF(rc == 0 || (!have_gnuplot && rc == 1), "plot: exit %d: %s", rc, err_text);
	file(dir, "report.md", md, sizeof(md));
	paragraph(md, "5 trial rows", par, sizeof(par));
	CHECKF(strstr(par, "left out of every median") != NULL,
	       "the disturbed repetition is not mentioned: %s", par);
	CHECKF(strstr(par, "as in summary.csv") == NULL && strstr(par, "no summary.csv") != NULL,
	       "the line points to a summary.csv the folder lacks: %s", par);
}

/* 3b. A chart a reader lifts into a paper says how many repetitions its
 * medians rest on and that the disturbed one is in none of its figures:
 * the note read "median of the repetitions; whisker: min..max" of five
 * repetitions while the whisker spanned four, and the latency note's
 * "max: the slowest call of any repetition" left the fifth's out. */
static void test_reps_said(void)
{
	static char svg[1 << 20];
	char dir[512], lat[2048];
	int rc, len;
	if (!drawing_folder("repssaid", "repetitions said", dir, sizeof(dir)))
		return;
	put(dir, "trials.csv", trials_disturbed);
	len = snprintf(lat, sizeof(lat),
	               "trial,rep,module,module_params,workload,workload_params,threads,kind,"
	               "timed_ops,mean_ns,p50_ns,p90_ns,p99_ns,p99_9_ns,p99_99_ns,max_ns\n");
	for (int k = 0; k < 5; k++)
		len += snprintf(lat + len, sizeof(lat) - (size_t)len,
		                "0,%d,glibc,,random,,1,alloc,100,20,10,20,30,40,50,%d\n", k,
		                k == 3 ? 90000 : 60);
	put(dir, "latency.csv", lat);
	rc = plot(dir, "");
	CHECKF(rc == 0, "plot: exit %d: %s", rc, err_text);
	file(dir, "plots/time.svg", svg, sizeof(svg));
	CHECKF(strstr(svg, "median of 4 repetitions; whisker: min..max; 1 disturbed") != NULL,
	       "time: the note does not say 4 repetitions and 1 left out");
	file(dir, "plots/latency-random-alloc.svg", svg, sizeof(svg));
	CHECKF(strstr(svg, "median over 4 repetitions") != NULL &&
	           strstr(svg, "1 disturbed repetition left out") != NULL,
	       "latency: the note does not say 4 repetitions and 1 left out");
}

/* 3c. A sample-path chart draws one repetition per module, not a median
 * like the bars beside it: its note says so and which one (the charts
 * said nothing; only the report's table had a "rep" column). */
static void test_path_rep_said(void)
{
	static char svg[1 << 20];
	char dir[512], ser[4096], hist[2048];
	int rc, ls = 0, lh = 0;
	if (!drawing_folder("pathrep", "sample path's repetition said", dir, sizeof(dir)))
		return;
	put(dir, "trials.csv", trials_disturbed);
	ls = snprintf(ser, sizeof(ser), "trial,rep,sample,ops_done,rss_kib,live_bytes\n");
	lh = snprintf(hist, sizeof(hist),
	              "trial,rep,module,module_params,workload,workload_params,threads,kind,"
	              "bucket_low_ns,bucket_high_ns,count,cum_fraction\n");
	for (int k = 0; k < 5; k++) {
		for (int s = 0; s < 3; s++)
			ls += snprintf(ser + ls, sizeof(ser) - (size_t)ls, "0,%d,%d,%d,%d,%d\n", k,
			               s, s * 1000, 4000 + s * 100 * (k + 1), s * 65536);
		lh += snprintf(hist + lh, sizeof(hist) - (size_t)lh,
		               "0,%d,glibc,,random,,1,alloc,10,15,90,0.9\n"
		               "0,%d,glibc,,random,,1,alloc,100,150,10,1\n",
		               k, k);
	}
	put(dir, "series.csv", ser);
	put(dir, "histogram.csv", hist);
	rc = plot(dir, "");
	CHECKF(rc == 0, "plot: exit %d: %s", rc, err_text);
	file(dir, "plots/rss_ops-random.svg", svg, sizeof(svg));
	CHECKF(strstr(svg, "one repetition per module, not a median of the 4 kept: the first "
	                   "kept, rep 0") != NULL,
	       "rss_ops: the note does not say which repetition it draws");
	file(dir, "plots/latency_tail-random-alloc.svg", svg, sizeof(svg));
	CHECKF(strstr(svg, "one repetition per module, not a median of the 4 kept") != NULL,
	       "latency_tail: the note does not say which repetition it draws");
}

/* 4. An interrupted run says so, and names the groups with fewer
 * repetitions than asked (the reviewer's intr: SIGINT at 21 of 48
 * trials, -r 3, and a report that did not say it was incomplete); so does
 * one killed before summary.csv (kill9: -r 6, 5 of glibc's); a finished
 * run does not. */
static void test_incomplete(void)
{
	static char md[1 << 18];
	char dir[512], par[4096], row[16][64];
	const char *charts;
	int rc, n;
	/* -r 3 -t 1,2: glibc at 2 threads has 1, jemalloc none */
	folder("intr", dir, sizeof(dir));
	put_context(dir, "glibc,jemalloc", "3", "1,2");
	put(dir, "trials.csv",
	    "trial,rep,module,module_params,workload,workload_params,threads,status,reason,ops,"
	    "ns_per_op,ops_per_sec\n"
	    "0,0,glibc,,random,,1,ok,,1000,10,1e8\n"
	    "1,0,jemalloc,,random,,1,ok,,1000,8,1.2e8\n"
	    "2,0,glibc,,random,,2,ok,,1000,11,1.8e8\n"
	    "0,1,glibc,,random,,1,ok,,1000,10,1e8\n"
	    "1,1,jemalloc,,random,,1,ok,,1000,8,1.2e8\n"
	    "0,2,glibc,,random,,1,ok,,1000,10,1e8\n"
	    "1,2,jemalloc,,random,,1,ok,,1000,8,1.2e8\n");
	put(dir, "summary.csv", "module,module_params,workload,workload_params,threads,reps_ok\n");
	rc = plot(dir, "");
	CHECKF(rc == 0 || (!have_gnuplot && rc == 1), "plot: exit %d: %s", rc, err_text);
	file(dir, "report.md", md, sizeof(md));
	paragraph(md, "**The run is incomplete", par, sizeof(par));
	charts = strstr(md, "\n## Charts\n");
	CHECKF(*par && charts && strstr(md, par) < charts,
	       "report.md does not say up front that the run is incomplete:\n%.800s", md);
	CHECKF(strstr(par, "2 of its 4") && strstr(par, "fewer repetitions than the 3 asked"), "%s",
	       par);
	n = md_row(md, "glibc | random | 2", row, 16);
	CHECKF(n == 1 && !strcmp(row[0], "1"), "glibc random 2 threads: %d cells, %s", n,
	       n ? row[0] : "not listed");
	n = md_row(md, "jemalloc | random | 2", row, 16);
	CHECKF(n == 1 && !strcmp(row[0], "0"), "jemalloc random 2 threads: %d cells, %s", n,
	       n ? row[0] : "not listed");
	CHECKF(md_row(md, "glibc | random | 1", row, 16) == 0, "glibc at 1 thread is complete");

	/* kill -9: no summary.csv, 5 of 6 at 1 thread, none yet at 4 (a
	 * thread count only the command line names) */
	folder("kill9", dir, sizeof(dir));
	put_context(dir, "glibc", "6", "1,4");
	put(dir, "trials.csv", trials_disturbed);
	rc = plot(dir, "");
	CHECKF(rc == 0 || (!have_gnuplot && rc == 1), "plot: exit %d: %s", rc, err_text);
	file(dir, "report.md", md, sizeof(md));
	paragraph(md, "**The run is incomplete", par, sizeof(par));
	CHECKF(strstr(par, "no summary.csv") && strstr(par, "the 6 asked"), "kill9: '%s'", par);
	n = md_row(md, "glibc | random | 1", row, 16);
	CHECKF(n == 1 && !strcmp(row[0], "5"), "glibc: %d cells, %s", n, n ? row[0] : "");
	n = md_row(md, "glibc | random | 4", row, 16);
	CHECKF(n == 1 && !strcmp(row[0], "0"), "glibc at 4: %d cells, %s", n, n ? row[0] : "");

	/* the thread counts come from run.args, parsed as the run parsed them:
	 * context.csv's command row is shell words (`-o 'y -t 8'`), which a
	 * split on spaces read as -t 8, listing a group at 8 threads that was
	 * never asked; and once resumed the row is `run --resume DIR` */
	folder("argsthreads", dir, sizeof(dir));
	put(dir, "context.csv",
	    "key,value\nresults_format,2\nrepetitions,6\nmodule,glibc\nworkload,random\n"
	    "command,\"run -a glibc -w random -t1,4 -r 6 -o 'y -t 8' --baseline ' "
	    "--threads=16'\"\n");
	{
		const char *args[] = {"-a", "glibc", "-w",     "random",     "-t1,4",        "-r",
		                      "6",  "-o",    "y -t 8", "--baseline", " --threads=16"};
		put_args(dir, args, 11);
	}
	put(dir, "trials.csv", trials_disturbed);
	rc = plot(dir, "");
	CHECKF(rc == 0 || (!have_gnuplot && rc == 1), "plot: exit %d: %s", rc, err_text);
	file(dir, "report.md", md, sizeof(md));
	n = md_row(md, "glibc | random | 4", row, 16);
	CHECKF(n == 1 && !strcmp(row[0], "0"), "args: glibc at 4: %d cells, %s", n,
	       n ? row[0] : "not listed");
	CHECKF(md_row(md, "glibc | random | 8", row, 16) == 0 &&
	           md_row(md, "glibc | random | 16", row, 16) == 0,
	       "args: a group at 8 or 16 threads, which only -o's or --baseline's value names");
	/* resumed: the row has no -t, run.args has */
	folder("argsresumed", dir, sizeof(dir));
	put(dir, "context.csv",
	    "key,value\nresults_format,2\nrepetitions,6\nmodule,glibc\nworkload,random\n"
	    "command,run --resume x\n");
	{
		const char *args[] = {"-a", "glibc", "-w", "random", "--threads", "1,4", "-r", "6"};
		put_args(dir, args, 8);
	}
	put(dir, "trials.csv", trials_disturbed);
	rc = plot(dir, "");
	file(dir, "report.md", md, sizeof(md));
	n = md_row(md, "glibc | random | 4", row, 16);
	CHECKF(n == 1 && !strcmp(row[0], "0"), "resumed: glibc at 4: %d cells, %s", n,
	       n ? row[0] : "not listed");

	/* finished: every group has its 5, summary.csv is there */
	folder("done", dir, sizeof(dir));
	put_context(dir, "glibc", "5", "1");
	put(dir, "trials.csv", trials_disturbed);
	put(dir, "summary.csv", "module,module_params,workload,workload_params,threads,reps_ok\n");
	rc = plot(dir, "");
	file(dir, "report.md", md, sizeof(md));
	CHECKF(strstr(md, "incomplete") == NULL, "a finished run called incomplete:\n%.600s", md);
}

/* Whether files A and B have the same bytes (both readable). */
static int same_file(const char *a, const char *b)
{
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "cmp -s '%s' '%s'", a, b);
	return system(cmd) == 0;
}

/* 5. Plotting a folder again gives the same files: the PDFs too (they
 * carried the time of drawing, /CreationDate, and differed on every
 * re-plot while PNG, SVG, .dat, .md and .tex did not), and report.md and
 * report.html whether DIR is typed relative or absolute (the title had
 * DIR as typed: "allocscope report: ./replot/" against the full path). */
static void test_replot_same(void)
{
	char dir[512], cmd[2048], a[1024], b[1024];
	int rc;
	folder("replot", dir, sizeof(dir));
	put(dir, "trials.csv", trials_disturbed);
	/* relative, from the parent folder */
	snprintf(cmd, sizeof(cmd),
	         "cd '%s' && CI=1 %s plot ./replot/ --format pdf -q 2>'%s/err.txt' && "
	         "mkdir -p first && cp replot/report.md replot/report.html first/ && "
	         "{ cp replot/plots/time.pdf first/ 2>/dev/null || true; }",
	         tmp, cli, tmp);
	rc = system(cmd);
	CHECKF(rc == 0 || !have_gnuplot, "first plot: %d", rc);
	sleep(1); /* a date to the second would differ now */
	snprintf(cmd, sizeof(cmd), "CI=1 %s plot '%s' --format pdf -q 2>'%s/err.txt'", cli, dir,
	         tmp);
	rc = system(cmd);
	CHECKF(rc == 0 || !have_gnuplot, "second plot: %d", rc);
	for (int k = 0; k < 3; k++) {
		static const char *f[] = {"report.md", "report.html", "plots/time.pdf"};
		if (k == 2 && !have_gnuplot) {
			as_check_skip_case("PDF: no gnuplot");
			break;
		}
		snprintf(a, sizeof(a), "%s/first/%s", tmp, strrchr(f[k], '/') ? "time.pdf" : f[k]);
		snprintf(b, sizeof(b), "%s/%s", dir, f[k]);
		CHECKF(same_file(a, b), "%s differs between two plots of one folder", f[k]);
	}
}

int main(void)
{
	if (plot_fixture_start("test_plot_notes") != 0)
		return 1;

	test_scaling_note();
	test_no_value_note();
	test_below_zero();
	test_threads_said();
	test_flat_tail_said();
	test_unshown_said();
	test_sweep_unshown_said();
	test_only_failed();
	test_disturbed_no_summary();
	test_reps_said();
	test_path_rep_said();
	test_incomplete();
	test_replot_same();

	return plot_fixture_end();
}
