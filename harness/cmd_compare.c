/* cmd_compare.c - `allocscope compare A B`: two results folders (before
 * and after a change to a module, two machines), or two suite folders
 * scenario by scenario, matched by module, workload and threads; per match
 * the ratio B/A of the median of the metric (--metric, ns_per_op by
 * default: any numeric trials.csv column where less is better) with its
 * bootstrap 95 % CI and the Mann-Whitney p (compare.c), flagged as a
 * regression or improvement beyond --threshold; a warning when the two
 * contexts differ where it matters. This file is the command: its options,
 * the change of each match and the table or --json; the folders are read
 * by compare_folder.c, and warned about by compare_warn.c. Reads only;
 * never runs a trial. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "compare.h"
#include "compare_folder.h"
#include "compare_warn.h"
#include "disturb.h"
#include "json.h"
#include "results_format.h"
#include "stats.h"
#include "suggest.h"
#include "tables.h"
#include "util.h"

enum { OPT_THRESHOLD = 256, OPT_FAIL_ON_REGRESSION, OPT_JSON, OPT_METRIC };

static const as_opt_t compare_opts[] = {
    {OPT_THRESHOLD, "threshold", "PCT", "5%",
     "smallest change of the median ratio B/A that counts: a regression above 1 + PCT, an "
     "improvement below 1/(1 + PCT), the same factor the other way (5%: 1.05 and 0.952; 5% "
     "or 5; a bare number below 1 is refused as ambiguous)"},
    {OPT_FAIL_ON_REGRESSION, "fail-on-regression", NULL, NULL,
     "exit 1 when any match is a regression, or failed in B (no ok repetition where A had "
     "some), or A's ok group is not in B at all (a module or scenario B did not run), or B "
     "is slower beyond the threshold with too few repetitions to test it (for CI)"},
    {OPT_JSON, "json", NULL, NULL,
     "print the comparison as JSON on stdout instead of the table (keys: results/README.md)"},
    {OPT_METRIC, "metric", "COLUMN", "ns_per_op",
     "the trials.csv column compared, less being better: ns_per_op, rss_peak_kib, "
     "overhead_ratio, minflt, syscalls_total, mmap_calls, ... (a memory scenario of a suite, "
     "run with --jobs, has no ns_per_op)"},
};

#define N(name, fmt, doc) #name,
static const char *const trial_cols[] = {AS_TRIAL_COLS(N)};
#undef N

typedef struct {
	double threshold;
	const char *metric;
	int fail_on_regression, json;
} compare_opts_t;

static int on_compare_opt(int key, const char *arg, void *vctx)
{
	compare_opts_t *o = vctx;
	char *end = NULL;
	double pct;
	switch (key) {
	case OPT_THRESHOLD:
		pct = as_plain_decimal(arg) ? strtod(arg, &end) : NAN;
		if (end == arg || (end && *end && strcmp(end, "%")) || !(pct >= 0 && pct <= 1000)) {
			fprintf(stderr,
			        "allocscope compare: option --threshold: '%s' is not a percentage "
			        "0%%..1000%%\n",
			        arg);
			return -1;
		}
		/* a bare 0.05 reads as a fraction (summary.json writes the
		 * threshold so) but would be 0.05 %: refused, not guessed */
		if (!*end && pct > 0 && pct < 1) {
			fprintf(stderr,
			        "allocscope compare: option --threshold: '%s' is ambiguous (a "
			        "number without %% is a percentage): write %g%% for a fraction of "
			        "%s, or %s%%\n",
			        arg, pct * 100, arg, arg);
			return -1;
		}
		o->threshold = pct / 100;
		return 0;
	case OPT_FAIL_ON_REGRESSION: o->fail_on_regression = 1; return 0;
	case OPT_JSON: o->json = 1; return 0;
	case OPT_METRIC: {
		as_suggest_t sg;
		char dym[96];
		as_suggest_init(&sg, arg);
		for (size_t i = 0; i < sizeof(trial_cols) / sizeof(trial_cols[0]); i++) {
			if (!strcmp(arg, trial_cols[i])) {
				if (!strcmp(arg, "ops_per_sec")) {
					fprintf(
					    stderr,
					    "allocscope compare: option --metric: ops_per_sec is "
					    "better when higher; compare ns_per_op, its inverse\n");
					return -1;
				}
				o->metric = trial_cols[i];
				return 0;
			}
			as_suggest_add(&sg, trial_cols[i]);
		}
		fprintf(stderr,
		        "allocscope compare: option --metric: '%s' is not a numeric trials.csv "
		        "column (results/README.md lists them)%s\n",
		        arg, as_suggest_fmt(&sg, NULL, dym, sizeof(dym)));
		return -1;
	}
	default: return -1;
	}
}

