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

/* A result with no numbers (every value NaN, no rows) and status st. */
void as_trial_result_none(as_trial_result_t *res, as_status_t st);

/* Keep what a run keeps of res in *rec (its own reason copied when res is
 * not ok). Returns 0, or -1 when out of memory (rec then has no reason). */
int as_trial_rec_set(as_trial_rec_t *rec, const as_trial_result_t *res);

/* Free a record's reason (safe on a zeroed record). */
void as_trial_rec_free(as_trial_rec_t *rec);

/* Set (by the runner's SIGINT/SIGTERM handler) to stop the run: a trial in
 * progress is killed and returns AS_ERR_INTERRUPTED, and is not recorded. */
extern volatile int as_interrupted;

/* Parent: run one trial in a worker process and wait for it (at most
 * timeout_s; then it is killed). Always fills *res; returns 0, or -1 when
 * the worker could not even be started (res says why). */
int as_trial_run(const as_trial_spec_t *spec, as_trial_result_t *res);

/* The module's probe, a trial without a workload: a worker loads the
 * module, creates an instance with its params and destroys it, under
 * timeout_s like any trial, and (quick_checks) runs the quick checks on
 * it. Returns AS_OK; a refusal of the module or its
 * params (a loader status, AS_ERR_PARAMS) with the module's one-line reason
 * in err; or the probe's failure (AS_ERR_CRASH, AS_ERR_TIMEOUT,
 * AS_ERR_WORKER) with "LABEL: the probe (load, create, destroy) ..." and
 * the cause and phase in err. */
as_status_t as_module_probe(const as_spec_t *module, double timeout_s, int quick_checks, char *err,
                            size_t errlen);
/* as_trial_spec_t.probe: a probe with the quick checks (conformance.h
 * as_conformance_quick: a module that fails one fails its rows as
 * AS_ERR_INVALID), or without (--no-quick-check) */
#define AS_PROBE_CHECKS    1
#define AS_PROBE_NO_CHECKS 2

/* The probe's time limit where a command has no --timeout (exec): a module
 * that needs longer to create one instance is broken for exec's purposes. */
#define AS_PROBE_TIMEOUT_S 10.0

/* Close the op stream records this process kept for its trials (trial.c:
 * one per generator stream, built by the first worker of the run that ran
 * it): at the end of a run. */
void as_trial_streams_clear(void);

/* 1 when st says a worker crashed, hung or exited without a result, the
 * module forked, or it returned invalid memory (a probe's quick checks):
 * the module's fault, where a refusal is the user's. */
int as_status_is_fault(as_status_t st);

/* Worker entry: `allocscope __worker`, started by as_trial_run. It reads
 * its trial spec and reports through the fds trial_wire.h names. Returns
 * the process exit code. */
int as_worker_main(int argc, char **argv);

#endif /* AS_TRIAL_H */
