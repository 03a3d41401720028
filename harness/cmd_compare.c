/* cmd_compare.c - `allocscope compare A B`: two results folders (before
 * and after a change to a module, two machines), or two suite folders
 * scenario by scenario, matched by module, workload and threads; per match
 * the ratio B/A of the median of the metric (--metric, ns_per_op by
 * default: any numeric trials.csv column where less is better) with its
 * bootstrap 95 % CI and the Mann-Whitney p (compare.c), flagged as a
 * regression or improvement beyond --threshold; a warning when the two
 * contexts differ where it matters. Reads only; never runs a trial. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "commands.h"
#include "compare.h"
#include "disturb.h"
#include "json.h"
#include "labels.h"
#include "loader.h"
#include "results_dir.h"
#include "results_format.h"
#include "resume.h"
#include "stats.h"
#include "suggest.h"
#include "tables.h"
#include "trials_read.h"

enum { OPT_THRESHOLD = 256, OPT_FAIL_ON_REGRESSION, OPT_JSON, OPT_METRIC };

static const as_opt_t compare_opts[] = {
    {OPT_THRESHOLD, "threshold", "PCT", "5%",
     "smallest change of the median ratio B/A that counts: a regression above 1 + PCT, an "
     "improvement below 1/(1 + PCT), the same factor the other way (5%: 1.05 and 0.952; 5% "
     "or 5; a bare number below 1 is refused as ambiguous)"},
    {OPT_FAIL_ON_REGRESSION, "fail-on-regression", NULL, NULL,
     "exit 1 when any match is a regression, or failed in B (no ok repetition where A had "
     "some; for CI)"},
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
		pct = strtod(arg, &end);
		if (end == arg || (*end && strcmp(end, "%")) || !(pct >= 0 && pct <= 1000)) {
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

/* What a metric is, for what an empty cell of it means: a time (trials
 * run side by side, --jobs, leave it empty or make it wall time:
 * context.csv timing_figures), a syscall count (empty when counting was
 * off or failed: syscall_counting, warning_syscalls), a figure every ok
 * trial has, or one that may be n/a in a trial (results/README.md:
 * rss_after_trim_kib without trim(), handoff_ns at 1 thread, ...). */
typedef enum { FIG_TIME, FIG_SYSCALL, FIG_ALWAYS, FIG_MAYBE } fig_kind_t;

static int in_list(const char *s, const char *const *l)
{
	for (; *l; l++)
		if (!strcmp(s, *l))
			return 1;
	return 0;
}

static const char *const timed[] = {"ns_per_op",   "ops_per_sec",    "wall_ns",    "elapsed_ns",
                                    "canary_ns",   "wait_ns",        "handoff_ns", "handoff_end_ns",
                                    "pass_ns_max", "pass_ns_median", NULL};

static fig_kind_t fig_kind(const char *metric)
{
	static const char *const sys[] = {"syscalls_total",
	                                  "brk_calls",
	                                  "mmap_calls",
	                                  "munmap_calls",
	                                  "mremap_calls",
	                                  "madvise_calls",
	                                  "madvise_dontneed_calls",
	                                  "madvise_free_calls",
	                                  "mprotect_calls",
	                                  NULL};
	static const char *const always[] = {"ops",
	                                     "elapsed_ns",
	                                     "sampling_ns",
	                                     "live_bytes_peak",
	                                     "rss_before_kib",
	                                     "rss_peak_kib",
	                                     "rss_end_kib",
	                                     "rss_after_free_kib",
	                                     "heap_rss_peak_kib",
	                                     "heap_size_peak_kib",
	                                     "mmap_rss_peak_kib",
	                                     "mmap_size_peak_kib",
	                                     "heap_rss_after_free_kib",
	                                     "mmap_rss_after_free_kib",
	                                     "minflt",
	                                     "majflt",
	                                     "samples",
	                                     "passes",
	                                     NULL};
	if (in_list(metric, timed))
		return FIG_TIME;
	if (in_list(metric, sys))
		return FIG_SYSCALL;
	return in_list(metric, always) ? FIG_ALWAYS : FIG_MAYBE;
}

/* The metrics trials run side by side (--jobs) leave empty or make wall
 * time: context.csv timing_figures names them. */
static int timing_metric(const char *metric)
{
	return fig_kind(metric) == FIG_TIME;
}

/* Why an ok trial may have no value of METRIC: the table's words. */
static const char *unmeasured_why(const char *metric)
{
	switch (fig_kind(metric)) {
	case FIG_TIME: return "--jobs: no timing";
	case FIG_SYSCALL: return "syscall counting off";
	default: return "n/a there";
	}
}

/* Why neither folder has METRIC, and other metrics to compare (of
 * another kind: not the metric itself), in out: "(WHY): compare ...". */
static const char *why_none(const char *metric, char *out, size_t len)
{
	static const char *const alts[] = {"rss_peak_kib", "minflt", "syscalls_total", "ns_per_op"};
	fig_kind_t k = fig_kind(metric);
	int n = 0, w = snprintf(out, len, "(%s): compare another --metric, e.g. ",
	                        k == FIG_TIME      ? "trials run side by side, --jobs, have no "
	                                             "timing"
	                        : k == FIG_SYSCALL ? "syscall counting was off, context.csv "
	                                             "syscall_counting"
	                                           : "their cells are empty: n/a");
	for (size_t i = 0; i < sizeof(alts) / sizeof(alts[0]) && n < 3; i++)
		if (fig_kind(alts[i]) != k && w > 0 && (size_t)w < len)
			w += snprintf(out + w, len - (size_t)w, "%s%s", n++ ? ", " : "", alts[i]);
	return out;
}

/* Whether context table ctx says every ok trial has a value of METRIC
 * (so an empty cell is damage): a time unless timing_figures says the
 * trials ran side by side (under --validate they are written), a syscall
 * count when counting was on and no worker failed at it, the figures every
 * trial has; *why the context's words. */
static const char *context_value(const as_table_t *t, const char *key)
{
	for (size_t r = 0; r < t->nrows; r++)
		if (!strcmp(as_table_str(t, r, "key"), key))
			return as_table_str(t, r, "value");
	return "";
}

