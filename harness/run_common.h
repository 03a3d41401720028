/* run_common.h - what the commands that run a matrix (run, replay, suite,
 * tune) share: the common options' table rows and their handler, the
 * defaults, and the step that runs a matrix and plots it. One place that
 * each of them calls, so no command calls into another's file. Not the
 * commands themselves (cmd_*.c) nor the running (runner.c). */
#ifndef AS_RUN_COMMON_H
#define AS_RUN_COMMON_H

#include "cli.h"
#include "plot.h"
#include "run_cfg.h"

/* The long-option keys of the common options. */
enum {
	OPT_TIMEOUT = 256,
	OPT_VALIDATE,
	OPT_NO_QUICK_CHECK,
	OPT_SAMPLE_EVERY,
	OPT_SEED,
	OPT_LATENCY,
	OPT_SAMPLE_INTERVAL,
	OPT_SYSCALLS,
	OPT_PIN,
	OPT_WARMUP,
	OPT_RESUME,
	OPT_NO_PLOT,
	OPT_FORCE,
	OPT_BASELINE,
	OPT_CI,
	OPT_MAX_TIME,
	OPT_MIN_TIME,
	OPT_JOBS,
};

/* The option-table rows of the options every matrix command takes (run and
 * replay take all of them; suite has its own -a and -o rows), all handled by
 * as_run_common_opt: one source for --help and for parsing. */
/* clang-format off */
/* -r with its default (DEF) */
#define AS_RUN_REPS_OPT(DEF) \
	{'r', "reps", "N|auto", DEF, \
	 "repetitions of each trial, each in a fresh process (1..1000); auto: at least 6 the " \
	 "machine did not disturb (summary.csv reps_disturbed), then more until the median's " \
	 "95 % CI is within --ci (at most 30, or --max-time per trial: 3 x it while fewer than " \
	 "6 are undisturbed); the statistics leave " \
	 "the disturbed out either way (all kept when fewer than 2 are undisturbed)"}
/* --ci and --max-time */
#define AS_RUN_AUTO_OPTS \
	{OPT_CI, "ci", "PCT", "3%", "-r auto stops a trial when its ns/op CI is within +-PCT of the median"}, \
	{OPT_MAX_TIME, "max-time", "SEC", "2", "-r auto adds no repetition to a trial whose reps took SEC in all (3 x SEC while fewer than 6 are undisturbed)"}
/* --min-time with its default (DEF) */
#define AS_RUN_MIN_TIME_OPT(DEF) \
	{OPT_MIN_TIME, "min-time", "SEC", DEF, \
	 "run a trial's op stream again until its timed region lasts SEC, when the stream " \
	 "frees everything it allocates and the module frees (or resets, where the stream " \
	 "releases every object by a reset) (0: once; trials.csv passes)"}
/* the measurement options after those (suite's come from here too) */
#define AS_RUN_MEASURE_REST_OPTS \
	{OPT_SEED, "seed", "N", "42", "workload PRNG seed"}, \
	{OPT_TIMEOUT, "timeout", "SEC", "60", "per-trial (and module probe) time limit; a late worker is killed"}, \
	{OPT_VALIDATE, "validate", NULL, NULL, \
	 "check every returned block: alignment and no overlap with live blocks (slow)"}, \
	{OPT_NO_QUICK_CHECK, "no-quick-check", NULL, NULL, \
	 "skip the quick checks each module gets before its trials (alignment, overlap, " \
	 "free, realloc, calloc; a module failing one has its rows fail): for a test " \
	 "module that breaks them on purpose"}, \
	{'q', "quiet", NULL, NULL, "no table on stdout, only the results folder"}, \
	{OPT_LATENCY, "latency", "N", "64", \
	 "time every Nth op per thread (on average, jittered) into latency.csv and " \
	 "histogram.csv (1 = every op, 0 = off)"}, \
	{OPT_SAMPLE_EVERY, "sample-every", "N", "auto", \
	 "series.csv point every N ops of thread 0 (auto: ~256 per trial, >= 1024 ops apart), " \
	 "and one where its live bytes first peak (0: start+end only); the first pass of the " \
	 "op stream only (--min-time repeats it unsampled)"}, \
	{OPT_SAMPLE_INTERVAL, "sample-interval-ms", "MS", "0", \
	 "also sample every MS of wall time, in the first pass of the op stream (0: off)"}, \
	{OPT_SYSCALLS, "syscalls", "perf|seccomp|off", "perf", \
	 "count memory syscalls: perf (tracepoints), seccomp (filter + ptrace), off"}, \
	{OPT_PIN, "pin", "none|compact|scatter", "none", "thread binding through hwloc"}, \
	{OPT_WARMUP, "warmup", "N", "0", "uncounted runs of each trial before the measured ones"}, \
	{OPT_NO_PLOT, "no-plot", NULL, NULL, "do not draw charts and report.md at the end (allocscope plot DIR does it later)"}, \
	{OPT_BASELINE, "baseline", "MODULE", "first module that ran", \
	 "module the others are compared with in comparisons.csv (as given in -a; null is never one)"}

