/* results_format.h - the one place that knows the version of the results
 * folder layout and what makes a folder a results folder: `run --resume`
 * and `plot` both ask here, so a folder from a newer allocscope is refused
 * the same way everywhere. Not a reader of the results themselves. */
#ifndef AS_RESULTS_FORMAT_H
#define AS_RESULTS_FORMAT_H

#include <stddef.h>

/* Version of the run-folder format written into context.csv as
 * results_format; a folder from a newer version is refused by --resume and
 * plot rather than misread. */
#define AS_RESULTS_FORMAT 2 /* 2: split key columns in every table */

/* Read DIR/context.csv's results_format into *format: 0 when DIR has no
 * context.csv or it has no results_format row (folders written before the
 * key existed, hand-made fixtures). Returns 0, or -1 with one line in err
 * when context.csv cannot be read, the value is not a number, or it is
 * newer than AS_RESULTS_FORMAT. Thread-safe. */
int as_results_format_read(const char *dir, long *format, char *err, size_t errlen);

/* Check DIR/context.csv's results_format, which must be there (what
 * --resume needs). Returns 0, or -1 with a one-line reason in err
 * (missing, unreadable, or newer than this allocscope). */
int as_results_format_check(const char *dir, char *err, size_t errlen);

/* What DIR holds: a run (DIR/trials.csv), a suite (some DIR/SUB/trials.csv,
 * SUB not starting with '.'), or neither. */
typedef enum { AS_RESULTS_NONE = 0, AS_RESULTS_RUN, AS_RESULTS_SUITE } as_results_kind_t;
as_results_kind_t as_results_kind(const char *dir);

/* 1 when DIR carries the mark of a folder whose subfolders are its own:
 * `suite` writes scenarios.csv (every allocscope since suites came, before
 * the first scenario runs) and suite.args, `tune` writes tune.csv beside
 * its replay/ run. An AS_RESULTS_SUITE folder without it is a folder that
 * merely holds run folders (results/, /tmp): plot writes nothing into
 * those. */
int as_results_suite_marked(const char *dir);

/* The subfolders of DIR that are run folders (AS_RESULTS_RUN), by name in
 * strcmp order, into *names (the caller frees each and the array; NULL
 * when none). Returns how many, or -1 with errno when DIR cannot be
 * listed. Thread-safe. */
int as_results_run_folders(const char *dir, char ***names);

/* 1 when DIR merely holds run folders: AS_RESULTS_SUITE without the mark
 * (as_results_suite_marked), a folder of the user's runs that no suite or
 * tune wrote. Then why gets "not a run, suite or tune folder (no
 * trials.csv, scenarios.csv, suite.args or tune.csv), only a folder of run
 * folders (A, B, C and N more)", the names shell-quoted, and first the
 * name of its first run folder (as_results_run_folders' order), both cut
 * to fit; else 0, with both "". plot and compare refuse such a folder with
 * it, each adding what to do instead. */
int as_results_runs_only(const char *dir, char *why, size_t whylen, char *first, size_t firstlen);

/* Why DIR is AS_RESULTS_NONE, for "DIR: <why>": a folder the user may not
 * list or enter (another user's, mode 0700) says so, not that it holds no
 * trials.csv. Returns buf. */
const char *as_results_none_why(const char *dir, char *buf, size_t len);

#endif /* AS_RESULTS_FORMAT_H */