static int fig_measured(const as_table_t *ctx, const char *metric, const char **why)
{
	const char *tf = context_value(ctx, "timing_figures");
	const char *sc = context_value(ctx, "syscall_counting");
	switch (fig_kind(metric)) {
	case FIG_TIME:
		*why = "context.csv has no timing_figures: the trials ran one at a time";
		if (!strcmp(metric, "elapsed_ns"))
			return 1; /* the wall time under --jobs */
		return (!*tf || !strncmp(tf, "the validator's", 15)) &&
		       (!strcmp(metric, "ns_per_op") || !strcmp(metric, "ops_per_sec") ||
		        !strcmp(metric, "wall_ns"));
	case FIG_SYSCALL:
		*why = "context.csv syscall_counting says counting was on";
		for (size_t r = 0; r < ctx->nrows; r++)
			if (!strcmp(as_table_str(ctx, r, "key"), "warning_syscalls"))
				return 0;
		return *sc && strncmp(sc, "n/a", 3);
	case FIG_ALWAYS: *why = "every ok trial has it"; return 1;
	default: return 0;
	}
}

/* The last error said (cmp_error), for --json's "error". */
static char last_error[512];

/* An error line on stderr, "allocscope compare: " and FMT, kept in
 * last_error: a --json reader gets it on stdout too. */
__attribute__((format(printf, 1, 2))) static void cmp_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	fprintf(stderr, "allocscope compare: %s\n", last_error);
}

