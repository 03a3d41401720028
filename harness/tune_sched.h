/* tune_sched.h - how `allocscope tune` spends its replays: early
 * elimination of configurations clearly beaten (as_tune_beaten_by) and the
 * time budget (--budget), as the runner's drop rule (run_cfg.h). The
 * runner runs the grid in rounds (every configuration once per round);
 * before each trial this decides whether it runs. Not thread-safe: called
 * from the runner's one thread. */
#ifndef AS_TUNE_SCHED_H
#define AS_TUNE_SCHED_H

#include <stdint.h>

#include "run_cfg.h"
#include "tune.h"

/* Rounds that always run whatever the budget: two replays per
 * configuration are the least a CI or a test works with. */
#define AS_TUNE_MIN_ROUNDS 2

typedef struct as_tune_sched {
	double budget_s; /* 0: no budget */
	uint64_t t0_ns;  /* when the budget started (the command's start) */
	int nconf, base; /* configurations; the baseline is never eliminated */
	as_tune_point_t pts[AS_RUN_MAX_ITEMS];  /* samples so far, per configuration
	                                           (rss_kib: growth + start_kib) */
	double *growth[AS_RUN_MAX_ITEMS];       /* their peak RSS growths */
	int consumed;                           /* run->specs entries read into pts */
	int beaten_by[AS_RUN_MAX_ITEMS];        /* -1, or who clearly beat it */
	double wall_s[AS_RUN_MAX_ITEMS];        /* wall time of its trials so far */
	int runs[AS_RUN_MAX_ITEMS];             /* trials timed in wall_s */
	int last;                               /* the trial let run last, or -1 */
	uint64_t last_ns;                       /* when */
	int checked_round;                      /* last round the budget was checked */
	int stop_round;                         /* first round not run (budget), or -1 */
	double stop_elapsed_s, stop_estimate_s; /* what the budget check saw */
} as_tune_sched_t;

/* Set up for nconf configurations (trial index = configuration index),
 * reps room per configuration. Returns 0, or -1 (out of memory). */
int as_tune_sched_init(as_tune_sched_t *s, int nconf, int reps, double budget_s, uint64_t t0_ns);
void as_tune_sched_free(as_tune_sched_t *s);

/* The runner's drop rule (as_run_cfg_t.drop with drop_ctx = s): 1 when
 * trial run->specs[i] is not to run: its configuration was clearly beaten
 * (it is now, after AS_TUNE_ELIM_MIN_REPS repetitions: recorded in
 * s->beaten_by), or the budget is spent. From round AS_TUNE_MIN_ROUNDS on,
 * a round starts only when the time spent plus the round's estimate (the
 * mean trial wall time of each configuration still running) fits in the
 * budget, and no trial starts once the budget is spent. */
int as_tune_sched_drop(void *s, const struct as_run *run, int w, int i);

#endif /* AS_TUNE_SCHED_H */