typedef enum {
	CH_REGRESSION,
	CH_IMPROVEMENT,
	CH_NONE,
	CH_TOO_FEW,
	CH_NO_RATIO,
	CH_NOT_MEASURED,
	CH_FAILED,
	CH_UNTESTED
} change_t;
static const char *const change_names[] = {"regression", "improvement",    "no_change",
                                           "too_few",    "no_ratio",       "not_measured",
                                           "failed",     "untested_slower"};
static const char *const change_words[] = {
    "REGRESSION",
    "improvement",
    "no change",
    "too few repetitions for a test",
    "no ok repetition on one side",
    "not measured on one side",
    "FAILED in B",
    "UNTESTED: slower beyond the threshold, too few repetitions for a test"};

/* A regression or improvement is significant and beyond the threshold:
 * B slower than A by more than the factor 1 + threshold, or faster by
 * more than the same factor (ratio below 1/(1 + threshold), 0.952 at 5 %:
 * symmetric in the factor, as a ratio and its inverse are, not in the
 * difference 1 - ratio). */
static change_t classify(const as_cmp_t *c, double threshold)
{
	if (c->outcome == AS_CMP_SLOWER && c->ratio > 1 + threshold)
		return CH_REGRESSION;
	if (c->outcome == AS_CMP_FASTER && c->ratio < 1 / (1 + threshold))
		return CH_IMPROVEMENT;
	/* a slowdown too few repetitions cannot test is no pass for a gate
	 * (an outside review: -r 3 against -r 3 can never reach p < 0.05, and
	 * --fail-on-regression passed every row) */
	if (c->outcome == AS_CMP_TOO_FEW)
		return c->ratio > 1 + threshold ? CH_UNTESTED : CH_TOO_FEW;
	if (c->outcome == AS_CMP_NO_RATIO)
		return CH_NO_RATIO;
	return CH_NONE;
}

/* The table's module and workload columns: as wide as the longest label
 * of either folder, at least the header's 22 and 28, at most 48 and 64
 * (set by compare_main before the first line). A longer label leaves out
 * the params all labels of its name share, then keeps its head and its
 * tail around "..." (cell()): until session 21 both were cut at 22 and 28,
 * and refmalloc:mmap_threshold=64k and =1m read alike. */
static int col_w[2] = {22, 28};
#define COL_MAX_MODULE   48
#define COL_MAX_WORKLOAD 64
static const as_groups_t *col_groups[2]; /* both folders' groups, for cell() */

static void set_widths(const as_groups_t *ga, const as_groups_t *gb)
{
	col_groups[0] = ga;
	col_groups[1] = gb;
	for (int k = 0; k < 2; k++) {
		const as_groups_t *gs = k ? gb : ga;
		for (int i = 0; i < gs->n; i++) {
			int lm = (int)strlen(gs->g[i].module), lw = (int)strlen(gs->g[i].workload);
			col_w[0] = lm > col_w[0] ? lm : col_w[0];
			col_w[1] = lw > col_w[1] ? lw : col_w[1];
		}
	}
	col_w[0] = col_w[0] > COL_MAX_MODULE ? COL_MAX_MODULE : col_w[0];
	col_w[1] = col_w[1] > COL_MAX_WORKLOAD ? COL_MAX_WORKLOAD : col_w[1];
}

/* The label of group g in column c. */
static const char *col_label(const as_group_t *g, int c)
{
	return c ? g->workload : g->module;
}

/* 1 when every label of column c named as s (the text up to ':', of
 * length nl) holds the param item [it, it + il) whole. */
