/* compare_folder.c - the two results folders as `allocscope compare`
 * reads them (compare_folder.h): each side's trials.csv as groups of the
 * metric, refused when damaged, with its modules matched to the other
 * side's. Reads only; never runs a trial. */
#define _GNU_SOURCE
#include "compare_folder.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "labels.h"
#include "loader.h"
#include "results.h"
#include "results_format.h"
#include "resume.h"
#include "oom.h"
#include "util.h"

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
	                                     "heap_size_end_kib",
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
int as_compare_timing_metric(const char *metric)
{
	return fig_kind(metric) == FIG_TIME;
}

/* Why an ok trial may have no value of METRIC: the table's words. */
const char *as_compare_unmeasured_why(const char *metric)
{
	switch (fig_kind(metric)) {
	case FIG_TIME: return "--jobs: no timing";
	case FIG_SYSCALL: return "syscalls not counted";
	default: return "n/a there";
	}
}

/* Why neither folder has METRIC, and other metrics to compare (of
 * another kind: not the metric itself), in out: "(WHY): compare ...". */
const char *as_compare_why_none(const char *metric, char *out, size_t len)
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

/* The value of KEY in context table t (context.csv), "" when it has none. */
const char *as_compare_context_value(const as_table_t *t, const char *key)
{
	for (size_t r = 0; r < t->nrows; r++)
		if (!strcmp(as_table_str(t, r, "key"), key))
			return as_table_str(t, r, "value");
	return "";
}

/* Whether context table ctx says every ok trial has a value of METRIC
 * (so an empty cell is damage): a time unless timing_figures says the
 * trials ran side by side (under --validate they are written), a syscall
 * count when counting was on and no worker failed at it, the figures every
 * trial has; *why the context's words. */
static int fig_measured(const as_table_t *ctx, const char *metric, const char **why)
{
	const char *tf = as_compare_context_value(ctx, "timing_figures");
	const char *sc = as_compare_context_value(ctx, "syscall_counting");
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

/* The last error said (as_compare_error), for --json's "error". */
static char last_error[4096]; /* a line with two paths and a command */

/* An error line on stderr, "allocscope compare: " and FMT, kept in
 * last_error: a --json reader gets it on stdout too. */
void as_compare_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	fprintf(stderr, "allocscope compare: %s\n", last_error);
}

const char *as_compare_last_error(void)
{
	return last_error;
}

/* DIR/NAME read into t; -1 after a line on stderr. */
int as_compare_read_table(const char *dir, const char *name, as_table_t *t)
{
	char path[PATH_MAX], err[PATH_MAX + 256];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		as_compare_error("%.200s...: path too long", dir);
		return -1;
	}
	if (as_table_read(path, t, err, sizeof(err)) != 0) {
		as_compare_error("%s", err);
		return -1;
	}
	return 0;
}

void as_compare_label(const as_table_t *t, size_t r, const char *name, const char *params_col,
                      char *out, size_t len)
{
	const char *p = as_table_str(t, r, params_col);
	snprintf(out, len, "%s%s%s", as_table_str(t, r, name), *p ? ":" : "", p);
}

static int modkeys_find(const as_modkeys_t *mk, const char *m)
{
	for (int i = 0; i < mk->n; i++)
		if (!strcmp(mk->orig[i], m))
			return i;
	return -1;
}

/* DIR/trials.csv's modules into mk (key = the name as written); a file
 * that cannot be read is said when its groups are loaded. */
static void collect_modules(const char *dir, as_modkeys_t *mk)
{
	static const char *const keep[] = {"module", "module_params", NULL};
	char path[PATH_MAX], err[PATH_MAX + 64];
	as_table_t t;
	if ((size_t)snprintf(path, sizeof(path), "%s/trials.csv", dir) >= sizeof(path) ||
	    as_table_read_cols(path, keep, &t, err, sizeof(err)) != 0)
		return;
	for (size_t r = 0; r < t.nrows && mk->n < AS_MAX_MODKEYS; r++) {
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
		if (*m && !seen && mk->nlab < AS_MAX_MODKEYS) {
			mk->lab_mod[mk->nlab] = i;
			snprintf(mk->lab_params[mk->nlab++], sizeof(mk->lab_params[0]), "%s", p);
		}
	}
	as_table_free(&t);
}

