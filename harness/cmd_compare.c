/* cmd_compare.c - `allocscope compare A B`: two results folders (before
 * and after a change to a module, two machines), or two suite folders
 * scenario by scenario, matched by module, workload and threads; per match
 * the ratio B/A of the median of the metric (--metric, ns_per_op by
 * default: any numeric trials.csv column where less is better) with its
 * bootstrap 95 % CI and the Mann-Whitney p (compare.c), flagged as a
 * regression or improvement beyond --threshold; a warning when the two
 * contexts differ where it matters. This file is the command: its options,
 * and what it prints from the changes compare.c works out (the table, or
 * --json); the folders are read by compare_folder.c, and warned about by
 * compare_warn.c. Reads only; never runs a trial. */
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

/* The table's words for a change (as_change_kind_t). */
static const char *const change_words[] = {
    "REGRESSION",
    "improvement",
    "no change",
    "too few repetitions for a test",
    "no ok repetition on one side",
    "not measured on one side",
    "FAILED in B",
    "UNTESTED: slower beyond the threshold, too few repetitions for a test",
    "only in B",
    "only in A",
    "only in A: not run in B"};

/* The table's module and workload columns: as wide as the longest label
 * of either folder, at least the header's 22 and 28, at most 48 and 64
 * (table_layout). A longer label leaves out the params all labels of its
 * name share, then keeps its head and its tail around "..." (cell()):
 * until session 21 both were cut at 22 and 28, and
 * refmalloc:mmap_threshold=64k and =1m read alike. */
#define COL_MAX_MODULE   48
#define COL_MAX_WORKLOAD 64
typedef struct {
	int w[2];                /* module, workload */
	const as_groups_t *g[2]; /* both folders' groups, for cell() */
} table_t;

static void table_layout(table_t *t, const as_groups_t *ga, const as_groups_t *gb)
{
	t->w[0] = 22;
	t->w[1] = 28;
	t->g[0] = ga;
	t->g[1] = gb;
	for (int k = 0; k < 2; k++) {
		const as_groups_t *gs = t->g[k];
		for (int i = 0; i < gs->n; i++) {
			int lm = (int)strlen(gs->g[i].module), lw = (int)strlen(gs->g[i].workload);
			t->w[0] = lm > t->w[0] ? lm : t->w[0];
			t->w[1] = lw > t->w[1] ? lw : t->w[1];
		}
	}
	t->w[0] = t->w[0] > COL_MAX_MODULE ? COL_MAX_MODULE : t->w[0];
	t->w[1] = t->w[1] > COL_MAX_WORKLOAD ? COL_MAX_WORKLOAD : t->w[1];
}

/* The label of group g in column c. */
static const char *col_label(const as_group_t *g, int c)
{
	return c ? g->workload : g->module;
}

/* 1 when every label of column c named as s (the text up to ':', of
 * length nl) holds the param item [it, it + il) whole. */
static int shared_item(const table_t *t, const char *s, size_t nl, const char *it, size_t il, int c)
{
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < t->g[k]->n; i++) {
			const char *o = col_label(&t->g[k]->g[i], c), *p;
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
static int named_labels(const table_t *t, const char *s, size_t nl, int c)
{
	int n = 1;
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < t->g[k]->n; i++) {
			const char *o = col_label(&t->g[k]->g[i], c);
			n += !strncmp(o, s, nl) && o[nl] == ':' && strcmp(o, s);
		}
	return n;
}

/* Label s of column c without the params every label of its name shares
 * ("..." in their place), into kept (of at least strlen(s) + 8 bytes);
 * s itself when none is left out. */
static const char *without_shared(const table_t *t, const char *s, int c, char *kept)
{
	const char *colon = strchr(s, ':');
	size_t nl = (size_t)(colon - s), k = nl + 1;
	int dropped = 0;
	memcpy(kept, s, k);
	for (const char *p = colon + 1; *p;) {
		size_t il = strcspn(p, ",");
		if (shared_item(t, s, nl, p, il, c))
			dropped = 1;
		else {
			if (k > nl + 1)
				kept[k++] = ',';
			memcpy(kept + k, p, il);
			k += il;
		}
		p += il + (p[il] == ',');
	}
	if (!dropped)
		return s;
	strcpy(kept + k, k > nl + 1 ? ",..." : "...");
	return kept;
}