static int shared_item(const char *s, size_t nl, const char *it, size_t il, int c)
{
	for (int k = 0; k < 2; k++)
		for (int i = 0; col_groups[k] && i < col_groups[k]->n; i++) {
			const char *o = col_label(&col_groups[k]->g[i], c), *p;
			int found = 0;
			if (strncmp(o, s, nl) || o[nl] != ':')
				continue;
			for (p = o + nl + 1; *p && !found;) {
				size_t ol = strcspn(p, ",");
				found = ol == il && !memcmp(p, it, il);
				p += ol + (p[ol] == ',');
			}
			if (!found)
				return 0;
		}
	return 1;
}

/* How many labels of column c, in either folder, are named as s (the
 * text up to ':', of length nl) and differ from s: 1 + those. */
static int named_labels(const char *s, size_t nl, int c)
{
	int n = 1;
	for (int k = 0; k < 2; k++)
		for (int i = 0; col_groups[k] && i < col_groups[k]->n; i++) {
			const char *o = col_label(&col_groups[k]->g[i], c);
			n += !strncmp(o, s, nl) && o[nl] == ':' && strcmp(o, s);
		}
	return n;
}

/* Label s in column c (0 module, 1 workload), padded: out. A label too
 * long for the column first leaves out the params every label of its name
 * shares ("..." in their place), then keeps its head and tail around
 * "...": a cut in the middle alone made the bump scenario's rows of
 * size=16 and size=256 read alike (an outside review). */
static const char *cell(const char *s, int c, char *out, size_t len)
{
	int w = col_w[c], n = (int)strlen(s);
	char kept[1024];
	const char *colon = strchr(s, ':');
	if (n > w && colon && (size_t)n < sizeof(kept) - 8 &&
	    named_labels(s, (size_t)(colon - s), c) > 1) {
		size_t nl = (size_t)(colon - s), k = nl + 1;
		int dropped = 0;
		memcpy(kept, s, k);
		for (const char *p = colon + 1; *p;) {
			size_t il = strcspn(p, ",");
			if (shared_item(s, nl, p, il, c))
				dropped = 1;
			else {
				if (k > nl + 1)
					kept[k++] = ',';
				memcpy(kept + k, p, il);
				k += il;
			}
			p += il + (p[il] == ',');
		}
		if (dropped) {
			strcpy(kept + k, k > nl + 1 ? ",..." : "...");
			s = kept;
			n = (int)strlen(s);
		}
	}
	if (n <= w)
		snprintf(out, len, "%-*s", w, s);
	else
		snprintf(out, len, "%.*s...%s", w / 3, s, s + n - (w - w / 3 - 3));
	return out;
}

static void change_line(const as_group_t *ga, const as_group_t *gb, const as_cmp_t *c, change_t ch,
                        const char *metric)
{
	char cm[COL_MAX_MODULE + 1], cw[COL_MAX_WORKLOAD + 1];
	if (ch == CH_NOT_MEASURED || ch == CH_NO_RATIO || ch == CH_FAILED) {
		char va[24] = "-", vb[24] = "-", words[128];
		if (ga->n)
			snprintf(va, sizeof(va), "%.2f", as_median_of(ga->v, ga->n));
		if (gb->n)
			snprintf(vb, sizeof(vb), "%.2f", as_median_of(gb->v, gb->n));
		if (ch == CH_FAILED)
			snprintf(words, sizeof(words),
			         "%s: no ok repetition, %d %s (trials.csv reason says why)",
			         change_words[ch], gb->failed, gb->fail_status);
		else if (ch == CH_NO_RATIO && !ga->n && gb->n)
			snprintf(words, sizeof(words), "no ok repetition in A");
		else if (ch == CH_NOT_MEASURED)
			snprintf(words, sizeof(words), "not measured on one side (%s)",
			         as_compare_unmeasured_why(metric));
		else
			snprintf(words, sizeof(words), "%s", change_words[ch]);
		printf("%s %s %3u %10s %10s %7s %17s %8s  %s\n",
		       cell(gb->module, 0, cm, sizeof(cm)), cell(gb->workload, 1, cw, sizeof(cw)),
		       gb->threads, va, vb, "", "", "", words);
		return;
	}
	char ci[32], ratio[16];
	snprintf(ci, sizeof(ci), isnan(c->ci_lo) ? "n/a" : "%.3f-%.3f", c->ci_lo, c->ci_hi);
	/* A's median 0, B's above (a count: 0 then 3 munmap calls): no ratio,
	 * but a change, judged by the test alone (compare.c) */
	snprintf(ratio, sizeof(ratio), isinf(c->ratio) ? "from 0" : "%.3f", c->ratio);
	printf(
	    "%s %s %3u %10.2f %10.2f %7s %17s %8.2g  %s%s\n", cell(gb->module, 0, cm, sizeof(cm)),
	    cell(gb->workload, 1, cw, sizeof(cw)), gb->threads, as_median_of(ga->v, ga->n),
	    as_median_of(gb->v, gb->n), ratio, ci, c->p, change_words[ch],
	    isinf(c->ratio) && ch == CH_REGRESSION ? " (A's median 0: no ratio, p decides)" : "");
}

