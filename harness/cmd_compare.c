/* cmd_compare.c - `allocscope compare A B`: two results folders (before
 * and after a change to a module, two machines) matched by module,
 * workload and threads; per match the ratio B/A of median ns/op with its
 * bootstrap 95 % CI and the Mann-Whitney p (compare.c), flagged as a
 * regression or improvement beyond --threshold; a warning when the two
 * contexts differ where it matters. Reads only; never runs a trial. */
#define _GNU_SOURCE
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "compare.h"
#include "results_format.h"
#include "stats.h"
#include "trials_read.h"

enum { OPT_THRESHOLD = 256, OPT_FAIL_ON_REGRESSION };

static const as_opt_t compare_opts[] = {
    {OPT_THRESHOLD, "threshold", "PCT", "5%",
     "smallest change of the median ratio that counts as a regression or an improvement"},
    {OPT_FAIL_ON_REGRESSION, "fail-on-regression", NULL, NULL,
     "exit 1 when any match is a regression (for CI)"},
};

typedef struct {
	double threshold;
	int fail_on_regression;
} compare_opts_t;

static int on_compare_opt(int key, const char *arg, void *vctx)
{
	compare_opts_t *o = vctx;
	char *end = NULL;
	double pct;
	switch (key) {
	case OPT_THRESHOLD:
		pct = strtod(arg, &end);
		if (end == arg || (*end && strcmp(end, "%")) || !(pct >= 0 && pct <= 1000)) {
			fprintf(stderr,
			        "allocscope compare: option --threshold: '%s' is not a percentage "
			        "0%%..1000%%\n",
			        arg);
			return -1;
		}
		o->threshold = pct / 100;
		return 0;
	case OPT_FAIL_ON_REGRESSION: o->fail_on_regression = 1; return 0;
	default: return -1;
	}
}

/* DIR/NAME read into t; -1 after a line on stderr. */
static int read_table(const char *dir, const char *name, as_table_t *t)
{
	char path[PATH_MAX], err[PATH_MAX + 256];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		fprintf(stderr, "allocscope compare: %.200s...: path too long\n", dir);
		return -1;
	}
	if (as_table_read(path, t, err, sizeof(err)) != 0) {
		fprintf(stderr, "allocscope compare: %s\n", err);
		return -1;
	}
	return 0;
}

static void label(const as_table_t *t, size_t r, const char *name, const char *params_col,
                  char *out, size_t len)
{
	const char *p = as_table_str(t, r, params_col);
	snprintf(out, len, "%s%s%s", as_table_str(t, r, name), *p ? ":" : "", p);
}

static int load_groups(const char *dir, as_groups_t *gs)
{
	as_table_t t;
	char err[512];
	if (as_results_format_check(dir, err, sizeof(err)) != 0) {
		fprintf(stderr, "allocscope compare: %s\n", err);
		return -1;
	}
	if (read_table(dir, "trials.csv", &t) != 0)
		return -1;
	for (size_t r = 0; r < t.nrows; r++) {
		char m[512], w[1024];
		label(&t, r, "module", "module_params", m, sizeof(m));
		label(&t, r, "workload", "workload_params", w, sizeof(w));
		as_groups_add(gs, m, w, (uint32_t)as_table_num(&t, r, "threads"),
		              strcmp(as_table_str(&t, r, "status"), "ok")
		                  ? NAN
		                  : as_table_num(&t, r, "ns_per_op"));
	}
	as_table_free(&t);
	return 0;
}

/* The context keys whose difference makes a comparison suspect. */
static const char *const context_keys[] = {"host",       "cpu_model",    "kernel", "glibc",
                                           "build_type", "git_revision", NULL};

static const char *context_value(const as_table_t *t, const char *key)
{
	for (size_t r = 0; r < t->nrows; r++)
		if (!strcmp(as_table_str(t, r, "key"), key))
			return as_table_str(t, r, "value");
	return "";
}

/* One warning line per differing key; returns how many. */
static int warn_contexts(const char *a, const char *b)
{
	as_table_t ta, tb;
	int n = 0;
	if (read_table(a, "context.csv", &ta) != 0)
		return 0;
	if (read_table(b, "context.csv", &tb) != 0) {
		as_table_free(&ta);
		return 0;
	}
	for (int i = 0; context_keys[i]; i++) {
		const char *va = context_value(&ta, context_keys[i]);
		const char *vb = context_value(&tb, context_keys[i]);
		if (strcmp(va, vb)) {
			fprintf(stderr, "allocscope compare: warning: %s differs: '%s' vs '%s'\n",
			        context_keys[i], va, vb);
			n++;
		}
	}
	as_table_free(&ta);
	as_table_free(&tb);
	return n;
}

