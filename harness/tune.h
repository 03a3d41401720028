/* tune.h - what `allocscope tune` concludes from replayed repetitions: one
 * point per configuration (module + params) with its samples of time, peak
 * RSS growth and memory syscalls, the Pareto frontier of time against RSS,
 * and the recommendation for an objective. Pure computation over arrays, so
 * the frontier and the choice are tested on fixture data; the command
 * (cmd_tune.c) runs the trials and prints. Not thread-safe. */
#ifndef AS_TUNE_H
#define AS_TUNE_H

#include <stddef.h>
#include <stdint.h>

#include "../workloads/spec.h"
#include "buf.h"
#include "trials_read.h"

/* tune.csv: one row per configuration (frontier.csv: the frontier rows). */
#define AS_TUNE_COLS(X)                                                                            \
	X(module, S, "module name as given")                                                       \
	X(module_params, S, "module params string as given (empty: the defaults)")                 \
	X(reps_ok, I, "repetitions that completed (the statistics use only these)")                \
	X(elapsed_ns_median, F, "median wall time of the replay's timed region")                   \
	X(elapsed_ns_min, F, "fastest repetition")                                                 \
	X(elapsed_ns_max, F, "slowest repetition")                                                 \
	X(rss_growth_kib_median, F, "median of rss_peak_kib - rss_before_kib, plus start_rss_kib") \
	X(syscalls_total_median, F, "median memory syscalls (empty when not counted)")             \
	X(start_rss_kib, F,                                                                        \
	  "what the allocator holds once started: its least trials.csv module_start_rss_kib "      \
	  "less the baseline's (0 for glibc's configurations, which start nothing more)")          \
	X(time_ratio, F, "elapsed_ns_median / the baseline's (glibc defaults)")                    \
	X(time_ratio_ci95_low, F, "bootstrap 95 % CI of time_ratio, low")                          \
	X(time_ratio_ci95_high, F, "bootstrap 95 % CI of time_ratio, high")                        \
	X(time_p, F, "Mann-Whitney p of the times against the baseline's")                         \
	X(rss_ratio, F, "rss_growth_kib_median / the baseline's")                                  \
	X(rss_ratio_ci95_low, F, "bootstrap 95 % CI of rss_ratio, low")                            \
	X(rss_ratio_ci95_high, F, "bootstrap 95 % CI of rss_ratio, high")                          \
	X(rss_p, F, "Mann-Whitney p of the RSS growths against the baseline's")                    \
	X(frontier, I,                                                                             \
	  "1 when no other configuration is at least as good on both time "                        \
	  "and RSS growth and better on one")                                                      \
	X(recommended, I, "1 on the row the objective chose")                                      \
	X(eliminated_by, S,                                                                        \
	  "the configuration that clearly beat this one, which then got no more "                  \
	  "repetitions (tune --budget; empty: not eliminated)")

typedef enum as_tune_objective {
	AS_TUNE_TIME,     /* fastest */
	AS_TUNE_MEMORY,   /* least RSS growth */
	AS_TUNE_BALANCED, /* least time/base + rss/base */
} as_tune_objective_t;

/* One configuration and its repetitions (samples owned by the point). */
typedef struct as_tune_point {
	char *module, *params; /* as in trials.csv */
	double *time_ns, *rss_kib, *sys;
	int n;
	double time_med, rss_med, sys_med; /* medians; sys NaN when not counted */
	double *start_s;                   /* each sample's module_start_rss_kib (NaN: unread) */
	double start_kib;                  /* the allocator's start-up beyond the baseline's
	                                      (as_tune_starts), in rss_kib */
	double t_ratio, t_lo, t_hi, t_p;   /* against the baseline */
	double r_ratio, r_lo, r_hi, r_p;
	int t_out, r_out; /* as_cmp_outcome_t of time and RSS against the baseline
	                     (compare.h: p < 0.05 and a CI excluding 1) */
	int frontier, recommended;
	const char *eliminated_by; /* label of the point that clearly beat it, or
	                              NULL (not owned) */
} as_tune_point_t;

/* Group the ok rows of a trials.csv table by (module, module_params), in
 * order of first appearance; each rss_kib sample is the trial's peak RSS
 * growth plus its point's start_kib (as_tune_starts, against the first
 * point, the baseline). Returns the number of points (>= 0) with *out
 * allocated, or -1 (out of memory). Free with as_tune_points_free. */
int as_tune_points(const as_table_t *t, as_tune_point_t **out);

/* Each point's start_kib: the least module_start_rss_kib of its samples
 * less p[base]'s, the RSS its allocator holds once started, before the
 * trace's first call, which peak RSS growth leaves out and a program pays
 * (libtcmalloc_minimal about 5 MiB, libjemalloc 2, libmimalloc 0.1). 0 for
 * a glibc configuration (the worker's own malloc: what it holds beforehand
 * is the harness's) and where either has no sample read. Measured around
 * the module's load and create alone (worker.c), not from rss_before_kib,
 * which also holds the harness's work on the op stream (1.8 MiB apart
 * between trials of a 15 M-event trace). */
