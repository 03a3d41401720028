/* disturb.h - which trials the machine disturbed, by three figures of a
 * trial against the same run's other trials: its canary (a fixed piece of
 * work run around the timed region, trials.csv canary_ns) ran slowly, its
 * threads waited for a CPU (wait_ns), or thread 0's series samples (the
 * same /proc reads in every repetition of a group) took longer inside the
 * timed region (sampling_ns / samples). Such a trial measures the machine
 * as much as the module: -r auto does not count it towards a group's
 * repetitions (so the group runs another), and summary.csv counts it and
 * gives the spread without it. It is never dropped: its row and its value
 * stay in trials.csv and in every statistic. docs/measure.md "Disturbed
 * trials" gives the figures behind the thresholds. Pure functions. */
#ifndef AS_DISTURB_H
#define AS_DISTURB_H

#include <stdint.h>

#include "trial_types.h"

/* A trial is disturbed when its canary_ns is over AS_DISTURB_CANARY x the
 * reference's; when its share of thread time spent waiting for a CPU
 * (wait_ns / (elapsed_ns x threads)) is over the reference's by more than
 * AS_DISTURB_WAIT (a tenth of the time lost inflates ns/op by a ninth); or
 * when its time per sample is over AS_DISTURB_SAMPLE x its group's median
 * (on the lead's idle run the slow repetitions' was 1.24-1.48x, the others'
 * 0.89-1.05x). */
#define AS_DISTURB_CANARY 1.25
#define AS_DISTURB_WAIT   0.10
#define AS_DISTURB_SAMPLE 1.20

/* The machine at its best at one thread count: the smallest canary_ns and
 * the smallest wait share over the run's ok trials (a median would call a
 * uniformly loaded machine undisturbed; the smallest wait share still
 * holds what threads beyond the CPUs wait for each other); and the median
 * time per sample of one trial group (the sampler's work depends on the
 * module's mappings, so only a group's repetitions compare). */
typedef struct as_disturb_ref {
	double canary_ns;  /* NaN: no trial had one */
	double wait_share; /* NaN: no trial had one */
	double sample_ns;  /* NaN: no repetition of the group had samples */
} as_disturb_ref_t;

/* The reference for trial group `group` (its spec's trial number and -t
 * threads) over the ok trials of specs/res[0..n). Returns 0, or -1 when
 * out of memory. */
int as_disturb_ref(const as_trial_spec_t *specs, const as_trial_result_t *res, int n,
                   const as_trial_spec_t *group, as_disturb_ref_t *ref);

/* 1 when the ok trial (spec, r) is disturbed by its group's reference (as
 * above), else 0 (also for a trial that is not ok or has no figure). */
int as_disturbed(const as_trial_spec_t *spec, const as_trial_result_t *r,
                 const as_disturb_ref_t *ref);

#endif