/* Label s in column c (0 module, 1 workload), padded: out. A label too
 * long for the column first leaves out the params every label of its name
 * shares, then keeps its head and tail around "...": a cut in the middle
 * alone made the bump scenario's rows of size=16 and size=256 read alike
 * (an outside review). */
static const char *cell(const table_t *t, const char *s, int c, char *out, size_t len)
{
	int w = t->w[c], n = (int)strlen(s);
	char kept[1024];
	const char *colon = strchr(s, ':');
	if (n > w && colon && (size_t)n < sizeof(kept) - 8 &&
	    named_labels(t, s, (size_t)(colon - s), c) > 1) {
		s = without_shared(t, s, c, kept);
		n = (int)strlen(s);
	}
	if (n <= w)
		snprintf(out, len, "%-*s", w, s);
	else
		snprintf(out, len, "%.*s...%s", w / 3, s, s + n - (w - w / 3 - 3));
	return out;
}

/* The table's line of a change that has no ratio: the medians there are
 * and why. */
static void line_without_ratio(const table_t *t, const as_change_t *e, const char *metric)
{
	const as_group_t *ga = e->a, *gb = e->b;
	char cm[COL_MAX_MODULE + 1], cw[COL_MAX_WORKLOAD + 1];
	char va[24] = "-", vb[24] = "-", words[128];
	if (ga->n)
		snprintf(va, sizeof(va), "%.2f", as_median_of(ga->v, ga->n));
	if (gb->n)
		snprintf(vb, sizeof(vb), "%.2f", as_median_of(gb->v, gb->n));
	if (e->kind == AS_CH_FAILED)
		snprintf(words, sizeof(words),
		         "%s: no ok repetition, %d %s (trials.csv reason says why)",
		         change_words[e->kind], gb->failed, gb->fail_status);
	else if (e->kind == AS_CH_NO_RATIO && !ga->n && gb->n)
		snprintf(words, sizeof(words), "no ok repetition in A");
	else if (e->kind == AS_CH_NOT_MEASURED)
		snprintf(words, sizeof(words), "not measured on one side (%s)",
		         as_compare_unmeasured_why(metric));
	else
		snprintf(words, sizeof(words), "%s", change_words[e->kind]);
	printf("%s %s %3u %10s %10s %7s %17s %8s  %s\n", cell(t, gb->module, 0, cm, sizeof(cm)),
	       cell(t, gb->workload, 1, cw, sizeof(cw)), gb->threads, va, vb, "", "", "", words);
}

/* The table's line of change e. */
static void change_line(const table_t *t, const as_change_t *e, const char *metric)
{
	const as_group_t *g = e->b ? e->b : e->a;
	const as_cmp_t *c = &e->c;
	char cm[COL_MAX_MODULE + 1], cw[COL_MAX_WORKLOAD + 1], ci[32], ratio[16];
	if (e->kind >= AS_CH_ONLY_B) { /* a group in one folder only */
		printf("%s %s %3u %s\n", cell(t, g->module, 0, cm, sizeof(cm)),
		       cell(t, g->workload, 1, cw, sizeof(cw)), g->threads, change_words[e->kind]);
		return;
	}
	if (e->kind == AS_CH_NOT_MEASURED || e->kind == AS_CH_NO_RATIO || e->kind == AS_CH_FAILED) {
		line_without_ratio(t, e, metric);
		return;
	}
	snprintf(ci, sizeof(ci), isnan(c->ci_lo) ? "n/a" : "%.3f-%.3f", c->ci_lo, c->ci_hi);
	/* A's median 0, B's above (a count: 0 then 3 munmap calls): no ratio,
	 * but a change, judged by the test alone (compare.c) */
	snprintf(ratio, sizeof(ratio), isinf(c->ratio) ? "from 0" : "%.3f", c->ratio);
	printf(
	    "%s %s %3u %10.2f %10.2f %7s %17s %8.2g  %s%s\n", cell(t, g->module, 0, cm, sizeof(cm)),
	    cell(t, g->workload, 1, cw, sizeof(cw)), g->threads, as_median_of(e->a->v, e->a->n),
	    as_median_of(g->v, g->n), ratio, ci, c->p, change_words[e->kind],
	    isinf(c->ratio) && e->kind == AS_CH_REGRESSION ? " (A's median 0: no ratio, p decides)"
	                                                   : "");
}

