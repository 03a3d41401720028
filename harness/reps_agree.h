/* reps_agree.h - the memory scenarios' rule on repetitions: a trial group
 * (module x workload x threads) asked for 3 stops at 2 when those two are ok
 * and agree on every memory column. One rule for the run that applies it
 * (the drop rule a suite sets) and for the readers that judge a folder
 * complete (plot's report, compare's warning), which would otherwise call
 * every such group short. Not the timing scenarios' -r auto (runner.c). */
#ifndef AS_REPS_AGREE_H
#define AS_REPS_AGREE_H

#include <stddef.h>

struct as_run;
struct as_table;

/* Repetitions that, ok and agreeing, are the group's: the median of three of
 * which two agree is the agreed value (cmd_suite.c scenario_reps). */
#define AS_REPS_AGREE 2

/* 1 when trial values a and b (AS_TC_* indexed) agree on every memory
 * column: RSS as growth over each one's rss_before_kib, the rest as they
 * are; two n/a cells agree. */
int as_reps_agree(const double *a, const double *b);

/* The runner's drop rule (as_run_cfg_t.drop) under cfg->reps_agree N: 1
 * drops specs[i] when it is a repetition past the first N of its group and
 * the group's done ones (specs[0..w)) are N or more, all ok, all agreeing.
 * CTX is unused. */
int as_reps_agree_drop(void *ctx, const struct as_run *run, int w, int i);

/* 1 when one group's trials.csv rows, ROWS[0..n) of table T, are all the
 * repetitions its run would write: ASKED or more (context.csv
 * `repetitions`; 0 under -r auto: one or more), or, when context table CTX
 * records the rule (`repetitions_agree` N), N or more that are all ok and
 * agree. 0 for a group an interrupt cut short. */
int as_reps_group_complete(const struct as_table *ctx, const struct as_table *t, const size_t *rows,
                           int n, long asked);

/* Context table CTX's repetitions_agree N, 0 when the run had no such rule
 * (a run's -r N, -r auto, a folder written before the key). */
long as_reps_agree_recorded(const struct as_table *ctx);

/* The trials.csv columns as_reps_group_complete reads (status and the
 * memory columns), for a reader that keeps only those: up to MAX names
 * into NAMES (static strings). Returns how many. */
size_t as_reps_agree_columns(const char **names, size_t max);

#endif /* AS_REPS_AGREE_H */
