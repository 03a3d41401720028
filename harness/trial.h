/* trial.h - one trial = module spec x workload spec x threads x repetition,
 * run in a fresh worker process (fork + exec of this same executable) so
 * that every trial starts from a clean heap and program break. The parent
 * side enforces the timeout and turns a crash, hang or load failure into a
 * status; the worker side runs the engine and reports over a pipe. */
#ifndef AS_TRIAL_H
#define AS_TRIAL_H

#include <stddef.h>
#include <stdint.h>

#include "../workloads/opstream.h"
#include "../workloads/spec.h"
#include "status.h"
#include "tables.h"

typedef struct as_trial_spec {
	const as_spec_t *module;   /* parsed once at the CLI; not owned */
	const as_spec_t *workload; /* not owned */
	uint32_t threads;
	uint64_t seed;
	uint32_t trial; /* index in the matrix */
	uint32_t rep;
	double timeout_s;
	int validate;
	uint64_t sample_every;       /* AS_SAMPLE_AUTO: about 256 points */
	uint64_t sample_interval_ms; /* 0: no wall-clock samples */
	uint64_t latency_every;      /* time every Nth op; 0: off */
	int syscalls;                /* as_syscount_method_t */
	int pin;                     /* as_pin_t */
	double ns_per_tick;          /* rdtsc scale from the parent; 0: clock_gettime */
	int warmup;                  /* a warm-up run: not written anywhere */
} as_trial_spec_t;

#define AS_SAMPLE_AUTO UINT64_MAX

/* Rows of doubles received from the worker (series, latency, histogram). */
typedef struct as_rows {
	double *v;
	size_t n, cap; /* rows */
} as_rows_t;

typedef struct as_trial_result {
	as_status_t status;
	char reason[512];
	char module_version[64];
	double v[AS_TRIAL_NCOLS]; /* NaN = n/a */
	as_rows_t series;         /* AS_SERIES_NCOLS per row */
	as_rows_t latency;        /* AS_LATENCY_NCOLS per row */
	as_rows_t hist;           /* AS_HIST_NCOLS per row */
	char bindings[256];       /* "0:3 1:1": thread:CPU list, or "" */
	char syscalls_na[256];    /* why the worker could not count, or "" */
	char warning[256];
	double p99_ns[AS_OP_KIND_COUNT]; /* from the latency rows, for the console; NaN */
} as_trial_result_t;

/* Free the row arrays of a result (safe on a zeroed result). */
void as_trial_result_free(as_trial_result_t *res);

/* Set (by the runner's SIGINT/SIGTERM handler) to stop the run: a trial in
 * progress is killed and returns AS_ERR_INTERRUPTED, and is not recorded. */
extern volatile int as_interrupted;

/* Parent: run one trial in a worker process and wait for it (at most
 * timeout_s; then it is killed). Always fills *res; returns 0, or -1 when
 * the worker could not even be started (res says why). */
int as_trial_run(const as_trial_spec_t *spec, as_trial_result_t *res);

/* Load the module spec and create + destroy an instance in a short-lived
 * child process (so a module that crashes on load cannot take the caller
 * down). Returns AS_OK, or the refusal's status with a one-line reason in
 * err (ABI mismatch, bad params naming the key, crash on load, ...). */
as_status_t as_module_probe(const as_spec_t *module, char *err, size_t errlen);

/* Worker entry: `allocscope __worker`, started by as_trial_run. It reads
 * its trial spec and reports through the fds trial_wire.h names. Returns
 * the process exit code. */
int as_worker_main(int argc, char **argv);

#endif /* AS_TRIAL_H */