void as_tune_starts(as_tune_point_t *p, int n, int base);
void as_tune_points_free(as_tune_point_t *p, int n);

/* Early elimination. p[c] is clearly beaten by p[d] when both have at
 * least AS_TUNE_ELIM_MIN_REPS samples and every sample of d is at least as
 * good as every sample of c on time and on RSS growth (max of d <= min of
 * c), strictly better on one of them: the Mann-Whitney U statistic is 0 on
 * both. Between two configurations of the same distributions, that happens
 * on one metric with probability 1 / C(n_c + n_d, n_c) (1/20 at 3 against
 * 3), on both about its square. Dominance by ranges implies dominance by
 * medians, so a clearly beaten point is off the frontier and no objective
 * or --max-rss prefers it. Returns the index of the first such d, or -1. */
#define AS_TUNE_ELIM_MIN_REPS 3
int as_tune_beaten_by(const as_tune_point_t *p, int n, int c);

/* Medians, then ratios, bootstrap CIs, Mann-Whitney p and the outcome
 * against p[base], as `compare` judges them (as_cmp_samples of compare.h,
 * itself as_boot_ratio_ci95 and as_mann_whitney_p of stats.h). A ratio
 * against a baseline median of 0 is NaN (there is none); its outcome still
 * says whether the other side is significantly above 0. Returns 0 or -1. */
int as_tune_stats(as_tune_point_t *p, int n, int base);

/* Set p[i].frontier: 1 when no p[j] has time_med <= and rss_med <= with
 * one of them strictly smaller. Points without samples are never on it.
 * Returns the number of frontier points. */
int as_tune_frontier(as_tune_point_t *p, int n);

/* The recommended point for the objective among the frontier points whose
 * rss_med is at most max_rss_kib (< 0: no budget). Every objective is
 * monotone in time and RSS, so its best point under a budget is a frontier
 * point. Balanced is measured against p[base]. Call as_tune_frontier first.
 * Sets its .recommended. Returns its index, or -1 when none fits. */
int as_tune_pick(as_tune_point_t *p, int n, as_tune_objective_t obj, double max_rss_kib, int base);

/* The least gain tune recommends a change for: 5 %, the default
 * --threshold of `compare` (a ratio of at most 1 / 1.05). */
#define AS_TUNE_MIN_GAIN 0.05

/* Whether q's gain over the baseline on the objective is one to act on. A
 * metric gains when the Mann-Whitney p is below 0.05, the 95 % CI of its
 * ratio lies below 1 (outcome AS_CMP_FASTER) and the ratio is at most
 * 1 / (1 + AS_TUNE_MIN_GAIN). time: the time ratio gains; memory: the RSS
 * ratio; balanced: one of them gains and neither is worse (a CI above 1,
 * or significantly slower or larger). Returns 1 (recommend q), 0 (the
 * baseline stays: no such gain), or -1 (the baseline stays: with these
 * replays no p below 0.05 is possible, AS_CMP_TOO_FEW, so more replays
 * could tell). */
int as_tune_significant(const as_tune_point_t *q, as_tune_objective_t obj);

/* A ratio of medians (recommended / baseline, with its 95 % CI and
 * Mann-Whitney p) as a change tune counts, by the rule that recommends:
 * p below 0.05, the CI off 1 and the ratio at least AS_TUNE_MIN_GAIN from
 * it. Returns -1 (less), 1 (more) or 0 (no such change, or a NaN). */
int as_tune_change(double ratio, double lo, double hi, double p);

/* The numeric cells of point q in AS_TUNE_COLS order (reps_ok ..
 * recommended), each with its format: 'I' an integer when whole, 'F' a
 * real. Shared by tune.csv and tune.json, so the two say the same. */
#define AS_TUNE_NUMS 17
void as_tune_values(const as_tune_point_t *q, double v[AS_TUNE_NUMS], char fmt[AS_TUNE_NUMS]);

/* Write DIR/tune.csv (every point) and DIR/frontier.csv (the frontier
 * points), AS_TUNE_COLS, atomically. Returns 0, or -1 with err. */
int as_tune_write(const char *dir, const as_tune_point_t *p, int n, char *err, size_t errlen);

/* The shell line that gives configuration `spec` to an unmodified program:
 * LD_PRELOAD of the module's library and its variables (glibc: the
 * variables alone), or `allocscope exec -a SPEC --` for a module with no
 * library to preload; then prog's words, shell-quoted. Appended to b.
 * Returns 0, or -1 with err (the module cannot be asked). */
int as_tune_apply_line(const as_spec_t *spec, char **prog, as_buf_t *b, char *err, size_t errlen);