/* How many path modules of side mk, not written alike on the other side,
 * have file name STEM; *last the last of them. */
static int unmatched_with_stem(const as_modkeys_t *mk, const as_modkeys_t *other, const char *stem,
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

static void match_params(as_modkeys_t mk[2]);

/* A module given by path is matched by the path as written when the other
 * side has it so; else by its file name when exactly one path module on
 * each side, written differently, has that name (out/x.so before, a
 * rebuild at out-v2/x.so after): B's then takes A's path as its key, and
 * a note says so. A built-in name never matches a path (glibc against
 * out/glibc.so). Until session 20 the paths as typed alone were matched,
 * so a rebuild was "only in A" and "only in B" and --fail-on-regression
 * passed. */
void as_compare_match_paths(const char *a, const char *b, as_modkeys_t mk[2])
{
	if (as_results_kind(a) == AS_RESULTS_SUITE) {
		int n;
		char **subs = as_compare_common_scenarios(a, b, &n);
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
static void match_params(as_modkeys_t mk[2])
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

/* Row r's module as compare matches it (as_compare_match_paths). */
static const char *module_key(const as_table_t *t, size_t r, const as_modkeys_t *mk)
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
	/* decimal only: strtod takes 0x10 too, which allocscope never writes */
	if (*s == '-' || !as_plain_decimal(s))
		return -1;
	errno = 0;
	*v = strtod(s, &end);
	return errno || *end || !isfinite(*v) ? -1 : 0;
}

/* Table t (DIR/trials.csv) refused when a value would be taken wrongly:
 * an ok row's METRIC cell that is no value (metric_value), or a (trial,
 * rep) written twice, which would count a repetition twice in n and in
 * the test. Returns 0, or -1 after one line naming file, line and column
 * (both lines for a pair). */
static int check_values(const char *dir, const as_table_t *t, const char *metric)
{
	char path[PATH_MAX], err[1024];
	/* a trial that ran ops took time: 0 ns/op is no measurement (other
	 * columns, a syscall count or a wait, can be 0) */
	int whole = !strcmp(metric, "ns_per_op") || !strcmp(metric, "ops_per_sec") ||
	            !strcmp(metric, "elapsed_ns");
	for (size_t r = 0; r < t->nrows; r++) {
		const char *cell = as_table_str(t, r, metric);
		double v;
		if (strcmp(as_table_str(t, r, "status"), "ok") ||
		    (metric_value(cell, &v) == 0 && !(whole && v == 0)))
			continue;
		as_compare_error(
		    "%s/trials.csv: line %zu, column %s: '%s' is not a "
		    "value (a finite number %s, or empty for n/a): the folder is damaged",
		    dir, r + 2, metric, cell, whole ? "> 0" : ">= 0");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/trials.csv", dir); /* DIR was read: it fits */
	if (as_results_check_twice(path, t, 0, err, sizeof(err)) != 0) {
		as_compare_error("%s", err);
		return -1;
	}
	return 0;
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
	if (as_compare_read_table(dir, "context.csv", &ctx) != 0)
		return -1;
	measured = fig_measured(&ctx, metric, &why);
	as_table_free(&ctx);
	for (size_t r = 0; r < t->nrows && measured; r++)
		if (!strcmp(as_table_str(t, r, "status"), "ok") && !*as_table_str(t, r, metric)) {
			as_compare_error("%s/trials.csv: line %zu, column %s: empty in an "
			                 "ok row, but %s: the folder is damaged",
			                 dir, r + 2, metric, why);
			return -1;
		}
	return 0;
}

/* DIR/trials.csv into t: the columns read below, no others (a
 * trials.csv of a million rows took 6 GB read whole, its ~60 columns and
 * a 6 KB result a row for the disturbed rule: docs/measure.md "compare on
 * a million rows"). Returns 0, or -1 after a line. */
static int read_trials(const char *dir, const char *metric, as_table_t *t)
{
	const char *keep[] = {"module", "module_params", AS_TABLE_MACHINE_COLS, metric, NULL};
	char path[PATH_MAX], rerr[PATH_MAX + 256];
	if ((size_t)snprintf(path, sizeof(path), "%s/trials.csv", dir) >= sizeof(path)) {
		as_compare_error("%.200s...: path too long", dir);
		return -1;
	}
	if (as_table_read_cols(path, keep, t, rerr, sizeof(rerr)) != 0) {
		as_compare_error("%s", rerr);
		return -1;
	}
	return 0;
}

/* Table t (DIR/trials.csv) refused when damaged: a damaged file is said,
 * not half-read (a row cut short or garbled keys would make groups of
 * their own, "only in B", or none). Returns 0, or -1 after one line. */
static int check_rows(const char *dir, const as_table_t *t)
{
	/* trial and rep too: without them every row reads as trial 0, and
	 * the disturbed-repetition rule drops whole groups ("only in A", exit
	 * 0); the params: without them no label matches */
	static const char *const need[] = {"trial",   "rep",    "module",        "workload",
	                                   "threads", "status", "module_params", "workload_params"};
	for (size_t k = 0; k < sizeof(need) / sizeof(need[0]); k++)
		if (as_table_col(t, need[k]) < 0) {
			as_compare_error("%s/trials.csv: no column '%s'", dir, need[k]);
			return -1;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		uint32_t thr;
		char buf[64];
		const char *why = as_table_row_damage(t, r, buf, sizeof(buf));
		if (!why && (as_table_count(as_table_num(t, r, "threads"), &thr) != 0 || thr == 0))
			why = "threads is not a count";
		else if (!why && (!*as_table_str(t, r, "module") || !*as_table_str(t, r, "status")))
			why = "module or status empty";
		if (why) {
			as_compare_error("%s/trials.csv: line %zu: %s%s", dir, r + 2, why,
			                 why == buf ? " (damaged)" : "");
			return -1;
		}
	}
	return 0;
}

/* Row r's module label in m as compare matches it: its module
 * (module_key) and params, or the other side's label it is paired with
 * (as_modkeys_t lab_to). */
static void row_module(const as_table_t *t, size_t r, const as_modkeys_t *mk, char *m, size_t len)
{
	const char *p = as_table_str(t, r, "module_params");
	snprintf(m, len, "%s%s%s", module_key(t, r, mk), *p ? ":" : "", p);
	for (int l = 0; l < mk->nlab; l++)
		if (*mk->lab_to[l] && !strcmp(mk->lab[l], m)) {
			snprintf(m, len, "%s", mk->lab_to[l]);
			return;
		}
}

/* Table t's rows (checked) into gs, but those dist leaves out: an ok
 * row's value, or an ok row without one, or a failed row (not ok, not
 * skipped) counted; each workload label after PREFIX. */
static void add_rows(const as_table_t *t, const unsigned char *dist, const char *prefix,
                     const char *metric, as_groups_t *gs, const as_modkeys_t *mk)
{
	for (size_t r = 0; r < t->nrows; r++) {
		char m[512], w[1024], pw[1100];
		uint32_t thr = 0;
		double v;
		const char *status = as_table_str(t, r, "status");
		int ok = !strcmp(status, "ok");
		if (dist[r] == AS_DIST_OUT)
			continue;
		metric_value(as_table_str(t, r, metric), &v);        /* ok rows checked */
		as_table_count(as_table_num(t, r, "threads"), &thr); /* checked */
		row_module(t, r, mk, m, sizeof(m));
		as_compare_label(t, r, "workload", "workload_params", w, sizeof(w));
		snprintf(pw, sizeof(pw), "%s%s", prefix, w);
		if (ok && isnan(v))
			as_groups_add_unmeasured(gs, m, pw, thr);
		else if (!ok && strcmp(status, "skipped"))
			as_groups_add_failed(gs, m, pw, thr, status);
		else
			as_groups_add(gs, m, pw, thr, ok ? v : NAN);
	}
}

/* DIR's trials.csv as groups of the metric: its ok repetitions, the ones
 * the machine disturbed left out as summary.csv leaves them, each
 * workload label after PREFIX (a suite's "SCENARIO/", else ""); and what
 * its trials say of the machine in *mach (disturb.h as_machine). */
static int load_groups(const char *dir, const char *prefix, const char *metric, as_groups_t *gs,
                       as_machine_t *mach, const as_modkeys_t *mk)
{
	as_table_t t;
	char err[512];
	unsigned char *dist = NULL;
	int rc = -1;
	if (as_results_format_check(dir, err, sizeof(err)) != 0) {
		as_compare_error("%s", err);
		return -1;
	}
	if (read_trials(dir, metric, &t) != 0)
		return -1;
	if (check_rows(dir, &t) != 0)
		goto out;
	if (as_table_col(&t, metric) < 0) {
		as_compare_error("%s/trials.csv: no column '%s': the folder is damaged "
		                 "(or an allocscope without that column wrote it)",
		                 dir, metric);
		goto out;
	}
	if (check_values(dir, &t, metric) != 0 || check_empty(dir, &t, metric) != 0)
		goto out;
	dist = calloc(t.nrows ? t.nrows : 1, 1);
	if (!dist || as_table_machine(&t, dist, mach) != 0) {
		as_compare_error("out of memory");
		goto out;
	}
	add_rows(&t, dist, prefix, metric, gs, mk);
	rc = 0;
out:
	free(dist);
	as_table_free(&t);
	return rc;
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

/* The scenario folders of suite folders a and b that both have, sorted
 * (*n of them; NULL when none): a's run folders that b has as run folders
 * too. */
char **as_compare_common_scenarios(const char *a, const char *b, int *n)
{
	char **subs;
	int m = as_results_run_folders(a, &subs);
	*n = 0;
	for (int i = 0; i < m; i++) {
		char pb[PATH_MAX];
		if ((size_t)snprintf(pb, sizeof(pb), "%s/%s", b, subs[i]) < sizeof(pb) &&
		    as_results_kind(pb) == AS_RESULTS_RUN)
			subs[(*n)++] = subs[i];
		else
			free(subs[i]);
	}
	if (*n == 0) {
		free(subs);
		subs = NULL;
	}
	return subs;
}

/* The run folder to name for side DIR in a command to run instead: DIR
 * itself when it is one, else DIR/NAME when that is one (NAME: the other
 * side's run folder), else DIR/ its first run folder; DIR when it has
 * none. A shell word, which the caller frees. */
static char *run_to_name(const char *dir, const char *name)
{
	char p[PATH_MAX], **subs = NULL;
	int n = 0;
	if (as_results_kind(dir) == AS_RESULTS_RUN ||
	    (size_t)snprintf(p, sizeof(p), "%s/%s", dir, name) >= sizeof(p))
		return as_shell_word(dir);
	if (as_results_kind(p) != AS_RESULTS_RUN &&
	    ((n = as_results_run_folders(dir, &subs)) <= 0 ||
	     (size_t)snprintf(p, sizeof(p), "%s/%s", dir, subs[0]) >= sizeof(p)))
		snprintf(p, sizeof(p), "%s", dir);
	for (int i = 0; i < n; i++)
		free(subs[i]);
	free(subs);
	return as_shell_word(p);
}

/* When OTHER (the other side) is DIR/FIRST itself, another run folder of
 * DIR into first, where DIR has one: `compare resA resA/run-1` suggested
 * comparing run-1 with itself. */
static void not_the_other(const char *dir, const char *other, char *first, size_t len)
{
	char p[PATH_MAX], **subs = NULL;
	struct stat so, sf;
	int n, done = 0;
	if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, first) >= sizeof(p) ||
	    stat(other, &so) != 0 || stat(p, &sf) != 0 || so.st_dev != sf.st_dev ||
	    so.st_ino != sf.st_ino)
		return;
	n = as_results_run_folders(dir, &subs);
	for (int i = 0; i < n; i++) {
		if (!done && strcmp(subs[i], first) != 0)
			done = snprintf(first, len, "%s", subs[i]) > 0;
		free(subs[i]);
	}
	free(subs);
}

int as_compare_check_kinds(const char *a, const char *b)
{
	as_results_kind_t ka = as_results_kind(a), kb = as_results_kind(b);
	for (int k = 0; k < 2; k++)
		if ((k ? kb : ka) == AS_RESULTS_NONE) {
			char why[256], line[PATH_MAX + 300];
			/* the folder as a shell word: '' for an empty one */
			as_path_err(line, sizeof(line), k ? b : a, "%s",
			            as_results_none_why(k ? b : a, why, sizeof(why)));
			as_compare_error("%s", line);
			return -1;
		}
	/* a folder of the user's runs (results/ with run-1, run-2): until
	 * now read as a suite, its unrelated runs paired by folder name and
	 * compared, exit 0 (plot refused it already) */
	for (int k = 0; k < 2; k++) {
		char why[1024], first[NAME_MAX + 1], path[PATH_MAX], *wa, *wb, **common;
		const char *dir = k ? b : a;
		int n;
		if (!as_results_runs_only(dir, why, sizeof(why), first, sizeof(first)))
			continue;
		/* the example: a run folder of that name on both sides if any */
		common = as_compare_common_scenarios(a, b, &n);
		if (n > 0)
			snprintf(first, sizeof(first), "%s", common[0]);
		for (int i = 0; i < n; i++)
			free(common[i]);
		free(common);
		not_the_other(dir, k ? a : b, first, sizeof(first));
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, first) >= sizeof(path))
			snprintf(path, sizeof(path), "%s", dir);
		wa = k ? run_to_name(a, first) : as_shell_word(path);
		wb = k ? as_shell_word(path) : run_to_name(b, first);
		as_compare_error("%s: %s: compare two run folders (allocscope compare %s %s)", dir,
		                 why, wa, wb);
		free(wa);
		free(wb);
		return -1;
	}
	if (ka != kb) {
		as_compare_error("%s is a %s folder and %s a %s one: compare two runs "
		                 "or two suites (a suite's scenario is its subfolder, SUITE/NAME)",
		                 a, ka == AS_RESULTS_SUITE ? "suite" : "run", b,
		                 kb == AS_RESULTS_SUITE ? "suite" : "run");
		return -1;
	}
	return 0;
}