/* The warning for a change whose B failed in part (as_change_t.partly),
 * on stderr: the table and --json say it only in their totals. */
static void warn_partly(const as_change_t *e)
{
	const as_group_t *a = e->a, *b = e->b;
	fprintf(stderr,
	        "allocscope compare: warning: %s %s t%u: %d of %d repetitions %s in B "
	        "(trials.csv reason says why), %d of %d in A; its figures are the ok ones\n",
	        b->module, b->workload, b->threads, b->failed, b->n + b->unmeasured + b->failed,
	        b->fail_status, a->failed, a->n + a->unmeasured + a->failed);
}

/* The table on stdout: its header, a line per change (and the warnings
 * of those that failed in part on stderr, in their place), the totals. */
static void print_table(const char *a, const char *b, const compare_opts_t *o,
                        const as_groups_t *ga, const as_groups_t *gb, const as_changes_t *ch)
{
	int ns = !strcmp(o->metric, "ns_per_op");
	char alt[256];
	table_t t;
	printf("B = %s against A = %s: ratio of median %s B/A, bootstrap 95 %% CI, "
	       "Mann-Whitney p; a change needs p < %.2g, a CI excluding 1 and more than "
	       "%g %%\n",
	       b, a, ns ? "ns/op" : o->metric, AS_CMP_ALPHA, o->threshold * 100);
	table_layout(&t, ga, gb);
	printf("%-*s %-*s %3s %10s %10s %7s %17s %8s  %s\n", t.w[0], "module", t.w[1], "workload",
	       "thr", ns ? "A ns/op" : "A median", ns ? "B ns/op" : "B median", "ratio", "95% CI",
	       "p", "verdict");
	for (int i = 0; i < ch->n; i++) {
		if (ch->v[i].partly)
			warn_partly(&ch->v[i]);
		change_line(&t, &ch->v[i], o->metric);
	}
	printf("%d matched: %d regression%s, %d improvement%s, %d failed in B", ch->matched,
	       ch->regressions, ch->regressions == 1 ? "" : "s", ch->improvements,
	       ch->improvements == 1 ? "" : "s", ch->failed);
	if (ch->partly)
		printf(", %d with failed repetitions in B", ch->partly);
	if (ch->not_run_in_b)
		printf(", %d not run in B", ch->not_run_in_b);
	if (ch->untested)
		printf(", %d slower but untested", ch->untested);
	printf("\n");
	if (ch->not_measured)
		printf("(%d more in both without %s %s)\n", ch->not_measured, o->metric,
		       as_compare_why_none(o->metric, alt, sizeof(alt)));
	if (ch->ok_in_neither)
		printf("(%d more in both with no ok repetition in either: skipped or failed "
		       "there, trials.csv says why)\n",
		       ch->ok_in_neither);
}

/* --json's document: its head, the keys every document has. */
static json_t *json_head(const char *a, const char *b, const compare_opts_t *o)
{
	json_t *root = as_json_object();
	as_json_set_str(root, "format", "allocscope-compare");
	as_json_set(root, "format_version", as_json_num(AS_JSON_FORMAT_VERSION, 'I'));
	as_json_set_str(root, "a", a);
	as_json_set_str(root, "b", b);
	as_json_set_str(root, "metric", o->metric);
	as_json_set(root, "threshold", as_json_num(o->threshold, 'F'));
	return root;
}

/* root on stdout; 0, or -1 after a line on stderr. Frees root. */
static int json_print_doc(json_t *root)
{
	int rc = as_json_print(root);
	if (rc != 0)
		fprintf(stderr, "allocscope compare: cannot write to stdout\n");
	json_decref(root);
	return rc ? -1 : 0;
}

/* --json after an error before any comparison: a document with the
 * folders, the metric and "error" (the line said on stderr). */
static void json_error_doc(const char *a, const char *b, const compare_opts_t *o)
{
	json_t *root = json_head(a, b, o);
	as_json_set(root, "matched", as_json_num(0, 'I'));
	as_json_set_str(root, "error",
	                *as_compare_last_error() ? as_compare_last_error() : "compare failed");
	json_print_doc(root);
}

