/* plot_results.c - the Results section at the top of a report: the
 * verdicts (verdicts.csv: one claim per row, CONFIRMED, REFUTED or
 * INCONCLUSIVE) and the comparisons (comparisons.csv: a module against a
 * baseline, ratio with its confidence interval) that the run or suite
 * wrote, as Markdown tables. Reads only those files; a missing file is no
 * section, a malformed one a one-line message. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../workloads/spec.h"
#include "plot_int.h"

static const char *const verdict_cols[] = {"scenario", "workload", "module", "claim", "expected",
                                           "measured", "ci_lo",    "ci_hi",  "unit",  "verdict"};
static const char *const comparison_cols[] = {"workload", "threads", "metric",     "module",
                                              "baseline", "ratio",   "ci_lo",      "ci_hi",
                                              "p_value",  "n",       "n_baseline", "summary"};

/* A number as the tables show it: 3 significant digits ("n/a" when the
 * cell is empty or not a number). */
static void num3(as_buf_t *b, const char *cell)
{
	char *end;
	double v = strtod(cell, &end);
	if (!*cell || *end || isnan(v))
		as_buf_printf(b, "n/a");
	else if (v != 0 && (fabs(v) >= 1e6 || fabs(v) < 1e-3))
		as_buf_printf(b, "%.3g", v);
	else
		as_buf_printf(b, "%.4g", v);
}

/* Check that table t (file NAME in DIR) has every column of cols; -1 with
 * the message in err when not. */
static int need_cols(const as_table_t *t, const char *dir, const char *name,
                     const char *const *cols, size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++)
		if (as_table_col(t, cols[i]) < 0) {
			snprintf(err, errlen,
			         "%s/%s: no column '%s': verdicts and comparisons left out", dir,
			         name, cols[i]);
			return -1;
		}
	return 0;
}

/* The link to a scenario's section in the suite report (its heading
 * "Scenario NAME" as forges make anchors of it), or its report. */
