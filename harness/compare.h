/* compare.h - one module against a baseline on the same workload and
 * threads: the ratio of median ns/op with its bootstrap 95 % interval, the
 * Mann-Whitney p-value and a hyperfine-style sentence ("mimalloc 1.92x
 * (1.71-2.10) faster than glibc"). Samples are grouped by strings (module
 * label, workload label, threads) so that a run in memory and a results
 * folder read back (`allocscope compare`) go through the same code. The
 * comparisons reporter (report_compare.c) writes comparisons.csv with it,
 * and `allocscope compare` (cmd_compare.c) prints the changes of one
 * folder's groups against another's (as_compare_changes). Prints nothing.
 * Not thread-safe. */
#ifndef AS_COMPARE_H
#define AS_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Significance level of every comparison and verdict. */
#define AS_CMP_ALPHA 0.05

typedef enum as_cmp_outcome {
	AS_CMP_FASTER,   /* significantly lower ns/op than the baseline */
	AS_CMP_SLOWER,   /* significantly higher */
	AS_CMP_SAME,     /* no significant difference */
	AS_CMP_TOO_FEW,  /* no p below AS_CMP_ALPHA is possible with these n */
	AS_CMP_NO_RATIO, /* a side has no ok repetition, or the net baseline is <= 0
	                    (a raw baseline median of 0 is compared: ratio 1 or inf) */
} as_cmp_outcome_t;

typedef struct as_cmp {
	double ratio;        /* median(module) / median(baseline), net of the floor */
	double ci_lo, ci_hi; /* bootstrap 95 % interval of ratio; NaN with n < 2 */
	double p;            /* two-sided Mann-Whitney p of the raw samples */
	int n, n_base;       /* ok repetitions on each side */
	as_cmp_outcome_t outcome;
} as_cmp_t;

/* Compare samples x (module) against base (baseline), both net of the
 * floor samples null[0..nnull) when nnull > 0. Significant when p <
 * AS_CMP_ALPHA and the interval excludes 1. Returns 0, or -1 when out of
 * memory. */
int as_cmp_samples(const double *x, int nx, const double *base, int nb, const double *null,
                   int nnull, as_cmp_t *out);

/* "faster", "slower", "same", "too_few" or "no_ratio". */
const char *as_cmp_outcome_name(as_cmp_outcome_t o);

/* The sentence for c: "M 1.92× (1.71–2.10) faster than B", "M 1.30×
 * (1.20–1.41) slower than B", "M vs B: no significant difference, p =
 * 0.41", "M vs B: too few repetitions for a test (n = 3, 3)", "M vs B: no
 * ratio (...)". UTF-8. */
void as_cmp_sentence(const as_cmp_t *c, const char *module, const char *baseline, char *buf,
                     size_t len);

/* Samples of one (module, workload, threads): the ok repetitions. */
typedef struct as_group {
	char *module;   /* module label: NAME or NAME:params */
	char *workload; /* workload label */
	uint32_t threads;
	double *v;
	int n, cap;
	int unmeasured;       /* ok repetitions without the metric (--jobs: no ns/op) */
	int failed;           /* repetitions that failed (a status other than ok, skipped) */
	char fail_status[32]; /* the first one's status ("crashed"), "" with none */
} as_group_t;

typedef struct as_groups {
	as_group_t *g;
	int n, cap;
	/* index of g by (module, workload, threads): open addressing, slot
	 * i + 1 for g[i], 0 empty; nslot a power of two, at least 2 n. A
	 * linear search per row was rows x groups in `compare` (15 % of its
	 * time on a million rows in 1000 groups: docs/measure.md). */
	int *slot, nslot;
} as_groups_t;

/* Add one value to its group (created in first-seen order). NaN values
 * create the group but add nothing. Out of memory ends the process
 * (as_oom), as in as_buf. */
void as_groups_add(as_groups_t *gs, const char *module, const char *workload, uint32_t threads,
                   double v);
/* An ok repetition of the group that has no value of the metric (a
 * trial run beside another under --jobs has no ns/op): counted, so that a
 * comparison can say "not measured" rather than "no ok repetition". */
void as_groups_add_unmeasured(as_groups_t *gs, const char *module, const char *workload,
                              uint32_t threads);
/* A repetition of the group that failed with STATUS (not ok, not
 * skipped): counted, so that a comparison can tell a module that stopped
 * working ("failed") from one that was never run there. */
void as_groups_add_failed(as_groups_t *gs, const char *module, const char *workload,
                          uint32_t threads, const char *status);
/* The group of (module, workload, threads), or NULL. */
as_group_t *as_groups_find(const as_groups_t *gs, const char *module, const char *workload,
                           uint32_t threads);
/* Sort the groups with cmp (qsort's contract over as_group_t) and
 * index them again: the way to reorder gs->g, which as_groups_find's
 * index otherwise points into by position. */
