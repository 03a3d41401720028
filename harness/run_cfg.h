/* run_cfg.h - the settings of one run (the matrix and how to measure it),
 * filled by the commands and read by the runner, the run context and the
 * reporters. Plain type; no functions. */
#ifndef AS_RUN_CFG_H
#define AS_RUN_CFG_H

#include <stddef.h>
#include <stdint.h>

#include "../workloads/spec.h"
#include "status.h"

struct as_run;
struct as_trial_spec;

#define AS_RUN_MAX_ITEMS 64
/* -r auto: at least this many repetitions of every trial (6: the first n
 * at which a distribution-free 95 % CI of a median exists), at most
 * AS_AUTO_MAX_REPS. */
#define AS_AUTO_MIN_REPS 6
#define AS_AUTO_MAX_REPS 30
/* -r auto: a group short of AS_AUTO_MIN_REPS undisturbed repetitions
 * when its reps took --max-time goes on until they took this many times
 * --max-time (docs/measure.md "A busy host: --max-time and the six") */
#define AS_AUTO_SHORT_STRETCH 3

/* A module's probe (trial.h), run once by as_run_validate: when it
 * crashed, hung or exited, the module's trials are not run and each row
 * carries this status and reason. */
typedef struct as_probe_result {
	int probed;
	as_status_t status;
	char reason[512];
} as_probe_result_t;

/* A suite's progress over its scenario runs (cmd_suite.c), so the console
 * draws one bar with one ETA for the whole suite. Counts are matrix
 * entries (warm-up runs included; with -r auto the most repetitions). */
typedef struct as_suite_progress {
	int scenario, nscenarios; /* this run is scenario+1 of nscenarios */
	long before;              /* entries of the scenarios before this one */
	long total;               /* entries of all scenarios */
	uint64_t t0_ns;           /* start of the suite (as_now_ns) */
} as_suite_progress_t;

/* -r auto: why the trial groups of a run stopped adding repetitions
 * (context.csv `repetitions_stopped`; the suite prints it per scenario) */
typedef struct as_run_stops {
	int ci;             /* the ns/op median's 95 % CI within --ci */
	int max_time;       /* the group's repetitions took --max-time */
	int max_time_short; /* of those, groups with fewer than AS_AUTO_MIN_REPS
	                       undisturbed after AS_AUTO_SHORT_STRETCH x --max-time */
	int budget;         /* the run's trials took run_max_s (a suite's budget share) */
	int budget_short;   /* of those, groups with fewer than AS_AUTO_MIN_REPS
	                       undisturbed repetitions (the machine was busy) */
	int most;           /* ran the most repetitions allowed (-r auto's cap) */
	int failed;         /* a repetition failed or was skipped */
} as_run_stops_t;

typedef struct as_run_cfg {
	as_spec_t modules[AS_RUN_MAX_ITEMS];       /* parsed once at the CLI */
	as_probe_result_t probe[AS_RUN_MAX_ITEMS]; /* per module; filled by as_run_validate */
	/* per module: why this run does not compare it (a suite scenario's
	 * as_scenario_skip), or NULL; its rows are `skipped` with this reason
	 * and no worker is started */
	const char *skip_why[AS_RUN_MAX_ITEMS];
	int nmodules;
	as_spec_t workloads[AS_RUN_MAX_ITEMS];
	int nworkloads;
	uint32_t threads[AS_RUN_MAX_ITEMS];
	int nthreads;
	uint32_t reps;      /* -r N; with reps_auto the most per trial */
	int reps_auto;      /* -r auto (default): AS_AUTO_MIN_REPS, then
	                       on until the median's CI is within ci_rel */
	double ci_rel;      /* --ci: CI half-width / median to stop at */
	double group_max_s; /* --max-time: wall time per trial group
	                       after which -r auto stops adding reps */
	/* -r auto: the groups whose repetitions beyond AS_AUTO_MIN_REPS run
	 * before any other group's (a suite's claims read them): 1 for such a
	 * group's spec; NULL: none, repetitions in order. They stop adding
	 * reps after first_max_s (not group_max_s). */
	int (*first)(void *ctx, const struct as_trial_spec *s);
	void *first_ctx;
	double first_max_s;
	double run_max_s;      /* -r auto: no repetition beyond the minimum starts once
	                          the run's trials took this long (undisturbed or
	                          not); 0: no limit */
	int keep_undisturbed;  /* -r auto (a suite's budget): a group past its
	                          --max-time still runs again in place of a
	                          disturbed repetition until AS_AUTO_MIN_REPS are
	                          undisturbed, while run_max_s is not reached */
	as_run_stops_t *stops; /* -r auto: filled at the end with why each trial
	                          group stopped adding repetitions; NULL: not wanted */
	double min_time_s;     /* --min-time: timed region of a trial at least
	                          this long, repeating a stream that ends empty */
	uint64_t seed;
	double timeout_s;
	int validate;
	int no_quick_check;          /* --no-quick-check: the probe runs no quick checks */
	uint64_t sample_every;       /* AS_SAMPLE_AUTO (default): ~256 points per trial */
	uint64_t sample_interval_ms; /* also sample on wall time; 0: off (default) */
	uint64_t latency_every;      /* time every Nth op; 0: off; default AS_LATENCY_DEFAULT */
	int syscalls;                /* as_syscount_method_t; default perf */
	int no_syscalls_option;      /* the command has no --syscalls (tune): the
	                                reasons it writes name no remedy through it */
	int pin;                     /* as_pin_t; default none */
	uint32_t warmup;             /* uncounted runs of each trial first; default 0 */
	int jobs;                    /* --jobs: trials run at once (jobs.h); 1 (default):
	                                one at a time. Above 1 the timing figures are
	                                not written (runner.c, not_timing) and -r
	                                auto is refused */
	int quiet;                   /* no console table */
	int no_plot;                 /* --no-plot: no charts at the end */
	const char *out_dir;         /* NULL: results/<run-id> */
	int force;                   /* --force: clear a non-empty out_dir first */
	int resume;                  /* out_dir holds an interrupted run of this
	                                same matrix: run only its missing trials */
	const char *baseline;        /* --baseline: module label the others are
	                                compared with; NULL: the first non-null */
	const char *label;           /* free text recorded in the context (suite name) */
	/* A command's own rule for dropping repetitions (tune: early
	 * elimination and its time budget), asked before each trial that is not
	 * done yet: run->specs[0..w) are done, specs[i] is next. 1 drops it (the
	 * group's later repetitions are asked again). NULL: none. */
	int (*drop)(void *ctx, const struct as_run *run, int w, int i);
	void *drop_ctx;
	int reps_agree;                     /* N: a group stops at N repetitions that are ok and
	                                       agree on every memory column (a suite's memory
	                                       scenarios: drop = as_reps_agree_drop, reps_agree.h);
	                                       context.csv repetitions_agree. 0: no such rule */
	const struct as_scenario *scenario; /* suite: the scenario this run is (its
	                                       headline.csv), else NULL */
	const as_suite_progress_t *suite;   /* suite: where this run is in it, else NULL */
	int own_interrupt_line;             /* the command says what an interrupt left (tune:
	                                       it has no resume), not the runner's "resume
	                                       with: allocscope run --resume DIR" */
	int argc;                           /* command line, recorded in the context */
	char **argv;
} as_run_cfg_t;

#endif /* AS_RUN_CFG_H */
