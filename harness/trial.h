/* trial.h - one trial = module spec x workload spec x threads x repetition,
 * run in a fresh worker process (fork + exec of this same executable) so
 * that every trial starts from a clean heap and program break. The parent
 * side enforces the timeout and turns a crash, hang or load failure into a
 * status; the worker side runs the engine and reports over a pipe. */
#ifndef AS_TRIAL_H
#define AS_TRIAL_H

#include <stddef.h>
#include <stdint.h>

#include "trial_types.h"

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