void as_groups_sort(as_groups_t *gs, int (*cmp)(const void *, const void *));
void as_groups_free(as_groups_t *gs);

/* One comparison of a run: a module's group against the baseline's on the
 * same workload and threads. */
typedef struct as_cmp_row {
	const as_group_t *g, *base;
	const char *metric;  /* "ns_per_op", or "ns_per_op_minus_null" when net of null */
	as_cmp_t c;          /* g against base */
	const char *summary; /* the sentence (as_cmp_sentence) */
	int first;           /* the first row of its workload and threads */
} as_cmp_row_t;

/* Call fn for every group whose module is not the baseline (nor `null`),
 * compared with the baseline's group on the same workload and threads;
 * ns_per_op net of the `null` module's cost when the run has one and every
 * module's median there is above null's (metric ns_per_op_minus_null),
 * else raw (ns_per_op). A non-zero return of fn stops and is returned;
 * -1 also means out of memory. Returns 0 when every row was visited. */
int as_comparisons_each(const as_groups_t *gs, const char *baseline,
                        int (*fn)(void *arg, const as_cmp_row_t *row), void *arg);

/* comparisons.csv: the header, then one row per as_comparisons_each row.
 * When `lines` is not NULL the sentences are appended there too, one per
 * line, under a heading per workload and threads. Returns the number of
 * rows, or -1 when out of memory. */
int as_comparisons(const as_groups_t *gs, const char *baseline, as_buf_t *csv, as_buf_t *lines);

/* The fastest module of one workload and threads (lowest median; `null`
 * is not a contender) and how far ahead of the next it is. */
typedef struct as_winner {
	const as_group_t *best, *runner_up; /* runner_up NULL with one contender */
	const char *metric;                 /* as in as_cmp_row_t */
	as_cmp_t c;                         /* runner_up against best (ratio >= 1) */
} as_winner_t;

/* Call fn once per workload and threads (first-seen order) that has a
 * contender with an ok repetition. Returns as as_comparisons_each. */
int as_winners_each(const as_groups_t *gs, int (*fn)(void *arg, const as_winner_t *w), void *arg);

/* `allocscope compare A B`: what became of each of A's and B's groups
 * (module, workload, threads) in the other folder. */
typedef enum as_change_kind {
	AS_CH_REGRESSION,   /* B significantly slower, beyond the threshold */
	AS_CH_IMPROVEMENT,  /* B significantly faster, beyond the threshold */
	AS_CH_NONE,         /* no change that counts */
	AS_CH_TOO_FEW,      /* too few repetitions for a test */
	AS_CH_NO_RATIO,     /* no ok repetition on one side */
	AS_CH_NOT_MEASURED, /* ok repetitions without the metric on a side (--jobs) */
	AS_CH_FAILED,       /* A ran it, every repetition of B failed */
	AS_CH_UNTESTED,     /* slower beyond the threshold, too few repetitions to test */
	AS_CH_ONLY_B,       /* in B alone */
	AS_CH_ONLY_A,       /* in A alone, and never ran there (no ok repetition) */
	AS_CH_NOT_RUN_IN_B, /* in A alone, where it ran: coverage B lost */
} as_change_kind_t;

/* One of the changes: B's group against A's (a or b NULL for a group in
 * one folder only). */
typedef struct as_change {
	const as_group_t *a, *b;
	as_cmp_t c; /* b against a; set for the kinds up to AS_CH_UNTESTED */
	as_change_kind_t kind;
	int partly; /* a larger share of B's repetitions failed than of A's */
} as_change_t;

typedef struct as_changes {
	/* B's groups in B's order (matched or only in B; none for a group
	 * neither side measured or ran ok), then A's groups B has not */
	as_change_t *v;
	int n;
	int matched, regressions, improvements, failed, partly, not_run_in_b, untested;
	int not_measured;  /* in both, neither side has the metric (--jobs) */
	int ok_in_neither; /* in both, no ok repetition on either side */
} as_changes_t;

/* The changes of groups gb (B) against ga (A) at THRESHOLD (0.05: 5 %):
 * a regression or improvement is significant and beyond the factor
 * 1 + THRESHOLD either way; the groups keep their order. out holds
 * pointers into ga and gb: free it (as_changes_free) before them. Returns
 * 0, or -1 when out of memory (out freed). */
int as_compare_changes(const as_groups_t *ga, const as_groups_t *gb, double threshold,
                       as_changes_t *out);
void as_changes_free(as_changes_t *ch);

/* --json's name of a change kind: "regression", "improvement",
 * "no_change", "too_few", "no_ratio", "not_measured", "failed",
 * "untested_slower", "only_in_b", "only_in_a", "not_run_in_b". */
const char *as_change_name(as_change_kind_t k);

#endif /* AS_COMPARE_H */
