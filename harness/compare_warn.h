/* compare_warn.h - the warnings of `allocscope compare` (cmd_compare.c)
 * about the two folders rather than the modules: contexts that differ
 * (machine, build, measurement settings), a folder still being written or
 * cut short, trials without timing figures (--jobs), a noisy machine, the
 * threads' CPUs placed farther apart. Each is a line appended to the
 * caller's buffer SAY ("allocscope compare: warning: ...\n", for the
 * command to print on stderr) and, for --json, an object {"key", "a",
 * "b"} pushed on the caller's array; none stops the comparison. Reads
 * only (a context.csv it cannot read is said on stderr, as_compare_error);
 * not thread-safe. */
#ifndef AS_COMPARE_WARN_H
#define AS_COMPARE_WARN_H

#include "buf.h"
#include "disturb.h"
#include "json.h"

/* The warnings of folders a and b (two runs, or two suites scenario by
 * scenario): context keys that differ, each said once (a measurement
 * setting only when both record it; timing_figures only when TIMING is 0,
 * the metric being no time), folders still being written or incomplete,
 * and, when TIMING, the folders without timing figures, one line a side.
 * An object per difference goes in diffs unless it is NULL. Returns how
 * many lines were said. */
int as_compare_warn_contexts(const char *a, const char *b, int timing, json_t *diffs,
                             as_buf_t *say);

/* A warning when the median handoff_end_ns of A's multi-thread trials (ha)
 * and B's (hb) differ by more than disturb.h's AS_DISTURB_HANDOFF factor
 * (either not above 0: nothing said); an object in diffs unless NULL.
 * Returns 1 when said, else 0. */
int as_compare_warn_handoff(double ha, double hb, json_t *diffs, as_buf_t *say);

/* A warning for each of folders a and b (machines ma and mb) that has
 * multi-thread trials and ran on a noisy machine (disturb.h
 * AS_NOISY_SHARE); one object {"key": "noisy"} in diffs, unless NULL, when
 * any was said. Returns how many lines. */
int as_compare_warn_noisy(const char *a, const char *b, const as_machine_t *ma,
                          const as_machine_t *mb, json_t *diffs, as_buf_t *say);

#endif /* AS_COMPARE_WARN_H */
