/* stress.h - the conformance suite's randomised differential run: random
 * malloc/calloc/realloc (grow, shrink a little, shrink a lot)/aligned
 * allocations/sized and unsized frees against one module instance, across
 * threads for a thread-safe module, every block pattern-checked before it is
 * freed or resized and checked for alignment and overlap as `--validate`
 * does. Used by conformance.c (`allocscope check`); not thread-safe itself
 * (one run per process). */
#ifndef AS_STRESS_H
#define AS_STRESS_H

#include <stddef.h>
#include <stdint.h>

#include "../allocators/allocscope_module.h"

typedef struct {
	uint64_t ops;  /* operations in all, shared out among the threads */
	uint64_t seed; /* the same seed gives the same sequence per thread */
} as_stress_opts_t;

#define AS_STRESS_OPS_DEFAULT  200000u
#define AS_STRESS_SEED_DEFAULT 1u

/* Run the sequence on `inst` of module `m`, using only what its caps
 * claim (4 threads when thread-safe with free; reset between phases for a
 * module without free). Returns 0 with a summary in why, 1 with the first
 * failure (thread, op, seed, block) in why, or -1 when the module hands out
 * live memory by design (AS_CAP_RECYCLES_LIVE) or a thread could not be
 * started (why says which and why: the run is then not a pass). The
 * instance is left with no live blocks (for a module with free). */
int as_stress_run(const as_module_t *m, void *inst, const as_stress_opts_t *o, char *why,
                  size_t whylen);

#endif /* AS_STRESS_H */
