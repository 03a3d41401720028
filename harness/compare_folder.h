/* compare_folder.h - the two results folders as `allocscope compare`
 * reads them (cmd_compare.c): what a metric is and whether a folder
 * measured it, the modules of the two sides matched to each other, and each
 * side's trials.csv as groups of the metric (compare.h), two run folders or
 * two suites scenario by scenario; a damaged folder is refused with one
 * line. Its warnings about the folders are compare_warn.c's. Reads only;
 * errors go to stderr, the last one kept for --json. Not thread-safe. */
#ifndef AS_COMPARE_FOLDER_H
#define AS_COMPARE_FOLDER_H

#include <stddef.h>

#include "compare.h"
#include "disturb.h"
#include "trials_read.h"

/* Whether METRIC is a time, the figures trials run side by side (--jobs)
 * leave empty or make wall time (context.csv timing_figures): 1 or 0. */
int as_compare_timing_metric(const char *metric);

/* Why an ok trial may have no value of METRIC: the table's words (a
 * static string). */
const char *as_compare_unmeasured_why(const char *metric);

/* Why neither folder has METRIC, and other metrics to compare, in out:
 * "(WHY): compare another --metric, e.g. ...". Returns out. */
const char *as_compare_why_none(const char *metric, char *out, size_t len);

/* The value of KEY in context table t (a context.csv), "" when it has
 * none; the string is t's. */
const char *as_compare_context_value(const as_table_t *t, const char *key);

/* An error line on stderr, "allocscope compare: " and FMT, kept for
 * as_compare_last_error. */
__attribute__((format(printf, 1, 2))) void as_compare_error(const char *fmt, ...);

/* The last line as_compare_error said, "" before any: --json's "error". */
const char *as_compare_last_error(void);

/* DIR/NAME read into t (the caller frees it with as_table_free). Returns
 * 0, or -1 after an as_compare_error line. */
int as_compare_read_table(const char *dir, const char *name, as_table_t *t);

/* Row r's label in out: column NAME, then ":" and column PARAMS_COL when
 * that is not empty ("glibc", "random:ops=20000"). */
void as_compare_label(const as_table_t *t, size_t r, const char *name, const char *params_col,
                      char *out, size_t len);

/* The module names of one side (A or B) as written in trials.csv (orig)
 * and as compare matches them (key), AS_MAX_MODKEYS distinct:
 * as_compare_match_paths fills them from both sides before any group is
 * read. */
#define AS_MAX_MODKEYS 64
typedef struct {
	int n;
	char orig[AS_MAX_MODKEYS][256], key[AS_MAX_MODKEYS][256];
	/* the module labels (module, params) of the side: nlab of them, each
	 * as matched (key[:params]) in lab once the keys are set, and the
	 * other side's label it is paired with in lab_to ("" none) */
	int nlab, lab_mod[AS_MAX_MODKEYS];
	char lab_params[AS_MAX_MODKEYS][256], lab[AS_MAX_MODKEYS][520], lab_to[AS_MAX_MODKEYS][520];
} as_modkeys_t;

/* The modules of folders a and b (two runs, or two suites' common
 * scenarios) into mk[0] and mk[1], zeroed by the caller, matched across
 * the sides: a module path by its file name when the paths differ, a
 * label by its module when the params differ; a note on stderr for each
 * such match. */
void as_compare_match_paths(const char *a, const char *b, as_modkeys_t mk[2]);

/* The scenario folders that suite folders a and b both have, sorted: *n
 * strings, the array and each malloc'd for the caller to free (NULL when
 * none). Aborts when out of memory. */
char **as_compare_common_scenarios(const char *a, const char *b, int *n);

/* Whether folders a and b can be compared: both results folders, neither
 * a folder that merely holds run folders (as_results_runs_only: a user's
 * results/ is no suite, and its runs are unrelated), both runs or both
 * suites. Returns 0, or -1 after one as_compare_error line naming the
 * folder, the reason and the command to run instead. */
int as_compare_check_kinds(const char *a, const char *b);

/* Both folders' groups of METRIC into ga and gb, their machines (disturb.h)
 * into ma and mb (set to "unknown" by the caller): two run folders as they
 * are, two suite folders scenario by scenario (workloads as
 * "SCENARIO/label"), modules named as mk (as_compare_match_paths) matched
 * them. *only_a: the scenarios of suite A that B has not (each said on
 * stderr; a gate counts them). Returns 0, or -1 after an as_compare_error
 * line (as_compare_check_kinds refused them, no common scenario, a damaged
 * folder). */
int as_compare_load_both(const char *a, const char *b, const char *metric, as_groups_t *ga,
                         as_groups_t *gb, as_machine_t *ma, as_machine_t *mb,
                         const as_modkeys_t *mk, int *only_a);

#endif /* AS_COMPARE_FOLDER_H */