/* DIR/NAME read into t; -1 after a line on stderr. */
static int read_table(const char *dir, const char *name, as_table_t *t)
{
	char path[PATH_MAX], err[PATH_MAX + 256];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		cmp_error("%.200s...: path too long", dir);
		return -1;
	}
	if (as_table_read(path, t, err, sizeof(err)) != 0) {
		cmp_error("%s", err);
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

/* The module names of one side (A or B) as written in trials.csv (orig)
 * and as compare matches them (key), MAX_MODKEYS distinct: match_paths
 * fills them from both sides before any group is read. */
#define MAX_MODKEYS 64
typedef struct {
	int n;
	char orig[MAX_MODKEYS][256], key[MAX_MODKEYS][256];
	/* the module labels (module, params) of the side: nlab of them, each
	 * as matched (key[:params]) in lab once the keys are set, and the
	 * other side's label it is paired with in lab_to ("" none) */
	int nlab, lab_mod[MAX_MODKEYS];
	char lab_params[MAX_MODKEYS][256], lab[MAX_MODKEYS][520], lab_to[MAX_MODKEYS][520];
} modkeys_t;

static int modkeys_find(const modkeys_t *mk, const char *m)
{
	for (int i = 0; i < mk->n; i++)
		if (!strcmp(mk->orig[i], m))
			return i;
	return -1;
}

/* DIR/trials.csv's modules into mk (key = the name as written); a file
 * that cannot be read is said when its groups are loaded. */
static void collect_modules(const char *dir, modkeys_t *mk)
{
	char path[PATH_MAX], err[PATH_MAX + 64];
	as_table_t t;
	if ((size_t)snprintf(path, sizeof(path), "%s/trials.csv", dir) >= sizeof(path) ||
	    as_table_read(path, &t, err, sizeof(err)) != 0)
		return;
	for (size_t r = 0; r < t.nrows && mk->n < MAX_MODKEYS; r++) {
		const char *m = as_table_str(&t, r, "module");
		const char *p = as_table_str(&t, r, "module_params");
		int i = modkeys_find(mk, m), seen = 0;
		if (*m && i < 0) {
			snprintf(mk->orig[mk->n], sizeof(mk->orig[0]), "%s", m);
			snprintf(mk->key[mk->n], sizeof(mk->key[0]), "%s", m);
			i = mk->n++;
		}
		for (int l = 0; l < mk->nlab && !seen && i >= 0; l++)
			seen = mk->lab_mod[l] == i && !strcmp(mk->lab_params[l], p);
		if (*m && !seen && mk->nlab < MAX_MODKEYS) {
			mk->lab_mod[mk->nlab] = i;
			snprintf(mk->lab_params[mk->nlab++], sizeof(mk->lab_params[0]), "%s", p);
		}
	}
	as_table_free(&t);
}

/* How many path modules of side mk, not written alike on the other side,
 * have file name STEM; *last the last of them. */
static int unmatched_with_stem(const modkeys_t *mk, const modkeys_t *other, const char *stem,
                               int *last)
{
	int n = 0;
	for (int i = 0; i < mk->n; i++) {
		char s[256];
		if (!as_module_is_path(mk->orig[i]) || modkeys_find(other, mk->orig[i]) >= 0)
			continue;
		as_label_name(mk->orig[i], s, sizeof(s));
		if (!strcmp(s, stem)) {
			n++;
			*last = i;
		}
	}
	return n;
}

static char **common_scenarios(const char *a, const char *b, int *n);
static void match_params(modkeys_t mk[2]);

/* A module given by path is matched by the path as written when the other
 * side has it so; else by its file name when exactly one path module on
 * each side, written differently, has that name (out/x.so before, a
 * rebuild at out-v2/x.so after): B's then takes A's path as its key, and
 * a note says so. A built-in name never matches a path (glibc against
 * out/glibc.so). Until session 20 the paths as typed alone were matched,
 * so a rebuild was "only in A" and "only in B" and --fail-on-regression
 * passed. */
static void match_paths(const char *a, const char *b, modkeys_t mk[2])
{
	if (as_results_kind(a) == AS_RESULTS_SUITE) {
		int n;
		char **subs = common_scenarios(a, b, &n);
		for (int i = 0; i < n; i++) {
			char p[PATH_MAX];
			for (int k = 0; k < 2; k++) {
				snprintf(p, sizeof(p), "%s/%s", k ? b : a, subs[i]);
				collect_modules(p, &mk[k]);
			}
			free(subs[i]);
		}
		free(subs);
	} else {
		collect_modules(a, &mk[0]);
		collect_modules(b, &mk[1]);
	}
	for (int i = 0; i < mk[0].n; i++) {
		char stem[256];
		int ia = -1, ib = -1;
		if (!as_module_is_path(mk[0].orig[i]) || modkeys_find(&mk[1], mk[0].orig[i]) >= 0)
			continue;
		as_label_name(mk[0].orig[i], stem, sizeof(stem));
		if (unmatched_with_stem(&mk[0], &mk[1], stem, &ia) == 1 &&
		    unmatched_with_stem(&mk[1], &mk[0], stem, &ib) == 1) {
			/* two sides' buffers of one size: a copy, no overlap */
			memcpy(mk[1].key[ib], mk[0].orig[ia], sizeof(mk[1].key[0]));
			fprintf(
			    stderr,
			    "allocscope compare: note: module %s in A and %s in B matched by file "
			    "name\n",
			    mk[0].orig[ia], mk[1].orig[ib]);
		}
	}
	match_params(mk);
}

/* Labels second: a label of one side that the other does not have is
 * paired with the other's when its module (as matched above) has exactly
 * one label on each side: refmalloc before, refmalloc:mmap_threshold=64k
 * after (a param change, which until session 21 was "only in A" and
 * "only in B", exit 0 under --fail-on-regression). B's then takes A's
 * label, and a note names both. */
static void match_params(modkeys_t mk[2])
{
	for (int k = 0; k < 2; k++)
		for (int l = 0; l < mk[k].nlab; l++) {
			const char *p = mk[k].lab_params[l];
			snprintf(mk[k].lab[l], sizeof(mk[k].lab[0]), "%s%s%s",
			         mk[k].key[mk[k].lab_mod[l]], *p ? ":" : "", p);
		}
	for (int i = 0; i < mk[0].nlab; i++) {
		const char *key = mk[0].key[mk[0].lab_mod[i]];
		int na = 0, nb = 0, ib = -1;
		for (int l = 0; l < mk[0].nlab; l++)
			na += !strcmp(mk[0].key[mk[0].lab_mod[l]], key);
		for (int l = 0; l < mk[1].nlab; l++)
			if (!strcmp(mk[1].key[mk[1].lab_mod[l]], key)) {
				nb++;
				ib = l;
			}
		if (na != 1 || nb != 1 || !strcmp(mk[0].lab[i], mk[1].lab[ib]))
			continue;
		memcpy(mk[1].lab_to[ib], mk[0].lab[i], sizeof(mk[1].lab_to[0]));
		fprintf(stderr,
		        "allocscope compare: note: module %s in A and %s in B matched by module "
		        "name (their params differ; the row is named as in A)\n",
		        mk[0].lab[i], mk[1].lab[ib]);
	}
}

/* Row r's module as compare matches it (match_paths). */
static const char *module_key(const as_table_t *t, size_t r, const modkeys_t *mk)
{
	const char *m = as_table_str(t, r, "module");
	int i = modkeys_find(mk, m);
	return i < 0 ? m : mk->key[i];
}

/* Cell S of a metric as a value: 0 with *v (NaN when empty: n/a), or -1
 * when it is no finite number >= 0, which allocscope never writes (a
 * figure it has not is an empty cell, results/README.md): "inf", "nan",
 * "-3", "12abc", " 5". */
static int metric_value(const char *s, double *v)
{
	char *end;
	*v = NAN;
	if (!*s)
		return 0;
	if (!((*s >= '0' && *s <= '9') || *s == '.'))
		return -1;
	errno = 0;
	*v = strtod(s, &end);
	return errno || *end || !isfinite(*v) ? -1 : 0;
}

typedef struct {
	uint32_t trial, rep;
	size_t line;
} ident_t;

static int cmp_ident(const void *x, const void *y)
{
	const ident_t *a = x, *b = y;
	if (a->trial != b->trial)
		return a->trial < b->trial ? -1 : 1;
	if (a->rep != b->rep)
		return a->rep < b->rep ? -1 : 1;
	return a->line < b->line ? -1 : a->line > b->line;
}

/* Table t (DIR/trials.csv) refused when a value would be taken wrongly:
 * an ok row's METRIC cell that is no value (metric_value), or a (trial,
 * rep) written twice, which would count a repetition twice in n and in
 * the test. Returns 0, or -1 after one line naming file, line and column
 * (both lines for a pair). */
static int check_values(const char *dir, const as_table_t *t, const char *metric)
{
	int ctrial = as_table_col(t, "trial"), crep = as_table_col(t, "rep");
	ident_t *id;
	int rc = 0;
	for (size_t r = 0; r < t->nrows; r++) {
		const char *cell = as_table_str(t, r, metric);
		double v;
		if (strcmp(as_table_str(t, r, "status"), "ok") || metric_value(cell, &v) == 0)
			continue;
		cmp_error("%s/trials.csv: line %zu, column %s: '%s' is not a "
		          "value (a finite number >= 0, or empty for n/a): the folder is damaged",
		          dir, r + 2, metric, cell);
		return -1;
	}
	if (ctrial < 0 || crep < 0 || t->nrows < 2)
		return 0;
	if (!(id = malloc(t->nrows * sizeof(*id)))) {
		cmp_error("out of memory");
		return -1;
	}
	for (size_t r = 0; r < t->nrows && rc == 0; r++) {
		id[r].line = r + 2;
		if (as_table_count(as_table_num(t, r, "trial"), &id[r].trial) != 0 ||
		    as_table_count(as_table_num(t, r, "rep"), &id[r].rep) != 0) {
			cmp_error("%s/trials.csv: line %zu: trial or rep is not a "
			          "count: the folder is damaged",
			          dir, r + 2);
			rc = -1;
		}
	}
	if (rc == 0)
		qsort(id, t->nrows, sizeof(*id), cmp_ident);
	for (size_t r = 1; r < t->nrows && rc == 0; r++)
		if (id[r].trial == id[r - 1].trial && id[r].rep == id[r - 1].rep) {
			cmp_error("%s/trials.csv: lines %zu and %zu: trial %u "
			          "repetition %u twice: the folder is damaged (a row written twice "
			          "would count twice)",
			          dir, id[r - 1].line, id[r].line, id[r].trial, id[r].rep);
			rc = -1;
		}
	free(id);
	return rc;
}

/* Table t (DIR/trials.csv) refused when an ok row has no value of METRIC
 * though DIR/context.csv says every ok trial has one (fig_measured):
 * until session 21 such a folder read as "not measured on one side
 * (--jobs: no timing)", exit 0. Returns 0, or -1 after one line. */
static int check_empty(const char *dir, const as_table_t *t, const char *metric)
{
	as_table_t ctx;
	const char *why = "";
	int measured;
	if (read_table(dir, "context.csv", &ctx) != 0)
		return -1;
	measured = fig_measured(&ctx, metric, &why);
	as_table_free(&ctx);
	for (size_t r = 0; r < t->nrows && measured; r++)
		if (!strcmp(as_table_str(t, r, "status"), "ok") && !*as_table_str(t, r, metric)) {
			cmp_error("%s/trials.csv: line %zu, column %s: empty in an "
			          "ok row, but %s: the folder is damaged",
			          dir, r + 2, metric, why);
			return -1;
		}
	return 0;
}

/* DIR's trials.csv as groups of the metric: its ok repetitions, the ones
 * the machine disturbed left out as summary.csv leaves them, each
 * workload label after PREFIX (a suite's "SCENARIO/", else ""); and what
 * its trials say of the machine in *mach (disturb.h as_machine). */
static int load_groups(const char *dir, const char *prefix, const char *metric, as_groups_t *gs,
                       as_machine_t *mach, const modkeys_t *mk)
{
	as_table_t t;
	char err[512];
	unsigned char *dist;
	if (as_results_format_check(dir, err, sizeof(err)) != 0) {
		cmp_error("%s", err);
		return -1;
	}
	if (read_table(dir, "trials.csv", &t) != 0)
		return -1;
	/* a damaged file is said, not half-read: a row cut short or garbled
	 * keys would make groups of their own ("only in B") or none */
	{
		static const char *const need[] = {"module", "workload", "threads", "status"};
		for (size_t k = 0; k < sizeof(need) / sizeof(need[0]); k++)
			if (as_table_col(&t, need[k]) < 0) {
				cmp_error("%s/trials.csv: no column '%s'", dir, need[k]);
				as_table_free(&t);
				return -1;
			}
		for (size_t r = 0; r < t.nrows; r++) {
			uint32_t thr;
			char buf[64];
			const char *why = as_table_row_damage(&t, r, buf, sizeof(buf));
			if (!why &&
			    (as_table_count(as_table_num(&t, r, "threads"), &thr) != 0 || thr == 0))
				why = "threads is not a count";
			else if (!why && (!*as_table_str(&t, r, "module") ||
			                  !*as_table_str(&t, r, "status")))
				why = "module or status empty";
			if (why) {
				cmp_error("%s/trials.csv: line %zu: %s%s", dir, r + 2, why,
				          why == buf ? " (damaged)" : "");
				as_table_free(&t);
				return -1;
			}
		}
	}
	if (as_table_col(&t, metric) < 0) {
		cmp_error("%s/trials.csv: no column '%s': the folder is damaged "
		          "(or an allocscope without that column wrote it)",
		          dir, metric);
		as_table_free(&t);
		return -1;
	}
	if (check_values(dir, &t, metric) != 0 || check_empty(dir, &t, metric) != 0) {
		as_table_free(&t);
		return -1;
	}
	dist = calloc(t.nrows ? t.nrows : 1, 1);
	if (!dist || as_table_machine(&t, dist, mach) != 0) {
		cmp_error("out of memory");
		free(dist);
		as_table_free(&t);
		return -1;
	}
	for (size_t r = 0; r < t.nrows; r++) {
		char m[512], w[1024], pw[1100];
		uint32_t thr = 0;
		double v;
		int ok = !strcmp(as_table_str(&t, r, "status"), "ok");
		if (dist[r] == AS_DIST_OUT)
			continue;
		metric_value(as_table_str(&t, r, metric), &v);        /* ok rows checked above */
		as_table_count(as_table_num(&t, r, "threads"), &thr); /* checked above */
		{
			const char *p = as_table_str(&t, r, "module_params");
			snprintf(m, sizeof(m), "%s%s%s", module_key(&t, r, mk), *p ? ":" : "", p);
			for (int l = 0; l < mk->nlab; l++)
				if (*mk->lab_to[l] && !strcmp(mk->lab[l], m)) {
					snprintf(m, sizeof(m), "%s", mk->lab_to[l]);
					break;
				}
		}
		label(&t, r, "workload", "workload_params", w, sizeof(w));
		snprintf(pw, sizeof(pw), "%s%s", prefix, w);
		if (ok && isnan(v))
			as_groups_add_unmeasured(gs, m, pw, thr);
		else if (!ok && strcmp(as_table_str(&t, r, "status"), "skipped"))
			as_groups_add_failed(gs, m, pw, thr, as_table_str(&t, r, "status"));
		else
			as_groups_add(gs, m, pw, thr, ok ? v : NAN);
	}
	free(dist);
	as_table_free(&t);
	return 0;
}

/* A warning (and an object {"key": "noisy", a, b}: the shares, "" when
 * not known, in diffs) when a folder with multi-thread trials ran on a
 * noisy machine (disturb.h AS_NOISY_SHARE): its multi-thread figures may
 * be slowed where nothing flags it. */
static int warn_noisy(const char *a, const char *b, const as_machine_t *ma, const as_machine_t *mb,
                      json_t *diffs)
{
	char va[32] = "", vb[32] = "";
	int n = 0;
	for (int k = 0; k < 2; k++) {
		const as_machine_t *m = k ? mb : ma;
		if (!isnan(m->noisy_share))
			snprintf(k ? vb : va, sizeof(va), "%.2f", m->noisy_share);
		if (m->noisy_share >= AS_NOISY_SHARE && m->multi_thread_trials) {
			fprintf(
			    stderr,
			    "allocscope compare: warning: %s ran on a noisy machine: %.0f %% of "
			    "its "
			    "1-thread trials disturbed; its multi-thread ns/op may be slowed where "
			    "nothing flags it\n",
			    k ? b : a, 100 * m->noisy_share);
			n++;
		}
	}
	if (n && diffs) {
		json_t *d = as_json_object();
		as_json_set_str(d, "key", "noisy");
		as_json_set_str(d, "a", va);
		as_json_set_str(d, "b", vb);
		as_json_push(diffs, d);
	}
	return n;
}

/* A warning (and an object in diffs) when the threads of one folder's
 * multi-thread trials ran farther apart than the other's, by the rule's
 * factor (disturb.h): the host placed the CPUs differently, and
 * multi-thread ns/op moves with that, whatever the modules did. */
static int warn_handoff(double ha, double hb, json_t *diffs)
{
	char va[32], vb[32];
	if (!(ha > 0 && hb > 0) || (ha <= AS_DISTURB_HANDOFF * hb && hb <= AS_DISTURB_HANDOFF * ha))
		return 0;
	snprintf(va, sizeof(va), "%.0f", ha);
	snprintf(vb, sizeof(vb), "%.0f", hb);
	fprintf(stderr,
	        "allocscope compare: warning: the threads' CPUs were farther apart in %s: "
	        "a cache-line round trip took %s ns in A and %s ns in B (median trials.csv "
	        "handoff_end_ns at 2 threads or more); multi-thread ns/op move with that\n",
	        ha > hb ? "A" : "B", va, vb);
	if (diffs) {
		json_t *d = as_json_object();
		as_json_set_str(d, "key", "handoff_end_ns");
		as_json_set_str(d, "a", va);
		as_json_set_str(d, "b", vb);
		as_json_push(diffs, d);
	}
	return 1;
}

/* The context keys whose difference makes a comparison suspect: the
 * machine and build, then the measurement settings (results/README.md
 * context.csv), which move the figures as much: --latency 1 against 0 and
 * --syscalls off made glibc a 2.96x "regression" in an outside review.
 * A setting is compared only when both folders record it (an older
 * folder may lack one); timing_figures only when the metric is no time,
 * which has its own warning (warn_contexts). */
static const char *const context_keys[] = {"host",       "cpu_model",    "kernel", "glibc",
                                           "build_type", "git_revision", NULL};
static const char *const setting_keys[] = {"latency_every",
                                           "sample_every",
                                           "sample_interval_ms",
                                           "warmup_runs",
                                           "min_time_s",
                                           "jobs",
                                           "pinning",
                                           "syscall_counting",
                                           "quick_checks",
                                           "timing_figures",
                                           NULL};

typedef enum {
	CH_REGRESSION,
	CH_IMPROVEMENT,
	CH_NONE,
	CH_TOO_FEW,
	CH_NO_RATIO,
	CH_NOT_MEASURED,
	CH_FAILED
} change_t;
static const char *const change_names[] = {"regression", "improvement",  "no_change", "too_few",
                                           "no_ratio",   "not_measured", "failed"};
static const char *const change_words[] = {"REGRESSION",
                                           "improvement",
                                           "no change",
                                           "too few repetitions for a test",
                                           "no ok repetition on one side",
                                           "not measured on one side",
                                           "FAILED in B"};

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
	if (c->outcome == AS_CMP_TOO_FEW)
		return CH_TOO_FEW;
	if (c->outcome == AS_CMP_NO_RATIO)
		return CH_NO_RATIO;
	return CH_NONE;
}

