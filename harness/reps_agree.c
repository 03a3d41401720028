/* reps_agree.c - see reps_agree.h. */
#include "reps_agree.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reporter.h"
#include "tables.h"
#include "trials_read.h"

/* A memory row's columns that must be equal for two repetitions to agree:
 * RSS as growth over the trial's own rss_before_kib (the worker's file-backed
 * pages at the start vary with ASLR), everything else as it is. */
static const int agree_growth[] = {AS_TC_rss_peak_kib, AS_TC_rss_end_kib, AS_TC_rss_after_free_kib,
                                   AS_TC_rss_after_trim_kib};
static const int agree_same[] = {AS_TC_live_bytes_peak,
                                 AS_TC_heap_rss_peak_kib,
                                 AS_TC_heap_size_peak_kib,
                                 AS_TC_heap_size_end_kib,
                                 AS_TC_mmap_rss_peak_kib,
                                 AS_TC_mmap_size_peak_kib,
                                 AS_TC_heap_rss_after_free_kib,
                                 AS_TC_mmap_rss_after_free_kib,
                                 AS_TC_heap_rss_after_trim_kib,
                                 AS_TC_mmap_rss_after_trim_kib,
                                 AS_TC_minflt,
                                 AS_TC_majflt,
                                 AS_TC_syscalls_total,
                                 AS_TC_brk_calls,
                                 AS_TC_mmap_calls,
                                 AS_TC_munmap_calls,
                                 AS_TC_mremap_calls,
                                 AS_TC_madvise_calls,
                                 AS_TC_madvise_dontneed_calls,
                                 AS_TC_madvise_free_calls,
                                 AS_TC_mprotect_calls};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Equal, or both n/a. */
static int same_num(double a, double b)
{
	return a == b || (isnan(a) && isnan(b));
}

int as_reps_agree(const double *a, const double *b)
{
	for (size_t k = 0; k < COUNT(agree_growth); k++)
		if (!same_num(a[agree_growth[k]] - a[AS_TC_rss_before_kib],
		              b[agree_growth[k]] - b[AS_TC_rss_before_kib]))
			return 0;
	for (size_t k = 0; k < COUNT(agree_same); k++)
		if (!same_num(a[agree_same[k]], b[agree_same[k]]))
			return 0;
	return 1;
}

/* The median of three of which two agree is the agreed value, so the
 * row's figures and the claims' medians are what the third would have
 * given. A group whose two differ (module code faulted in by fault-around
 * as ASLR placed it, docs/measure.md) runs its third. */
int as_reps_agree_drop(void *ctx, const as_run_t *run, int w, int i)
{
	const as_trial_rec_t *first = NULL;
	uint32_t trial = run->specs[i].trial;
	int n = 0, need = run->cfg->reps_agree;
	(void)ctx;
	if (need < 1 || run->specs[i].rep < (uint32_t)need)
		return 0;
	for (int j = 0; j < w; j++) {
		if (run->specs[j].trial != trial)
			continue;
		if (run->res[j].status != AS_OK)
			return 0;
		if (!first)
			first = &run->res[j];
		else if (!as_reps_agree(first->v, run->res[j].v))
			return 0;
		n++;
	}
	return n >= need;
}

/* context.csv's repetitions_agree N ("N: ..."), 0 when the run had no
 * such rule (a run's -r N, -r auto, a folder written before the key). */
long as_reps_agree_recorded(const as_table_t *ctx)
{
	for (size_t r = 0; r < ctx->nrows; r++)
		if (!strcmp(as_table_str(ctx, r, "key"), "repetitions_agree")) {
			long n = strtol(as_table_str(ctx, r, "value"), NULL, 10);
			return n > 0 ? n : 0;
		}
	return 0;
}

/* The memory columns of row r of trials table t into v (AS_TC_* indexed;
 * the others NaN), by name as the table has them. */
static void row_values(const as_table_t *t, size_t r, double *v)
{
	static const char *const names[] = {
#define N(name, fmt, doc) #name,
	    AS_TRIAL_COLS(N)
#undef N
	};
	for (int c = 0; c < AS_TRIAL_NCOLS; c++)
		v[c] = NAN;
	v[AS_TC_rss_before_kib] = as_table_num(t, r, names[AS_TC_rss_before_kib]);
	for (size_t k = 0; k < COUNT(agree_growth); k++)
		v[agree_growth[k]] = as_table_num(t, r, names[agree_growth[k]]);
	for (size_t k = 0; k < COUNT(agree_same); k++)
		v[agree_same[k]] = as_table_num(t, r, names[agree_same[k]]);
}

int as_reps_group_complete(const as_table_t *ctx, const as_table_t *t, const size_t *rows, int n,
                           long asked)
{
	double first[AS_TRIAL_NCOLS], v[AS_TRIAL_NCOLS];
	long need;
	/* before the context's rows are read: plot asks for each of 20,000
	 * groups */
	if (n >= (asked > 0 ? asked : 1))
		return 1;
	need = as_reps_agree_recorded(ctx);
	/* fewer than asked: complete only as the rule stopped it, every row
	 * ok and agreeing (two that differ, or a failed one, ran a third) */
	if (need < 1 || n < need)
		return 0;
	for (int k = 0; k < n; k++) {
		if (strcmp(as_table_str(t, rows[k], "status"), "ok"))
			return 0;
		row_values(t, rows[k], k ? v : first);
		if (k && !as_reps_agree(first, v))
			return 0;
	}
	return 1;
}

size_t as_reps_agree_columns(const char **names, size_t max)
{
	static const char *const all[] = {
#define N(name, fmt, doc) #name,
	    AS_TRIAL_COLS(N)
#undef N
	};
	size_t n = 0;
	if (n < max)
		names[n++] = "status";
	if (n < max)
		names[n++] = all[AS_TC_rss_before_kib];
	for (size_t k = 0; k < COUNT(agree_growth) && n < max; k++)
		names[n++] = all[agree_growth[k]];
	for (size_t k = 0; k < COUNT(agree_same) && n < max; k++)
		names[n++] = all[agree_same[k]];
	return n;
}