/* A change as JSON: a match as B's group against A's, keys as
 * comparisons.csv's where they mean the same (n: B's repetitions,
 * n_baseline: A's); a group in one folder only by its keys. */
static json_t *change_json(const as_change_t *e, const char *metric)
{
	const as_group_t *g = e->b ? e->b : e->a;
	json_t *o = as_json_object();
	as_json_set_str(o, "module", g->module);
	if (e->kind >= AS_CH_ONLY_B) {
		as_json_set_str(o, "workload", g->workload);
		as_json_set(o, "threads", as_json_num(g->threads, 'I'));
		return o;
	}
	as_json_cmp(o, g, metric, &e->c);
	as_json_set(o, "median_a", as_json_num(as_median_of(e->a->v, e->a->n), 'F'));
	as_json_set(o, "median_b", as_json_num(as_median_of(g->v, g->n), 'F'));
	as_json_set_str(o, "change", as_change_name(e->kind));
	return o;
}

/* --json's document on stdout: the changes, the folders' differences
 * (diffs, taken), the totals, and "error" NONE when nothing matched (the
 * warnings of changes that failed in part on stderr). Returns 0, or -1
 * after a line on stderr. */
static int print_json(const char *a, const char *b, const compare_opts_t *o, const as_changes_t *ch,
                      json_t *diffs, const char *none)
{
	json_t *root = json_head(a, b, o), *arr[3];
	static const char *const keys[] = {"changes", "only_in_a", "only_in_b"};
	for (int k = 0; k < 3; k++)
		arr[k] = as_json_array();
	for (int i = 0; i < ch->n; i++) {
		const as_change_t *e = &ch->v[i];
		if (e->partly)
			warn_partly(e);
		as_json_push(arr[e->kind == AS_CH_ONLY_B  ? 2
		                 : e->kind > AS_CH_ONLY_B ? 1
		                                          : 0],
		             change_json(e, o->metric));
	}
	as_json_set(root, "context_differences", diffs);
	for (int k = 0; k < 3; k++)
		as_json_set(root, keys[k], arr[k]);
	const struct {
		const char *key;
		int n;
	} totals[] = {{"regressions", ch->regressions},
	              {"improvements", ch->improvements},
	              {"failed", ch->failed},
	              {"failed_partly", ch->partly},
	              {"not_run_in_b", ch->not_run_in_b},
	              {"untested_slower", ch->untested},
	              {"not_measured", ch->not_measured},
	              {"ok_in_neither", ch->ok_in_neither},
	              {"matched", ch->matched}};
	for (size_t k = 0; k < sizeof(totals) / sizeof(totals[0]); k++)
		as_json_set(root, totals[k].key, as_json_num(totals[k].n, 'I'));
	if (ch->matched == 0) /* said on stderr too, exit 2 */
		as_json_set_str(root, "error", none);
	return json_print_doc(root);
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

/* Why nothing was compared, into none: a folder without trial rows is
 * named (a run stopped before its first trial), else what each holds. */
static void why_none(char *none, size_t len, const char *a, const as_groups_t *ga, const char *b,
                     const as_groups_t *gb, const as_changes_t *ch, const char *metric)
{
	char alt[256];
	if (!ga->n || !gb->n)
		snprintf(none, len,
		         "%s: no trial rows in its trials.csv (a run stopped before its first "
		         "trial?): nothing to compare",
		         ga->n ? b : a);
	else if (ch->not_measured)
		snprintf(none, len, "no %s in either folder %s", metric,
		         as_compare_why_none(metric, alt, sizeof(alt)));
	else if (ch->ok_in_neither)
		/* in both, failed or skipped in both: until session 35 said to
		 * be in neither, the table's line on stdout alone said why */
		snprintf(none, len,
		         "no ok repetition in either folder of the %d module/workload/threads "
		         "they share (failed or skipped there: trials.csv's reason says why)",
		         ch->ok_in_neither);
	else
		snprintf(none, len, "no module/workload/threads in both folders");
}

/* The two folders, options before, between and after them, into *a and
 * *b. Returns 0, 1 after --help, or -1 after a line on stderr. */
static int parse_args(int argc, char **argv, compare_opts_t *o, const char **a, const char **b)
{
	const char *pos[2];
	int npos, r = as_cli_parse_operands(&as_cmd_compare, argc, argv, on_compare_opt, o, pos, 2,
	                                    &npos);
	if (r == -2)
		return 1;
	if (r < 0)
		return -1;
	if (npos != 2) {
		fprintf(stderr, "allocscope compare: expected two results folders, A "
		                "(before) and B (after)\n");
		return -1;
	}
	*a = pos[0];
	*b = pos[1];
	return 0;
}

/* Both folders' groups of the metric in the table's order, their
 * machines in ma and mb. Returns 0, or -1 after a line on stderr (the
 * folders judged before anything is read or said: a refusal is its one
 * line, not after notes on modules matched). */
static int load_folders(const char *a, const char *b, const char *metric, as_groups_t *ga,
                        as_groups_t *gb, as_machine_t *ma, as_machine_t *mb, int *missing)
{
	as_modkeys_t *mk = calloc(2, sizeof(*mk));
	int r = mk ? as_compare_check_kinds(a, b) : -1;
	if (r == 0) {
		as_compare_match_paths(a, b, mk);
		r = as_compare_load_both(a, b, metric, ga, gb, ma, mb, mk, missing);
	}
	free(mk);
	if (r != 0)
		return -1;
	/* the groups are unique per (module, workload, threads): a total order */
	as_groups_sort(ga, cmp_group_order);
	as_groups_sort(gb, cmp_group_order);
	return 0;
}

/* The warnings about the folders (compare_warn.c) on stderr, their
 * objects in diffs unless it is NULL. */
static void warn_folders(const char *a, const char *b, const char *metric, const as_machine_t *ma,
                         const as_machine_t *mb, json_t *diffs)
{
	as_buf_t say = {0};
	as_compare_warn_contexts(a, b, as_compare_timing_metric(metric), diffs, &say);
	as_compare_warn_handoff(ma->handoff_end_ns_median_kept, mb->handoff_end_ns_median_kept,
	                        diffs, &say);
	as_compare_warn_noisy(a, b, ma, mb, diffs, &say);
	if (say.len)
		fputs(say.data, stderr);
	as_buf_free(&say);
}

static int compare_main(int argc, char **argv)
{
	compare_opts_t o = {.threshold = 0.05, .metric = "ns_per_op"};
	as_groups_t ga = {0}, gb = {0};
	as_changes_t ch = {0};
	as_machine_t ma = {0, NAN, 0, NAN, NAN}, mb = {0, NAN, 0, NAN, NAN};
	const char *a, *b;
	char none[512] = "";
	int r, missing = 0, rc = 2;

	if ((r = parse_args(argc, argv, &o, &a, &b)) != 0)
		return r > 0 ? 0 : 2;
	if (load_folders(a, b, o.metric, &ga, &gb, &ma, &mb, &missing) != 0) {
		if (o.json) /* stdout stays JSON for the program reading it */
			json_error_doc(a, b, &o);
		goto out;
	}
	if (as_compare_changes(&ga, &gb, o.threshold, &ch) != 0) {
		as_compare_error("out of memory");
		goto out;
	}
	ch.not_run_in_b += missing; /* suite A's scenarios that B has not */
	/* nothing to compare is a refusal: its one line, and no table on
	 * stdout before it (until session 35 the header and "only in" lines
	 * came first); --json writes its document with the error */
	if (ch.matched == 0) {
		why_none(none, sizeof(none), a, &ga, b, &gb, &ch, o.metric);
		if (!o.json) {
			as_compare_error("%s", none);
			goto out;
		}
	}
	if (o.json) {
		json_t *diffs = as_json_array();
		warn_folders(a, b, o.metric, &ma, &mb, diffs);
		if (print_json(a, b, &o, &ch, diffs, none) != 0)
			goto out;
	} else {
		warn_folders(a, b, o.metric, &ma, &mb, NULL);
		print_table(a, b, &o, &ga, &gb, &ch);
	}
	rc = o.fail_on_regression &&
	             (ch.regressions || ch.failed || ch.partly || ch.not_run_in_b || ch.untested)
	         ? 1
	         : 0;
	if (ch.matched == 0) {
		as_compare_error("%s", none);
		rc = 2;
	}
out:
	as_changes_free(&ch);
	as_groups_free(&ga);
	as_groups_free(&gb);
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
