/* disturb.h - which trials the machine disturbed: a trial whose threads
 * waited for a CPU, or whose canary (a fixed piece of work run around the
 * timed region, trials.csv canary_ns) ran slowly, markedly more than the
 * run's least disturbed trial at the same thread count. Such a trial measures the
 * machine as much as the module: -r auto does not count it towards a
 * group's repetitions (so the group runs another), and summary.csv counts
 * it and gives the spread without it. It is never dropped: its row and its
 * value stay in trials.csv and in every statistic. docs/measure.md
 * "Disturbed trials" says why these thresholds. Pure functions. */
#ifndef AS_DISTURB_H
#define AS_DISTURB_H

#include <stdint.h>

#include "trial_types.h"

/* A trial is disturbed when its canary_ns is over AS_DISTURB_CANARY x the
 * reference's, or when its share of thread time spent waiting for a CPU
 * (wait_ns / (elapsed_ns x threads)) is over the reference's by more than
 * AS_DISTURB_WAIT: a tenth of the time lost inflates ns/op by a ninth. */
#define AS_DISTURB_CANARY 1.25
#define AS_DISTURB_WAIT   0.10

/* The machine at its best at one thread count: the smallest canary_ns and
 * the smallest wait share over the run's ok trials (a median would call a
 * uniformly loaded machine undisturbed; the smallest wait share still
 * holds what threads beyond the CPUs wait for each other). */
typedef struct as_disturb_ref {
	double canary_ns;  /* NaN: no trial had one */
	double wait_share; /* NaN: no trial had one */
} as_disturb_ref_t;

/* The reference (minima) for `threads` over the ok trials of specs/res[0..n) whose
 * spec has that many threads (-t). Returns 0, or -1 when out of memory. */
int as_disturb_ref(const as_trial_spec_t *specs, const as_trial_result_t *res, int n,
                   uint32_t threads, as_disturb_ref_t *ref);

/* 1 when the ok trial (spec, r) is disturbed by the reference of its
 * spec's thread count (as above), else 0 (also for a trial that is not ok
 * or has neither figure). */
int as_disturbed(const as_trial_spec_t *spec, const as_trial_result_t *r,
                 const as_disturb_ref_t *ref);

#endif
