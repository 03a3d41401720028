/* runner.h - runs a matrix of trials (modules x workloads x threads x
 * repetitions) one worker process at a time, interleaving repetitions so
 * drift hits every module alike, and hands every result to the reporters
 * (reporter.h: the results folder, the console). Used by `run`, `replay`
 * and `suite`. */
#ifndef AS_RUNNER_H
#define AS_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#include "../workloads/spec.h"

#define AS_RUN_MAX_ITEMS 64

typedef struct as_run_cfg {
	as_spec_t modules[AS_RUN_MAX_ITEMS]; /* parsed once at the CLI */
	int nmodules;
	as_spec_t workloads[AS_RUN_MAX_ITEMS];
	int nworkloads;
	uint32_t threads[AS_RUN_MAX_ITEMS];
	int nthreads;
	uint32_t reps;
	uint64_t seed;
	double timeout_s;
	int validate;
	uint64_t sample_every;       /* AS_SAMPLE_AUTO (default): ~256 points per trial */
	uint64_t sample_interval_ms; /* also sample on wall time; 0: off (default) */
	uint64_t latency_every;      /* time every Nth op; 0: off (default) */
	int syscalls;                /* as_syscount_method_t; default perf */
	int pin;                     /* as_pin_t; default none */
	uint32_t warmup;             /* uncounted runs of each trial first; default 0 */
	int quiet;                   /* no console table */
	int no_plot;                 /* --no-plot: no charts at the end */
	const char *out_dir;         /* NULL: results/<run-id> */
	int resume;                  /* out_dir holds an interrupted run of this
	                                same matrix: run only its missing trials */
	const char *label;           /* free text recorded in the context (suite name) */
	int argc;                    /* command line, recorded in the context */
	char **argv;
} as_run_cfg_t;

/* Check every module can be found and loads with its params, and every
 * workload spec is accepted, before any trial starts. Returns 0, or 2 after
 * printing one line per problem. */
int as_run_validate(const as_run_cfg_t *cfg);

/* Free the module and workload specs cfg owns (the lists are emptied). */
void as_run_cfg_free_specs(as_run_cfg_t *cfg);

/* Run the matrix. Returns 0 when every trial completed (or was skipped with
 * a reason), 1 when any failed, 2 when results could not be written. The
 * run folder is printed on stdout at the end. */
int as_run_matrix(const as_run_cfg_t *cfg, char *out_dir, size_t out_len);

#endif /* AS_RUNNER_H */