/* The table's module and workload columns: as wide as the longest label
 * of either folder, at least the header's 22 and 28, at most 48 and 64
 * (set by compare_main before the first line). A longer label keeps its
 * head and its tail, where params differ, around "...": until session 21
 * both were cut at 22 and 28, and refmalloc:mmap_threshold=64k and =1m
 * read alike. */
static int col_w[2] = {22, 28};
#define COL_MAX_MODULE   48
#define COL_MAX_WORKLOAD 64

static void set_widths(const as_groups_t *ga, const as_groups_t *gb)
{
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

/* Label s in column c (0 module, 1 workload), padded: out. */
static const char *cell(const char *s, int c, char *out, size_t len)
{
	int w = col_w[c], n = (int)strlen(s);
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
			         unmeasured_why(metric));
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

/* The machine of a suite: its scenarios' trials together (the largest
 * noisy share, the first handoff median). */
static void merge_machine(as_machine_t *acc, const as_machine_t *m)
{
	acc->one_thread_trials += m->one_thread_trials;
	acc->multi_thread_trials += m->multi_thread_trials;
	if (!isnan(m->noisy_share) && !(acc->noisy_share >= m->noisy_share))
		acc->noisy_share = m->noisy_share;
	if (isnan(acc->handoff_end_ns_median_kept))
		acc->handoff_end_ns_median_kept = m->handoff_end_ns_median_kept;
	if (isnan(acc->handoff_end_ns_median))
		acc->handoff_end_ns_median = m->handoff_end_ns_median;
}

static int cmp_name(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The scenario folders of suite folders a and b that both have, sorted
 * (*n of them; NULL when none). */
static char **common_scenarios(const char *a, const char *b, int *n)
{
	DIR *d = opendir(a);
	struct dirent *e;
	char **subs = NULL;
	*n = 0;
	while (d && (e = readdir(d)) != NULL) {
		char pa[PATH_MAX], pb[PATH_MAX];
		if (e->d_name[0] == '.' ||
		    (size_t)snprintf(pa, sizeof(pa), "%s/%s", a, e->d_name) >= sizeof(pa) ||
		    (size_t)snprintf(pb, sizeof(pb), "%s/%s", b, e->d_name) >= sizeof(pb) ||
		    as_results_kind(pa) != AS_RESULTS_RUN || as_results_kind(pb) != AS_RESULTS_RUN)
			continue;
		subs = realloc(subs, (size_t)(*n + 1) * sizeof(*subs));
		if (!subs || !(subs[*n] = strdup(e->d_name)))
			abort();
		(*n)++;
	}
	if (d)
		closedir(d);
	if (*n)
		qsort(subs, (size_t)*n, sizeof(*subs), cmp_name);
	return subs;
}

/* Context warnings over the pairs of folders compared: a run's one pair,
 * or a suite's scenarios one by one (each has its own context.csv). A key
 * that differs is said once, with its values, and an object {key, a, b}
 * goes in diffs unless it is NULL; the folders whose trials ran side by
 * side (--jobs, context.csv timing_figures) are gathered per side and said
 * at the end, one line a side. */
typedef struct {
	int timing; /* the metric is a time (timing_metric) */
	json_t *diffs;
	as_buf_t said;       /* "\nkey\037a\037b\n" of each key warning given */
	as_buf_t untimed[2]; /* A's, B's scenarios without timing figures */
	int nuntimed[2];     /* folders without, per side */
	char why[2][512];    /* their timing_figures text (the first one's) */
	int n;               /* warnings */
} ctx_warn_t;

/* Warn when KEY differs between context tables ta and tb, once over a
 * suite's scenarios; a SETTING only when both have it. */
static void warn_key(ctx_warn_t *w, const as_table_t *ta, const as_table_t *tb, const char *key,
                     int setting)
{
	const char *va = context_value(ta, key), *vb = context_value(tb, key);
	size_t mark = w->said.len;
	if (!strcmp(va, vb) || (setting && (!*va || !*vb)))
		return;
	as_buf_printf(&w->said, "\n%s\037%s\037%s\n", key, va, vb);
	if (mark && strstr(w->said.data, w->said.data + mark) != w->said.data + mark) {
		w->said.len = mark; /* said for an earlier scenario */
		w->said.data[mark] = '\0';
		return;
	}
	fprintf(stderr, "allocscope compare: warning: %s differs: '%s' vs '%s'%s\n", key, va, vb,
	        setting ? " (a measurement setting: the ratio may measure it, not the change)"
	                : "");
	if (w->diffs) {
		json_t *d = as_json_object();
		as_json_set_str(d, "key", key);
		as_json_set_str(d, "a", va);
		as_json_set_str(d, "b", vb);
		as_json_push(w->diffs, d);
	}
	w->n++;
}

/* Warn of folders a and b, scenario SCEN of a suite (NULL for two runs). */
static void warn_context_pair(ctx_warn_t *w, const char *a, const char *b, const char *scen)
{
	as_table_t t[2];
	if (read_table(a, "context.csv", &t[0]) != 0)
		return;
	if (read_table(b, "context.csv", &t[1]) != 0) {
		as_table_free(&t[0]);
		return;
	}
	for (int i = 0; context_keys[i]; i++)
		warn_key(w, &t[0], &t[1], context_keys[i], 0);
	for (int i = 0; setting_keys[i]; i++)
		if (!w->timing || strcmp(setting_keys[i], "timing_figures"))
			warn_key(w, &t[0], &t[1], setting_keys[i], 1);
	/* trials run side by side (--jobs): their times are no timing figures */
	for (int k = 0; k < 2 && w->timing; k++) {
		const char *tf = context_value(&t[k], "timing_figures");
		if (!*tf)
			continue;
		if (!w->nuntimed[k]++)
			snprintf(w->why[k], sizeof(w->why[k]), "%s", tf);
		as_buf_printf(&w->untimed[k], "%s%s", w->untimed[k].len ? ", " : "",
		              scen ? scen : "");
	}
	as_table_free(&t[0]);
	as_table_free(&t[1]);
}

/* 1 when a run holds DIR's lock (results_dir.h): it is still being
 * written. The probe takes a shared flock for an instant and gives it back
 * (a run claiming the folder in that instant waits for it, as for a dead
 * owner's child); *pid the pid the run wrote there, 0 unknown. */
static int being_written(const char *dir, long *pid)
{
	char path[PATH_MAX], buf[32] = "";
	int fd, held = 0;
	*pid = 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, AS_DIR_LOCK) >= sizeof(path) ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0)
		flock(fd, LOCK_UN);
	else if (errno == EWOULDBLOCK) {
		held = 1;
		if (pread(fd, buf, sizeof(buf) - 1, 0) > 0)
			*pid = strtol(buf, NULL, 10);
	}
	close(fd);
	return held;
}