/* One change as JSON: B's group against A's, keys as comparisons.csv's
 * where they mean the same (n: B's repetitions, n_baseline: A's). */
static json_t *change_json(const as_group_t *ga, const as_group_t *gb, const as_cmp_t *c,
                           change_t ch, const char *metric)
{
	json_t *o = as_json_object();
	as_json_set_str(o, "module", gb->module);
	as_json_cmp(o, gb, metric, c);
	as_json_set(o, "median_a", as_json_num(as_median_of(ga->v, ga->n), 'F'));
	as_json_set(o, "median_b", as_json_num(as_median_of(gb->v, gb->n), 'F'));
	as_json_set_str(o, "change", change_names[ch]);
	return o;
}

/* A group in one folder only: a line, or an object in arr when JSON. */
static void only_in(json_t *arr, const as_group_t *g, const char *words)
{
	json_t *o;
	if (!arr) {
		char cm[COL_MAX_MODULE + 1], cw[COL_MAX_WORKLOAD + 1];
		printf("%s %s %3u %s\n", cell(g->module, 0, cm, sizeof(cm)),
		       cell(g->workload, 1, cw, sizeof(cw)), g->threads, words);
		return;
	}
	o = as_json_object();
	as_json_set_str(o, "module", g->module);
	as_json_set_str(o, "workload", g->workload);
	as_json_set(o, "threads", as_json_num(g->threads, 'I'));
	as_json_push(arr, o);
}

/* The order of the rows (table, --json's changes, only_in_a, only_in_b):
 * workload, then threads, then module, the labels in version order
 * (strverscmp: size=64 before size=256). They used to come in B's
 * trials.csv order (only-in-A rows in A's), which the module order of -a
 * or a --resume (it appends the trials it runs again) changed between two
 * runs of one matrix. */
static int cmp_group_order(const void *x, const void *y)
{
	const as_group_t *a = x, *b = y;
	int c = strverscmp(a->workload, b->workload);
	if (c)
		return c;
	if (a->threads != b->threads)
		return a->threads < b->threads ? -1 : 1;
	return strverscmp(a->module, b->module);
}

/* --json after an error before any comparison: a document with the
 * folders, the metric and "error" (the line said on stderr). */
static void json_error_doc(const char *a, const char *b, const compare_opts_t *o)
{
	json_t *root = as_json_object();
	as_json_set_str(root, "format", "allocscope-compare");
	as_json_set(root, "format_version", as_json_num(AS_JSON_FORMAT_VERSION, 'I'));
	as_json_set_str(root, "a", a);
	as_json_set_str(root, "b", b);
	as_json_set_str(root, "metric", o->metric);
	as_json_set(root, "threshold", as_json_num(o->threshold, 'F'));
	as_json_set(root, "matched", as_json_num(0, 'I'));
	as_json_set_str(root, "error",
	                *as_compare_last_error() ? as_compare_last_error() : "compare failed");
	if (as_json_print(root) != 0)
		fprintf(stderr, "allocscope compare: cannot write to stdout\n");
	json_decref(root);
}

/* How B's group gb pairs with A's ga (NULL: none): compared, or not, and
 * why. */
enum { PAIR_ONLY_B, PAIR_UNMEASURED, PAIR_NEITHER, PAIR_MATCHED };
static int pair_kind(const as_group_t *ga, const as_group_t *gb)
{
	if (!ga)
		return PAIR_ONLY_B;
	if (ga->n == 0 && ga->unmeasured && gb->n == 0 && gb->unmeasured)
		return PAIR_UNMEASURED; /* neither side measured it (--jobs): no line */
	if (ga->n == 0 && gb->n == 0 && !ga->unmeasured && !gb->unmeasured)
		return PAIR_NEITHER; /* skipped or failed on both sides (bump on a 2-thread row) */
	return PAIR_MATCHED;
}