static void scenario_cell(as_buf_t *b, const char *scenario, int suite)
{
	char slug[160];
	plot_slug(scenario, slug, sizeof(slug));
	for (char *p = slug; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (suite && *scenario)
		as_buf_printf(b, " [%s](#scenario-%s) |", scenario, slug);
	else
		plot_tstr(b, scenario);
}

static int load(const char *dir, const char *name, as_table_t *t, char *err, size_t errlen)
{
	char path[PLOT_PATH_MAX];
	if (plot_path(path, sizeof(path), "%s/%s", dir, name) != 0) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	return plot_table_load(path, t, err, errlen);
}

/* Cells NAMES of row i of t, as Markdown cells. */
static void cells(as_buf_t *b, const as_table_t *t, int i, const char *const *names, int n)
{
	for (int k = 0; k < n; k++)
		plot_tstr(b, as_table_str(t, (size_t)i, names[k]));
}

/* " VALUE[ UNIT] [CI_LO, CI_HI] |" of row i of t. */
static void value_ci(as_buf_t *b, const as_table_t *t, int i, const char *value, const char *unit)
{
	as_buf_add(b, " ", 1);
	num3(b, as_table_str(t, (size_t)i, value));
	as_buf_printf(b, "%s%s [", *unit ? " " : "", unit);
	num3(b, as_table_str(t, (size_t)i, "ci_lo"));
	as_buf_add(b, ", ", 2);
	num3(b, as_table_str(t, (size_t)i, "ci_hi"));
	as_buf_add(b, "] |", 3);
}

/* Whether module label LABEL ("name" or "name:params") is one of LIST (a
 * --modules value, already checked by the run's loader): the same name,
 * and the same params unless the entry has none (plot_data.c's rule).
 * With len, only LABEL's first len characters. */
static int module_listed(const char *list, const char *label, size_t len)
{
	as_spec_t specs[MAXS];
	char err[256], one[LABEL];
	int n, hit = 0;
	const char *colon;
	snprintf(one, sizeof(one), "%.*s", (int)len, label);
	colon = strchr(one, ':');
	n = as_spec_parse_list(list, AS_SPEC_MODULE, specs, MAXS, err, sizeof(err));
	for (int k = 0; k < n; k++) {
		size_t nl = colon ? (size_t)(colon - one) : strlen(one);
		hit |= strlen(specs[k].name) == nl && !strncmp(specs[k].name, one, nl) &&
		       (!*specs[k].params || (colon && !strcmp(colon + 1, specs[k].params)));
		as_spec_free(&specs[k]);
	}
	return n < 0 || hit; /* a list that does not parse hides nothing */
}

/* Whether a verdict's or comparison's MODULE is shown under res->modules:
 * the whole of it, or each part of a ratio claim's "a/b", or the module
 * of one across thread counts ("mimalloc t2/t1"). */
static int row_shown(const plot_results_t *res, const char *module)
{
	const char *p = module, *slash, *sp = strstr(module, " t");
	if (!res->modules || module_listed(res->modules, module, strlen(module)))
		return 1;
	if (sp && sp[2] >= '0' && sp[2] <= '9' && strchr(sp, '/'))
		return module_listed(res->modules, module, (size_t)(sp - module));
	for (; (slash = strchr(p, '/')) != NULL; p = slash + 1)
		if (!module_listed(res->modules, p, (size_t)(slash - p)))
			return 0;
	return p != module && module_listed(res->modules, p, strlen(p));
}

static int add_verdicts(plot_results_t *res, const char *dir, const char *scenario, int suite,
                        char *err, size_t errlen)
{
	static const char *const shown[] = {"workload", "module", "claim", "expected"};
	as_table_t v = {0};
	int rc = load(dir, "verdicts.csv", &v, err, errlen);
	if (rc == 0 && need_cols(&v, dir, "verdicts.csv", verdict_cols,
	                         sizeof(verdict_cols) / sizeof(verdict_cols[0]), err, errlen) != 0)
		rc = -1;
	for (int i = 0; rc == 0 && i < NROWS(&v); i++) {
		const char *verdict = as_table_str(&v, (size_t)i, "verdict");
		if (strcmp(verdict, "CONFIRMED") && strcmp(verdict, "REFUTED") &&
		    strcmp(verdict, "INCONCLUSIVE")) {
			snprintf(
			    err, errlen,
			    "%s/verdicts.csv row %d: verdict '%s' is not CONFIRMED, REFUTED or "
			    "INCONCLUSIVE: verdicts left out",
			    dir, i + 1, verdict);
			rc = -1;
		}
	}
	for (int i = 0; rc == 0 && i < NROWS(&v); i++) {
		const char *verdict = as_table_str(&v, (size_t)i, "verdict");
		const char *sc = as_table_str(&v, (size_t)i, "scenario");
		if (!row_shown(res, as_table_str(&v, (size_t)i, "module")))
			continue;
		res->counts[!strcmp(verdict, "CONFIRMED") ? 0
		            : !strcmp(verdict, "REFUTED") ? 1
		                                          : 2]++;
		as_buf_add(&res->verdicts, "|", 1);
		scenario_cell(&res->verdicts, *sc ? sc : scenario ? scenario : "", suite);
		cells(&res->verdicts, &v, i, shown, 4);
		value_ci(&res->verdicts, &v, i, "measured", as_table_str(&v, (size_t)i, "unit"));
		as_buf_printf(&res->verdicts, " **%s** |\n", verdict);
		res->nv++;
	}
	as_table_free(&v);
	return rc < 0 ? -1 : 0;
}

static int add_comparisons(plot_results_t *res, const char *dir, const char *scenario, int suite,
                           char *err, size_t errlen)
{
	static const char *const shown[] = {"workload", "threads", "metric", "module", "baseline"};
	as_table_t c = {0};
	int rc = load(dir, "comparisons.csv", &c, err, errlen);
	if (rc == 0 &&
	    need_cols(&c, dir, "comparisons.csv", comparison_cols,
	              sizeof(comparison_cols) / sizeof(comparison_cols[0]), err, errlen) != 0)
		rc = -1;
	for (int i = 0; rc == 0 && i < NROWS(&c); i++) {
		if (!row_shown(res, as_table_str(&c, (size_t)i, "module")) ||
		    !row_shown(res, as_table_str(&c, (size_t)i, "baseline")))
			continue;
		as_buf_add(&res->comps, "|", 1);
		if (suite)
			scenario_cell(&res->comps, scenario ? scenario : "", suite);
		cells(&res->comps, &c, i, shown, 5);
		value_ci(&res->comps, &c, i, "ratio", "");
		as_buf_add(&res->comps, " ", 1);
		num3(&res->comps, as_table_str(&c, (size_t)i, "p_value"));
		as_buf_printf(&res->comps, " | %s / %s |", as_table_str(&c, (size_t)i, "n"),
		              as_table_str(&c, (size_t)i, "n_baseline"));
		plot_tstr(&res->comps, as_table_str(&c, (size_t)i, "summary"));
		as_buf_add(&res->comps, "\n", 1);
		res->nc++;
	}
	as_table_free(&c);
	return rc < 0 ? -1 : 0;
}

int plot_results_add(plot_results_t *res, const char *dir, const char *scenario, int suite,
                     unsigned what, char *err, size_t errlen)
{
	char err2[1024] = "";
	int rc = what & PLOT_VERDICTS ? add_verdicts(res, dir, scenario, suite, err, errlen) : 0;
	/* the comparisons count even when the verdicts are malformed */
	if (what & PLOT_COMPARISONS &&
	    add_comparisons(res, dir, scenario, suite, err2, sizeof(err2)) != 0 && rc == 0) {
		snprintf(err, errlen, "%s", err2);
		rc = -1;
	}
	return rc;
}

void plot_results_table(as_buf_t *b, const plot_results_t *res, unsigned which, int suite)
{
	if (which == PLOT_VERDICTS && res->nv) {
		as_buf_printf(b,
		              "| scenario | workload | module | claim | expected | measured [95%% "
		              "CI] | verdict |\n|---|---|---|---|---|---|---|\n");
		as_buf_add(b, res->verdicts.data, res->verdicts.len);
	} else if (which == PLOT_COMPARISONS && res->nc) {
		as_buf_printf(
		    b,
		    "|%s workload | threads | metric | module | baseline | ratio [95%% CI] "
		    "| p | n / n baseline | summary |\n|%s---|---|---|---|---|---|---|---|"
		    "---|\n",
		    suite ? " scenario |" : "", suite ? "---|" : "");
		as_buf_add(b, res->comps.data, res->comps.len);
	}
}

void plot_results_write(as_buf_t *b, const plot_results_t *res, int suite)
{
	if (res->nv) {
		as_buf_printf(b,
		              "## Verdicts\n\n**%d confirmed, %d refuted, %d inconclusive** "
		              "(verdicts.csv: each claim, the value measured with its 95%% "
		              "confidence interval, and whether the interval confirms it)\n\n",
		              res->counts[0], res->counts[1], res->counts[2]);
		plot_results_table(b, res, PLOT_VERDICTS, suite);
		as_buf_add(b, "\n", 1);
	}
	if (res->nc) {
		as_buf_printf(b, "## Comparisons\n\nEach module against the baseline "
		                 "(comparisons.csv): the ratio of the medians with its 95%% "
		                 "confidence interval, the p-value and the repetitions.\n\n");
		plot_results_table(b, res, PLOT_COMPARISONS, suite);
		as_buf_add(b, "\n", 1);
	}
}

void plot_results_free(plot_results_t *res)
{
	as_buf_free(&res->verdicts);
	as_buf_free(&res->comps);
	memset(res, 0, sizeof(*res));
}
