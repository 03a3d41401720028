/* context.h - what a result needs next to it to be reproducible: the
 * machine (hwloc topology, CPU model, kernel, glibc), the build (compiler,
 * flags, git revision) and the run's own settings. Collected by the parent
 * into key,value rows of context.csv. */
#ifndef AS_CONTEXT_H
#define AS_CONTEXT_H

#include "buf.h"
#include "run_cfg.h"
#include "timer.h"

/* Start a context table (header row) in b. */
void as_context_begin(as_buf_t *b);
/* Add one key,value row. */
void as_context_add(as_buf_t *b, const char *key, const char *value);
void as_context_addf(as_buf_t *b, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Add the machine and build rows (hwloc, /proc/cpuinfo, uname, glibc,
 * compiler, build type, git revision) and warnings about the environment. */
void as_context_machine(as_buf_t *b, unsigned max_threads);

/* The whole context of a run: header, results_format, the machine, the
 * run's settings and specs, how each measurement is taken (timer, syscall
 * counting, pinning) with warnings, and the command line. */
void as_context_run(as_buf_t *ctx, const as_run_cfg_t *cfg, const as_timer_info_t *ti,
                    unsigned max_threads);

/* --resume: 0 when the machine (host, kernel, CPU model, glibc) and
 * allocscope's build (git revision, build type) are those DIR/context.csv
 * recorded when the run began, and each module spec of cfg resolves to
 * the file, with the content, it recorded (a key or spec it did not record
 * is not checked); -1 with err naming what changed otherwise, or when
 * context.csv cannot be read. */
int as_context_modules_unchanged(const char *dir, const as_run_cfg_t *cfg, char *err,
                                 size_t errlen);

#endif /* AS_CONTEXT_H */
