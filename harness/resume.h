/* resume.h - what makes `run --resume DIR` possible: the run's own
 * arguments saved in DIR/run.args, and reading back the trials an
 * interrupted run completed (their trials.csv rows, and the rows of the
 * long tables that belong to them). Not thread-safe. */
#ifndef AS_RESUME_H
#define AS_RESUME_H

#include <stdint.h>

#include <stddef.h>

#include "buf.h"
#include "trial.h"

/* Write DIR/NAME (run.args, suite.args): argv[1..argc), NUL-separated, so
 * that --resume rebuilds exactly the same matrix. Returns 0, or -1 with
 * err. */
int as_resume_save_args(const char *dir, const char *name, int argc, char *const *argv, char *err,
                        size_t errlen);

/* Read DIR/NAME back: *argv (malloc'd) gets argv0, then the saved
 * arguments, which live in *text (malloc'd; free both); an empty file is
 * a command given none (argv0 alone, count 1). Returns their count with
 * argv0, or -1 with err ("CMD: cannot resume DIR: ..."): -2
 * when NAME is missing and DIR holds nothing (stopped before it was
 * written: nothing ran). */
int as_resume_load_args(const char *dir, const char *name, const char *cmd, char *argv0,
                        char ***argv, char **text, char *err, size_t errlen);

/* Load the complete rows of DIR/trials.csv into res[] and done[], and
 * append the header and those rows to ROWS as this build writes them, in
 * matrix order: the CSV reporter's first trials.csv, written from ROWS
 * itself (a copy was a third of a resume's memory); a row
 * that does not match the matrix (other module, workload or threads at that
 * trial number) means DIR is another run. TIMED: the run writes ns_per_op
 * (--jobs 1), so an ok row without it is incomplete. Returns 0, or -1
 * with err. */
int as_resume_load_trials(const char *dir, const as_trial_spec_t *specs, as_trial_rec_t *res,
                          int *done, int n, int timed, as_buf_t *rows, char *err, size_t errlen);

/* Each of DIR's tables that --resume appends to (trials, series, latency,
 * histogram) must have the columns this build writes, in its order: rows
 * an older allocscope wrote without a newer column would not line up with
 * the new ones. Returns 0 (also for a table not there), or -1 with err
 * naming the file. */
int as_resume_check_columns(const char *dir, char *err, size_t errlen);

/* Append to out the rows of DIR/NAME (series, latency or histogram: first
 * columns trial,rep) whose (trial, rep) is done; the header is dropped. */
void as_resume_keep_rows(const char *dir, const char *name, const as_trial_spec_t *specs,
                         const int *done, int n, as_buf_t *out);

struct as_table;

/* The statistics' verdict on each row of a trials.csv read back (t):
 * dist[r] = AS_DIST_* (disturb.h as_disturbed_set, groups by the trial
 * column), so what reads trials.csv (the suite's verdicts) keeps the same
 * repetitions as summary.csv and the table. A file without the figures
 * the rule needs has no disturbed row. Returns 0, or -1 when out of
 * memory. */
int as_table_disturbed(const struct as_table *t, unsigned char *dist);

/* The trials.csv columns as_table_disturbed and as_table_machine read,
 * for a reader that keeps only those (as_table_read_cols). */
#define AS_TABLE_MACHINE_COLS                                                             \
	"trial", "rep", "threads", "status", "workload", "workload_params", "elapsed_ns", \
	    "wait_ns", "sampling_ns", "samples", "handoff_end_ns", "pass_ns_max",         \
	    "pass_ns_median", "passes", "ns_per_op", "ops"

/* as_table_disturbed, and what the rows say of the machine (disturb.h as_machine)
 * in *m unless it is NULL. */
struct as_machine;
int as_table_machine(const struct as_table *t, unsigned char *dist, struct as_machine *m);

#endif /* AS_RESUME_H */
