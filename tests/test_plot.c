/* test_plot.c - `allocscope plot` end to end on the committed fixture
 * (tests/fixtures/results-small, synthetic numbers in the measurement
 * schema, one crashed trial): every chart kind with data is drawn as valid
 * PNG (1x, 2x), SVG and PDF, the report lists the failed trial, the CSVs are
 * not modified; a folder with only trials.csv still plots what it can; a
 * suite folder gets one report; series/latency/histogram keyed by split
 * module/workload columns plot the same as joined ones; gnuplot missing, a non-results folder and a
 * bad --format give the documented exit codes. Also plots a real tiny run. */
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

/* Under AddressSanitizer (AS_UNDER_ASAN, check.h) a worker's memory
 * sampling walks the sanitizer's shadow mappings and a tiny run takes
 * minutes: the real-run part is left to the plain build there. */

static const char *cli, *src;
static char tmp[256];
static char out_text[65536], err_text[65536];

static size_t slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, len - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose(f);
	return n;
}

/* Run `ENV allocscope plot ARGS`; returns the exit code, output captured. */
static int run(const char *env, const char *args)
{
	char cmd[8192], p[512];
	int rc;
	snprintf(cmd, sizeof(cmd), "CI=1 %s %s plot %s >%s/out.txt 2>%s/err.txt", env, cli, args,
	         tmp, tmp);
	rc = system(cmd);
	snprintf(p, sizeof(p), "%s/out.txt", tmp);
	slurp(p, out_text, sizeof(out_text));
	snprintf(p, sizeof(p), "%s/err.txt", tmp);
	slurp(p, err_text, sizeof(err_text));
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static int sh(const char *fmt, const char *a, const char *b)
{
	char cmd[4096];
	snprintf(cmd, sizeof(cmd), fmt, a, b);
	return system(cmd);
}

static unsigned png_width(const unsigned char *b)
{
	return (unsigned)b[16] << 24 | (unsigned)b[17] << 16 | (unsigned)b[18] << 8 | b[19];
}

/* Check that chart NAME exists in DIR as PNG (1x, 2x at twice the width),
 * SVG and PDF, each with the right signature. */
static void check_chart(const char *dir, const char *name)
{
	static char buf[1 << 20];
	char p[1024];
	unsigned w1 = 0;
	size_t n;

	snprintf(p, sizeof(p), "%s/%s.png", dir, name);
	n = slurp(p, buf, sizeof(buf));
	CHECKF(n > 1000 && !memcmp(buf, "\x89PNG\r\n\x1a\n", 8), "%s: not a PNG (%zu bytes)", p, n);
	if (n > 24)
		w1 = png_width((unsigned char *)buf);
	snprintf(p, sizeof(p), "%s/%s@2x.png", dir, name);
	n = slurp(p, buf, sizeof(buf));
	CHECKF(n > 1000 && !memcmp(buf, "\x89PNG\r\n\x1a\n", 8), "%s: not a PNG", p);
	CHECKF(n > 24 && png_width((unsigned char *)buf) == 2 * w1, "%s: width %u, 1x is %u", p,
	       n > 24 ? png_width((unsigned char *)buf) : 0, w1);
	snprintf(p, sizeof(p), "%s/%s.svg", dir, name);
	n = slurp(p, buf, sizeof(buf));
	CHECKF(n > 1000 && strstr(buf, "<svg") && strstr(buf, "</svg>"), "%s: not an SVG", p);
	snprintf(p, sizeof(p), "%s/%s.pdf", dir, name);
	n = slurp(p, buf, sizeof(buf));
	CHECKF(n > 1000 && !memcmp(buf, "%PDF", 4), "%s: not a PDF", p);
}

/* The legend entries of gnuplot SVG text BUF, into leg (at most max):
 * a series with a title opens its group (<g id="gnuplot_plot_N">) with
 * its key text before its first path. Labels, notes under a chart and
 * panel titles are not in such a group. Returns the number of entries. */
static int svg_legend(const char *buf, char leg[][128], int max)
{
	int n = 0;
	for (const char *p = buf; (p = strstr(p, "<g id=\"gnuplot_plot_")) != NULL && n < max;
	     p++) {
		const char *t = strstr(p, "<text>"), *path = strstr(p, "<path");
		const char *next = strstr(p + 1, "<g id=\"gnuplot_plot_");
		if (t && (!path || t < path) && (!next || t < next) &&
		    sscanf(t, "<text>%127[^<]</text>", leg[n]) == 1)
			n++;
	}
	return n;
}

/* An empty group in the gnuplot data file PATH of a bar chart: a category
 * row ("label" then the series' median, min, max) in which no series has
 * a value other than 0 or NaN (the empty mremap/mprotect groups).
 * Returns 1 and the label in out when there is one, 0 when not (or the
 * file is not a bar chart's). */
static int dat_empty_group(const char *path, char *out, size_t len)
{
	char line[8192];
	FILE *f = fopen(path, "r");
	int found = 0;
	while (f && !found && fgets(line, sizeof(line), f)) {
		char *p = line[0] == '"' ? strchr(line + 1, '"') : NULL, *end;
		int nums = 0, zero = 1;
		if (!p)
			continue;
		for (p++;; p = end) {
			double v = strtod(p, &end);
			if (end == p)
				break;
			nums++;
			zero &= v == 0 || isnan(v);
		}
		if (nums > 0 && zero) {
			snprintf(out, len, "%.*s", (int)(strchr(line + 1, '"') - line - 1),
			         line + 1);
			found = 1;
		}
	}
	if (f)
		fclose(f);
	return found;
}

/* Series hidden under others in the gnuplot data file PATH of a line
 * chart: the data sets (separated by two blank lines; comment lines left
 * out) that equal an earlier one point for point. Returns how many, and
 * in *nsets the number of data sets (0 for a bar chart's file). */
static int dat_hidden(const char *path, int *nsets)
{
	static char set[64][1 << 14];
	char line[4096];
	int n = 0, blank = 2, same = 0;
	FILE *f = fopen(path, "r");
	*nsets = 0;
	while (f && fgets(line, sizeof(line), f)) {
		if (line[0] == '"') {
			n = 0; /* a bar chart: categories, not series */
			break;
		}
		if (line[0] == '\n') {
			blank++;
			continue;
		}
		if (blank >= 2) {
			if (n == 64)
				break;
			set[n++][0] = '\0';
		}
		blank = 0;
		if (line[0] != '#' && strlen(set[n - 1]) + strlen(line) < sizeof(set[0]))
			strcat(set[n - 1], line);
	}
	if (f)
		fclose(f);
	for (int j = 0; j < n; j++)
		for (int i = 0; i < j; i++)
			if (set[j][0] && !strcmp(set[i], set[j])) {
				same++;
				break;
			}
	*nsets = n;
	return same;
}

/* Whether NEEDLE occurs in P before END. */
static int before(const char *p, const char *needle, const char *end)
{
	const char *q = strstr(p, needle);
	return q && q < end;
}

/* The chart check: in every SVG of DIR, the tick labels of one axis (the
 * labels at one height under a panel, or at one x beside it) are unique
 * and carry no sub-unit prefix ("100m" under "million ops/s") and x tick
 * labels do not run into each other, the
 * legend has unique entries, at most 16; a bar chart's data (DIR/data/
 * NAME.dat) has no empty group, and a line chart's series drawn exactly
 * under another one is named so in the legend. Returns the charts
 * checked. */
static int check_svgs(const char *dir)
{
	char cmd[1024], name[512];
	FILE *ls;
	int n = 0;
	snprintf(cmd, sizeof(cmd), "ls '%s' | grep '\\.svg$'", dir);
	ls = popen(cmd, "r");
	while (ls && fgets(name, sizeof(name), ls)) {
		static char buf[4 << 20];
		char path[1024], lab[512][64], leg[64][128];
		double key[512], pos[512], wid[512];
		int axis[512], grp[512], nl = 0, ng = 0;
		const char *p;
		name[strcspn(name, "\n")] = '\0';
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		slurp(path, buf, sizeof(buf));
		n++;
		for (p = buf; (p = strstr(p, "d='M")) != NULL && nl < 512; p++) {
			double x1, y1, x2, y2, tx, ty;
			char t[64] = "";
			const char *g = strstr(p, "\n"), *end = strstr(p, "\n</g>"), *tt, *tt0;
			if (sscanf(p, "d='M%lf,%lf L%lf,%lf  '/>", &x1, &y1, &x2, &y2) != 4 || !g ||
			    !end)
				continue;
			/* a tick mark is followed by its label on the same line; a
			 * label of several lines is several texts before the </g> */
			tt = tt0 = strstr(p, "<g transform=\"translate(");
			if (!tt || tt > g ||
			    sscanf(tt, "<g transform=\"translate(%lf,%lf)", &tx, &ty) != 2)
				continue;
			while ((tt = strstr(tt, "<text>")) != NULL && tt < end) {
				char line[64];
				if (sscanf(tt, "<text>%63[^<]</text>", line) == 1)
					snprintf(t + strlen(t), sizeof(t) - strlen(t), "%s%s",
					         *t ? "/" : "", line + strspn(line, " "));
				tt++;
			}
			if (!*t)
				continue;
			{
				/* its width: the longest line at about 0.58 em a
				 * character (DejaVu Sans) */
				const char *fsz = strstr(tt0, "font-size=\"");
				double em = fsz && fsz < end ? atof(fsz + 11) : 12;
				size_t longest = 0;
				for (const char *q = t; *q;) {
					size_t l = strcspn(q, "/");
					longest = l > longest ? l : longest;
					q += l + (q[l] == '/');
				}
				wid[nl] = 0.58 * em * (double)longest;
				/* rotated labels (parallel slanted blocks) stand
				 * apart where the x distance times the sine of
				 * the angle exceeds their lines' height */
				{
					const char *rot = strstr(tt0, "rotate(");
					double a;
					if (rot && rot < strstr(tt0, ">") &&
					    sscanf(rot, "rotate(%lf)", &a) == 1 && fabs(a) > 1) {
						int lines = 1;
						for (const char *q = t; *q; q++)
							lines += *q == '/';
						wid[nl] =
						    1.15 * em * lines / sin(fabs(a) * M_PI / 180);
					}
				}
			}
			if (x1 == x2 && y1 != y2) {
				axis[nl] = 0; /* x axis: labels at one height, left to right */
				key[nl] = ty;
				pos[nl] = tx;
			} else if (y1 == y2 && x1 != x2) {
				axis[nl] = 1; /* y axis: at one x, bottom to top */
				key[nl] = tx;
				pos[nl] = -ty;
			} else {
				continue;
			}
			/* a new axis (another panel) where the order breaks */
			grp[nl] = nl == 0 ? 0
			          : axis[nl] == axis[nl - 1] && key[nl] == key[nl - 1] &&
			                  pos[nl] > pos[nl - 1]
			              ? grp[nl - 1]
			              : grp[nl - 1] + 1;
			snprintf(lab[nl++], sizeof(lab[0]), "%s", t);
		}
		for (int i = 0; i < nl; i++) {
			/* a number with a prefix ("100m"), not a category label
			 * that ends in a size ("threshold/size=1m") */
			size_t l = strlen(lab[i]);
			CHECKF(!(l > 1 && strspn(lab[i], "0123456789.-") == l - 1 &&
			         strchr("mun", lab[i][l - 1])),
			       "%s: tick label '%s' has a sub-unit prefix", path, lab[i]);
			for (int j = i + 1; j < nl; j++)
				CHECKF(grp[i] != grp[j] || strcmp(lab[i], lab[j]),
				       "%s: tick label '%s' twice on one axis", path, lab[i]);
			/* x tick labels (centred) that run into the next one */
			CHECKF(i == 0 || axis[i] || grp[i] != grp[i - 1] ||
			           pos[i] - pos[i - 1] >= (wid[i] + wid[i - 1]) / 2,
			       "%s: x tick labels '%s' and '%s' overlap", path, lab[i - 1], lab[i]);
		}
		{
			char dat[1024], grp0[256];
			snprintf(dat, sizeof(dat), "%s/data/%.*s.dat", dir, (int)(strlen(name) - 4),
			         name);
			CHECKF(!dat_empty_group(dat, grp0, sizeof(grp0)),
			       "%s: group '%s' is empty (no series has a value)", path, grp0);
		}
		{
			/* a one-panel chart's plot (its border: left and bottom,
			 * border 3) takes most of the canvas: a legend of long
			 * labels at the right once left it a strip of 220 of 900
			 * px, the title centred over it cut off at the left */
			double w = 0, x1, y1, x2, y2, x3, y3, x4, y4, x5, y5;
			const char *b = strstr(buf, " width=\"");
			if (b)
				w = atof(b + 8);
			for (p = buf; (p = strstr(p, "d='M")) != NULL; p++)
				if (!strstr(name, "heap_mmap") && !strstr(name, "sweep") &&
				    sscanf(p, "d='M%lf,%lf L%lf,%lf L%lf,%lf M%lf,%lf M%lf,%lf  '",
				           &x1, &y1, &x2, &y2, &x3, &y3, &x4, &y4, &x5,
				           &y5) == 10 &&
				    x1 == x2 && y2 == y3 && x4 == x3 && x5 == x1 && y4 == y1)
					CHECKF(x3 - x1 >= 0.5 * w,
					       "%s: the plot is %.0f px wide of the chart's %.0f",
					       path, x3 - x1, w);
		}
		{
			/* every unrotated text inside the canvas, at a narrow 0.5
			 * em a character (DejaVu Sans averages 0.55 and more): the
			 * sweep's legend of long labels ran past its right edge,
			 * two variants of refmalloc both cut to "refmalloc:mmap" */
			double w = 0;
			const char *b = strstr(buf, " width=\"");
			if (b)
				w = atof(b + 8);
			for (p = buf; (p = strstr(p, "<g transform=\"translate(")) != NULL; p++) {
				double tx, ty, em;
				const char *gt = strchr(p, '>'),
				           *tx0 = gt ? strstr(gt, "<text>") : NULL;
				char t[512];
				double len;
				if (!gt || !tx0 || before(p, "rotate(", gt) ||
				    !before(p, "font-size=\"", gt) || strchr(gt + 1, '<') != tx0 ||
				    sscanf(p, "<g transform=\"translate(%lf,%lf)", &tx, &ty) != 2 ||
				    sscanf(tx0, "<text>%511[^<]</text>", t) != 1)
					continue;
				em = atof(strstr(p, "font-size=\"") + 11);
				len = (double)strlen(t);
				if (before(p, "text-anchor=\"middle\"", gt))
					CHECKF(tx - 0.25 * em * len >= -1 &&
					           tx + 0.25 * em * len <= w + 1,
					       "%s: text '%s' runs off the chart", path, t);
				else if (before(p, "text-anchor=\"start\"", gt))
					CHECKF(tx + 0.5 * em * len <= w + 1,
					       "%s: text '%s' runs off the chart's right edge",
					       path, t);
			}
		}
		/* legend entries (not the fixed legend of the per-module panels
		 * of heap_mmap, which repeats in every panel) */
		if (strstr(name, "heap_mmap"))
			continue;
		ng = svg_legend(buf, leg, 64);
		for (int i = 0; i < ng; i++)
			for (int j = i + 1; j < ng; j++)
				CHECKF(strcmp(leg[i], leg[j]), "%s: legend entry '%s' twice", path,
				       leg[i]);
		CHECKF(ng <= 16, "%s: %d legend entries, more than a chart can show", path, ng);
		{
			/* one data set per legend entry: a series equal to an
			 * earlier one is drawn under it, its entry must say so */
			char dat[1024];
			int nsets, said = 0, hidden;
			snprintf(dat, sizeof(dat), "%s/data/%.*s.dat", dir, (int)(strlen(name) - 4),
			         name);
			hidden = dat_hidden(dat, &nsets);
			for (int i = 0; i < ng; i++)
				said += strstr(leg[i], "(same as ") != NULL;
			CHECKF(nsets != ng || hidden <= said,
			       "%s: %d series hidden under others, %d legend entries say so", path,
			       hidden, said);
		}
	}
	if (ls)
		pclose(ls);
	return n;
}

/* Copy the fixture to DIR, run the python3 script PY in the copy (it
 * edits the CSVs), plot it as SVG with every chart kind and run the chart
 * check on its plots/ (WHAT names the case in messages). */
static void plot_edited(const char *dir, const char *py, const char *what, int min_charts)
{
	static char cmd[16384];
	char plots[600];
	int rc;
	sh("cp -r '%s/tests/fixtures/results-small' '%s'", src, dir);
	snprintf(cmd, sizeof(cmd), "cd '%s' && python3 - <<'EOF'\n%sEOF", dir, py);
	CHECKF(system(cmd) == 0, "%s: python3 edits the fixture copy", what);
	snprintf(cmd, sizeof(cmd), "%s --format svg --all-charts", dir);
	rc = run("", cmd);
	CHECKF(rc == 0, "%s: plot exit %d: %s", what, rc, err_text);
	snprintf(plots, sizeof(plots), "%s/plots", dir);
	CHECKF(check_svgs(plots) >= min_charts, "%s: the charts pass the chart check", what);
}

static int exists(const char *dir, const char *name)
{
	char p[1024];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return access(p, F_OK) == 0;
}

/* Concatenation of the results CSVs, to prove plot leaves them alone. */
static void csv_snapshot(const char *dir, char *buf, size_t len)
{
	static const char *files[] = {"trials.csv", "context.csv", "series.csv", "latency.csv",
	                              "histogram.csv"};
	size_t w = 0;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]) && w < len; i++) {
		char p[1024];
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		w += slurp(p, buf + w, len - w);
	}
}

