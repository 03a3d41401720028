/* trial.h - one trial = module spec x workload spec x threads x repetition,
 * run in a fresh worker process (fork + exec of this same executable) so
 * that every trial starts from a clean heap and program break. The parent
 * side enforces the timeout and turns a crash, hang or load failure into a
 * status; the worker side runs the engine and reports over a pipe. */
#ifndef AS_TRIAL_H
#define AS_TRIAL_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"
#include "tables.h"

typedef struct as_trial_spec {
	const char *module;   /* NAME[:params] or PATH[:params] */
	const char *workload; /* NAME[:params] */
	uint32_t threads;
	uint64_t seed;
	uint32_t trial; /* index in the matrix */
	uint32_t rep;
	double timeout_s;
	int validate;
	uint64_t sample_every;
} as_trial_spec_t;

typedef struct as_trial_result {
	as_status_t status;
	char reason[512];
	char module_version[64];
	double v[AS_TRIAL_NCOLS]; /* NaN = n/a */
} as_trial_result_t;

/* Parent: run one trial in a worker process and wait for it (at most
 * timeout_s; then it is killed). Always fills *res; returns 0, or -1 when
 * the worker could not even be started (res says why). */
int as_trial_run(const as_trial_spec_t *spec, as_trial_result_t *res);

/* Load the module spec and create + destroy an instance in a short-lived
 * child process (so a module that crashes on load cannot take the caller
 * down). Returns AS_OK, or the refusal's status with a one-line reason in
 * err (ABI mismatch, bad params naming the key, crash on load, ...). */
as_status_t as_module_probe(const char *spec, char *err, size_t errlen);

/* Worker entry: `allocscope __worker FD MODULE WORKLOAD THREADS SEED
 * VALIDATE SAMPLE_EVERY`. Reports on FD; returns the process exit code. */
int as_worker_main(int argc, char **argv);

#endif /* AS_TRIAL_H */
