/* pin.h - thread placement through hwloc: none (the scheduler decides),
 * compact (thread i on the i-th processing unit, filling cores and packages
 * in order) or scatter (threads spread round-robin over packages, then
 * cores, then PUs). The cpu sets are computed before the timed region; a
 * thread binds itself with one sched_setaffinity (no allocation). */
#ifndef AS_PIN_H
#define AS_PIN_H

#include <stddef.h>
#include <stdint.h>

typedef enum as_pin { AS_PIN_NONE = 0, AS_PIN_COMPACT, AS_PIN_SCATTER } as_pin_t;

/* "none" | "compact" | "scatter". Returns 0 or -1. */
int as_pin_parse(const char *s, as_pin_t *out);
const char *as_pin_name(as_pin_t p);

/* Compute the binding of threads 0..nthreads-1 (uses hwloc, allocates:
 * call before the baseline). Returns 0, or -1 with the reason. */
int as_pin_plan(as_pin_t p, uint32_t nthreads, char *why, size_t len);

/* Bind the calling thread as thread t of the plan (none: leave it) and
 * record the affinity the kernel reports afterwards. Returns 0 or -1. No
 * allocation: safe between the baseline and the timed region. */
int as_pin_apply(uint32_t t);

/* The affinity of thread t recorded by as_pin_apply, as a CPU list ("3",
 * "0-1"); "none" before it ran. */
const char *as_pin_desc(uint32_t t);
/* The CPUs this thread may run on now, "0-3,6" (context.csv cpus_allowed). */
void as_pin_allowed(char *out, size_t len);

#endif /* AS_PIN_H */