/* Rewrite DIR/NAME's key columns from the joined form (module,
 * workload = "NAME:params") to the split form (module, module_params,
 * workload, workload_params), as trials.csv has them; the fixture's first
 * three fields never hold commas, the workload is quoted when it does. */
static int split_keys(const char *dir, const char *name)
{
	char in[1024], out[1100], line[4096];
	FILE *fi, *fo;
	int first = 1;
	snprintf(in, sizeof(in), "%s/%s", dir, name);
	snprintf(out, sizeof(out), "%s/%s.new", dir, name);
	fi = fopen(in, "r");
	fo = fopen(out, "w");
	if (!fi || !fo)
		return -1;
	while (fgets(line, sizeof(line), fi)) {
		char *p = line, *w, *end, *colon;
		for (int k = 0; k < 3; k++)
			p = strchr(p, ',') + 1;
		fwrite(line, 1, (size_t)(p - line), fo);
		if (first) {
			fprintf(fo, "module_params,workload,workload_params%s", strchr(p, ','));
			first = 0;
			continue;
		}
		w = p + (*p == '"');
		end = *p == '"' ? strchr(w, '"') : strchr(w, ',');
		colon = memchr(w, ':', (size_t)(end - w));
		fprintf(fo, ",%.*s,\"%.*s\"%s", (int)((colon ? colon : end) - w), w,
		        colon ? (int)(end - colon - 1) : 0, colon ? colon + 1 : "",
		        end + (*p == '"'));
	}
	fclose(fi);
	fclose(fo);
	return rename(out, in);
}