/* Why nothing was compared, into none: a folder without trial rows is
 * named (a run stopped before its first trial), else what each holds. */
static void why_none(char *none, size_t len, const char *a, const as_groups_t *ga, const char *b,
                     const as_groups_t *gb, int unmeasured, int neither, const char *metric)
{
	char alt[256];
	if (!ga->n || !gb->n)
		snprintf(none, len,
		         "%s: no trial rows in its trials.csv (a run stopped before its first "
		         "trial?): nothing to compare",
		         ga->n ? b : a);
	else if (unmeasured)
		snprintf(none, len, "no %s in either folder %s", metric,
		         as_compare_why_none(metric, alt, sizeof(alt)));
	else if (neither)
		/* in both, failed or skipped in both: until session 35 said to
		 * be in neither, the table's line on stdout alone said why */
		snprintf(none, len,
		         "no ok repetition in either folder of the %d module/workload/threads "
		         "they share (failed or skipped there: trials.csv's reason says why)",
		         neither);
	else
		snprintf(none, len, "no module/workload/threads in both folders");
}

static int compare_main(int argc, char **argv)
{
	compare_opts_t o = {.threshold = 0.05, .metric = "ns_per_op"};
	as_groups_t ga = {0}, gb = {0};
	json_t *root = NULL, *changes = NULL, *diffs = NULL, *only_a = NULL, *only_b = NULL;
	int r, regressions = 0, improvements = 0, failed = 0, matched = 0, unmeasured = 0,
	       neither = 0, partly = 0, missing = 0, untested = 0, rc = 2;
	const char *a, *b;
	int ns = !strcmp(o.metric, "ns_per_op");
	as_machine_t ma = {0, NAN, 0, NAN, NAN}, mb = {0, NAN, 0, NAN, NAN};
	as_modkeys_t *mk = NULL;
	char alt[256], none[512] = "";

	/* options before, between and after the two folders */
	{
		const char *pos[2];
		int npos;
		r = as_cli_parse_operands(&as_cmd_compare, argc, argv, on_compare_opt, &o, pos, 2,
		                          &npos);
		if (r == -2)
			return 0;
		if (r < 0)
			return 2;
		if (npos != 2) {
			fprintf(stderr, "allocscope compare: expected two results folders, A "
			                "(before) and B (after)\n");
			return 2;
		}
		a = pos[0];
		b = pos[1];
	}
	ns = !strcmp(o.metric, "ns_per_op");
	if (!(mk = calloc(2, sizeof(*mk))))
		goto out;
	/* the folders judged before anything is read or said: a refusal is
	 * its one line, not after notes on modules matched */
	r = as_compare_check_kinds(a, b);
	if (r == 0) {
		as_compare_match_paths(a, b, mk);
		r = as_compare_load_both(a, b, o.metric, &ga, &gb, &ma, &mb, mk, &missing);
	}
	if (r != 0) {
		if (o.json) /* stdout stays JSON for the program reading it */
			json_error_doc(a, b, &o);
		goto out;
	}
	/* the groups are unique per (module, workload, threads): a total order */
	as_groups_sort(&ga, cmp_group_order);
	as_groups_sort(&gb, cmp_group_order);
	/* nothing to compare is a refusal: its one line, and no table on
	 * stdout before it (until session 35 the header and "only in" lines
	 * came first); --json writes its document with the error */
	for (int i = 0; i < gb.n; i++) {
		int k = pair_kind(
		    as_groups_find(&ga, gb.g[i].module, gb.g[i].workload, gb.g[i].threads),
		    &gb.g[i]);
		matched += k == PAIR_MATCHED;
		unmeasured += k == PAIR_UNMEASURED;
		neither += k == PAIR_NEITHER;
	}
	if (matched == 0) {
		why_none(none, sizeof(none), a, &ga, b, &gb, unmeasured, neither, o.metric);
		if (!o.json) {
			as_compare_error("%s", none);
			goto out;
		}
	}
	matched = unmeasured = neither = 0;
	if (o.json) {
		root = as_json_object();
		changes = as_json_array();
		diffs = as_json_array();
		only_a = as_json_array();
		only_b = as_json_array();
	}
	as_compare_warn_contexts(a, b, as_compare_timing_metric(o.metric), diffs);
	as_compare_warn_handoff(ma.handoff_end_ns_median_kept, mb.handoff_end_ns_median_kept,
	                        diffs);
	as_compare_warn_noisy(a, b, &ma, &mb, diffs);
	if (!o.json) {
		printf("B = %s against A = %s: ratio of median %s B/A, bootstrap 95 %% CI, "
		       "Mann-Whitney p; a change needs p < %.2g, a CI excluding 1 and more than "
		       "%g %%\n",
		       b, a, ns ? "ns/op" : o.metric, AS_CMP_ALPHA, o.threshold * 100);
		set_widths(&ga, &gb);
		printf("%-*s %-*s %3s %10s %10s %7s %17s %8s  %s\n", col_w[0], "module", col_w[1],
		       "workload", "thr", ns ? "A ns/op" : "A median", ns ? "B ns/op" : "B median",
		       "ratio", "95% CI", "p", "verdict");
	}
	for (int i = 0; i < gb.n; i++) {
		const as_group_t *gb_i = &gb.g[i];
		const as_group_t *ga_i =
		    as_groups_find(&ga, gb_i->module, gb_i->workload, gb_i->threads);
		as_cmp_t c;
		change_t ch;
		int k = pair_kind(ga_i, gb_i);
		if (k == PAIR_ONLY_B) {
			only_in(only_b, gb_i, "only in B");
			continue;
		}
		unmeasured += k == PAIR_UNMEASURED;
		neither += k == PAIR_NEITHER;
		if (k != PAIR_MATCHED)
			continue;
		matched++;
		if (as_cmp_samples(gb_i->v, gb_i->n, ga_i->v, ga_i->n, NULL, 0, &c) != 0) {
			as_compare_error("out of memory");
			goto out;
		}
		ch = classify(&c, o.threshold);
		/* not measured: a side without values that had ok but untimed
		 * repetitions, and no side that simply failed */
		if (ch == CH_NO_RATIO && (ga_i->n || ga_i->unmeasured) &&
		    (gb_i->n || gb_i->unmeasured))
			ch = CH_NOT_MEASURED;
		/* A ran it, B has no ok repetition left: the module broke, as much
		 * a regression for a gate as a slower one (a B merely skipped
		 * there, not a failure, stays "no ratio") */
		if (!gb_i->n && !gb_i->unmeasured && (ga_i->n || ga_i->unmeasured) && gb_i->failed)
			ch = CH_FAILED;
		/* a larger share of B's repetitions failed than of A's: the
		 * module now crashes now and then, which its median (of the ok
		 * ones) hides; a gate sees it (an outside review: 2 of 3
		 * crashed, exit 0, no word; a later one: 5 of 6 against 1 of 6) */
		{
			int tb = gb_i->n + gb_i->unmeasured + gb_i->failed;
			int ta = ga_i->n + ga_i->unmeasured + ga_i->failed;
			if (ch != CH_FAILED && (gb_i->n || gb_i->unmeasured) && gb_i->failed &&
			    (double)gb_i->failed * ta > (double)ga_i->failed * tb) {
				fprintf(
				    stderr,
				    "allocscope compare: warning: %s %s t%u: %d of %d repetitions "
				    "%s in B (trials.csv reason says why), %d of %d in A; its "
				    "figures are the ok ones\n",
				    gb_i->module, gb_i->workload, gb_i->threads, gb_i->failed, tb,
				    gb_i->fail_status, ga_i->failed, ta);
				partly++;
			}
		}
		regressions += ch == CH_REGRESSION;
		untested += ch == CH_UNTESTED;
		failed += ch == CH_FAILED;
		improvements += ch == CH_IMPROVEMENT;
		if (o.json)
			as_json_push(changes, change_json(ga_i, gb_i, &c, ch, o.metric));
		else
			change_line(ga_i, gb_i, &c, ch, o.metric);
	}
	for (int i = 0; i < ga.n; i++)
		if (!as_groups_find(&gb, ga.g[i].module, ga.g[i].workload, ga.g[i].threads)) {
			/* A ran it, B not at all: for a gate, coverage B lost
			 * (until session 24 a gate passed it) */
			int ran = ga.g[i].n || ga.g[i].unmeasured;
			missing += ran;
			only_in(only_a, &ga.g[i], ran ? "only in A: not run in B" : "only in A");
		}
	if (o.json) {
		as_json_set_str(root, "format", "allocscope-compare");
		as_json_set(root, "format_version", as_json_num(AS_JSON_FORMAT_VERSION, 'I'));
		as_json_set_str(root, "a", a);
		as_json_set_str(root, "b", b);
		as_json_set_str(root, "metric", o.metric);
		as_json_set(root, "threshold", as_json_num(o.threshold, 'F'));
		as_json_set(root, "context_differences", json_incref(diffs));
		as_json_set(root, "changes", json_incref(changes));
		as_json_set(root, "only_in_a", json_incref(only_a));
		as_json_set(root, "only_in_b", json_incref(only_b));
		as_json_set(root, "regressions", as_json_num(regressions, 'I'));
		as_json_set(root, "improvements", as_json_num(improvements, 'I'));
		as_json_set(root, "failed", as_json_num(failed, 'I'));
		as_json_set(root, "failed_partly", as_json_num(partly, 'I'));
		as_json_set(root, "not_run_in_b", as_json_num(missing, 'I'));
		as_json_set(root, "untested_slower", as_json_num(untested, 'I'));
		as_json_set(root, "not_measured", as_json_num(unmeasured, 'I'));
		as_json_set(root, "ok_in_neither", as_json_num(neither, 'I'));
		as_json_set(root, "matched", as_json_num(matched, 'I'));
		if (matched == 0) /* said on stderr below too, exit 2 */
			as_json_set_str(root, "error", none);
		if (as_json_print(root) != 0) {
			fprintf(stderr, "allocscope compare: cannot write to stdout\n");
			goto out;
		}
	} else {
		printf("%d matched: %d regression%s, %d improvement%s, %d failed in B", matched,
		       regressions, regressions == 1 ? "" : "s", improvements,
		       improvements == 1 ? "" : "s", failed);
		if (partly)
			printf(", %d with failed repetitions in B", partly);
		if (missing)
			printf(", %d not run in B", missing);
		if (untested)
			printf(", %d slower but untested", untested);
		printf("\n");
		if (unmeasured)
			printf("(%d more in both without %s %s)\n", unmeasured, o.metric,
			       as_compare_why_none(o.metric, alt, sizeof(alt)));
		if (neither)
			printf(
			    "(%d more in both with no ok repetition in either: skipped or failed "
			    "there, trials.csv says why)\n",
			    neither);
	}
	rc = o.fail_on_regression && (regressions || failed || partly || missing || untested) ? 1
	                                                                                      : 0;
	if (matched == 0) {
		as_compare_error("%s", none);
		rc = 2;
	}
out:
	json_decref(root);
	json_decref(changes);
	json_decref(diffs);
	json_decref(only_a);
	json_decref(only_b);
	as_groups_free(&ga);
	as_groups_free(&gb);
	free(mk);
	return rc;
}

const as_cmd_t as_cmd_compare = {
    .name = "compare",
    .synopsis = "compare A B [--metric COLUMN] [--threshold 5%] [--fail-on-regression] [--json]",
    .summary = "compare two results folders: ratios, CIs, significance, regressions",
    .opts = compare_opts,
    .nopts = sizeof(compare_opts) / sizeof(compare_opts[0]),
    .examples = "  allocscope compare results/before results/after\n"
                "  allocscope compare results/main results/branch --threshold 2% "
                "--fail-on-regression\n"
                "  allocscope compare results/before results/after --json > change.json\n"
                "  allocscope compare suite-before suite-after --metric rss_peak_kib\n"
                "A and B: two run folders, or two suite folders (compared scenario by\n"
                "scenario, workloads shown as SCENARIO/label) that suite or tune wrote:\n"
                "a folder that merely holds run folders is refused.\n"
                "Exit status: 0 compared, 1 a regression or a failed match with\n"
                "--fail-on-regression, 2 a folder is not a results folder or nothing matches.\n",
    .main = compare_main,
};
