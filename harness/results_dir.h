/* results_dir.h - a results folder belongs to one run: claiming it takes an
 * flock on DIR/.lock for as long as the run lasts (a second run into the
 * same folder is refused, not interleaved), and a folder that already holds
 * files is refused unless the run resumes it or was asked to replace it
 * (--force, which clears it first). Not thread-safe. */
#ifndef AS_RESULTS_DIR_H
#define AS_RESULTS_DIR_H

#include <stddef.h>

typedef enum {
	AS_DIR_NEW,    /* must be missing or empty */
	AS_DIR_EMPTY,  /* AS_DIR_NEW for a command without --force or --resume */
	AS_DIR_FORCE,  /* cleared first when it holds an earlier run */
	AS_DIR_RESUME, /* must exist: an interrupted run of the same matrix */
} as_dir_mode_t;

/* The name of the lock file inside a results folder. */
#define AS_DIR_LOCK ".lock"

/* Create DIR (with parents) unless it exists, lock it and check it is
 * usable in that mode. A path whose files would not fit (a component over
 * NAME_MAX, the folder plus its longest file name over PATH_MAX) is refused
 * before anything is created. --force clears only a folder that looks like
 * allocscope's (run.args, context.csv, trials.csv or scenarios.csv in it).
 * Returns the lock's fd (keep it open for the run; as_results_dir_release
 * closes it), or -1 with one line in err. */
int as_results_dir_claim(const char *dir, as_dir_mode_t mode, char *err, size_t errlen);

/* Make a new folder under results/: results/<stamp><suffix>, or with -2,
 * -3, ... when that exists (mkdir decides, so two runs started in the same
 * second get different folders). Returns 0 or -1 with err. */
int as_results_dir_new(const char *suffix, char *out, size_t outlen, char *err, size_t errlen);

/* Give up the folder (closes the lock fd; -1 is ignored). */
void as_results_dir_release(int lock_fd);

/* Undo the claim of a command that stopped before it wrote anything into
 * DIR (as_results_dir_unstarted: a tune whose capture never ran): DIR's
 * lock file removed, and DIR too when created (the claim made it), so no
 * empty folder is left to the user. A DIR that holds more is left as it
 * is. The lock's fd is still closed by as_results_dir_release. */
void as_results_dir_unclaim(const char *dir, int created);

/* 1 when DIR exists and holds nothing but (at most) the lock file: what a run
 * stopped between claiming the folder and writing run.args leaves; 0 when it
 * holds anything else or cannot be listed. */
int as_results_dir_unstarted(const char *dir);

#endif /* AS_RESULTS_DIR_H */
