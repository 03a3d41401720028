/* conformance.h - the one conformance suite every module must pass for what
 * it claims (its caps). Used by `allocscope check` and by ctest for every
 * built module. Each check runs in a forked child with a time limit, so a
 * module that crashes or hangs fails that check instead of the suite. */
#ifndef AS_CONFORMANCE_H
#define AS_CONFORMANCE_H

#include <stdio.h>

#include "../workloads/spec.h"
#include "../allocators/allocscope_module.h"
#include "stress.h"

/* Run every check against the module spec (name or path, and params),
 * printing one "PASS/FAIL/SKIP name: detail" line per check to `out`; a
 * check that runs longer than timeout_s seconds fails as hung. The `stress`
 * check runs with `stress` (NULL: AS_STRESS_*_DEFAULT).
 * A check the module does not offer (its caps and hooks say so) is
 * skipped before any instance is created. Returns 0 when every applicable
 * check passed, 1 when any failed, 2 when the module could not be loaded
 * or create() refused the params (one line saying why on stderr, with a
 * close declared key for a misspelt one, as `run` gives; no check runs). */
int as_conformance_run(const as_spec_t *spec, FILE *out, int verbose, unsigned timeout_s,
                       const as_stress_opts_t *stress);

/* The quick checks run's probe makes of every module before its trials
 * (alignment, no_overlap, free_reuse, realloc, calloc, each where the
 * module offers it), in this process on instance INST of module M: the
 * blocks they leave are the instance's, for destroy. Returns 0, or 1 with
 * "check: what failed" in why. */
int as_conformance_quick(const as_module_t *m, void *inst, char *why, size_t len);

#endif /* AS_CONFORMANCE_H */