#define AS_RUN_MEASURE_OPTS \
	AS_RUN_REPS_OPT("auto"), AS_RUN_AUTO_OPTS, AS_RUN_MIN_TIME_OPT("0.2"), \
	AS_RUN_MEASURE_REST_OPTS

#define AS_RUN_JOBS_OPT \
	{OPT_JOBS, "jobs", "N", "1", \
	 "run N trials at once (1..8), each in its own worker: for memory figures only (RSS, " \
	 "faults, system calls); the timing figures of such a run are not written " \
	 "(context.csv timing_figures); needs -r N, not -r auto"}

#define AS_RUN_FORCE_OPT \
	{OPT_FORCE, "force", NULL, NULL, "replace the earlier run's results in a -o folder (refused, naming it, when the folder also holds a file or folder allocscope did not write)"}

#define AS_RUN_COMMON_OPTS \
	{'a', "allocators", "LIST", NULL, \
	 "modules to compare: NAME[:k=v,...] or PATH.so, comma-separated (required)"}, \
	{'o', "out", "DIR", "results/<run-id>", "results folder (must be new or empty)"}, \
	AS_RUN_FORCE_OPT, \
	AS_RUN_MEASURE_OPTS
/* clang-format on */

/* Defaults shared by run, replay, suite and tune: cfg zeroed, then the
 * defaults --help shows, ARGC/ARGV the command line context.csv records. */
void as_run_defaults(as_run_cfg_t *cfg, int argc, char **argv);

/* The options AS_RUN_COMMON_OPTS names (CMD names the command in an error
 * line). Returns 0 when handled, 1 when the key is not a common one, -1
 * after printing an error on stderr. -a fills cfg->modules with parsed
 * specs (freed by as_run_cfg_free_specs). */
int as_run_common_opt(const char *cmd, int key, const char *arg, as_run_cfg_t *cfg);

/* What as_run_plot did, for the command to say (as_run_plot_print,
 * cmd_plot.c): the library draws and returns, the command prints. */
typedef struct as_run_plotted {
	int drawn;            /* 0: cfg->no_plot (or not plotted): nothing below */
	as_plot_result_t res; /* as_plot_dir's messages and report path */
	int interrupted;      /* ^C while drawing: the charts' gnuplots "failed" */
} as_run_plotted_t;

/* Unless cfg->no_plot: charts and report.md for DIR (a run or suite
 * folder), what happened into *out (always filled; release with
 * as_run_plotted_free). Prints nothing. A plotting problem (no gnuplot, a
 * chart gnuplot failed on) is a message in out->res; it does not change the
 * exit code, so 0, unless a file could not be written whole (a full disk):
 * 2, or the run was interrupted while drawing (out->interrupted): 130. The
 * caller exits with it. */
int as_run_plot(const as_run_cfg_t *cfg, const char *dir, as_run_plotted_t *out);

void as_run_plotted_free(as_run_plotted_t *p);

/* Validate cfg's matrix, run it (or resume it: cfg->resume), then plot
 * its folder (as_run_plot, into *plotted, always filled) unless the run
 * could not write its results or was interrupted. Returns the exit code:
 * as_run_validate's or as_run_matrix's, or as_run_plot's where that is not
 * 0. *DIR (DIRLEN bytes) the run's folder when it ran, else "". */
int as_run_and_plot(as_run_cfg_t *cfg, char *dir, size_t dirlen, as_run_plotted_t *plotted);

#endif /* AS_RUN_COMMON_H */