/* verify.csv: the real program under the baseline and the recommendation. */
#define AS_VERIFY_COLS(X)                                                                \
	X(metric, S,                                                                     \
	  "wall_time_ns or peak_rss_kib (largest ru_maxrss of the program's processes)") \
	X(baseline_median, F, "median over the baseline's runs")                         \
	X(baseline_min, F, "fewest")                                                     \
	X(baseline_max, F, "most")                                                       \
	X(recommended_median, F, "median over the recommendation's runs")                \
	X(recommended_min, F, "fewest")                                                  \
	X(recommended_max, F, "most")                                                    \
	X(ratio, F, "recommended_median / baseline_median")                              \
	X(ratio_ci95_low, F, "bootstrap 95 % CI of ratio, low")                          \
	X(ratio_ci95_high, F, "bootstrap 95 % CI of ratio, high")                        \
	X(p, F, "Mann-Whitney p of the two sets of runs")                                \
	X(predicted_ratio, F, "the ratio replay predicted (tune.csv)")                   \
	X(predicted_ci95_low, F, "its CI, low")                                          \
	X(predicted_ci95_high, F, "its CI, high")                                        \
	X(predicted_p, F, "its Mann-Whitney p (tune.csv)")                               \
	X(program_ratio, F,                                                              \
	  "what replay predicts for the program: 1 - (the baseline's replay median - "   \
	  "the recommendation's) / baseline_median")                                     \
	X(program_ci95_low, F, "the same from predicted_ci95_low")                       \
	X(program_ci95_high, F, "the same from predicted_ci95_high")                     \
	X(holds, I,                                                                      \
	  "1 when the measured ratio and program_ratio are the same change by tune's "   \
	  "rule (p < 0.05, a CI off 1, at least 5 %: both less, both more, or both "     \
	  "no such change); 0 when the prediction does not hold")

/* What --verify measured: verify.csv's rows (wall_time_ns, then
 * peak_rss_kib), their numbers in AS_VERIFY_COLS order after `metric`. */
#define AS_VERIFY_NUMS 18
typedef struct as_tune_verified {
	int runs; /* runs of PROG per configuration; 0: no figures */
	double v[2][AS_VERIFY_NUMS];
} as_tune_verified_t;

/* What each --verify run of the program reads on its standard input: the
 * input the captured run read. keep 0: /dev/null (tune's was a terminal,
 * or closed). keep 1: tune's descriptor 0, moved back to `offset` before
 * each run when offset >= 0 (a file: a pipe's input is first copied into
 * one, see cmd_tune.c), as it is when offset < 0 (a device). */
typedef struct as_tune_stdin {
	int keep;
	long long offset;
} as_tune_stdin_t;

/* Run prog `reps` times under each of base and rec, interleaved (a pair per
 * round, the order alternating), its standard input as `in` says (NULL:
 * /dev/null), measure wall time and peak RSS, compare
 * with the ratios replay predicted for rec (rp), print the verdict and
 * write DIR/verify.csv; the figures also into *out when out is not NULL. A
 * prediction that does not hold is a result, not an error. Returns 0, 1
 * when a run of prog failed, 2 when verify.csv cannot be written. */
int as_tune_verify(const as_spec_t *base, const as_spec_t *rec, const as_tune_point_t *rp,
                   char **prog, const as_tune_stdin_t *in, int reps, const char *dir,
                   as_tune_verified_t *out);

/* Everything tune.json says beside the points (tune_json.c). */
typedef struct as_tune_outcome {
	const char *trace;           /* the replayed trace */
	const char *objective;       /* time, memory or balanced */
	double max_rss_kib;          /* --max-rss; < 0: none */
	double budget_s;             /* --budget; 0: none */
	double budget_spent_s;       /* capture and replays */
	int reps;                    /* -r */
	int budget_stop_round;       /* the round the budget did not start (1-based); 0: none */
	int rec;                     /* the recommended point; -1: none fits --max-rss */
	const char *best_by_medians; /* the baseline stays: the best by medians, not
	                                significantly better (NULL: none) */
	const char *kept_because;    /* then why: "too_few_replays" (no p below 0.05
	                                possible) or "not_significant" (NULL: none) */
	int children;                /* child processes the capture left out of the
	                                trace (-1: the trace was given, not captured) */
	uint64_t child_events;       /* their events */
	int children_escaped;        /* of them, those whose last image is in no trace */
	const char *apply;           /* the line that applies rec (NULL: the baseline) */
	int verify;                  /* --verify given */
	const char *verify_note;     /* why verify has no figures (NULL: it has) */
	const as_tune_verified_t *verified;
	const char *replay_dir; /* the replay run folder (its context.csv) */
} as_tune_outcome_t;

/* Write DIR/tune.json: o and every point as tune.csv has it (the same
 * values through as_tune_values, to the CSV's 6 digits), the frontier, the
 * recommendation with its ratios and apply line, verify's figures and the
 * replay run's context. Returns 0, or -1 with err. */
int as_tune_write_json(const char *dir, const as_tune_outcome_t *o, const as_tune_point_t *p, int n,
                       char *err, size_t errlen);

#endif /* AS_TUNE_H */