static int compare_main(int argc, char **argv)
{
	compare_opts_t o = {.threshold = 0.05};
	as_groups_t ga = {0}, gb = {0};
	int r, regressions = 0, improvements = 0, matched = 0, rc = 2;
	const char *a, *b;

	/* options before, between and after the two folders */
	{
		const char *pos[2];
		int npos = 0, base = 0;
		for (;;) {
			r = as_cli_parse(&as_cmd_compare, argc - base, argv + base, on_compare_opt,
			                 &o);
			if (r == -2)
				return 0;
			if (r < 0)
				return 2;
			base += r;
			if (base >= argc)
				break;
			if (npos == 2) {
				fprintf(stderr, "allocscope compare: unexpected argument '%s'\n",
				        argv[base]);
				return 2;
			}
			pos[npos++] = argv[base];
		}
		if (npos != 2) {
			fprintf(stderr, "allocscope compare: expected two results folders, A "
			                "(before) and B (after)\n");
			return 2;
		}
		a = pos[0];
		b = pos[1];
	}
	if (load_groups(a, &ga) != 0 || load_groups(b, &gb) != 0)
		goto out;
	warn_contexts(a, b);
	printf("B = %s against A = %s: ratio of median ns/op B/A, bootstrap 95 %% CI, "
	       "Mann-Whitney p; a change needs p < %.2g, a CI excluding 1 and more than %g %%\n",
	       b, a, AS_CMP_ALPHA, o.threshold * 100);
	printf("%-22s %-28s %3s %10s %10s %7s %17s %8s  %s\n", "module", "workload", "thr",
	       "A ns/op", "B ns/op", "ratio", "95% CI", "p", "verdict");
	for (int i = 0; i < gb.n; i++) {
		const as_group_t *gb_i = &gb.g[i];
		const as_group_t *ga_i =
		    as_groups_find(&ga, gb_i->module, gb_i->workload, gb_i->threads);
		as_cmp_t c;
		const char *verdict;
		char ci[32];
		if (!ga_i) {
			printf("%-22.22s %-28.28s %3u only in B\n", gb_i->module, gb_i->workload,
			       gb_i->threads);
			continue;
		}
		matched++;
		if (as_cmp_samples(gb_i->v, gb_i->n, ga_i->v, ga_i->n, NULL, 0, &c) != 0) {
			fprintf(stderr, "allocscope compare: out of memory\n");
			goto out;
		}
		if (c.outcome == AS_CMP_SLOWER && c.ratio > 1 + o.threshold) {
			verdict = "REGRESSION";
			regressions++;
		} else if (c.outcome == AS_CMP_FASTER && c.ratio < 1 / (1 + o.threshold)) {
			verdict = "improvement";
			improvements++;
		} else if (c.outcome == AS_CMP_TOO_FEW) {
			verdict = "too few repetitions for a test";
		} else if (c.outcome == AS_CMP_NO_RATIO) {
			verdict = "no ok repetition on one side";
		} else {
			verdict = "no change";
		}
		snprintf(ci, sizeof(ci), isnan(c.ci_lo) ? "n/a" : "%.3f-%.3f", c.ci_lo, c.ci_hi);
		printf("%-22.22s %-28.28s %3u %10.2f %10.2f %7.3f %17s %8.2g  %s\n", gb_i->module,
		       gb_i->workload, gb_i->threads, as_median_of(ga_i->v, ga_i->n),
		       as_median_of(gb_i->v, gb_i->n), c.ratio, ci, c.p, verdict);
	}
	for (int i = 0; i < ga.n; i++)
		if (!as_groups_find(&gb, ga.g[i].module, ga.g[i].workload, ga.g[i].threads))
			printf("%-22.22s %-28.28s %3u only in A\n", ga.g[i].module,
			       ga.g[i].workload, ga.g[i].threads);
	printf("%d matched: %d regression%s, %d improvement%s\n", matched, regressions,
	       regressions == 1 ? "" : "s", improvements, improvements == 1 ? "" : "s");
	rc = o.fail_on_regression && regressions ? 1 : 0;
	if (matched == 0) {
		fprintf(stderr, "allocscope compare: no module/workload/threads in both folders\n");
		rc = 2;
	}
out:
	as_groups_free(&ga);
	as_groups_free(&gb);
	return rc;
}

const as_cmd_t as_cmd_compare = {
    .name = "compare",
    .synopsis = "compare A B [--threshold 5%] [--fail-on-regression]",
    .summary = "compare two results folders: ratios, CIs, significance, regressions",
    .opts = compare_opts,
    .nopts = sizeof(compare_opts) / sizeof(compare_opts[0]),
    .examples = "  allocscope compare results/before results/after\n"
                "  allocscope compare results/main results/branch --threshold 2% "
                "--fail-on-regression\n"
                "Exit status: 0 compared, 1 a regression with --fail-on-regression, 2 a\n"
                "folder is not a results folder or nothing matches.\n",
    .main = compare_main,
};