int main(void)
{
	static char report[1 << 20], before[4 << 20], after[4 << 20];
	char run_dir[512], plots[600], path[700], args[2048];
	int rc;

	/* ALLOCSCOPE_CHART_CHECK_DIR=DIR: only the chart check, on every
	 * plots/ folder under DIR (e.g. a whole default suite plotted with
	 * --format svg --all-charts) */
	if (getenv("ALLOCSCOPE_CHART_CHECK_DIR")) {
		FILE *f;
		int n = 0;
		snprintf(args, sizeof(args), "find '%s' -type d -name plots",
		         getenv("ALLOCSCOPE_CHART_CHECK_DIR"));
		f = popen(args, "r");
		while (f && fgets(path, sizeof(path), f)) {
			path[strcspn(path, "\n")] = '\0';
			n += check_svgs(path);
		}
		if (f)
			pclose(f);
		printf("chart check: %d SVG charts\n", n);
		CHECKF(n > 0, "no SVG charts under %s", getenv("ALLOCSCOPE_CHART_CHECK_DIR"));
		return as_check_done();
	}
	cli = getenv("ALLOCSCOPE");
	src = getenv("ALLOCSCOPE_SOURCE");
	if (!cli || !src) {
		fprintf(stderr, "test_plot: run through ctest (ALLOCSCOPE, ALLOCSCOPE_SOURCE)\n");
		return 1;
	}
	snprintf(tmp, sizeof(tmp), "/tmp/as_test_plot.XXXXXX");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}

	/* 1. the fixture: every chart kind it has data for, in every format */
	snprintf(run_dir, sizeof(run_dir), "%s/run", tmp);
	sh("cp -r '%s/tests/fixtures/results-small' '%s'", src, run_dir);
	csv_snapshot(run_dir, before, sizeof(before));
	snprintf(args, sizeof(args), "%s --format all --all-charts", run_dir);
	rc = run("", args);
	CHECKF(rc == 0, "plot fixture: exit %d: %s", rc, err_text);
	snprintf(plots, sizeof(plots), "%s/plots", run_dir);
	{
		/* charts are named by kind and workload (shortest label that tells
		 * the run's workloads apart), never by an index */
		static const char *charts[] = {
		    "time",
		    "throughput",
		    "latency-synth-1t-alloc",
		    "latency-synth-1t-free",
		    "latency-synth-2t-alloc",
		    "latency_tail-synth-1t-alloc",
		    "rss_ops-synth-1t",
		    "rss_time-synth-1t",
		    "heap_mmap-synth-1t",
		    "syscalls-synth-1t",
		    "syscalls-synth-2t",
		    "syscalls_cum-synth-1t",
		    "metadata",
		    "scaling-synth",
		    "sweep-threshold",
		};
		for (size_t i = 0; i < sizeof(charts) / sizeof(charts[0]); i++)
			check_chart(plots, charts[i]);
		CHECKF(check_svgs(plots) >= (int)(sizeof(charts) / sizeof(charts[0])),
		       "every chart passes the chart check");
	}
	CHECKF(strstr(out_text, "report.md") != NULL, "plot prints the report path: %s", out_text);
	snprintf(path, sizeof(path), "%s/report.md", run_dir);
	slurp(path, report, sizeof(report));
	CHECKF(strstr(report, "## Context") && strstr(report, "synthetic fixture"),
	       "report has the context");
	CHECKF(strstr(report, "Failed and skipped trials") &&
	           strstr(report, "worker died on signal 11"),
	       "report lists the crashed trial with its reason");
	CHECKF(strstr(report, "![Time per op per module and workload](plots/time.png)") != NULL,
	       "report embeds the time chart");
	CHECKF(strstr(report, "| synth, 2 threads | mimalloc | 1 |") != NULL,
	       "the crashed repetition is left out of the table (1 rep ok)");
	CHECKF(strstr(report, "threshold: run at several sizes") != NULL,
	       "per-size charts of the sweep are explained");
	{
		/* the sweep's time panel: free's median latency (latency.csv:
		 * 224 ns under, 1680 ns from 128 KiB up), not the time per op,
		 * which is writing pages (400, 3000 ns) */
		static char dat[1 << 16], svg[1 << 20];
		snprintf(path, sizeof(path), "%s/data/sweep-threshold.dat", plots);
		slurp(path, dat, sizeof(dat));
		CHECKF(
		    strstr(dat,
		           "# glibc\n65536\t400\t0\t20\t20\t224\n131072\t3000\t128\t0\t20\t1680\n"),
		    "sweep data: free p50 per size: %s", dat);
		snprintf(path, sizeof(path), "%s/sweep-threshold.svg", plots);
		slurp(path, svg, sizeof(svg));
		CHECKF(strstr(svg, "free: median latency (ns") != NULL,
		       "the sweep's time panel is free's cost");
	}
	csv_snapshot(run_dir, after, sizeof(after));
	CHECKF(!strcmp(before, after), "plot must not modify the results CSVs");

	/* 1b. the same with series/latency/histogram keyed by split columns
	 * (module, module_params, workload, workload_params): plot takes a
	 * row's identity from trials.csv through (trial, rep), so the charts'
	 * data and the report come out the same */
	{
		static char report2[1 << 20];
		char split[512], cmd[2048];
		snprintf(split, sizeof(split), "%s/split", tmp);
		sh("cp -r '%s/tests/fixtures/results-small' '%s'", src, split);
		CHECK(split_keys(split, "series.csv") == 0 &&
		      split_keys(split, "latency.csv") == 0 &&
		      split_keys(split, "histogram.csv") == 0);
		snprintf(cmd, sizeof(cmd), "%s --format all --all-charts", split);
		rc = run("", cmd);
		CHECKF(rc == 0, "plot split keys: exit %d: %s", rc, err_text);
		snprintf(path, sizeof(path), "%s/report.md", run_dir);
		slurp(path, report, sizeof(report));
		snprintf(path, sizeof(path), "%s/report.md", split);
		slurp(path, report2, sizeof(report2));
		/* past the first line, which names the folder */
		CHECKF(strchr(report, '\n') && strchr(report2, '\n') &&
		           !strcmp(strchr(report, '\n'), strchr(report2, '\n')),
		       "split key columns: the report differs from the joined one");
		snprintf(cmd, sizeof(cmd), "diff -r '%s/plots/data' '%s/plots/data' >/dev/null",
		         run_dir, split);
		CHECKF(system(cmd) == 0, "split key columns: the chart data files differ");
	}

	/* 1e. the chart check on data that used to break tick labels: sample
	 * paths up to 1.5 million ops ("1M, 2M, 2M" on the x axis) and a
	 * throughput spanning 0.05 to 50 million ops/s ("10m" under "million
	 * ops/s"); two param variants of one module (distinct legend labels) */
	snprintf(run_dir, sizeof(run_dir), "%s/ticks", tmp);
	plot_edited(
	    run_dir,
	    "import csv\n"
	    "def edit(name, fn):\n"
	    "    rows = list(csv.DictReader(open(name)))\n"
	    "    head = list(rows[0].keys())\n"
	    "    for r in rows: fn(r)\n"
	    "    w = csv.DictWriter(open(name, 'w', newline=''), head, lineterminator='\\n')\n"
	    "    w.writeheader(); w.writerows(rows)\n"
	    "def ops(r): r['ops_done'] = str(int(r['ops_done']) * 75)\n"
	    "def thr(r):\n"
	    "    if r['module'] == 'null': r['ops_per_sec'] = str(float(r['ops_per_sec']) / 1000)\n"
	    "    if r['module'] == 'mimalloc': r['module'] = 'glibc'; r['module_params'] = "
	    "'mmap_threshold=64k'\n"
	    "edit('series.csv', ops)\n"
	    "edit('trials.csv', thr)\n",
	    "edited fixture", 10);
	snprintf(plots, sizeof(plots), "%s/plots", run_dir);
	{
		static char svg[1 << 20];
		snprintf(path, sizeof(path), "%s/rss_ops-synth-1t.svg", plots);
		slurp(path, svg, sizeof(svg));
		CHECKF(strstr(svg, "ops completed (millions)") && strstr(svg, "<text> 1.2</text>"),
		       "rss_ops: ops in millions, plain ticks");
		snprintf(path, sizeof(path), "%s/throughput.svg", plots);
		slurp(path, svg, sizeof(svg));
		CHECKF(strstr(svg, "<text>0.1</text>") && strstr(svg, "million ops/s, log scale"),
		       "throughput: plain numbers on its log axis");
		CHECKF(strstr(svg, "<text>glibc</text>") &&
		           strstr(svg, "<text>glibc:mmap_threshold=64k</text>"),
		       "variants of one module keep distinct labels");
		CHECKF(strstr(svg, "whisker: min..max") != NULL, "the whiskers are explained");
	}

	/* 1f. long module labels (a module's params, as `-a
	 * glibc:mmap_threshold=64k,...` gives them) move the legend off the
	 * plot's right: the chart check above finds a plot squeezed to a strip
	 * (every chart of one panel) */
	snprintf(run_dir, sizeof(run_dir), "%s/longlabels", tmp);
	plot_edited(
	    run_dir,
	    "import csv\n"
	    "for name in ['trials.csv']:\n"
	    "    rows = list(csv.DictReader(open(name)))\n"
	    "    head = list(rows[0].keys())\n"
	    "    for r in rows:\n"
	    "        if r['module'] == 'glibc': r['module_params'] = "
	    "'mmap_threshold=65536,trim_threshold=1048576,top_pad=0'\n"
	    "        if r['module'] == 'mimalloc': r['module'] = 'glibc'; r['module_params'] = "
	    "'mmap_threshold=262144,trim_threshold=4194304,top_pad=1048576'\n"
	    "    w = csv.DictWriter(open(name, 'w', newline=''), head, lineterminator='\\n')\n"
	    "    w.writeheader(); w.writerows(rows)\n",
	    "long labels", 10);

	/* 1g. thread counts far apart (-t 1,64): the scaling chart's ticks are
	 * the counts run, not one a thread from -2 to 67 (the chart check
	 * finds them running into each other), on a log x axis said so */
	snprintf(run_dir, sizeof(run_dir), "%s/threads64", tmp);
	plot_edited(run_dir,
	            "import csv\n"
	            "rows = list(csv.DictReader(open('trials.csv')))\n"
	            "head = list(rows[0].keys())\n"
	            "for r in rows:\n"
	            "    if r['threads'] == '2': r['threads'] = '64'\n"
	            "w = csv.DictWriter(open('trials.csv', 'w', newline=''), head, "
	            "lineterminator='\\n')\n"
	            "w.writeheader(); w.writerows(rows)\n",
	            "64 threads", 10);
	{
		static char svg[1 << 20];
		snprintf(path, sizeof(path), "%s/plots/scaling-synth.svg", run_dir);
		slurp(path, svg, sizeof(svg));
		CHECKF(strstr(svg, "<text> 64</text>") && strstr(svg, "threads (log scale)"),
		       "scaling: a tick at 64 threads on a log x axis said so");
	}

	/* 1i. the default suite's threshold sweep: ten modules, each run with
	 * and without prime=1m (20 series: a legend of 20 entries), sizes
	 * from 4 KiB to 1 MiB. One
	 * panel column per variant, one line per module: the legend names the
	 * ten modules once, the columns say which variant they show. */
	snprintf(run_dir, sizeof(run_dir), "%s/prime", tmp);
	plot_edited(
	    run_dir,
	    "import csv\n"
	    "rows = list(csv.DictReader(open('trials.csv')))\n"
	    "head = list(rows[0].keys())\n"
	    "thr = [r for r in rows if r['workload'] == 'threshold' and r['module'] == 'glibc']\n"
	    "t = max(int(r['trial']) for r in rows) + 1\n"
	    "mods = ['glibc', 'refmalloc', 'bump', 'pool', 'freelist', 'arena', 'jemalloc',\n"
	    "        'tcmalloc', 'mimalloc', 'null']\n"
	    "four = [dict(r, workload_params='size=4k') for r in thr\n"
	    "        if r['workload_params'] == 'size=64k']\n"
	    "for prime in ['', ',prime=1m']:\n"
	    "    for m in mods:\n"
	    "        old = m in ('glibc', 'mimalloc', 'null') and not prime\n"
	    "        for r in (four if old else thr + four):\n"
	    "            n = dict(r); n['module'] = m; n['trial'] = str(t + int(r['rep']))\n"
	    "            n['workload_params'] += prime; rows.append(n)\n"
	    "            if r['rep'] == '1': t += 2\n"
	    "w = csv.DictWriter(open('trials.csv', 'w', newline=''), head, lineterminator='\\n')\n"
	    "w.writeheader(); w.writerows(rows)\n",
	    "sweep with variants", 10);
	snprintf(plots, sizeof(plots), "%s/plots", run_dir);
	{
		static char svg[1 << 20], dat[1 << 16];
		snprintf(path, sizeof(path), "%s/sweep-threshold.svg", plots);
		slurp(path, svg, sizeof(svg));
		CHECKF(strstr(svg, "<text>no prime</text>") && strstr(svg, "<text>prime=1m</text>"),
		       "sweep: one panel column per variant, titled");
		CHECKF(strstr(svg, "<text>tcmalloc</text>") &&
		           !strstr(svg, "<text>tcmalloc prime=1m</text>"),
		       "sweep: the legend names the modules, not module x variant");
		{
			char leg[64][128];
			int ng = svg_legend(svg, leg, 64);
			CHECKF(ng == 10, "sweep: %d legend entries, 10 modules", ng);
		}
		snprintf(path, sizeof(path), "%s/data/sweep-threshold.dat", plots);
		slurp(path, dat, sizeof(dat));
		CHECKF(strstr(dat, "# tcmalloc prime=1m\n4096\t") &&
		           strstr(dat, "# tcmalloc\n4096\t"),
		       "sweep data: a block per module and variant: %s", dat);
	}
	/* 1j. the suite's threshold scenario runs its trials side by side
	 * (--jobs 2): no time. The sweep then has no time row (until session
	 * 19 an empty one, its axis 0-1), and its note says why */
	char udir[600];
	snprintf(udir, sizeof(udir), "%s/untimed", tmp);
	plot_edited(udir,
	            "import csv, os\n"
	            "rows = list(csv.DictReader(open('trials.csv')))\n"
	            "head = list(rows[0].keys())\n"
	            "thr = [r for r in rows if r['workload'] == 'threshold']\n"
	            "t = max(int(r['trial']) for r in rows) + 1\n"
	            "for sz in ['4k', '16k']:\n"
	            "    for r in thr:\n"
	            "        n = dict(r); n['workload_params'] = 'size=' + sz\n"
	            "        n['trial'] = str(t + int(r['rep'])); rows.append(n)\n"
	            "    t += 2\n"
	            "for r in rows:\n"
	            "    r['ns_per_op'] = r['ops_per_sec'] = ''\n"
	            "os.remove('latency.csv'); os.remove('histogram.csv')\n"
	            "w = csv.DictWriter(open('trials.csv', 'w', newline=''), head, "
	            "lineterminator='\\n')\n"
	            "w.writeheader(); w.writerows(rows)\n",
	            "untimed sweep", 5);
	{
		static char svg[1 << 20];
		snprintf(path, sizeof(path), "%s/plots/sweep-threshold.svg", udir);
		slurp(path, svg, sizeof(svg));
		CHECKF(svg[0] && !strstr(svg, "time per op") &&
		           !strstr(svg, "free: median latency") && strstr(svg, "mmap calls") &&
		           strstr(svg, "no time row"),
		       "untimed sweep: no time row, the note says why");
	}
	{
		/* at blog width (--width 700) the sweep's x tick labels still
		 * stand apart (a tick every 16x where a panel is narrow); so do
		 * the bar charts' ten categories of one workload: the name and
		 * the key every category sets go to the axis label, a size
		 * reads "4 KiB", the legend goes above the bars */
		static char svg[1 << 20];
		char narrow[700];
		snprintf(args, sizeof(args), "%s --format svg --width 700", run_dir);
		rc = run("", args);
		CHECKF(rc == 0, "plot --width 700: exit %d: %s", rc, err_text);
		snprintf(narrow, sizeof(narrow), "%s/narrow", tmp);
		sh("mkdir -p '%s/data'%s", narrow, "");
		sh("cp '%s/plots/sweep-threshold.svg' '%s'", run_dir, narrow);
		sh("cp '%s/plots/data/sweep-threshold.dat' '%s/data'", run_dir, narrow);
		sh("cp '%s/plots/time.svg' '%s'", run_dir, narrow);
		sh("cp '%s/plots/throughput.svg' '%s'", run_dir, narrow);
		sh("cp '%s/plots/data/time.dat' '%s/data'", run_dir, narrow);
		CHECKF(check_svgs(narrow) == 3,
		       "the sweep and the bars at 700 px pass the chart check");
		snprintf(path, sizeof(path), "%s/plots/time.svg", run_dir);
		slurp(path, svg, sizeof(svg));
		CHECKF(strstr(svg, "<text>threshold, size=4k, prime=1m, 1 thread</text>") &&
		           strstr(svg, " rotate(-40)"),
		       "bars at 700 px: two workloads' labels on one line each, rotated");
	}

	/* 1m. bars of one workload's categories: its name and the key every
	 * category sets go to the x axis label, a size reads "64 KiB" (not
	 * "64k", nor "1m", which reads as milli), a key only some set stays
	 * key=value */
	snprintf(run_dir, sizeof(run_dir), "%s/onewl", tmp);
	plot_edited(
	    run_dir,
	    "import csv\n"
	    "rows = list(csv.DictReader(open('trials.csv')))\n"
	    "head = list(rows[0].keys())\n"
	    "thr = [r for r in rows if r['workload'] == 'threshold' and r['threads'] == '1']\n"
	    "rows = thr + [dict(r, workload_params=r['workload_params'] + ',prime=1m')\n"
	    "              for r in thr]\n"
	    "w = csv.DictWriter(open('trials.csv', 'w', newline=''), head, "
	    "lineterminator='\\n')\n"
	    "w.writeheader(); w.writerows(rows)\n",
	    "one workload", 3);
	{
		static char svg[1 << 20];
		snprintf(path, sizeof(path), "%s/plots/time.svg", run_dir);
		slurp(path, svg, sizeof(svg));
		CHECKF(strstr(svg, "<text>threshold: size</text>") &&
		           strstr(svg, "<text>64 KiB</text>") &&
		           strstr(svg, "<text>prime=1m</text>") &&
		           !strstr(svg, "<text>threshold</text>") && !strstr(svg, " rotate(-40)"),
		       "bars of one workload: name and size key on the axis, sizes in KiB");
	}

	/* 1n. a module that ran at 1 thread and was skipped at 2: the scaling
	 * chart's note says at which thread count it is missing */
	snprintf(run_dir, sizeof(run_dir), "%s/scaling", tmp);
	plot_edited(
	    run_dir,
	    "import csv\n"
	    "rows = list(csv.DictReader(open('trials.csv')))\n"
	    "head = list(rows[0].keys())\n"
	    "t = max(int(r['trial']) for r in rows) + 1\n"
	    "for r in [r for r in rows if r['workload'] == 'synth' and r['module'] == 'glibc']:\n"
	    "    n = dict(r, module='pool', trial=str(t)); t += 1\n"
	    "    if n['threads'] == '2':\n"
	    "        n.update(status='skipped', reason='module pool is not thread-safe')\n"
	    "    rows.append(n)\n"
	    "w = csv.DictWriter(open('trials.csv', 'w', newline=''), head, "
	    "lineterminator='\\n')\n"
	    "w.writeheader(); w.writerows(rows)\n",
	    "skipped at 2 threads", 3);
	{
		static char svg[1 << 20];
		snprintf(path, sizeof(path), "%s/plots/scaling-synth.svg", run_dir);
		slurp(path, svg, sizeof(svg));
		CHECKF(strstr(svg, "not shown: pool (skipped: not thread-safe at 2 threads)") !=
		           NULL,
		       "scaling: the note says the module is missing at 2 threads");
	}

	/* 1j. the chart check counts legend entries, not every left-aligned
	 * text: a chart with 16 titled series, untitled ones, a panel title
	 * and a two-line note under it has 16 entries */
	{
		static char svg[1 << 20];
		char leg[64][128];
		int ng;
		snprintf(
		    args, sizeof(args),
		    "cd '%s' && gnuplot -e \"set terminal svg noenhanced; set output 'legend.svg'; "
		    "set title 'panel'; set key left Left reverse; "
		    "set label 99 'note under it\\nsecond line' at character 1, character 2 "
		    "left; plot for [i = 1:16] i * x title sprintf('s%%d', i), "
		    "for [i = 1:3] -i * x notitle\"",
		    tmp);
		CHECKF(system(args) == 0, "gnuplot draws the legend test chart");
		snprintf(path, sizeof(path), "%s/legend.svg", tmp);
		slurp(path, svg, sizeof(svg));
		ng = svg_legend(svg, leg, 64);
		CHECKF(ng == 16 && !strcmp(leg[0], "s1") && !strcmp(leg[15], "s16"),
		       "chart check: %d legend entries (16 expected), first '%s'", ng,
		       ng ? leg[0] : "");
	}

	/* 1l. a series drawn exactly under another (the default suite's
	 * cache-thrash latency: two modules with the same percentiles): its
	 * legend entry says which one it is under */
	snprintf(run_dir, sizeof(run_dir), "%s/hidden", tmp);
	plot_edited(
	    run_dir,
	    "import csv\n"
	    "def rows(name): return list(csv.DictReader(open(name)))\n"
	    "def write(name, head, rs):\n"
	    "    w = csv.DictWriter(open(name, 'w', newline=''), head, lineterminator='\\n')\n"
	    "    w.writeheader(); w.writerows(rs)\n"
	    "tr = rows('trials.csv')\n"
	    "key = lambda r: (r['workload'], r['workload_params'], r['threads'], r['rep'])\n"
	    "glibc = {key(r): r['trial'] for r in tr if r['module'] == 'glibc'}\n"
	    "mim = {(r['trial'], r['rep']): glibc.get(key(r)) for r in tr\n"
	    "       if r['module'] == 'mimalloc'}\n"
	    "for name in ['latency.csv', 'histogram.csv']:\n"
	    "    rs = rows(name); head = list(rs[0].keys())\n"
	    "    out = [r for r in rs if (r['trial'], r['rep']) not in mim]\n"
	    "    for (t, rep), g in mim.items():\n"
	    "        for r in rs:\n"
	    "            if g is not None and (r['trial'], r['rep']) == (g, rep):\n"
	    "                n = dict(r); n['trial'] = t; n['module'] = 'mimalloc'; out.append(n)\n"
	    "    write(name, head, out)\n",
	    "hidden series", 10);
	{
		static char svg[1 << 20];
		snprintf(path, sizeof(path), "%s/plots/latency-synth-1t-alloc.svg", run_dir);
		slurp(path, svg, sizeof(svg));
		CHECKF(strstr(svg, "<text>mimalloc (same as glibc)</text>") != NULL,
		       "a series under another: its legend entry says so");
	}

	/* 1m. every percentile of a kind at 0 ns net of the harness (a
	 * quick threshold suite's 256 KiB free on a fast round): the latency
	 * chart still draws, at the log axis' 1 ns, and the table says 0 */
	snprintf(run_dir, sizeof(run_dir), "%s/zerolat", tmp);
	plot_edited(run_dir,
	            "import csv\n"
	            "rs = list(csv.DictReader(open('latency.csv')))\n"
	            "for r in rs:\n"
	            "    if r['kind'] == 'free':\n"
	            "        for k in r:\n"
	            "            if k.startswith('p') and k.endswith('_ns') or k == 'max_ns':\n"
	            "                r[k] = '0'\n"
	            "w = csv.DictWriter(open('latency.csv', 'w', newline=''), list(rs[0]),\n"
	            "                   lineterminator='\\n')\n"
	            "w.writeheader(); w.writerows(rs)\n",
	            "latency all 0 ns", 10);
	snprintf(path, sizeof(path), "%s/plots/latency-synth-1t-free.svg", run_dir);
	CHECKF(access(path, F_OK) == 0, "latency all 0 ns: no %s", path);

	/* 1k. the chart check finds an empty group in a bar chart's data:
	 * a category where every series is 0 or NaN */
	{
		char grp0[256] = "";
		FILE *f;
		snprintf(path, sizeof(path), "%s/groups.dat", tmp);
		f = fopen(path, "w");
		if (f) {
			fputs(
			    "\"brk\"\t3\t2\t4\tNaN\tNaN\tNaN\n\"mremap\"\t0\t0\t0\tNaN\tNaN\tNaN\n",
			    f);
			fclose(f);
		}
		CHECKF(dat_empty_group(path, grp0, sizeof(grp0)) == 1 && !strcmp(grp0, "mremap"),
		       "chart check: empty group not found ('%s')", grp0);
		f = fopen(path, "w");
		if (f) {
			fputs("\"brk\"\t3\t2\t4\tNaN\tNaN\tNaN\n\"mmap\"\t0\t0\t0\t1\t1\t1\n", f);
			fclose(f);
		}
		CHECKF(dat_empty_group(path, grp0, sizeof(grp0)) == 0,
		       "chart check: a group with one value taken for empty");
	}

	/* 1c. the default: PNG only (1x), and not the charts that repeat
	 * others' data */
	snprintf(run_dir, sizeof(run_dir), "%s/default", tmp);
	sh("cp -r '%s/tests/fixtures/results-small' '%s'", src, run_dir);
	rc = run("", run_dir);
	CHECKF(rc == 0, "plot fixture by default: exit %d: %s", rc, err_text);
	CHECK(exists(run_dir, "plots/time.png") && exists(run_dir, "plots/rss_ops-synth-1t.png"));
	CHECK(!exists(run_dir, "plots/time@2x.png") && !exists(run_dir, "plots/time.svg") &&
	      !exists(run_dir, "plots/time.pdf"));
	CHECK(!exists(run_dir, "plots/rss_time-synth-1t.png") &&
	      !exists(run_dir, "plots/syscalls_cum-synth-1t.png"));
	CHECK(!exists(run_dir, "plots/data/draw-0.gp") &&
	      !exists(run_dir, "plots/data/draw-0.log"));

	/* 1d. a gnuplot error in one chart kind: that kind's charts are not
	 * drawn (the message names the chart and gnuplot's error), every other
	 * chart is, though the same gnuplot process was drawing them */
	snprintf(run_dir, sizeof(run_dir), "%s/broken", tmp);
	sh("cp -r '%s/tests/fixtures/results-small' '%s'", src, run_dir);
	sh("cp -r '%s/plots' '%s/gp'", src, tmp);
	snprintf(args, sizeof(args), "echo 'plot no_such_variable' >>'%s/gp/syscalls.gp'", tmp);
	CHECK(system(args) == 0);
	snprintf(args, sizeof(args), "ALLOCSCOPE_PLOTS_DIR='%s/gp'", tmp);
	rc = run(args, run_dir);
	CHECKF(rc == 1, "a broken chart script: exit %d, want 1", rc);
	CHECKF(strstr(err_text, "chart syscalls-synth-1t not drawn") &&
	           strstr(err_text, "undefined variable: no_such_variable") &&
	           strstr(err_text, "syscalls-synth-1t.log"),
	       "the message names the chart, the error and its log: %s", err_text);
	CHECKF(exists(run_dir, "plots/time.png") && exists(run_dir, "plots/rss_ops-synth-1t.png") &&
	           exists(run_dir, "plots/metadata.png") &&
	           exists(run_dir, "plots/scaling-synth.png"),
	       "the other charts are drawn");
	snprintf(path, sizeof(path), "%s/report.md", run_dir);
	slurp(path, report, sizeof(report));
	CHECKF(strstr(report, "Chart not drawn: gnuplot:") != NULL, "the report says which");

	/* 1f. results first: verdicts.csv and comparisons.csv (the columns of
	 * the conclusions code; tests/fixtures/verdicts) open the report, the
	 * context comes last and folded; report.html is the same page with the
	 * charts inline and nothing referenced outside it */
	snprintf(run_dir, sizeof(run_dir), "%s/verdicts", tmp);
	sh("cp -r '%s/tests/fixtures/results-small' '%s'", src, run_dir);
	sh("cp '%s/tests/fixtures/verdicts/'*.csv '%s'", src, run_dir);
	rc = run("", run_dir);
	CHECKF(rc == 0, "plot with verdicts: exit %d: %s", rc, err_text);
	snprintf(path, sizeof(path), "%s/report.md", run_dir);
	slurp(path, report, sizeof(report));
	{
		const char *v = strstr(report, "## Verdicts"),
		           *c = strstr(report, "## Comparisons");
		const char *ch = strstr(report, "## Charts"), *cx = strstr(report, "## Context");
		int line = 1;
		for (const char *q = report; v && q < v; q++)
			line += *q == '\n';
		CHECKF(v && line <= 10, "verdicts open the report (line %d)", line);
		CHECKF(strstr(report, "**1 confirmed, 1 refuted, 1 inconclusive**") &&
		           strstr(report, "| **REFUTED** |") &&
		           strstr(report, "| 0.982 share of peak [0.95, 1.01] | **CONFIRMED** |"),
		       "verdict rows with value, interval and verdict");
		CHECKF(c && strstr(report,
		                   "| mimalloc | glibc | 0.512 [0.47, 0.55] | 0.0012 | 2 / 2 |"),
		       "comparison rows with ratio and interval");
		CHECKF(v && c && ch && cx && v < c && c < ch && ch < cx,
		       "order: verdicts, comparisons, charts, context last");
		CHECKF(cx && strstr(cx, "<details><summary>") && strstr(cx, "</details>"),
		       "the context is folded");
	}
	{
		static char html[8 << 20];
		size_t n;
		snprintf(path, sizeof(path), "%s/report.html", run_dir);
		n = slurp(path, html, sizeof(html));
		CHECKF(n > 1000 && strstr(html, "<!DOCTYPE html>") && strstr(html, "</html>"),
		       "report.html written");
		CHECKF(strstr(html, "<td><strong>REFUTED</strong></td>") &&
		           strstr(html, "id=\"verdicts\""),
		       "report.html has the verdicts");
		CHECKF(strstr(html, "src=\"data:image/png;base64,iVBORw0KGgo") != NULL,
		       "charts inline as data: PNG");
		CHECKF(!strstr(html, "src=\"http") && !strstr(html, "<script") &&
		           !strstr(html, "<link") && !strstr(html, "src=\"plots/") &&
		           !strstr(html, "chart not found"),
		       "report.html references nothing outside itself");
	}
	/* a verdicts.csv that breaks the contract: one line, exit 1, the rest
	 * of the report still written */
	sh("sed -i 's/,CONFIRMED$/,MAYBE/' '%s/verdicts.csv'%s", run_dir, "");
	rc = run("", run_dir);
	CHECKF(rc == 1 && strstr(err_text, "verdicts.csv row 1: verdict 'MAYBE' is not CONFIRMED"),
	       "bad verdict: exit %d: %s", rc, err_text);
	snprintf(path, sizeof(path), "%s/report.md", run_dir);
	slurp(path, report, sizeof(report));
	CHECKF(!strstr(report, "## Verdicts") && strstr(report, "## Comparisons") &&
	           strstr(report, "## Charts"),
	       "bad verdicts left out, the rest written");

	/* 1g. one figure of a paper: --modules picks and orders the series
	 * (no other module in any chart's data or legend), --width/--height/
	 * --font/--title set every chart, --tables writes each chart's table
	 * and the verdicts as Markdown and LaTeX with the same cells */
	snprintf(run_dir, sizeof(run_dir), "%s/paper", tmp);
	sh("cp -r '%s/tests/fixtures/results-small' '%s'", src, run_dir);
	sh("cp '%s/tests/fixtures/verdicts/'*.csv '%s'", src, run_dir);
	/* claims across thread counts name "M tN/tK": shown with M */
	sh("printf 'cache,cache-thrash,mimalloc t2/t1,mimalloc flat,<= 1,0.5,0.4,0.6,ratio of "
	   "medians,CONFIRMED\\ncache,cache-thrash,null t2/t1,null flat,<= 1,0.5,0.4,0.6,ratio "
	   "of medians,CONFIRMED\\n' >> '%s/verdicts.csv'%s",
	   run_dir, "");
	snprintf(args, sizeof(args),
	         "%s --modules mimalloc,glibc --format svg --width 700 --height 400 "
	         "--font 'Times,10' --title '' --tables md,tex",
	         run_dir);
	rc = run("", args);
	CHECKF(rc == 0, "plot --modules: exit %d: %s", rc, err_text);
	snprintf(plots, sizeof(plots), "%s/plots", run_dir);
	CHECKF(check_svgs(plots) >= 10, "--modules charts pass the chart check");
	snprintf(args, sizeof(args),
	         "cd '%s' && ! grep -l '^# null' data/*.dat && grep -q '^# glibc' "
	         "data/rss_ops-synth-1t.dat && ! grep -l '<text>null</text>' *.svg && "
	         "test -z \"$(grep -L 'width=.700. height=.400.' *.svg)\" && "
	         "test -z \"$(grep -L 'font-family=.Times.' *.svg)\" && "
	         "! grep -l 'Time per op' *.svg",
	         plots);
	CHECKF(system(args) == 0, "--modules: only those modules, 700x400, Times, no title");
	{
		/* the legend follows the --modules order */
		static char svg[1 << 20];
		const char *m, *g;
		snprintf(path, sizeof(path), "%s/time.svg", plots);
		slurp(path, svg, sizeof(svg));
		m = strstr(svg, "<text>mimalloc</text>");
		g = strstr(svg, "<text>glibc</text>");
		CHECKF(m && g && m < g, "legend order mimalloc, glibc");
	}
	snprintf(path, sizeof(path), "%s/report.md", run_dir);
	slurp(path, report, sizeof(report));
	CHECKF(strstr(report, "Modules shown (plot --modules): mimalloc, glibc") != NULL,
	       "the report names the modules shown");
	/* the comparisons too: mimalloc vs glibc stays, null vs glibc goes
	 * (until session 19 every row of comparisons.csv was shown) */
	CHECKF(strstr(report, "mimalloc takes 0.51x glibc's time per op") &&
	           !strstr(report, "null takes 0.16x glibc's time per op"),
	       "--modules: only comparisons of modules shown");
	CHECKF(strstr(report, "mimalloc flat") && !strstr(report, "null flat"),
	       "--modules: a verdict across thread counts follows its module");
	/* every table parsed back: the LaTeX cells are the Markdown cells */
	snprintf(
	    args, sizeof(args),
	    "cd '%s/tables' && python3 - <<'EOF'\n"
	    "import glob, re, sys\n"
	    "def md(p):\n"
	    "    rows = []\n"
	    "    for l in open(p):\n"
	    "        if not l.startswith('|') or l.startswith('|---'): continue\n"
	    "        c = re.split(r'(?<!\\\\)\\|', l.strip())[1:-1]\n"
	    "        c = [x.strip().replace('\\\\|', '|').replace('**', '') for x in c]\n"
	    "        rows.append([re.sub(r'\\[([^]]*)\\]\\([^)]*\\)', r'\\1', x) for x in c])\n"
	    "    return rows\n"
	    "def tex(p):\n"
	    "    t = open(p).read()\n"
	    "    assert '\\\\toprule' in t and '\\\\midrule' in t and '\\\\bottomrule' in t, p\n"
	    "    body = t.split('\\\\toprule\\n')[1].split('\\\\bottomrule')[0]\n"
	    "    rows = []\n"
	    "    for l in body.split('\\n'):\n"
	    "        if not l.endswith(' \\\\\\\\'): continue\n"
	    "        c = re.split(r'(?<!\\\\) & ', l[:-3])\n"
	    "        c = [re.sub(r'\\\\textbf\\{([^}]*)\\}', r'\\1', x) for x in c]\n"
	    "        c = [x.replace('\\\\textless{}', '<').replace('\\\\textgreater{}', '>') "
	    "for x in c]\n"
	    "        rows.append([re.sub(r'\\\\([&%%$#_{}])', r'\\1', x).strip() for x in c])\n"
	    "    return rows\n"
	    "n = 0\n"
	    "for p in sorted(glob.glob('*.md')):\n"
	    "    a, b = md(p), tex(p[:-3] + '.tex')\n"
	    "    if a != b or len(a) < 2: sys.exit('%%s: %%r != %%r' %% (p, a[:3], b[:3]))\n"
	    "    if p[0] != 'v' and p[0] != 'c' and any('null' in c for r in a for c in r):\n"
	    "        sys.exit(p + ': null shown')\n"
	    "    n += 1\n"
	    "if n < 10 or 'verdicts.md' not in glob.glob('*.md'): sys.exit('only %%d tables' %% "
	    "n)\n"
	    "EOF",
	    run_dir);
	CHECKF(system(args) == 0, "tables: LaTeX parsed back equals the Markdown");
	/* bad paper options: one line each, exit 2 */
	{
		static const char *bad[][2] = {
		    {"--modules jemalloc", "option --modules: 'jemalloc' ran in no trial"},
		    {"--font Times,2", "option --font: size '2'"},
		    {"--width 50", "--width"},
		    {"--tables csv", "'csv' is not a table format"},
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			snprintf(args, sizeof(args), "%s %s", run_dir, bad[i][0]);
			rc = run("", args);
			CHECKF(rc == 2 && strstr(err_text, bad[i][1]) &&
			           !strchr(strchr(err_text, '\n') + 1, '\n'),
			       "plot %s: exit %d: %s", bad[i][0], rc, err_text);
		}
	}

	/* 1h. failed and skipped rows collapse: every null row skipped for one
	 * reason is one row of the report (with the count and the workloads),
	 * the crashed repetition another */
	snprintf(run_dir, sizeof(run_dir), "%s/skips", tmp);
	sh("cp -r '%s/tests/fixtures/results-small' '%s'", src, run_dir);
	snprintf(args, sizeof(args),
	         "cd '%s' && python3 - <<'EOF'\n"
	         "import csv\n"
	         "rows = list(csv.DictReader(open('trials.csv')))\n"
	         "for r in rows:\n"
	         "    if r['module'] == 'null': r['status'] = 'skipped'; r['reason'] = 'not "
	         "thread-safe'\n"
	         "w = csv.DictWriter(open('trials.csv', 'w', newline=''), list(rows[0].keys()), "
	         "lineterminator='\\n')\n"
	         "w.writeheader(); w.writerows(rows)\n"
	         "print(sum(r['module'] == 'null' for r in rows))\n"
	         "EOF",
	         run_dir);
	{
		FILE *py = popen(args, "r");
		char line[64] = "";
		int nnull = py && fgets(line, sizeof(line), py) ? atoi(line) : 0;
		char want[256];
		if (py)
			pclose(py);
		CHECKF(nnull >= 4, "python3 marks the null rows skipped (%d)", nnull);
		rc = run("", run_dir);
		CHECKF(rc == 0, "plot with skipped rows: exit %d: %s", rc, err_text);
		snprintf(path, sizeof(path), "%s/report.md", run_dir);
		slurp(path, report, sizeof(report));
		snprintf(want, sizeof(want), "| null | skipped | not thread-safe | %d | synth",
		         nnull);
		CHECKF(strstr(report, want) != NULL, "one row for %d skipped null rows", nnull);
		CHECKF(strstr(report,
		              "| mimalloc | crashed | worker died on signal 11 (SIGSEGV) | 1 "
		              "| synth, 2 threads |") != NULL,
		       "the crashed repetition: its own row");
		CHECKF(!strstr(report, "| 2 | 0 | null"), "no row per trial");
	}

	/* 2. a folder with only trials.csv + context.csv (no series etc): the
	 * bar charts are drawn, the rest is listed as without data */
	snprintf(run_dir, sizeof(run_dir), "%s/suite/a", tmp);
	/* the synth rows only (1 and 2 threads), to keep the test short */
	snprintf(args, sizeof(args),
	         "mkdir -p '%s' && head -13 '%s/tests/fixtures/results-small/trials.csv' "
	         ">'%s/trials.csv' && cp '%s/tests/fixtures/results-small/context.csv' '%s'",
	         run_dir, src, run_dir, src, run_dir);
	CHECK(system(args) == 0);
	snprintf(args, sizeof(args), "cd '%s' &&", tmp);
	rc = run(args, "suite/a --format svg"); /* a relative folder */
	CHECKF(rc == 0, "plot trials-only folder: exit %d: %s", rc, err_text);
	snprintf(path, sizeof(path), "%s/plots/time.svg", run_dir);
	CHECKF(access(path, F_OK) == 0, "time chart from trials.csv alone");
	snprintf(path, sizeof(path), "%s/plots/time.png", run_dir);
	CHECKF(access(path, F_OK) != 0, "--format svg writes no PNG");
	snprintf(path, sizeof(path), "%s/report.md", run_dir);
	slurp(path, report, sizeof(report));
	CHECKF(strstr(report, "no series.csv in this folder") != NULL,
	       "report says why the series charts are missing");

	/* 3. a suite folder: scenario subfolders, one report covering them;
	 * a suite's mark (suite.args here, no scenarios.csv: every kind), as
	 * a folder of runs without one is not plot's to write into */
	snprintf(
	    args, sizeof(args),
	    "mkdir -p '%s/suite/b' && head -7 '%s/suite/a/trials.csv' >'%s/suite/b/trials.csv' "
	    "&& printf 'suite\\0' >'%s/suite/suite.args'",
	    tmp, tmp, tmp, tmp);
	CHECK(system(args) == 0);
	snprintf(args, sizeof(args), "%s/suite --format svg", tmp);
	rc = run("", args);
	CHECKF(rc == 0, "plot suite: exit %d: %s", rc, err_text);
	snprintf(path, sizeof(path), "%s/suite/report.md", tmp);
	slurp(path, report, sizeof(report));
	CHECKF(strstr(report, "## Scenario a") && strstr(report, "## Scenario b") &&
	           strstr(report, "](b/plots/") && strstr(report, "(b/report.md)"),
	       "suite report covers both scenarios with working links");
	CHECKF(strstr(report, "## Failed and skipped trials") &&
	           strstr(report, "| mimalloc | crashed | worker died on signal 11 (SIGSEGV) | 1 "
	                          "| a |"),
	       "the suite's failed trials in one section, by scenario");
	/* the suite's verdicts.csv comes first, each row linking to its
	 * scenario's section */
	snprintf(
	    args, sizeof(args),
	    "printf 'scenario,workload,module,claim,expected,measured,ci_lo,ci_hi,unit,verdict\\n"
	    "b,synth,glibc,fast,10,9,8,11,ns,CONFIRMED\\n' >'%s/suite/verdicts.csv'",
	    tmp);
	CHECK(system(args) == 0);
	snprintf(args, sizeof(args), "%s/suite --format svg", tmp);
	rc = run("", args);
	CHECKF(rc == 0, "plot suite with verdicts: exit %d: %s", rc, err_text);
	snprintf(path, sizeof(path), "%s/suite/report.md", tmp);
	slurp(path, report, sizeof(report));
	CHECKF(strstr(report, "| [b](#scenario-b) | synth | glibc | fast |") &&
	           strstr(report, "## Verdicts") < strstr(report, "## Scenario a"),
	       "suite verdicts first, linked to their scenario");
	snprintf(path, sizeof(path), "%s/suite/report.html", tmp);
	{
		static char html[8 << 20];
		slurp(path, html, sizeof(html));
		CHECKF(strstr(html, "<h2 id=\"scenario-b\">") &&
		           strstr(html, "href=\"#scenario-b\"") &&
		           strstr(html, "<figure role=\"img\"") &&
		           strstr(html, "href=\"b/report.html\""),
		       "suite report.html: anchors, inline SVG, links to the scenario pages");
	}
	snprintf(path, sizeof(path), "%s/suite/b", tmp);
	CHECK(exists(path, "plots/throughput.svg") && exists(path, "report.md"));

	/* 4. gnuplot missing: a clear message, exit 1, CSVs untouched, the
	 * report (tables) still written */
	snprintf(run_dir, sizeof(run_dir), "%s/nognuplot", tmp);
	sh("cp -r '%s/tests/fixtures/results-small' '%s'", src, run_dir);
	csv_snapshot(run_dir, before, sizeof(before));
	rc = run("ALLOCSCOPE_GNUPLOT=/nonexistent/gnuplot", run_dir);
	CHECKF(rc == 1, "gnuplot missing: exit %d, want 1", rc);
	CHECKF(strstr(err_text, "gnuplot not found") && strstr(err_text, "apt-get install"),
	       "gnuplot missing: message says so and how to fix: %s", err_text);
	csv_snapshot(run_dir, after, sizeof(after));
	CHECKF(!strcmp(before, after), "gnuplot missing: CSVs untouched");
	snprintf(path, sizeof(path), "%s/report.md", run_dir);
	slurp(path, report, sizeof(report));
	CHECKF(strstr(report, "gnuplot was not found") != NULL, "report says charts are missing");
	CHECK(!exists(run_dir, "plots/time.png"));
	/* with -o OUT the advice is the command that draws into OUT, not into
	 * the results (it said `allocscope plot DIR` alone) */
	snprintf(args, sizeof(args), "%s -o %s/nognuplot-out", run_dir, tmp);
	rc = run("ALLOCSCOPE_GNUPLOT=/nonexistent/gnuplot", args);
	snprintf(path, sizeof(path), "allocscope plot %s -o %s/nognuplot-out`", run_dir, tmp);
	CHECKF(rc == 1 && strstr(err_text, path), "gnuplot missing, -o: exit %d, advice: %s", rc,
	       err_text);
	snprintf(args, sizeof(args), "%s/nognuplot-out/report.md", tmp);
	slurp(args, report, sizeof(report));
	CHECKF(strstr(report, path) != NULL, "gnuplot missing, -o: the report's advice names OUT");

	/* 5. bad input: not a results folder, bad --format, no folder */
	snprintf(path, sizeof(path), "%s/empty", tmp);
	mkdir(path, 0755);
	rc = run("", path);
	CHECKF(rc == 2 && strstr(err_text, "not a results folder"), "empty folder: exit %d: %s", rc,
	       err_text);
	snprintf(args, sizeof(args), "%s/run --format gif", tmp);
	rc = run("", args);
	CHECKF(rc == 2 && strstr(err_text, "'gif' is not a format"), "bad format: exit %d: %s", rc,
	       err_text);
	rc = run("", "");
	CHECKF(rc == 2, "no folder: exit %d", rc);
	snprintf(args, sizeof(args),
	         "mkdir -p '%s/bad' && printf 'foo,bar\\n1,2\\n' >'%s/bad/trials.csv'", tmp, tmp);
	CHECK(system(args) == 0);
	snprintf(path, sizeof(path), "%s/bad", tmp);
	rc = run("", path);
	CHECKF(rc == 2 && strstr(err_text, "trials.csv: no column 'trial'") &&
	           !strchr(strchr(err_text, '\n') + 1, '\n'),
	       "malformed trials.csv: exit %d, one line: %s", rc, err_text);
	CHECK(!exists(path, "report.md") && !exists(path, "plots"));

	/* a folder written by a newer allocscope is refused, not misread */
	snprintf(args, sizeof(args),
	         "mkdir -p '%s/newer' && cp '%s/tests/fixtures/results-small/trials.csv' "
	         "'%s/newer/' && printf 'key,value\\nresults_format,99\\n' >'%s/newer/context.csv'",
	         tmp, src, tmp, tmp);
	CHECK(system(args) == 0);
	snprintf(path, sizeof(path), "%s/newer", tmp);
	rc = run("", path);
	CHECKF(rc == 2 && strstr(err_text, "results format 99 is newer"),
	       "newer results format: exit %d: %s", rc, err_text);

	/* 6. a real (tiny) run of this build, then plot it */
	if (AS_UNDER_ASAN) {
		printf("skipped: the real run under AddressSanitizer (sampling there takes "
		       "minutes)\n");
	} else {
		snprintf(args, sizeof(args),
		         "run -q --min-time 0 -a glibc,null -w random:ops=20000,live=1000 -r 2 -o "
		         "%s/real",
		         tmp);
		{
			char cmd[4096];
			snprintf(cmd, sizeof(cmd), "CI=1 %s %s >/dev/null 2>&1", cli, args);
			rc = system(cmd);
		}
		CHECKF(rc == 0, "tiny run failed");
		snprintf(args, sizeof(args), "%s/real --format svg", tmp);
		rc = run("", args);
		CHECKF(rc == 0, "plot real run: exit %d: %s", rc, err_text);
		snprintf(path, sizeof(path), "%s/real", tmp);
		CHECK(exists(path, "plots/time.svg") && exists(path, "plots/throughput.svg") &&
		      exists(path, "plots/rss_ops-random.svg"));
		snprintf(path, sizeof(path), "%s/real/plots", tmp);
		CHECK(check_svgs(path) >= 5);

		/* 6b. a real suite end to end: the verdicts.csv the suite writes
		 * opens report.md (within 40 lines), one row per claim with its
		 * verdict, and is in report.html and tables/verdicts.tex
		 * (--jobs 1: two at a time, a memory scenario has no timing
		 * figures, so no time chart for --all-charts to draw below) */
		{
			char cmd[4096];
			snprintf(cmd, sizeof(cmd),
			         "CI=1 %s suite threshold --quick -a glibc --jobs 1 --no-plot -o "
			         "%s/rsuite "
			         ">/dev/null 2>&1",
			         cli, tmp);
			rc = system(cmd);
			CHECKF(WIFEXITED(rc) && WEXITSTATUS(rc) == 0,
			       "quick threshold suite failed");
			snprintf(args, sizeof(args), "%s/rsuite --tables tex", tmp);
			rc = run("", args);
			CHECKF(rc == 0, "plot real suite: exit %d: %s", rc, err_text);
			snprintf(
			    cmd, sizeof(cmd),
			    "cd '%s/rsuite' && python3 - <<'EOF'\n"
			    "import csv, sys\n"
			    "rows = list(csv.DictReader(open('verdicts.csv')))\n"
			    "md = open('report.md').read().split('\\n')\n"
			    "html = open('report.html').read()\n"
			    "tex = open('tables/verdicts.tex').read()\n"
			    "if not rows: sys.exit('verdicts.csv has no rows')\n"
			    "if '## Verdicts' not in md[:40]: sys.exit('no verdicts in 40 lines')\n"
			    "for r in rows:\n"
			    "    hit = [l for l in md if ('| ' + r['claim'] + ' |') in l]\n"
			    "    if len(hit) != 1 or ('**' + r['verdict'] + '**') not in hit[0]:\n"
			    "        sys.exit('claim %%r: %%r' %% (r['claim'], hit))\n"
			    "n = sum(html.count('<strong>%%s</strong>' %% v) for v in\n"
			    "        ('CONFIRMED', 'REFUTED', 'INCONCLUSIVE'))\n"
			    "if n != len(rows): sys.exit('report.html: %%d verdicts of %%d' %% (n, "
			    "len(rows)))\n"
			    "if tex.count('\\\\textbf{') != len(rows): sys.exit('verdicts.tex "
			    "rows')\n"
			    "EOF",
			    tmp);
			CHECKF(system(cmd) == 0,
			       "real suite: verdicts.csv end to end in the report");
			/* a scenario draws the charts that show its claim (scenarios.csv
			 * charts: threshold's sweep, rss_ops, heap_mmap), says which it
			 * left out, and --all-charts draws those too */
			snprintf(
			    cmd, sizeof(cmd),
			    "cd '%s/rsuite/threshold' && python3 - <<'EOF'\n"
			    "import glob, os, re, sys\n"
			    "kinds = {re.split(r'[-.]', os.path.basename(f))[0]\n"
			    "         for f in glob.glob('plots/*.png')}\n"
			    "if kinds != {'rss_ops', 'heap_mmap'}: sys.exit('drawn: %%s' %% "
			    "kinds)\n"
			    "md = open('report.md').read()\n"
			    "m = re.search(r'Charts left out: .*: (.*)\\.\\n', md)\n"
			    "if not m or not {'time', 'latency_tail', 'syscalls'} <= set(m.group(1)"
			    ".split(', ')):\n"
			    "    sys.exit('left out: %%s' %% (m and m.group(1)))\n"
			    "if 'latency_tail:' in md.split('Charts without data')[-1]:\n"
			    "    sys.exit('a left-out kind under Charts without data')\n"
			    "EOF",
			    tmp);
			CHECKF(system(cmd) == 0, "suite scenario: only the charts of its claim");
			snprintf(args, sizeof(args), "%s/rsuite --all-charts", tmp);
			rc = run("", args);
			snprintf(path, sizeof(path), "%s/rsuite/threshold/plots/time.png", tmp);
			CHECKF(rc == 0 && access(path, F_OK) == 0,
			       "--all-charts: time.png: exit %d: %s", rc, err_text);
			/* the full lazy scenario runs three sizes, which reads as a
			 * size sweep, but its charts are rss_ops: it draws them per
			 * group (the default suite's lazy report had none at all) */
			snprintf(cmd, sizeof(cmd),
			         "CI=1 %s suite lazy -a glibc -r 1 --jobs 1 --no-plot -o %s/lsuite "
			         ">/dev/null 2>&1",
			         cli, tmp);
			rc = system(cmd);
			CHECKF(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "lazy suite failed");
			snprintf(args, sizeof(args), "%s/lsuite", tmp);
			rc = run("", args);
			snprintf(cmd, sizeof(cmd),
			         "ls %s/lsuite/lazy/plots/rss_ops-*.png >/dev/null 2>&1", tmp);
			CHECKF(rc == 0 && system(cmd) == 0, "lazy: no rss_ops chart: exit %d: %s",
			       rc, err_text);
		}
		/* every scenario names charts, each a kind with its script */
		for (int i = 0; as_scenarios[i]; i++) {
			const char *k = as_scenarios[i]->charts;
			CHECKF(k && *k, "scenario %s names no charts", as_scenarios[i]->name);
			while (k && *k) {
				size_t n = strcspn(k, ",");
				snprintf(path, sizeof(path), "%s/plots/%.*s.gp", src, (int)n, k);
				CHECKF(access(path, R_OK) == 0, "scenario %s: chart %.*s: no %s",
				       as_scenarios[i]->name, (int)n, k, path);
				k += n + (k[n] == ',');
			}
		}
	}
	snprintf(args, sizeof(args), "rm -rf '%s'", tmp);
	if (as_checks_failed == 0 && system(args) != 0)
		fprintf(stderr, "test_plot: could not remove %s\n", tmp);
	return as_check_done();
}
