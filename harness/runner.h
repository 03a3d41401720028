/* runner.h - runs a matrix of trials (modules x workloads x threads x
 * repetitions) one worker process at a time (--jobs N: N at once, for
 * memory figures, jobs.h), interleaving repetitions so drift hits every
 * module alike, and hands every result to the reporters in matrix order
 * (reporter.h: the results folder, the console). Used by `run`, `replay`
 * and `suite`. */
#ifndef AS_RUNNER_H
#define AS_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#include "../workloads/spec.h"

#include "run_cfg.h"

/* Check every module can be found and loads with its params, and every
 * workload spec is accepted, before any trial starts. Returns 0, or 2 after
 * printing one line per problem. Each module's probe (a trial of load,
 * create and destroy under cfg->timeout_s) is kept in cfg->probe: one that
 * crashed, hung or exited is not a usage error; it gets one stderr line
 * and as_run_matrix records it as the module's rows without running them. */
int as_run_validate(as_run_cfg_t *cfg);

/* Free the module and workload specs cfg owns (the lists are emptied). */
void as_run_cfg_free_specs(as_run_cfg_t *cfg);

/* Run the matrix. Returns 0 when every trial completed (or was skipped with
 * a reason), 1 when any failed, 2 when results could not be written. The
 * run folder is printed on stdout at the end. */
int as_run_matrix(const as_run_cfg_t *cfg, char *out_dir, size_t out_len);

#endif /* AS_RUNNER_H */