/* Index of S in the n strings v, or -1. */
static int str_index(char *const *v, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return i;
	return -1;
}

/* How many of run folder DIR's module x workload x threads groups (its
 * context.csv's module and workload rows, each workload at the thread
 * counts its trials.csv rows have) have fewer trials.csv rows than the
 * repetitions asked (-r N; one under -r auto), in *nshort of *ngroups:
 * what an interrupted run leaves (plot's "The run is incomplete" counts
 * alike). A folder whose context.csv names no module or workload has no
 * group. Returns 0, or -1 when a table is not read. */
static int count_short(const char *dir, int *nshort, int *ngroups, long *asked)
{
	as_table_t ctx, t;
	char path[PATH_MAX], err[PATH_MAX + 64], **mods = NULL, **pairs = NULL, *end;
	int nm = 0, np = 0, *count = NULL, rc = -1;
	const char *rv;
	*nshort = *ngroups = 0;
	snprintf(path, sizeof(path), "%s/context.csv", dir);
	if (as_table_read(path, &ctx, err, sizeof(err)) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/trials.csv", dir);
	if (as_table_read(path, &t, err, sizeof(err)) != 0)
		goto out_ctx;
	rv = context_value(&ctx, "repetitions");
	*asked = strtol(rv, &end, 10);
	if (end == rv || *end || *asked < 1)
		*asked = 1;
	if (!(mods = calloc(ctx.nrows + 1, sizeof(*mods))) ||
	    !(pairs = calloc(t.nrows + 1, sizeof(*pairs))))
		goto out;
	for (size_t r = 0; r < ctx.nrows; r++)
		if (!strcmp(as_table_str(&ctx, r, "key"), "module") &&
		    as_table_cell(&ctx, r, "value", (const char **)&mods[nm]) == 0)
			nm++;
	/* "workload label\037threads" of the rows whose workload context names */
	for (size_t r = 0; r < t.nrows; r++) {
		char lw[1100];
		int known = 0;
		label(&t, r, "workload", "workload_params", lw, sizeof(lw));
		for (size_t q = 0; q < ctx.nrows && !known; q++)
			known = !strcmp(as_table_str(&ctx, q, "key"), "workload") &&
			        !strcmp(as_table_str(&ctx, q, "value"), lw);
		snprintf(lw + strlen(lw), sizeof(lw) - strlen(lw), "\037%s",
		         as_table_str(&t, r, "threads"));
		if (known && str_index(pairs, np, lw) < 0 && !(pairs[np++] = strdup(lw)))
			goto out;
	}
	if (!(count = calloc((size_t)nm * (size_t)np + 1, sizeof(*count))))
		goto out;
	for (size_t r = 0; r < t.nrows; r++) {
		char lm[512], lw[1100];
		int im, ip;
		label(&t, r, "module", "module_params", lm, sizeof(lm));
		label(&t, r, "workload", "workload_params", lw, sizeof(lw));
		snprintf(lw + strlen(lw), sizeof(lw) - strlen(lw), "\037%s",
		         as_table_str(&t, r, "threads"));
		if ((im = str_index(mods, nm, lm)) >= 0 && (ip = str_index(pairs, np, lw)) >= 0)
			count[im * np + ip]++;
	}
	*ngroups = nm * np;
	for (int i = 0; i < nm * np; i++)
		*nshort += count[i] < *asked;
	rc = 0;
out:
	for (int i = 0; i < np; i++)
		free(pairs[i]);
	free(pairs);
	free(mods);
	free(count);
	as_table_free(&t);
out_ctx:
	as_table_free(&ctx);
	return rc;
}

/* Warnings for run folder DIR (a suite's scenario SCEN, else NULL) that is
 * not a finished run: its lock held (a run still writes it), or fewer
 * trials than planned; side k (0 A, 1 B) noted in flags. Returns how
 * many lines. */
static int warn_unfinished(const char *dir, int k, int flags[2][2])
{
	long pid, asked;
	int nshort, ngroups, n = 0;
	if (being_written(dir, &pid)) {
		char who[48] = "";
		if (pid > 0)
			snprintf(who, sizeof(who), " (pid %ld)", pid);
		fprintf(stderr,
		        "allocscope compare: warning: %s is still being written: an allocscope "
		        "run holds its %s%s; its trials so far are compared, and may change\n",
		        dir, AS_DIR_LOCK, who);
		flags[k][0] = 1;
		n++;
	}
	if (count_short(dir, &nshort, &ngroups, &asked) != 0 || !nshort)
		return n;
	flags[k][1] = 1;
	fprintf(stderr,
	        "allocscope compare: warning: %s is incomplete: %d of its %d module x workload "
	        "x threads groups have fewer trials.csv rows than the %ld repetition%s asked (an "
	        "interrupted run; `allocscope run --resume` finishes it)\n",
	        dir, nshort, ngroups, asked, asked == 1 ? "" : "s");
	return n + 1;
}

/* Every pair's warnings (see ctx_warn_t); returns how many. */
static int warn_contexts(const char *a, const char *b, int timing, json_t *diffs)
{
	ctx_warn_t w = {.timing = timing, .diffs = diffs};
	int unf[2][2] = {{0, 0}, {0, 0}}; /* per side: being written, incomplete */
	if (as_results_kind(a) == AS_RESULTS_SUITE) {
		int n;
		char **subs = common_scenarios(a, b, &n);
		for (int i = 0; i < n; i++) {
			char pa[PATH_MAX], pb[PATH_MAX];
			snprintf(pa, sizeof(pa), "%s/%s", a, subs[i]);
			snprintf(pb, sizeof(pb), "%s/%s", b, subs[i]);
			warn_context_pair(&w, pa, pb, subs[i]);
			w.n += warn_unfinished(pa, 0, unf) + warn_unfinished(pb, 1, unf);
			free(subs[i]);
		}
		free(subs);
	} else {
		warn_context_pair(&w, a, b, NULL);
		w.n += warn_unfinished(a, 0, unf) + warn_unfinished(b, 1, unf);
	}
	for (int f = 0; f < 2 && diffs; f++) {
		json_t *d;
		if (!unf[0][f] && !unf[1][f])
			continue;
		d = as_json_object();
		as_json_set_str(d, "key", f ? "incomplete" : "being_written");
		as_json_set_str(d, "a", unf[0][f] ? "true" : "");
		as_json_set_str(d, "b", unf[1][f] ? "true" : "");
		as_json_push(diffs, d);
	}
	for (int k = 0; k < 2; k++) {
		if (!w.nuntimed[k])
			continue;
		if (w.untimed[k].len) /* a suite's scenarios, named */
			fprintf(
			    stderr,
			    "allocscope compare: warning: %s has no timing figures to compare in "
			    "%s (context.csv timing_figures: %s)\n",
			    k ? b : a, w.untimed[k].data, w.why[k]);
		else
			fprintf(stderr,
			        "allocscope compare: warning: %s has no timing figures to compare "
			        "(context.csv timing_figures: %s)\n",
			        k ? b : a, w.why[k]);
		w.n++;
		as_buf_free(&w.untimed[k]);
	}
	as_buf_free(&w.said);
	return w.n;
}

/* Both folders' groups: two run folders as they are, two suite folders
 * scenario by scenario (workloads as "SCENARIO/label"). Returns 0, or -1
 * after a line on stderr. */
static int load_both(const char *a, const char *b, const char *metric, as_groups_t *ga,
                     as_groups_t *gb, as_machine_t *ma, as_machine_t *mb, const modkeys_t *mk)
{
	as_results_kind_t ka = as_results_kind(a), kb = as_results_kind(b);
	char **subs;
	int n, rc = 0;
	for (int k = 0; k < 2; k++)
		if ((k ? kb : ka) == AS_RESULTS_NONE) {
			cmp_error("%s: not a results folder (no trials.csv in it "
			          "or in its subfolders)",
			          k ? b : a);
			return -1;
		}
	if (ka != kb) {
		cmp_error("%s is a %s folder and %s a %s one: compare two runs "
		          "or two suites (a suite's scenario is its subfolder, SUITE/NAME)",
		          a, ka == AS_RESULTS_SUITE ? "suite" : "run", b,
		          kb == AS_RESULTS_SUITE ? "suite" : "run");
		return -1;
	}
	if (ka == AS_RESULTS_RUN) {
		return load_groups(a, "", metric, ga, ma, &mk[0]) ||
		               load_groups(b, "", metric, gb, mb, &mk[1])
		           ? -1
		           : 0;
	}
	subs = common_scenarios(a, b, &n);
	for (int k = 0; k < 2; k++) { /* the scenarios one suite has alone: said */
		int m;
		char **only = common_scenarios(k ? b : a, k ? b : a, &m);
		for (int i = 0; i < m; i++) {
			int both = 0;
			for (int j = 0; j < n && !both; j++)
				both = !strcmp(only[i], subs[j]);
			if (!both)
				fprintf(
				    stderr,
				    "allocscope compare: scenario %s only in %s: not compared\n",
				    only[i], k ? b : a);
			free(only[i]);
		}
		free(only);
	}
	if (n == 0) {
		cmp_error("suites %s and %s have no scenario in common", a, b);
		return -1;
	}
	for (int i = 0; i < n && rc == 0; i++) {
		char pa[PATH_MAX], pb[PATH_MAX], prefix[300];
		as_machine_t m1 = {0, NAN, 0, NAN, NAN}, m2 = {0, NAN, 0, NAN, NAN};
		snprintf(pa, sizeof(pa), "%s/%s", a, subs[i]);
		snprintf(pb, sizeof(pb), "%s/%s", b, subs[i]);
		snprintf(prefix, sizeof(prefix), "%s/", subs[i]);
		rc = load_groups(pa, prefix, metric, ga, &m1, &mk[0]) ||
		             load_groups(pb, prefix, metric, gb, &m2, &mk[1])
		         ? -1
		         : 0;
		merge_machine(ma, &m1);
		merge_machine(mb, &m2);
	}
	for (int i = 0; i < n; i++)
		free(subs[i]);
	free(subs);
	return rc;
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
	as_json_set_str(root, "error", *last_error ? last_error : "compare failed");
	if (as_json_print(root) != 0)
		fprintf(stderr, "allocscope compare: cannot write to stdout\n");
	json_decref(root);
}

static int compare_main(int argc, char **argv)
{
	compare_opts_t o = {.threshold = 0.05, .metric = "ns_per_op"};
	as_groups_t ga = {0}, gb = {0};
	json_t *root = NULL, *changes = NULL, *diffs = NULL, *only_a = NULL, *only_b = NULL;
	int r, regressions = 0, improvements = 0, failed = 0, matched = 0, unmeasured = 0,
	       neither = 0, rc = 2;
	const char *a, *b;
	int ns = !strcmp(o.metric, "ns_per_op");
	as_machine_t ma = {0, NAN, 0, NAN, NAN}, mb = {0, NAN, 0, NAN, NAN};
	modkeys_t *mk = NULL;
	char alt[256];

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
	if (as_results_kind(a) != AS_RESULTS_NONE && as_results_kind(a) == as_results_kind(b))
		match_paths(a, b, mk);
	if (load_both(a, b, o.metric, &ga, &gb, &ma, &mb, mk) != 0) {
		if (o.json) /* stdout stays JSON for the program reading it */
			json_error_doc(a, b, &o);
		goto out;
	}
	if (o.json) {
		root = as_json_object();
		changes = as_json_array();
		diffs = as_json_array();
		only_a = as_json_array();
		only_b = as_json_array();
	}
	warn_contexts(a, b, timing_metric(o.metric), diffs);
	warn_handoff(ma.handoff_end_ns_median_kept, mb.handoff_end_ns_median_kept, diffs);
	warn_noisy(a, b, &ma, &mb, diffs);
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
		if (!ga_i) {
			only_in(only_b, gb_i, "only in B");
			continue;
		}
		if (ga_i->n == 0 && ga_i->unmeasured && gb_i->n == 0 && gb_i->unmeasured) {
			unmeasured++; /* neither side measured it (--jobs): no line */
			continue;
		}
		if (ga_i->n == 0 && gb_i->n == 0 && !ga_i->unmeasured && !gb_i->unmeasured) {
			neither++; /* skipped or failed on both sides (bump on a 2-thread row) */
			continue;
		}
		matched++;
		if (as_cmp_samples(gb_i->v, gb_i->n, ga_i->v, ga_i->n, NULL, 0, &c) != 0) {
			cmp_error("out of memory");
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
		regressions += ch == CH_REGRESSION;
		failed += ch == CH_FAILED;
		improvements += ch == CH_IMPROVEMENT;
		if (o.json)
			as_json_push(changes, change_json(ga_i, gb_i, &c, ch, o.metric));
		else
			change_line(ga_i, gb_i, &c, ch, o.metric);
	}
	for (int i = 0; i < ga.n; i++)
		if (!as_groups_find(&gb, ga.g[i].module, ga.g[i].workload, ga.g[i].threads))
			only_in(only_a, &ga.g[i], "only in A");
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
		as_json_set(root, "not_measured", as_json_num(unmeasured, 'I'));
		as_json_set(root, "ok_in_neither", as_json_num(neither, 'I'));
		as_json_set(root, "matched", as_json_num(matched, 'I'));
		if (matched == 0) { /* said on stderr below too, exit 2 */
			if (unmeasured)
				snprintf(last_error, sizeof(last_error),
				         "no %s in either folder %s", o.metric,
				         why_none(o.metric, alt, sizeof(alt)));
			else
				snprintf(last_error, sizeof(last_error),
				         "no module/workload/threads in both folders");
			as_json_set_str(root, "error", last_error);
		}
		if (as_json_print(root) != 0) {
			fprintf(stderr, "allocscope compare: cannot write to stdout\n");
			goto out;
		}
	} else {
		printf("%d matched: %d regression%s, %d improvement%s, %d failed in B\n", matched,
		       regressions, regressions == 1 ? "" : "s", improvements,
		       improvements == 1 ? "" : "s", failed);
		if (unmeasured)
			printf("(%d more in both without %s %s)\n", unmeasured, o.metric,
			       why_none(o.metric, alt, sizeof(alt)));
		if (neither)
			printf(
			    "(%d more in both with no ok repetition in either: skipped or failed "
			    "there, trials.csv says why)\n",
			    neither);
	}
	rc = o.fail_on_regression && (regressions || failed) ? 1 : 0;
	if (matched == 0) {
		if (unmeasured)
			cmp_error("no %s in either folder %s", o.metric,
			          why_none(o.metric, alt, sizeof(alt)));
		else
			cmp_error("no module/workload/threads in both folders");
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
                "scenario, workloads shown as SCENARIO/label).\n"
                "Exit status: 0 compared, 1 a regression or a failed match with\n"
                "--fail-on-regression, 2 a folder is not a results folder or nothing matches.\n",
    .main = compare_main,
};