/* Both folders' groups: two run folders as they are, two suite folders
 * scenario by scenario (workloads as "SCENARIO/label"). Returns 0, or -1
 * after a line on stderr. */
int as_compare_load_both(const char *a, const char *b, const char *metric, as_groups_t *ga,
                         as_groups_t *gb, as_machine_t *ma, as_machine_t *mb,
                         const as_modkeys_t *mk, int *only_a)
{
	char **subs;
	int n, rc = 0;
	*only_a = 0;
	if (as_compare_check_kinds(a, b) != 0)
		return -1;
	if (as_results_kind(a) == AS_RESULTS_RUN) {
		return load_groups(a, "", metric, ga, ma, &mk[0]) ||
		               load_groups(b, "", metric, gb, mb, &mk[1])
		           ? -1
		           : 0;
	}
	subs = as_compare_common_scenarios(a, b, &n);
	for (int k = 0; k < 2; k++) { /* the scenarios one suite has alone: said */
		int m;
		char **only = as_compare_common_scenarios(k ? b : a, k ? b : a, &m);
		for (int i = 0; i < m; i++) {
			int both = 0;
			for (int j = 0; j < n && !both; j++)
				both = !strcmp(only[i], subs[j]);
			if (!both) /* one of A's that B lost: a gate counts it */
				fprintf(
				    stderr,
				    "allocscope compare: scenario %s only in %s: not compared%s\n",
				    only[i], k ? b : a, k ? "" : " (not run in B)");
			*only_a += !both && !k;
			free(only[i]);
		}
		free(only);
	}
	if (n == 0) {
		as_compare_error("suites %s and %s have no scenario in common", a, b);
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
